/**
 * Well-formed error answers for any API, built without per-API code: the generated identity table
 * (`codec/generated/identities.ts`, from Kafka's specs) says, for each API and version, where a
 * request and its response name topics, partitions, groups and keys, and where the response carries
 * error codes. An error response mirrors the request's elements into the response's arrays, with
 * the error code in every error field at the level a fault targets. This is what Kafka's
 * `AbstractRequest.getErrorResponse` does, API by API.
 *
 * @module
 */

import { API_CODECS, type CodecApiKey, Writer } from "../../codec/mod.ts";
import {
  API_IDENTITIES,
  type IdentityField,
  type IdentityKind,
} from "../../codec/generated/identities.ts";
import type { Cluster } from "../metadata/cluster.ts";

/** What a fault aims at inside a request: a topic, and optionally one of its partitions. */
export interface ErrorTarget {
  readonly topic?: string;
  readonly partition?: number;
}

type Obj = Record<string, unknown>;

/** One struct of a message at one version. */
interface StructShape {
  /** Error fields the version carries (errorCode, partitionErrorCode, ...). */
  readonly errorFields: string[];
  /** Identity fields, by field name. */
  readonly identity: Map<string, IdentityKind>;
  /** Arrays of structs. */
  readonly arrays: Map<string, StructShape>;
  /** Arrays of names (topic names, partition indexes, group ids), by what they name. */
  readonly primitiveArrays: Map<string, IdentityKind>;
  /** Kinds of the identity fields. */
  readonly kinds: Set<IdentityKind>;
  /** Records fields that may not be null: an error answer carries empty records. */
  readonly records: string[];
}

const isObject = (v: unknown): v is Obj =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);

function shapeOf(fields: readonly IdentityField[], version: number): StructShape {
  const shape: StructShape = {
    errorFields: [],
    identity: new Map(),
    arrays: new Map(),
    primitiveArrays: new Map(),
    kinds: new Set(),
    records: [],
  };
  for (const f of fields) {
    if (version < f.versions[0] || version > f.versions[1]) continue;
    if (f.role === "error") shape.errorFields.push(f.name);
    else if (f.role === "name") {
      shape.identity.set(f.name, f.kind!);
      shape.kinds.add(f.kind!);
    } else if (f.role === "values") shape.primitiveArrays.set(f.name, f.kind!);
    else if (f.role === "records") shape.records.push(f.name);
    else shape.arrays.set(f.name, shapeOf(f.fields!, version));
  }
  return shape;
}

const SHAPES = new Map<string, StructShape>();

/** The shape of an API's request or response at a version, built once and kept. */
function messageShape(
  apiKey: CodecApiKey,
  version: number,
  side: "request" | "response",
): StructShape {
  const id = `${side}/${apiKey}/${version}`;
  let shape = SHAPES.get(id);
  if (shape === undefined) {
    shape = shapeOf(API_IDENTITIES[apiKey][side], version);
    SHAPES.set(id, shape);
  }
  return shape;
}

/** The request array that a response array of `element`s answers, and how its elements look. */
function sourceArray(
  request: StructShape,
  responseField: string,
  element: StructShape,
): { field: string; element: StructShape | IdentityKind } | undefined {
  const candidates: { field: string; element: StructShape | IdentityKind }[] = [];
  for (const [field, shape] of request.arrays) {
    if ([...shape.kinds].some((k) => element.kinds.has(k))) {
      candidates.push({ field, element: shape });
    }
  }
  for (const [field, kind] of request.primitiveArrays) {
    if (element.kinds.has(kind)) candidates.push({ field, element: kind });
  }
  return candidates.find((c) => c.field === responseField) ?? candidates[0];
}

/** Whether the elements of `shape` name a topic, by name or (in the newest versions) by id. */
function namesTopic(shape: StructShape): boolean {
  return shape.kinds.has("topic") || shape.kinds.has("topicId");
}

/** The field of `shape` that names a `kind`, if any. */
function fieldOf(shape: StructShape, kind: IdentityKind): string | undefined {
  for (const [field, k] of shape.identity) if (k === kind) return field;
  return undefined;
}

/** A request element's topic name (resolving a topic id), or undefined when it names none. */
function topicOf(element: Obj, shape: StructShape, cluster: Cluster): string | undefined {
  const name = element[fieldOf(shape, "topic") ?? ""];
  if (typeof name === "string" && name !== "") return name;
  const id = element[fieldOf(shape, "topicId") ?? ""];
  return typeof id === "string" ? cluster.topicsById.get(id)?.name : undefined;
}

function partitionOf(element: unknown, shape: StructShape): number | undefined {
  if (typeof element === "number") return element;
  if (!isObject(element)) return undefined;
  const index = element[fieldOf(shape, "partition") ?? ""];
  return typeof index === "number" ? index : undefined;
}

/** Where a mirrored element stands relative to the target. */
type Scope = "inside" | "above" | "outside";

/**
 * Builds a response that answers `request` with `errorCode`: every error field of the elements inside
 * the target (and at the top level when there is no target) carries it.
 */
export function mirrorErrorResponse(
  apiKey: CodecApiKey,
  version: number,
  request: Obj,
  errorCode: number,
  target: ErrorTarget | undefined,
  cluster: Cluster,
): Obj {
  const req = messageShape(apiKey, version, "request");
  const res = messageShape(apiKey, version, "response");
  return mirrorStruct(req, res, request, errorCode, target, target ? "above" : "inside", cluster);
}

function mirrorStruct(
  reqShape: StructShape | IdentityKind,
  resShape: StructShape,
  element: unknown,
  errorCode: number,
  target: ErrorTarget | undefined,
  scope: Scope,
  cluster: Cluster,
): Obj {
  const out: Obj = {};
  for (const f of resShape.records) out[f] = new Uint8Array(0);
  for (const [field, kind] of resShape.identity) {
    if (typeof reqShape === "string") continue;
    for (const [source, sourceKind] of reqShape.identity) {
      if (sourceKind === kind && isObject(element)) {
        out[field] = element[source];
        break;
      }
    }
  }
  if (typeof reqShape === "string" && !isObject(element)) {
    // A bare partition index or name: it fills the identity field of its kind.
    const field = fieldOf(resShape, reqShape);
    if (field !== undefined) out[field] = element;
  }
  if (scope === "inside") { for (const f of resShape.errorFields) out[f] = errorCode; }
  if (typeof reqShape !== "object" || !isObject(element)) return out;
  for (const [field, elementShape] of resShape.arrays) {
    const source = sourceArray(reqShape, field, elementShape);
    if (source === undefined) continue;
    const items = element[source.field];
    if (!Array.isArray(items)) continue;
    const mirrored: Obj[] = [];
    for (const item of items) {
      const itemScope = scopeOf(item, elementShape, target, scope, cluster);
      if (itemScope === "outside") continue;
      mirrored.push(
        mirrorStruct(source.element, elementShape, item, errorCode, target, itemScope, cluster),
      );
    }
    out[field] = mirrored;
  }
  return out;
}

/** The scope of a request element, given its parent's. */
function scopeOf(
  item: unknown,
  shape: StructShape,
  target: ErrorTarget | undefined,
  parent: Scope,
  cluster: Cluster,
): Scope {
  if (parent !== "above" || target === undefined) return parent;
  if (namesTopic(shape)) {
    if (!isObject(item) && typeof item !== "string") return "outside";
    const name = typeof item === "string" ? item : topicOf(item, shape, cluster);
    if (target.topic !== undefined && name !== target.topic) return "outside";
    return target.partition === undefined ? "inside" : "above";
  }
  if (shape.kinds.has("partition")) {
    return target.partition === undefined || partitionOf(item, shape) === target.partition
      ? "inside"
      : "outside";
  }
  return "above";
}

/**
 * Splits a request into the part a target covers and the rest, along its arrays of topics and
 * partitions. `covered` is false when no element of the request is inside the target.
 */
export function splitRequest(
  apiKey: CodecApiKey,
  version: number,
  request: Obj,
  target: ErrorTarget,
  cluster: Cluster,
): { covered: boolean; all: boolean; targeted: Obj; rest: Obj; restEmpty: boolean } {
  const shape = messageShape(apiKey, version, "request");
  const state = { covered: false, all: false, restItems: 0 };
  const [targeted, rest] = splitStruct(shape, request, target, "above", cluster, state);
  return {
    covered: state.covered,
    all: state.all,
    targeted,
    rest,
    restEmpty: state.restItems === 0,
  };
}

function splitStruct(
  shape: StructShape,
  element: Obj,
  target: ErrorTarget,
  scope: Scope,
  cluster: Cluster,
  state: { covered: boolean; all: boolean; restItems: number },
): [Obj, Obj] {
  const targeted: Obj = { ...element };
  const rest: Obj = { ...element };
  for (const [field, elementShape] of shape.arrays) {
    const items = element[field];
    if (items === null && namesTopic(elementShape)) {
      // A null list of topics asks about every topic (Metadata, OffsetFetch): the target may be in it.
      state.all = true;
      continue;
    }
    if (!Array.isArray(items)) continue;
    const inside: unknown[] = [];
    const outside: unknown[] = [];
    for (const item of items) {
      const itemScope = scopeOf(item, elementShape, target, scope, cluster);
      if (itemScope === "inside") {
        inside.push(item);
        state.covered = true;
      } else if (itemScope === "outside") {
        outside.push(item);
        if (namesTopic(elementShape) || elementShape.kinds.has("partition")) {
          state.restItems++;
        }
      } else {
        const [t, r] = splitStruct(elementShape, item as Obj, target, itemScope, cluster, state);
        inside.push(t);
        outside.push(r);
      }
    }
    targeted[field] = inside;
    rest[field] = outside;
  }
  for (const [field] of shape.primitiveArrays) {
    const items = element[field];
    if (!Array.isArray(items) || scope !== "above") continue;
    if (!namesTopic(shape)) continue;
    // A topic's bare partition indexes (OffsetFetch's partitionIndexes).
    const inside = items.filter((p) => target.partition === undefined || p === target.partition);
    const outside = items.filter((p) => !inside.includes(p));
    if (inside.length > 0) state.covered = true;
    state.restItems += outside.length;
    targeted[field] = inside;
    rest[field] = outside;
  }
  return [targeted, rest];
}

/**
 * Sets `errorCode` in every error field of a response's elements inside the target: for requests the
 * split could not narrow (a Metadata request for every topic). Copies what it changes. Returns the new
 * response and whether anything matched.
 */
export function markResponse(
  apiKey: CodecApiKey,
  version: number,
  response: Obj,
  errorCode: number,
  target: ErrorTarget,
  cluster: Cluster,
): { response: Obj; matched: boolean } {
  const shape = messageShape(apiKey, version, "response");
  const state = { matched: false };
  return {
    response: markStruct(shape, response, errorCode, target, "above", cluster, state),
    matched: state.matched,
  };
}

function markStruct(
  shape: StructShape,
  element: Obj,
  errorCode: number,
  target: ErrorTarget,
  scope: Scope,
  cluster: Cluster,
  state: { matched: boolean },
): Obj {
  let out = element;
  const write = (field: string, value: unknown) => {
    if (out === element) out = { ...element };
    out[field] = value;
  };
  if (scope === "inside") {
    state.matched = true;
    for (const f of shape.errorFields) write(f, errorCode);
  }
  for (const [field, elementShape] of shape.arrays) {
    const items = element[field];
    if (!Array.isArray(items)) continue;
    let changed: unknown[] | undefined;
    items.forEach((item, i) => {
      const itemScope = scopeOf(item, elementShape, target, scope, cluster);
      if (itemScope === "outside" || !isObject(item)) return;
      const next = markStruct(elementShape, item, errorCode, target, itemScope, cluster, state);
      if (next !== item) (changed ??= [...items])[i] = next;
    });
    if (changed) write(field, changed);
  }
  return out;
}

/**
 * Adds the elements of an error response into a handler's response: elements that name the same
 * topic, partition or group are merged, the others appended.
 */
export function mergeResponses(
  apiKey: CodecApiKey,
  version: number,
  response: Obj,
  errors: Obj,
): Obj {
  return mergeStruct(messageShape(apiKey, version, "response"), response, errors);
}

function sameIdentity(shape: StructShape, a: Obj, b: Obj): boolean {
  for (const field of shape.identity.keys()) if (a[field] !== b[field]) return false;
  return shape.identity.size > 0;
}

function mergeStruct(shape: StructShape, into: Obj, from: Obj): Obj {
  const out: Obj = { ...into };
  for (const f of shape.errorFields) {
    if (typeof from[f] === "number" && from[f] !== 0) out[f] = from[f];
  }
  for (const [field, elementShape] of shape.arrays) {
    const extra = from[field];
    if (!Array.isArray(extra) || extra.length === 0) continue;
    const items = Array.isArray(into[field]) ? [...(into[field] as Obj[])] : [];
    for (const e of extra as Obj[]) {
      const i = items.findIndex((x) => isObject(x) && sameIdentity(elementShape, x, e));
      if (i >= 0) items[i] = mergeStruct(elementShape, items[i], e);
      else items.push(e);
    }
    out[field] = items;
  }
  return out;
}

/** True when the response (as encoded for `version`) is well formed; injected answers are checked. */
export function encodes(apiKey: CodecApiKey, version: number, response: Obj): boolean {
  try {
    const codec = API_CODECS[apiKey] as unknown as {
      encodeResponse(w: Writer, v: unknown, version: number): void;
    };
    codec.encodeResponse(new Writer(), response, version);
    return true;
  } catch {
    return false;
  }
}

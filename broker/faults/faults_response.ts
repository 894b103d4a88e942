/**
 * Well-formed error answers for any API, built without per-API code: the shapes of a message's
 * request and response at one version are learned once from the codec itself (by encoding and decoding
 * samples), and an error response mirrors the request's topics, partitions, groups and keys into the
 * response's arrays, with the error code in every error field at the level a fault targets. This is
 * what Kafka's `AbstractRequest.getErrorResponse` does, API by API.
 *
 * @module
 */

import { API_CODECS, type CodecApiKey, Reader, Writer } from "../../codec/mod.ts";
import type { Cluster } from "../metadata/cluster.ts";

/** What a fault aims at inside a request: a topic, and optionally one of its partitions. */
export interface ErrorTarget {
  readonly topic?: string;
  readonly partition?: number;
}

type Obj = Record<string, unknown>;

/** Identity fields, by the kind of thing they name; copied from request elements to response ones. */
const IDENTITY_KIND: Record<string, string> = {
  name: "topic",
  topic: "topic",
  topicName: "topic",
  topicId: "topicId",
  partitionIndex: "partition",
  partition: "partition",
  index: "partition",
  partitionId: "partition",
  groupId: "groupId",
  key: "key",
  transactionalId: "transactionalId",
  resourceType: "resourceType",
  resourceName: "resourceName",
  memberId: "memberId",
  groupInstanceId: "groupInstanceId",
};

/** String kinds a bare string element of a request array can fill, most likely first. */
const STRING_KINDS = ["topic", "groupId", "key", "transactionalId", "resourceName"];

/** One struct of a message at one version. */
interface StructShape {
  /** Error fields the version carries (errorCode, partitionErrorCode, ...). */
  readonly errorFields: string[];
  /** Identity fields, by field name. */
  readonly identity: Map<string, string>;
  /** Arrays of structs. */
  readonly arrays: Map<string, StructShape>;
  /** Arrays of numbers or strings. */
  readonly primitiveArrays: Map<string, "number" | "string">;
  /** Kinds of the identity fields. */
  readonly kinds: Set<string>;
}

const isObject = (v: unknown): v is Obj =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);

const isErrorField = (name: string) => name === "errorCode" || name.endsWith("ErrorCode");

interface Codec {
  encode(w: Writer, v: unknown, version: number): void;
  decode(r: Reader, version: number): unknown;
}

function codecOf(apiKey: CodecApiKey, side: "request" | "response"): Codec {
  const c = API_CODECS[apiKey] as unknown as Record<string, (...a: unknown[]) => unknown>;
  return side === "request"
    ? { encode: c.encodeRequest, decode: c.decodeRequest } as Codec
    : { encode: c.encodeResponse, decode: c.decodeResponse } as Codec;
}

function roundTrip(codec: Codec, value: unknown, version: number): Obj {
  const w = new Writer();
  codec.encode(w, value, version);
  return codec.decode(new Reader(w.bytes()), version) as Obj;
}

function getAt(root: unknown, path: (string | number)[]): unknown {
  let v = root;
  for (const p of path) v = (v as Obj)[p as string];
  return v;
}

function setAt(root: unknown, path: (string | number)[], value: unknown): void {
  const parent = getAt(root, path.slice(0, -1)) as Obj;
  parent[path[path.length - 1] as string] = value;
}

/** The first array (empty or null) not yet probed, depth first. */
function nextUnprobed(
  v: unknown,
  path: (string | number)[],
  probed: Set<string>,
): (string | number)[] | undefined {
  if (!isObject(v)) return undefined;
  for (const [k, child] of Object.entries(v)) {
    if (k === "unknownTaggedFields") continue;
    const here = [...path, k];
    if (Array.isArray(child) && child.length === 1 && isObject(child[0])) {
      const found = nextUnprobed(child[0], [...here, 0], probed);
      if (found) return found;
    } else if ((child === null || (Array.isArray(child) && child.length === 0))) {
      if (!probed.has(here.join("."))) return here;
    } else if (isObject(child)) {
      const found = nextUnprobed(child, here, probed);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * A sample of a message at a version: every field present, every array of structs holding one
 * element, and arrays of primitives holding one value of their type.
 */
function sampleOf(codec: Codec, version: number): Obj {
  let sample = roundTrip(codec, {}, version);
  const probed = new Set<string>();
  // Kafka's messages nest a few levels deep; the bound only guards against a codec surprise.
  for (let guard = 0; guard < 400; guard++) {
    const path = nextUnprobed(sample, [], probed);
    if (path === undefined) break;
    probed.add(path.join("."));
    for (const probe of [{}, 0, ""]) {
      const candidate = structuredClone(sample);
      setAt(candidate, path, [probe]);
      try {
        const next = roundTrip(codec, candidate, version);
        const got = getAt(next, path);
        if (!Array.isArray(got) || got.length !== 1) continue;
        if (typeof probe === "object" ? isObject(got[0]) : typeof got[0] === typeof probe) {
          sample = next;
          break;
        }
      } catch {
        // Not this element type, or not in this version.
      }
    }
  }
  return sample;
}

function shapeOf(
  codec: Codec,
  version: number,
  sample: Obj,
  v: Obj,
  path: (string | number)[],
): StructShape {
  const shape: StructShape = {
    errorFields: [],
    identity: new Map(),
    arrays: new Map(),
    primitiveArrays: new Map(),
    kinds: new Set(),
  };
  for (const [k, child] of Object.entries(v)) {
    if (typeof child === "number" && isErrorField(k)) {
      // Present in this version only if a non-default value survives the round trip.
      const candidate = structuredClone(sample);
      setAt(candidate, [...path, k], 1);
      try {
        if (getAt(roundTrip(codec, candidate, version), [...path, k]) === 1) {
          shape.errorFields.push(k);
        }
      } catch {
        // Not carried by this version.
      }
    } else if (k in IDENTITY_KIND && (typeof child === "number" || typeof child === "string")) {
      shape.identity.set(k, IDENTITY_KIND[k]);
      shape.kinds.add(IDENTITY_KIND[k]);
    } else if (Array.isArray(child) && child.length === 1) {
      if (isObject(child[0])) {
        shape.arrays.set(k, shapeOf(codec, version, sample, child[0], [...path, k, 0]));
      } else if (typeof child[0] === "number" || typeof child[0] === "string") {
        shape.primitiveArrays.set(k, typeof child[0] as "number" | "string");
      }
    }
  }
  return shape;
}

/**
 * A well-formed message of an API at a version with every field the version carries, every array
 * of structs holding one element and every array of primitives one value (of default values).
 *
 * @example
 * ```ts
 * import { sampleMessage } from "./faults_response.ts";
 * import { ApiKey } from "../../codec/mod.ts";
 * const request = sampleMessage(ApiKey.Metadata, 12, "request");
 * console.log(request.topics); // one topic, with its default name and id
 * ```
 */
export function sampleMessage(
  apiKey: CodecApiKey,
  version: number,
  side: "request" | "response",
): Record<string, unknown> {
  return sampleOf(codecOf(apiKey, side), version);
}

const SHAPES = new Map<string, StructShape>();

/** The shape of an API's request or response at a version, learned once and kept. */
export function messageShape(
  apiKey: CodecApiKey,
  version: number,
  side: "request" | "response",
): StructShape {
  const id = `${side}/${apiKey}/${version}`;
  let shape = SHAPES.get(id);
  if (shape === undefined) {
    const codec = codecOf(apiKey, side);
    const sample = sampleOf(codec, version);
    shape = shapeOf(codec, version, sample, sample, []);
    SHAPES.set(id, shape);
  }
  return shape;
}

/** The request array that a response array of `element`s answers, and how its elements look. */
function sourceArray(
  request: StructShape,
  responseField: string,
  element: StructShape,
): { field: string; element: StructShape | "number" | "string" } | undefined {
  const candidates: { field: string; element: StructShape | "number" | "string" }[] = [];
  for (const [field, shape] of request.arrays) {
    if ([...shape.kinds].some((k) => element.kinds.has(k))) {
      candidates.push({ field, element: shape });
    }
  }
  for (const [field, type] of request.primitiveArrays) {
    const fits = type === "number"
      ? element.kinds.has("partition")
      : STRING_KINDS.some((k) => element.kinds.has(k));
    if (fits) candidates.push({ field, element: type });
  }
  return candidates.find((c) => c.field === responseField) ?? candidates[0];
}

/** A request element's topic name (resolving a topic id), or undefined when it names none. */
function topicOf(element: Obj, cluster: Cluster): string | undefined {
  for (const f of ["name", "topic", "topicName"]) {
    if (typeof element[f] === "string" && element[f] !== "") return element[f] as string;
  }
  if (typeof element.topicId === "string") return cluster.topicsById.get(element.topicId)?.name;
  return undefined;
}

function partitionOf(element: unknown): number | undefined {
  if (typeof element === "number") return element;
  if (!isObject(element)) return undefined;
  for (const f of ["partitionIndex", "partition", "index", "partitionId"]) {
    if (typeof element[f] === "number") return element[f] as number;
  }
  return undefined;
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
  reqShape: StructShape | "number" | "string",
  resShape: StructShape,
  element: unknown,
  errorCode: number,
  target: ErrorTarget | undefined,
  scope: Scope,
  cluster: Cluster,
): Obj {
  const out: Obj = {};
  for (const [field, kind] of resShape.identity) {
    if (typeof reqShape === "string" || typeof reqShape === "number") continue;
    for (const [source, sourceKind] of reqShape.identity) {
      if (sourceKind === kind && isObject(element)) {
        out[field] = element[source];
        break;
      }
    }
  }
  if (!isObject(element)) {
    // A bare partition index or name: it fills the first identity field of its kind.
    const kinds = typeof element === "number" ? ["partition"] : STRING_KINDS;
    for (const kind of kinds) {
      const field = [...resShape.identity].find(([, k]) => k === kind)?.[0];
      if (field !== undefined) {
        out[field] = element;
        break;
      }
    }
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
  if (shape.kinds.has("topic") || shape.kinds.has("topicId")) {
    if (!isObject(item) && typeof item !== "string") return "outside";
    const name = typeof item === "string" ? item : topicOf(item, cluster);
    if (target.topic !== undefined && name !== target.topic) return "outside";
    return target.partition === undefined ? "inside" : "above";
  }
  if (shape.kinds.has("partition")) {
    return target.partition === undefined || partitionOf(item) === target.partition
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
    if (items === null && elementShape.kinds.has("topic")) {
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
        if (elementShape.kinds.has("topic") || elementShape.kinds.has("partition")) {
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
    if (!shape.kinds.has("topic") && !shape.kinds.has("topicId")) continue;
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
    codecOf(apiKey, "response").encode(new Writer(), response, version);
    return true;
  } catch {
    return false;
  }
}

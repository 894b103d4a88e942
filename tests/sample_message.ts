/**
 * Samples of Kafka messages for tests: a well-formed message of an API at a version, learned from
 * the codec by encoding and decoding probes.
 *
 * @module
 */

import { API_CODECS, type CodecApiKey, Reader, Writer } from "../codec/mod.ts";

type Obj = Record<string, unknown>;

const isObject = (v: unknown): v is Obj =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);

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

/**
 * A well-formed message of an API at a version with every field the version carries, every array
 * of structs holding one element and every array of primitives one value (of default values).
 *
 * @example
 * ```ts
 * import { sampleMessage } from "./sample_message.ts";
 * import { ApiKey } from "../codec/mod.ts";
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

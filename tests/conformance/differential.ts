/**
 * Differential testing support: the same request sequences sent to a real Kafka and to Brook's
 * broker over raw connections, their responses compared field by field after masking what may
 * legitimately differ (cluster and topic ids, hosts and ports, member ids, throttle times).
 *
 * @module
 */

import { ApiKey, type ApiMessages, type CodecApiKey, plainMessage } from "../../codec/mod.ts";
import { RawClient } from "../broker/raw_client.ts";

/** One request of a scenario; `body` may use the answers of earlier steps. */
export interface Step<K extends CodecApiKey = CodecApiKey> {
  apiKey: K;
  version: number;
  body: ApiMessages[K]["requestInit"] | ((earlier: unknown[]) => ApiMessages[K]["requestInit"]);
  /** Resend until this holds (or 10 s pass): for state a real broker reaches asynchronously. */
  until?: (response: ApiMessages[K]["response"]) => boolean;
  /**
   * Puts the parts of a response whose order Kafka leaves to a hash map into one order (or masks
   * what may differ, saying why) before comparing.
   */
  canonical?: (response: ApiMessages[K]["response"]) => unknown;
}

/** A request frame built byte by byte (for what the codec cannot encode, such as unknown versions). */
export interface RawStep {
  frame: Uint8Array;
  /** Masks what may differ in the answer's bytes, saying why (the bytes compare as they are otherwise). */
  canonical?: (payload: number[]) => unknown;
}

/** The answer recorded when the broker closes the connection instead of answering. */
export const CLOSED = "<connection closed>";

/** Builds a request frame with a v2 header (client id "x") and the given body bytes. */
export function rawFrame(apiKey: number, apiVersion: number, body: number[] = []): RawStep {
  const header = [apiKey >> 8, apiKey & 255, apiVersion >> 8 & 255, apiVersion & 255, 0, 0, 0, 7];
  const bytes = [...header, 0, 1, 120, 0, ...body];
  const size = bytes.length;
  return {
    frame: new Uint8Array([size >>> 24, size >> 16 & 255, size >> 8 & 255, size & 255, ...bytes]),
  };
}

/** A named sequence of requests on one connection. */
export interface Scenario {
  name: string;
  /** Authenticate with SASL PLAIN first, as this user (the connection must reach a SASL listener). */
  login?: { username: string; password: string };
  steps: (Step | RawStep)[];
}

/** Builds a step with its body typed by its API key. */
export function step<K extends CodecApiKey>(
  apiKey: K,
  version: number,
  body: Step<K>["body"],
  until?: Step<K>["until"],
  canonical?: Step<K>["canonical"],
): Step {
  return { apiKey, version, body, until, canonical } as unknown as Step;
}

/** A Produce v9 request (acks all) of one batch to one partition. */
export function produceRequest(
  topic: string,
  records: Uint8Array,
  partition = 0,
): ApiMessages[typeof ApiKey.Produce]["requestInit"] {
  return {
    acks: -1,
    timeoutMs: 5000,
    topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
  };
}

/** Fields whose values legitimately differ between two clusters. */
const MASKED = new Set([
  "throttleTimeMs",
  "clusterId",
  "controllerId",
  "host",
  "port",
  "topicId",
  "memberId",
  "sessionId",
  "logAppendTimeMs",
  "producerId",
  "unknownTaggedFields",
]);

/** Times of day, which differ between clusters: any real one reads "<time>", -1 stays itself. */
const TIMES = new Set(["transactionStartTimeMs", "lastTimestamp"]);

/** A response made comparable: masked fields replaced, bytes as arrays, bigints as strings. */
export function normalize(value: unknown): unknown {
  if (typeof value === "bigint") return `${value}n`;
  if (value instanceof Uint8Array) return `<${value.length} bytes>`;
  if (Array.isArray(value)) return value.map(normalize);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = MASKED.has(k)
        ? "<masked>"
        : TIMES.has(k) && typeof v === "bigint" && v > 0n
        ? "<time>"
        : normalize(v);
    }
    return out;
  }
  return value;
}

/** Runs a scenario against one broker; returns each step's normalized response. */
export async function runScenario(address: string, scenario: Scenario): Promise<unknown[]> {
  await using client = await RawClient.connect(address);
  if (scenario.login) {
    await client.request(ApiKey.SaslHandshake, 1, { mechanism: "PLAIN" });
    const { username, password } = scenario.login;
    const auth = await client.request(ApiKey.SaslAuthenticate, 2, {
      authBytes: plainMessage(username, password),
    });
    if (auth.errorCode !== 0) throw new Error(`${username} could not log in: ${auth.errorMessage}`);
  }
  const answers: unknown[] = [];
  for (const s of scenario.steps) {
    if ("frame" in s) {
      // Raw answers are compared byte for byte; a closed connection ends the scenario.
      const payload = await client.sendRaw(s.frame);
      answers.push(payload === null ? CLOSED : [...payload]);
      if (payload === null) break;
      continue;
    }
    const body = typeof s.body === "function" ? s.body(answers) : s.body;
    const deadline = Date.now() + 10_000;
    let response = await client.request(s.apiKey, s.version, body as never);
    while (s.until && !s.until(response as never) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      response = await client.request(s.apiKey, s.version, body as never);
    }
    answers.push(response);
  }
  return answers.map((a, i) => {
    const step = scenario.steps[i];
    const canonical = step.canonical as ((a: unknown) => unknown) | undefined;
    return normalize(canonical && a !== CLOSED ? canonical(a) : a);
  });
}

/** The paths at which two normalized values differ ("" when equal). */
export function differences(a: unknown, b: unknown, path = ""): string[] {
  if (a === b) return [];
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) {
    return [`${path || "."}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`];
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  const out: string[] = [];
  for (const k of keys) {
    out.push(
      ...differences(
        (a as Record<string, unknown>)[k],
        (b as Record<string, unknown>)[k],
        `${path}.${k}`,
      ),
    );
  }
  return out;
}

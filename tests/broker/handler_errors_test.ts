// A broker handler never fails on a well-formed request: every API at every version served gets
// requests with defaults, one-element arrays, nulls and edge values, and none may fail; and when a
// handler does fail, the client gets Kafka's answer to an unexpected error (UNKNOWN_SERVER_ERROR)
// on a connection that stays open, not a closed connection and a stack trace.
import { assertEquals, assertOk } from "../assert.ts";
import { Broker, type BrokerOptions } from "../../broker/mod.ts";
import { HANDLERS } from "../../broker/handlers/mod.ts";
import { sampleMessage } from "../sample_message.ts";
import {
  API_CODECS,
  ApiKey,
  type CodecApiKey,
  encodeRequestFrame,
  ErrorCode,
  Reader,
  Writer,
} from "../../codec/mod.ts";
import { RawClient } from "./raw_client.ts";

/** Lines the broker writes to stderr while `fn` runs. */
async function stderrOf(fn: () => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => {
    lines.push(args.map((a) => a instanceof Error ? a.stack : String(a)).join(" "));
  };
  try {
    await fn();
  } finally {
    console.error = original;
  }
  return lines;
}

Deno.test("handler errors: a failing handler is answered UNKNOWN_SERVER_ERROR on an open connection", async () => {
  await using broker = await Broker.start({});
  broker.intercept((request, next) => {
    if (request.apiKey === ApiKey.Metadata) throw new Error("a handler bug");
    return next();
  });
  await using client = await RawClient.connect(broker.bootstrapServers);
  const answers: { name: string | null; errorCode: number }[] = [];
  const printed = await stderrOf(async () => {
    const answer = await client.request(ApiKey.Metadata, 12, {
      topics: [{ name: "orders" }],
      allowAutoTopicCreation: false,
    });
    answers.push(...answer.topics);
  });
  assertEquals(answers.map((t) => [t.name, t.errorCode]), [
    ["orders", ErrorCode.UNKNOWN_SERVER_ERROR],
  ]);
  // The connection is still usable.
  const versions = await client.request(ApiKey.ApiVersions, 3, {
    clientSoftwareName: "t",
    clientSoftwareVersion: "1",
  });
  assertEquals(versions.errorCode, ErrorCode.NONE);
  assertEquals(printed.length, 1);
  assertOk(printed[0].includes("a handler bug") && !printed[0].includes("\n"), printed[0]);
});

/** The topic every string of a request names, so that requests reach existing state. */
const TOPIC = "fuzz";

type Leaf = number | bigint | string | boolean | null;

interface Variant {
  number: number;
  string: string;
  boolean: boolean;
  /** Which nullable fields become null: strings only, or arrays and structs too. */
  nulls?: "strings" | "all";
}

const VARIANTS: Variant[] = [
  { number: -1, string: TOPIC, boolean: true },
  { number: 0, string: "", boolean: false },
  { number: 1, string: TOPIC, boolean: false, nulls: "strings" },
  { number: 2, string: TOPIC, boolean: true, nulls: "all" },
  { number: 3, string: TOPIC, boolean: true },
];

function encodes(apiKey: CodecApiKey, version: number, body: unknown): boolean {
  try {
    (API_CODECS[apiKey].encodeRequest as (w: Writer, v: unknown, n: number) => void)(
      new Writer(),
      body,
      version,
    );
    return true;
  } catch {
    return false;
  }
}

function roundTrip(apiKey: CodecApiKey, version: number, body: unknown): Record<string, unknown> {
  const codec = API_CODECS[apiKey] as unknown as {
    encodeRequest(w: Writer, v: unknown, n: number): void;
    decodeRequest(r: Reader, n: number): unknown;
  };
  const w = new Writer();
  codec.encodeRequest(w, body, version);
  return codec.decodeRequest(new Reader(w.bytes()), version) as Record<string, unknown>;
}

/** The sample with its null structs (a cursor, say) present, holding their defaults. */
function withStructs(apiKey: CodecApiKey, version: number, sample: unknown) {
  let root = structuredClone(sample) as Record<string, unknown>;
  const tried = new Set<string>();
  // Messages nest a few levels deep: the bound only guards against a codec surprise.
  for (let guard = 0; guard < 50; guard++) {
    let changed = false;
    const visit = (parent: Record<string, unknown>, path: string) => {
      for (const [key, value] of Object.entries(parent)) {
        const here = `${path}.${key}`;
        if (value === null && !tried.has(here)) {
          tried.add(here);
          parent[key] = {};
          if (encodes(apiKey, version, root)) changed = true;
          else parent[key] = null;
        } else if (value !== null && typeof value === "object" && !(value instanceof Uint8Array)) {
          visit(value as Record<string, unknown>, here);
        }
      }
    };
    visit(root, "");
    if (!changed) break;
    root = roundTrip(apiKey, version, root);
  }
  return root;
}

/** The sample with each leaf set to the variant's value where the version can carry it. */
function mutate(apiKey: CodecApiKey, version: number, sample: unknown, variant: Variant) {
  const root = structuredClone(sample) as Record<string, unknown>;
  const visit = (parent: Record<string, unknown> | unknown[]) => {
    for (const key of Object.keys(parent)) {
      if (key === "unknownTaggedFields") continue;
      const holder = parent as Record<string, unknown>;
      const value = holder[key];
      if (value instanceof Uint8Array) continue;
      if (value !== null && typeof value === "object") {
        visit(value as Record<string, unknown>);
        if (variant.nulls !== "all" || Array.isArray(parent)) continue;
      }
      const next: Leaf | undefined = variant.nulls && typeof value !== "number" &&
          typeof value !== "bigint" && typeof value !== "boolean"
        ? null
        : typeof value === "number"
        ? variant.number
        : typeof value === "bigint"
        ? BigInt(variant.number)
        : typeof value === "string"
        ? variant.string
        : typeof value === "boolean"
        ? variant.boolean
        : undefined;
      if (next === undefined) continue;
      holder[key] = next;
      if (!encodes(apiKey, version, root)) holder[key] = value;
    }
  };
  visit(root);
  return root;
}

/** Sends one request on its own connection; true when it was answered or closed in time. */
async function send(address: string, apiKey: CodecApiKey, version: number, body: unknown) {
  const client = await RawClient.connect(address);
  try {
    const frame = encodeRequestFrame(new Writer(), {
      apiKey,
      apiVersion: version,
      correlationId: 1,
      clientId: "fuzz",
      body: body as never,
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      client.sendRaw(frame),
      // Requests that wait (a join, a long poll) are left waiting: only failures matter here.
      new Promise((resolve) => timer = setTimeout(resolve, 2000)),
    ]);
    clearTimeout(timer);
  } finally {
    client.close();
  }
}

/** Broker set-ups whose handlers take different paths: open, and refusing everyone everything. */
const SETUPS: { name: string; options: BrokerOptions }[] = [
  { name: "one open node", options: {} },
  {
    name: "three nodes, an authorizer, no ACLs",
    options: { nodes: 3, authorizer: { superUsers: [] } },
  },
];

for (const setup of SETUPS) {
  Deno.test({
    name: `handler errors: no handler fails on well-formed requests (${setup.name})`,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const failures: string[] = [];
      for (const handler of HANDLERS) {
        if (handler === undefined) continue;
        const apiKey = handler.apiKey as CodecApiKey;
        // A broker per API, so that what one API changes (a fenced node, a deleted topic) stays
        // there.
        await using broker = await Broker.start({
          ...setup.options,
          topics: { [TOPIC]: { partitions: 2 } },
        });
        const sends: Promise<void>[] = [];
        for (let version = handler.minVersion; version <= handler.maxVersion; version++) {
          const sample = withStructs(apiKey, version, sampleMessage(apiKey, version, "request"));
          for (const body of [sample, ...VARIANTS.map((v) => mutate(apiKey, version, sample, v))]) {
            sends.push(send(broker.bootstrapServers, apiKey, version, body));
          }
        }
        failures.push(...await stderrOf(async () => void await Promise.all(sends)));
      }
      assertEquals(failures, []);
    },
  });
}

// Producer integrity on a real Apache Kafka 4.1.1 and on Brook's broker (BROOK_INTEROP=1): records
// that carry their index, sent the ways callers send them, read back and checked for count,
// uniqueness and per-partition order. BROOK_VOLUME sets the records of the default configuration
// (default 1,000,000; each other configuration sends a tenth of it).
import { assertEquals } from "../assert.ts";
import { Broker } from "../../broker/mod.ts";
import { Producer, type ProducerOptions } from "../../client/producer/producer.ts";
import {
  createTopic,
  integrity,
  readIndices,
  sendIndexed,
  type SendShape,
  tenThousandAndOne,
} from "../client/integrity.ts";
import { startKafka } from "./kafka_server.ts";

const enabled = Deno.env.get("BROOK_INTEROP") === "1";
const VOLUME = Number(Deno.env.get("BROOK_VOLUME") ?? 1_000_000);
const run = `pi${Date.now() % 100000}`;

interface Case {
  name: string;
  count: number;
  partitions: number;
  keyed: boolean;
  shape: SendShape;
  options: Partial<ProducerOptions>;
}

const CASES: Case[] = [
  {
    name: "default (idempotent, keyless arrays, 6 partitions)",
    count: VOLUME,
    partitions: 6,
    keyed: false,
    shape: "arrays",
    options: {},
  },
  {
    name: "acks=1 not idempotent, keyed singles, 6 partitions, lz4",
    count: VOLUME / 10,
    partitions: 6,
    keyed: true,
    shape: "singles",
    options: { acks: 1, idempotent: false, compression: "lz4" },
  },
  {
    name: "idempotent, keyed singles, 1 partition, in-flight 1, zstd",
    count: VOLUME / 10,
    partitions: 1,
    keyed: true,
    shape: "singles",
    options: { maxInFlightPerPartition: 1, compression: "zstd" },
  },
  {
    name: "acks=all not idempotent, keyless arrays, 1 partition, gzip",
    count: VOLUME / 10,
    partitions: 1,
    keyed: false,
    shape: "arrays",
    options: { acks: -1, idempotent: false, compression: "gzip" },
  },
  {
    name: "acks=1 not idempotent, keyless arrays, 1 partition, in-flight 1",
    count: VOLUME / 10,
    partitions: 1,
    keyed: false,
    shape: "arrays",
    options: { acks: 1, idempotent: false, maxInFlightPerPartition: 1 },
  },
  {
    name: "idempotent, keyless singles, 6 partitions, snappy",
    count: VOLUME / 10,
    partitions: 6,
    keyed: false,
    shape: "singles",
    options: { compression: "snappy" },
  },
];

/** Prints a figure as it comes (the run is long). */
function report(line: string): void {
  console.log(line);
}

/** Runs every case against one server. */
async function volume(server: string, bootstrapServers: string): Promise<void> {
  for (const [i, c] of CASES.entries()) {
    const topic = `${run}-${server}-v${i}`;
    await createTopic(bootstrapServers, topic, c.partitions);
    const started = performance.now();
    await using producer = new Producer({ ...c.options, bootstrapServers });
    const { failed, errors } = await sendIndexed(producer, topic, {
      count: c.count,
      shape: c.shape,
      keyed: c.keyed,
    });
    await producer.flush();
    const seconds = (performance.now() - started) / 1000;
    const result = integrity(await readIndices(bootstrapServers, topic), c.count);
    report(
      `${server}: ${c.name}: ${c.count} records in ${seconds.toFixed(1)} s (${
        Math.round(c.count / seconds)
      }/s), ${JSON.stringify(result)}`,
    );
    assertEquals({ case: c.name, failed, errors: [...errors], ...result }, {
      case: c.name,
      failed: 0,
      errors: [],
      stored: c.count,
      distinct: c.count,
      missing: 0,
      duplicates: 0,
      inversions: 0,
    });
  }
}

const TEN_THOUSAND: [string, Partial<ProducerOptions>][] = [
  ["idempotent (default)", {}],
  ["acks=1, not idempotent", { acks: 1, idempotent: false }],
  ["one request in flight", { maxInFlightPerPartition: 1 }],
];

Deno.test({
  name: "interop: 10,001 records to one partition of a real Kafka 4.1.1, each stored once in order",
  ignore: !enabled,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await using kafka = await startKafka();
    for (const [i, [name, options]] of TEN_THOUSAND.entries()) {
      const topic = `${run}-ten-${i}`;
      await createTopic(kafka.bootstrapServers, topic, 1);
      const result = await tenThousandAndOne(kafka.bootstrapServers, topic, {
        ...options,
        deliveryTimeoutMs: 30_000,
      });
      assertEquals({ name, ...result }, {
        name,
        failed: 0,
        errors: [],
        stored: 10_001,
        distinct: 10_001,
        missing: 0,
        duplicates: 0,
        inversions: 0,
      });
    }
  },
});

Deno.test({
  name: "interop: producer volume integrity on a real Kafka 4.1.1 and on Brook's broker",
  ignore: !enabled,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await using kafka = await startKafka();
    await using brook = await Broker.start({});
    await volume("kafka", kafka.bootstrapServers);
    await volume("brook", brook.bootstrapServers);
  },
});

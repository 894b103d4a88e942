// Differential scenario of Produce requests that name one partition more than once. Kafka keys a
// request's batches by partition: it appends only the last valid batch of such a partition and answers
// once for it, with an invalid batch's error outweighing the append. A client that puts several batches
// of a partition into one request loses all but the last, so Brook's broker must do the same.
import {
  ApiKey,
  type ApiMessages,
  decodeRecordBatches,
  encodeRecordBatch,
} from "../../codec/mod.ts";
import { type Scenario, step } from "./differential.ts";

type ProduceBody = ApiMessages[typeof ApiKey.Produce]["requestInit"];
type ProduceResponse = ApiMessages[typeof ApiKey.Produce]["response"];
type FetchResponse = ApiMessages[typeof ApiKey.Fetch]["response"];

const te = new TextEncoder();
const td = new TextDecoder();

/** Kafka answers from a hash map: topics and partitions are put in one order before comparing. */
function sorted(r: ProduceResponse) {
  return {
    ...r,
    responses: [...r.responses]
      .sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
      .map((t) => ({
        ...t,
        partitionResponses: [...t.partitionResponses].sort((a, b) => a.index - b.index),
      })),
  };
}

/** What each partition holds: its batches' offsets and values. */
function stored(r: FetchResponse) {
  return r.responses.flatMap((t) =>
    t.partitions.map((p) => ({
      partition: p.partitionIndex,
      errorCode: p.errorCode,
      batches: decodeRecordBatches(p.records ?? new Uint8Array(0)).map((b) => ({
        baseOffset: b.header.baseOffset,
        values: b.records.map((x) => td.decode(x.value!)),
      })),
    }))
  ).sort((a, b) => a.partition - b.partition);
}

/**
 * The scenarios, on a topic of two partitions created for the run.
 *
 * @example
 * ```ts
 * import { produceFramingScenarios } from "./produce_framing_scenarios.ts";
 * console.log(produceFramingScenarios("run1").map((s) => s.name));
 * ```
 */
export function produceFramingScenarios(run: string): Scenario[] {
  const topic = `${run}-dup`;
  const now = Date.now();
  const batch = (value: string, extra: object = {}) =>
    encodeRecordBatch({
      records: [{ key: null, value: te.encode(value) }],
      baseTimestamp: now,
      ...extra,
    });
  const cut = batch("cut").subarray(0, 30);
  const request = (partitions: [number, Uint8Array][][], acks = -1): ProduceBody => ({
    acks,
    timeoutMs: 5000,
    topicData: partitions.map((list) => ({
      name: topic,
      partitionData: list.map(([index, records]) => ({ index, records })),
    })),
  });
  const produce = (partitions: [number, Uint8Array][][], version = 9, acks = -1) =>
    step(ApiKey.Produce, version, request(partitions, acks), undefined, sorted);
  const ready = step(
    ApiKey.Metadata,
    12,
    { topics: [{ name: topic }], allowAutoTopicCreation: false },
    (r) =>
      r.topics[0]?.partitions.length === 2 && r.topics[0].partitions.every((p) => p.leaderId >= 0),
    // A busy controller may take longer than one wait: only the later steps are compared.
    () => "waited",
  );
  /** An idempotent batch of the producer initialized at step `init` (0-based). */
  const idempotent = (earlier: unknown[], init: number, value: string, baseSequence: number) => {
    const r = earlier[init] as { producerId: bigint; producerEpoch: number };
    return batch(value, { producerId: r.producerId, producerEpoch: r.producerEpoch, baseSequence });
  };
  return [{
    name: "produce: a partition named twice in one request keeps its last valid batch",
    steps: [
      step(
        ApiKey.CreateTopics,
        7,
        {
          topics: [{ name: topic, numPartitions: 2, replicationFactor: 1 }],
          timeoutMs: 5000,
        },
        undefined,
        (r) => r.topics.map((t) => ({ name: t.name, errorCode: t.errorCode })),
      ),
      ready,
      ready,
      ready,
      step(
        ApiKey.Produce,
        9,
        request([[[0, batch("first")]]]),
        (r) => r.responses[0]?.partitionResponses[0]?.errorCode === 0,
        sorted,
      ),
      // The same topic entry, then two entries of the topic, then a partition between.
      produce([[[0, batch("a1")], [0, batch("a2")]]]),
      produce([[[0, batch("b1")]], [[0, batch("b2")]]]),
      produce([[[0, batch("c1")], [1, batch("c2")], [0, batch("c3")]]]),
      // An invalid batch before or after a valid one: the valid one is appended, the answer is the error.
      produce([[[0, cut], [0, batch("d2")]]]),
      produce([[[0, batch("e1")], [0, cut]]]),
      produce([[[9, batch("f1")], [9, batch("f2")]]]),
      produce([[[0, batch("g1")], [0, batch("g2")]]], 3),
      produce([[[0, batch("h1")], [0, batch("h2")]]], 9, 1),
      step(ApiKey.InitProducerId, 4, {
        transactionalId: null,
        transactionTimeoutMs: 60000,
        producerId: -1n,
        producerEpoch: -1,
      }, (r) => r.errorCode === 0),
      // Sequences 0 and 1 in one request: only 1 is appended; then 1 again (a duplicate) and 2.
      step(
        ApiKey.Produce,
        9,
        (earlier) => ({
          ...request([]),
          topicData: [{
            name: topic,
            partitionData: [
              { index: 0, records: idempotent(earlier, 13, "s0", 0) },
              { index: 0, records: idempotent(earlier, 13, "s1", 1) },
            ],
          }],
        }),
        undefined,
        sorted,
      ),
      step(
        ApiKey.Produce,
        9,
        (earlier) => ({
          ...request([]),
          topicData: [{
            name: topic,
            partitionData: [
              { index: 0, records: idempotent(earlier, 13, "s1", 1) },
              { index: 0, records: idempotent(earlier, 13, "s2", 2) },
            ],
          }],
        }),
        undefined,
        sorted,
      ),
      // Produce v13 names topics by id.
      step(
        ApiKey.Produce,
        13,
        (earlier) => {
          const topicId = (earlier[3] as { topics: { topicId: string }[] }).topics[0].topicId;
          return {
            acks: -1,
            timeoutMs: 5000,
            topicData: [{
              name: "",
              topicId,
              partitionData: [{ index: 1, records: batch("i1") }, {
                index: 1,
                records: batch("i2"),
              }],
            }],
          };
        },
        undefined,
        sorted,
      ),
      step(
        ApiKey.Fetch,
        12,
        {
          maxWaitMs: 0,
          minBytes: 1,
          maxBytes: 1 << 20,
          topics: [{
            topic,
            partitions: [0, 1].map((partition) => ({
              partition,
              fetchOffset: 0n,
              partitionMaxBytes: 1 << 20,
            })),
          }],
        },
        undefined,
        stored,
      ),
    ],
  }];
}

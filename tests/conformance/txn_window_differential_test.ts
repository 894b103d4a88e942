// The window after EndTxn, on a real Kafka 4.1.1 and on Brook's broker: while the ended
// transaction's markers are written, AddPartitionsToTxn and AddOffsetsToTxn are answered
// CONCURRENT_TRANSACTIONS, and then succeed. Kafka's window lasts a few milliseconds, so a request
// sent right after EndTxn falls into it most of the time, not always: each broker gets up to 20
// rounds and must show the window for both requests and complete every round
// (BROOK_INTEROP=1; part of deno task test:interop).
import { assertEquals, assertOk } from "../assert.ts";
import { ApiKey, ErrorCode } from "../../codec/mod.ts";
import { Broker } from "../../broker/mod.ts";
import { startKafka } from "../interop/kafka_server.ts";
import { RawClient } from "../broker/raw_client.ts";

const interop = Deno.env.get("BROOK_INTEROP") === "1";
const ROUNDS = 20;
const CONCURRENT = ErrorCode.CONCURRENT_TRANSACTIONS;

interface Window {
  /** Rounds whose first AddPartitionsToTxn, or AddOffsetsToTxn, after EndTxn was refused. */
  partitions: number;
  offsets: number;
  /** Rounds whose requests all succeeded in the end. */
  completed: number;
  rounds: number;
}

/** Resends `send` until it is answered otherwise than CONCURRENT_TRANSACTIONS (bounded). */
async function untilDone(send: () => Promise<number>): Promise<number> {
  let code = CONCURRENT;
  for (let i = 0; i < 500 && code === CONCURRENT; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 5));
    code = await send();
  }
  return code;
}

async function observe(address: string, name: string): Promise<Window> {
  await using client = await RawClient.connect(address);
  const txn = `${name}-txw`;
  const topic = `${name}-txw-t`;
  await client.request(ApiKey.CreateTopics, 7, {
    topics: [{ name: topic, numPartitions: 1, replicationFactor: 1 }],
    timeoutMs: 5000,
  });
  let producer = { errorCode: -1, producerId: -1n, producerEpoch: -1 };
  for (let i = 0; i < 100 && producer.errorCode !== 0; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 100));
    const found = await client.request(ApiKey.FindCoordinator, 4, {
      keyType: 1,
      coordinatorKeys: [txn],
    });
    if (found.coordinators[0].errorCode !== 0) continue;
    producer = await client.request(ApiKey.InitProducerId, 5, {
      transactionalId: txn,
      transactionTimeoutMs: 60000,
      producerId: -1n,
      producerEpoch: -1,
    });
  }
  assertEquals(producer.errorCode, 0, `InitProducerId on ${address}`);
  const add = async () =>
    (await client.request(ApiKey.AddPartitionsToTxn, 3, {
      v3AndBelowTransactionalId: txn,
      v3AndBelowProducerId: producer.producerId,
      v3AndBelowProducerEpoch: producer.producerEpoch,
      v3AndBelowTopics: [{ name: topic, partitions: [0] }],
    })).resultsByTopicV3AndBelow[0].resultsByPartition[0].partitionErrorCode;
  const addOffsets = async () =>
    (await client.request(ApiKey.AddOffsetsToTxn, 4, {
      transactionalId: txn,
      producerId: producer.producerId,
      producerEpoch: producer.producerEpoch,
      groupId: `${name}-txw-g`,
    })).errorCode;
  const end = async (committed: boolean) => {
    const answer = await client.request(ApiKey.EndTxn, 5, {
      transactionalId: txn,
      producerId: producer.producerId,
      producerEpoch: producer.producerEpoch,
      committed,
    });
    if (answer.errorCode === 0) producer = { ...producer, ...answer };
    return answer.errorCode;
  };
  const window: Window = { partitions: 0, offsets: 0, completed: 0, rounds: 0 };
  while (window.rounds < ROUNDS && (window.partitions === 0 || window.offsets === 0)) {
    const offsets = window.rounds % 2 === 1;
    window.rounds++;
    if (await untilDone(add) !== 0 || await end(true) !== 0) continue;
    const next = offsets ? addOffsets : add;
    const first = await next();
    if (first === CONCURRENT) window[offsets ? "offsets" : "partitions"]++;
    const last = first === CONCURRENT ? await untilDone(next) : first;
    // End what the round began, so that the next round starts after a complete transaction.
    if (last === 0 && await untilDone(() => end(false)) === 0) window.completed++;
  }
  return window;
}

Deno.test({
  name: "conformance: AddPartitionsToTxn and AddOffsetsToTxn wait for the last EndTxn as on Kafka",
  ignore: !interop,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const run = `w${Date.now() % 100000}`;
    await using kafka = await startKafka();
    await using brook = await Broker.start();
    for (
      const [name, address] of [["Kafka", kafka.bootstrapServers], [
        "Brook",
        brook.bootstrapServers,
      ]]
    ) {
      const window = await observe(address, run);
      assertOk(window.partitions > 0, `${name}: ${JSON.stringify(window)}`);
      assertOk(window.offsets > 0, `${name}: ${JSON.stringify(window)}`);
      assertEquals(window.completed, window.rounds, `${name}: ${JSON.stringify(window)}`);
    }
  },
});

// The transaction coordinator's window after EndTxn (Broker.start's transactionCompletionMs) and
// transaction version 2's aborts with nothing to abort, as a real Kafka 4.1.1 answers them
// (tests/conformance/txn_scenarios.ts and txn_window_differential_test.ts compare with one).
import { assertEquals } from "../assert.ts";
import { ApiKey, encodeRecordBatch, ErrorCode } from "../../codec/mod.ts";
import { Broker } from "../../broker/mod.ts";
import { RawClient } from "./raw_client.ts";

const TOPIC = "completion";

async function begin(completionMs: number) {
  const broker = await Broker.start({
    transactionCompletionMs: completionMs,
    topics: { [TOPIC]: { partitions: 1 } },
  });
  const client = await RawClient.connect(broker.bootstrapServers);
  const init = await client.request(ApiKey.InitProducerId, 5, {
    transactionalId: "t",
    transactionTimeoutMs: 60000,
    producerId: -1n,
    producerEpoch: -1,
  });
  assertEquals(init.errorCode, 0);
  let producer = { producerId: init.producerId, producerEpoch: init.producerEpoch };
  const add = async () =>
    (await client.request(ApiKey.AddPartitionsToTxn, 3, {
      v3AndBelowTransactionalId: "t",
      v3AndBelowProducerId: producer.producerId,
      v3AndBelowProducerEpoch: producer.producerEpoch,
      v3AndBelowTopics: [{ name: TOPIC, partitions: [0] }],
    })).resultsByTopicV3AndBelow[0].resultsByPartition[0].partitionErrorCode;
  const end = async (committed: boolean, epoch = producer.producerEpoch) => {
    const answer = await client.request(ApiKey.EndTxn, 5, {
      transactionalId: "t",
      producerId: producer.producerId,
      producerEpoch: epoch,
      committed,
    });
    if (answer.errorCode === 0) producer = answer;
    return [answer.errorCode, answer.producerEpoch];
  };
  const state = async () =>
    (await client.request(ApiKey.DescribeTransactions, 0, { transactionalIds: ["t"] }))
      .transactionStates[0].transactionState;
  return {
    client,
    add,
    end,
    state,
    producer: () => producer,
    async [Symbol.asyncDispose]() {
      client.close();
      await broker.close();
    },
  };
}

Deno.test("transactions: requests in the window after EndTxn are answered CONCURRENT_TRANSACTIONS", async () => {
  await using t = await begin(600_000);
  assertEquals(await t.add(), 0);
  assertEquals(await t.end(true), [0, 1]);
  assertEquals(await t.state(), "PrepareCommit");
  assertEquals(await t.add(), ErrorCode.CONCURRENT_TRANSACTIONS);
  const offsets = await t.client.request(ApiKey.AddOffsetsToTxn, 4, {
    transactionalId: "t",
    ...t.producer(),
    groupId: "g",
  });
  assertEquals(offsets.errorCode, ErrorCode.CONCURRENT_TRANSACTIONS);
  assertEquals(await t.end(true), [ErrorCode.CONCURRENT_TRANSACTIONS, -1]);
  assertEquals(await t.end(false), [ErrorCode.CONCURRENT_TRANSACTIONS, -1]);
  // A retry of the EndTxn whose answer was lost (the epoch before the bump) too.
  assertEquals(await t.end(true, 0), [ErrorCode.CONCURRENT_TRANSACTIONS, -1]);
  assertEquals(await t.end(true, 7), [ErrorCode.PRODUCER_FENCED, -1]);
  const init = await t.client.request(ApiKey.InitProducerId, 5, {
    transactionalId: "t",
    transactionTimeoutMs: 60000,
    ...t.producer(),
  });
  assertEquals(init.errorCode, ErrorCode.CONCURRENT_TRANSACTIONS);
  // Produce v12 adds its partition itself and waits for the completion, as Kafka's leaders retry.
  const { producerId, producerEpoch } = t.producer();
  const produced = await t.client.request(ApiKey.Produce, 12, {
    transactionalId: "t",
    acks: -1,
    timeoutMs: 5000,
    topicData: [{
      name: TOPIC,
      partitionData: [{
        index: 0,
        records: encodeRecordBatch({
          records: [{ key: null, value: new Uint8Array(3) }],
          producerId,
          producerEpoch,
          baseSequence: 0,
          isTransactional: true,
        }),
      }],
    }],
  });
  assertEquals(produced.responses[0].partitionResponses[0].errorCode, 0);
  assertEquals(await t.state(), "Ongoing");
});

Deno.test("transactions: with transactionCompletionMs 0 a transaction completes at once", async () => {
  await using t = await begin(0);
  assertEquals(await t.add(), 0);
  assertEquals(await t.end(true), [0, 1]);
  assertEquals(await t.state(), "CompleteCommit");
  assertEquals(await t.add(), 0);
});

Deno.test("transactions v2: an abort with nothing to abort bumps the epoch; an empty commit fails", async () => {
  await using t = await begin(0);
  assertEquals(await t.end(false), [0, 1]);
  assertEquals(await t.end(false), [0, 2]);
  assertEquals(await t.end(true), [ErrorCode.INVALID_TXN_STATE, -1]);
  assertEquals(await t.add(), 0);
  assertEquals(await t.end(true), [0, 3]);
  assertEquals(await t.end(false), [0, 4]);
  assertEquals(await t.end(true), [ErrorCode.INVALID_TXN_STATE, -1]);
  assertEquals(await t.add(), 0);
  assertEquals(await t.end(false), [0, 5]);
  assertEquals(await t.end(false), [0, 6]);
  // A retry of the last abort is answered with the current epoch; an older epoch is fenced.
  assertEquals(await t.end(false, 5), [0, 6]);
  assertEquals(await t.end(true, 5), [ErrorCode.INVALID_TXN_STATE, -1]);
  assertEquals(await t.end(false, 4), [ErrorCode.PRODUCER_FENCED, -1]);
  assertEquals(await t.state(), "CompleteAbort");
});

// Share groups (KIP-932) on Brook's broker, request by request: off until share.version 1; records
// whose acquisition lock times out come back with a higher delivery count, and are archived at
// group.share.delivery.count.limit; a closed connection gives its member's records back; renew
// acknowledgements (Kafka 4.4) keep records acquired past their first lock.
import { assertEquals } from "../assert.ts";
import { ApiKey, encodeRecordBatch } from "../../codec/mod.ts";
import { Broker } from "../../broker/mod.ts";
import { KafkaClient } from "../../client/mod.ts";
import { enableShareGroups } from "../client/share_consumer_scenarios.ts";
import { RawClient } from "./raw_client.ts";

const MEMBER = "AAAAAAAAAAAAAAAAAAAAAQ";
const OTHER = "AAAAAAAAAAAAAAAAAAAAAg";

async function setUp(configs: Record<string, string> = {}) {
  const broker = await Broker.start({
    configs: {
      "group.share.min.record.lock.duration.ms": "1000",
      "group.share.record.lock.duration.ms": "1000",
      "group.share.delivery.count.limit": "2",
      ...configs,
    },
  });
  const client = new KafkaClient({ bootstrapServers: broker.bootstrapServers });
  return { broker, client };
}

async function prepare(client: KafkaClient, group: string): Promise<string> {
  const created = await client.requestAny(ApiKey.CreateTopics, {
    topics: [{ name: "t", numPartitions: 1, replicationFactor: 1 }],
    timeoutMs: 5000,
  });
  const records = encodeRecordBatch({
    records: [0, 1, 2].map((i) => ({ key: null, value: new TextEncoder().encode(`v${i}`) })),
  });
  await client.requestAny(ApiKey.Produce, {
    acks: -1,
    timeoutMs: 5000,
    topicData: [{
      name: "t",
      topicId: created.topics[0].topicId,
      partitionData: [{ index: 0, records }],
    }],
  });
  await client.requestAny(ApiKey.IncrementalAlterConfigs, {
    resources: [{
      resourceType: 32,
      resourceName: group,
      configs: [{ name: "share.auto.offset.reset", configOperation: 0, value: "earliest" }],
    }],
    validateOnly: false,
  });
  return created.topics[0].topicId;
}

function shareFetch(memberId: string, epoch: number, topicId: string, maxWaitMs = 3000) {
  return {
    groupId: "g",
    memberId,
    shareSessionEpoch: epoch,
    maxWaitMs,
    minBytes: 1,
    maxBytes: 1 << 20,
    maxRecords: 500,
    batchSize: 500,
    topics: [{
      topicId,
      partitions: [{ partitionIndex: 0, partitionMaxBytes: 0, acknowledgementBatches: [] }],
    }],
    forgottenTopicsData: [],
  };
}

const acquired = (r: { responses: { partitions: { acquiredRecords: unknown[] }[] }[] }) =>
  r.responses.flatMap((t) => t.partitions.flatMap((p) => p.acquiredRecords));

Deno.test("share groups: refused until share.version 1 is finalized", async () => {
  const { broker, client } = await setUp();
  try {
    const off = await client.requestAny(ApiKey.ShareGroupHeartbeat, {
      groupId: "g",
      memberId: MEMBER,
      memberEpoch: 0,
      rackId: null,
      subscribedTopicNames: ["t"],
    });
    assertEquals(off.errorCode, 35);
    const topicId = await prepare(client, "g");
    const fetch = await client.requestAny(ApiKey.ShareFetch, shareFetch(MEMBER, 0, topicId));
    assertEquals(fetch.errorCode, 35);
  } finally {
    await client.close();
    await broker.close();
  }
});

Deno.test("share groups: a broker may start with them on (features), levels checked", async () => {
  await using broker = await Broker.start({ features: { "share.version": 1 } });
  await using client = new KafkaClient({ bootstrapServers: broker.bootstrapServers });
  const described = await client.requestAny(ApiKey.ShareGroupDescribe, {
    groupIds: ["g"],
    includeAuthorizedOperations: false,
  });
  assertEquals(described.groups[0].errorCode, 69);
  let refused = "";
  await Broker.start({ features: { "share.version": 7 } }).catch((e) => refused = e.message);
  assertEquals(refused.includes("Invalid update version 7 for feature share.version"), true);
});

Deno.test("share groups: timed-out locks redeliver, then archive at the delivery limit", async () => {
  const { broker, client } = await setUp();
  try {
    await enableShareGroups(client);
    const topicId = await prepare(client, "g");
    const first = await client.requestAny(ApiKey.ShareFetch, shareFetch(MEMBER, 0, topicId));
    assertEquals(first.acquisitionLockTimeoutMs, 1000);
    assertEquals(acquired(first), [{ firstOffset: 0n, lastOffset: 2n, deliveryCount: 1 }]);
    // Not acknowledged: after a second the records are available again.
    const second = await client.requestAny(ApiKey.ShareFetch, shareFetch(MEMBER, 1, topicId));
    assertEquals(acquired(second), [{ firstOffset: 0n, lastOffset: 2n, deliveryCount: 2 }]);
    // The limit is 2: the next timeout archives them, and nothing is left to fetch.
    const third = await client.requestAny(
      ApiKey.ShareFetch,
      shareFetch(MEMBER, 2, topicId, 2500),
    );
    assertEquals(acquired(third), []);
    const late = await client.requestAny(ApiKey.ShareAcknowledge, {
      groupId: "g",
      memberId: MEMBER,
      shareSessionEpoch: 3,
      topics: [{
        topicId,
        partitions: [{
          partitionIndex: 0,
          acknowledgementBatches: [{ firstOffset: 0n, lastOffset: 2n, acknowledgeTypes: [1] }],
        }],
      }],
    });
    // Below the start offset now: nothing to acknowledge, and no error.
    assertEquals(late.responses[0].partitions[0].errorCode, 0);
  } finally {
    await client.close();
    await broker.close();
  }
});

Deno.test("share groups: a closed connection gives its member's records back", async () => {
  const { broker, client } = await setUp({
    "group.share.record.lock.duration.ms": "30000",
  });
  const holder = new KafkaClient({ bootstrapServers: broker.bootstrapServers });
  try {
    await enableShareGroups(client);
    const topicId = await prepare(client, "g");
    const held = await holder.requestAny(ApiKey.ShareFetch, shareFetch(MEMBER, 0, topicId));
    assertEquals(acquired(held).length, 1);
    await holder.close();
    // The release does not count as a delivery.
    const taken = await client.requestAny(ApiKey.ShareFetch, shareFetch(OTHER, 0, topicId));
    assertEquals(acquired(taken), [{ firstOffset: 0n, lastOffset: 2n, deliveryCount: 1 }]);
  } finally {
    await holder.close();
    await client.close();
    await broker.close();
  }
});

Deno.test("share groups: renew acknowledgements keep records past their first lock", async () => {
  const { broker, client } = await setUp({ "group.share.record.lock.duration.ms": "1500" });
  await using raw = await RawClient.connect(broker.bootstrapServers);
  try {
    await enableShareGroups(client);
    const topicId = await prepare(client, "g");
    const first = await raw.request(ApiKey.ShareFetch, 2, shareFetch(MEMBER, 0, topicId));
    assertEquals(acquired(first), [{ firstOffset: 0n, lastOffset: 2n, deliveryCount: 1 }]);
    const acknowledge = (epoch: number, type: number) =>
      raw.request(ApiKey.ShareAcknowledge, 2, {
        groupId: "g",
        memberId: MEMBER,
        shareSessionEpoch: epoch,
        isRenewAck: type === 4,
        topics: [{
          topicId,
          partitions: [{
            partitionIndex: 0,
            acknowledgementBatches: [{ firstOffset: 0n, lastOffset: 2n, acknowledgeTypes: [type] }],
          }],
        }],
      });
    // Renewed every 300 ms for twice the lock's duration: the records stay with the member.
    let epoch = 1;
    for (; epoch <= 10; epoch++) {
      const renewed = await acknowledge(epoch, 4);
      assertEquals(renewed.acquisitionLockTimeoutMs, 1500);
      assertEquals(renewed.responses[0].partitions[0].errorCode, 0);
      await new Promise((r) => setTimeout(r, 300));
    }
    // Accepting needs them still acquired (released records would be INVALID_RECORD_STATE).
    const accepted = await acknowledge(epoch, 1);
    assertEquals(accepted.responses[0].partitions[0].errorCode, 0);
  } finally {
    await client.close();
    await broker.close();
  }
});

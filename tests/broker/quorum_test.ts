// DescribeQuorum on a Brook cluster: every node votes, the controller leads, a stopped voter falls
// behind and a new leader takes a new epoch; the cluster DESCRIBE ACL guards it. (Its answers are
// compared with a real Kafka's in tests/conformance/quorum_scenarios.ts.)
import { clusterOf } from "../../broker/broker_internals.ts";
import { assertEquals, assertOk } from "../assert.ts";
import { ApiKey, ErrorCode } from "../../codec/mod.ts";
import { Broker } from "../../broker/mod.ts";
import { Admin } from "../../client/mod.ts";
import { RawClient } from "./raw_client.ts";

const request = {
  topics: [{ topicName: "__cluster_metadata", partitions: [{ partitionIndex: 0 }] }],
};

Deno.test("quorum: every node votes, the controller leads; a stopped leader hands over", async () => {
  await using broker = await Broker.start({
    nodes: 3,
    configs: { "metadata.max.idle.interval.ms": "0" },
  });
  await using admin = new Admin({ bootstrapServers: broker.bootstrapServers });
  const before = await admin.describeMetadataQuorum();
  assertEquals(before.leaderId, clusterOf(broker).controllerId);
  assertEquals(before.leaderEpoch, 1);
  assertEquals(before.voters.map((v) => v.replicaId), [1, 2, 3]);
  assertEquals(before.observers, []);
  assertEquals(new Set(before.voters.map((v) => v.directoryId)).size, 3);

  await broker.createTopic("q", { partitions: 2 });
  const created = await admin.describeMetadataQuorum();
  // A topic record and a record per partition; no idle NoOp records with the interval at 0.
  assertEquals(created.highWatermark, before.highWatermark + 3n);

  const leader = before.leaderId;
  await broker.stopNode(leader);
  const after = await admin.describeMetadataQuorum();
  assertOk(after.leaderId !== leader && after.leaderId === clusterOf(broker).controllerId);
  assertEquals(after.leaderEpoch, 2);
  const stopped = after.voters.find((v) => v.replicaId === leader)!;
  assertOk(stopped.logEndOffset < after.highWatermark, "the stopped voter falls behind");
  for (const v of after.voters.filter((v) => v.replicaId !== leader)) {
    assertEquals(v.logEndOffset, after.highWatermark);
  }
  // The directory ids stay with their nodes.
  assertEquals(after.voters.map((v) => v.directoryId), before.voters.map((v) => v.directoryId));

  await broker.restartNode(leader);
  const back = await admin.describeMetadataQuorum();
  assertEquals(back.leaderId, after.leaderId, "leadership stays where it moved");
  assertEquals(back.leaderEpoch, 2);
  assertOk(back.voters.every((v) => v.logEndOffset === back.highWatermark));
});

Deno.test("quorum: idle NoOp records advance the log as Kafka's controller writes them", async () => {
  await using broker = await Broker.start({ configs: { "metadata.max.idle.interval.ms": "50" } });
  await using client = await RawClient.connect(broker.bootstrapServers);
  const first = await client.request(ApiKey.DescribeQuorum, 2, request);
  await new Promise((resolve) => setTimeout(resolve, 120));
  const later = await client.request(ApiKey.DescribeQuorum, 2, request);
  const hwm = (r: typeof first) => r.topics[0].partitions[0].highWatermark;
  assertOk(hwm(later) >= hwm(first) + 2n, `${hwm(first)} then ${hwm(later)}`);
});

Deno.test("quorum: DescribeQuorum needs DESCRIBE on the cluster", async () => {
  await using broker = await Broker.start({ authorizer: {} });
  await using client = await RawClient.connect(broker.bootstrapServers);
  const refused = await client.request(ApiKey.DescribeQuorum, 2, request);
  assertEquals(refused.errorCode, ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
  assertEquals(refused.errorMessage, "Cluster authorization failed.");
  assertEquals(refused.topics, []);
});

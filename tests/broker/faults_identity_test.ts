import { assertEquals } from "../assert.ts";
import { ApiKey, ErrorCode } from "../../codec/mod.ts";
import { mirrorErrorResponse, splitRequest } from "../../broker/faults/faults_response.ts";
import type { Cluster } from "../../broker/metadata/cluster.ts";

// Error answers read the specs' entity types: only what names a topic, partition or group is mirrored.
const A = "AAAAAAAAAAAAAAAAAAAAAQ";
const B = "AAAAAAAAAAAAAAAAAAAAAg";
const cluster = {
  topicsById: new Map([[A, { name: "a" }], [B, { name: "b" }]]),
} as unknown as Cluster;

Deno.test("fault answers: ListGroups' state filters are not taken for group ids", () => {
  const answer = mirrorErrorResponse(
    ApiKey.ListGroups,
    5,
    { statesFilter: ["Stable"], typesFilter: ["classic"] },
    ErrorCode.COORDINATOR_NOT_AVAILABLE,
    undefined,
    cluster,
  );
  assertEquals(answer, { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE });
});

Deno.test("fault answers: CreateTopics' config names are not taken for topics", () => {
  const answer = mirrorErrorResponse(
    ApiKey.CreateTopics,
    7,
    {
      topics: [{
        name: "t",
        numPartitions: 1,
        replicationFactor: 1,
        assignments: [],
        configs: [{ name: "cleanup.policy", value: "compact" }],
      }],
    },
    ErrorCode.POLICY_VIOLATION,
    undefined,
    cluster,
  );
  const code = ErrorCode.POLICY_VIOLATION;
  assertEquals(answer, { topics: [{ name: "t", errorCode: code, topicConfigErrorCode: code }] });
});

Deno.test("fault answers: topics named by id outside the target stay for the handler", () => {
  const partition = (index: number) => ({ index, records: null });
  const split = splitRequest(
    ApiKey.Produce,
    13,
    {
      acks: -1,
      timeoutMs: 1000,
      topicData: [
        { topicId: A, partitionData: [partition(0)] },
        { topicId: B, partitionData: [partition(0)] },
      ],
    },
    { topic: "a" },
    cluster,
  );
  assertEquals([split.covered, split.restEmpty], [true, false]);
  assertEquals((split.rest.topicData as { topicId: string }[]).map((t) => t.topicId), [B]);
});

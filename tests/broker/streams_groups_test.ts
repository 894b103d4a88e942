// Streams groups (KIP-1071) without a real Kafka: the sticky task assignor's choices (the ones a
// real Kafka 4.4.0 made in tests/conformance/kafka44_streams_scenarios.ts), the topology's
// configuration against the topics, and the coordinator's reconciliation, offsets and sessions.
import { assertEquals, assertOk } from "../assert.ts";
import { ErrorCode } from "../../codec/mod.ts";
import { assignTasks } from "../../broker/streams/assignor.ts";
import {
  configureTopology,
  invalidTopology,
  type TopicCatalog,
  type Topology,
} from "../../broker/streams/topology.ts";
import {
  invalidStreamsHeartbeat,
  StreamsCoordinator,
  type StreamsHeartbeatRequest,
} from "../../broker/streams/coordinator.ts";
import { taskKey } from "../../broker/streams/tasks.ts";

/** Topics in a map: what the coordinator is given of the cluster. */
class Topics implements TopicCatalog {
  readonly counts = new Map<string, number>();
  readonly created: string[] = [];
  constructor(topics: Record<string, number>) {
    for (const [name, n] of Object.entries(topics)) this.counts.set(name, n);
  }
  partitionCount(name: string): number | undefined {
    return this.counts.get(name);
  }
  createTopic(name: string, options: { partitions: number }): void {
    this.counts.set(name, options.partitions);
    this.created.push(name);
  }
}

const tasks = (...keys: [string, number][]) => new Set(keys.map(([s, p]) => taskKey(s, p)));

/** The word count's topology: a repartition between two subtopologies, a changelog. */
function wordCount(input: string): Topology {
  const info = (name: string, partitions = 0) => ({
    name,
    partitions,
    replicationFactor: 0,
    topicConfigs: [],
  });
  return {
    epoch: 0,
    subtopologies: [
      {
        subtopologyId: "0",
        sourceTopics: [input],
        sourceTopicRegex: [],
        stateChangelogTopics: [],
        repartitionSinkTopics: ["app-rep-repartition"],
        repartitionSourceTopics: [],
        copartitionGroups: [],
      },
      {
        subtopologyId: "1",
        sourceTopics: [],
        sourceTopicRegex: [],
        stateChangelogTopics: [info("app-store-changelog")],
        repartitionSinkTopics: [],
        repartitionSourceTopics: [info("app-rep-repartition")],
        copartitionGroups: [],
      },
    ],
  };
}

function heartbeat(fields: Partial<StreamsHeartbeatRequest>): StreamsHeartbeatRequest {
  return {
    groupId: "app",
    memberId: "m1",
    memberEpoch: 0,
    endpointInformationEpoch: 0,
    instanceId: null,
    rackId: null,
    rebalanceTimeoutMs: 30000,
    topology: null,
    activeTasks: [],
    standbyTasks: [],
    warmupTasks: [],
    processId: "p1",
    userEndpoint: null,
    clientTags: [],
    taskOffsets: [],
    taskEndOffsets: [],
    shutdownApplication: false,
    ...fields,
  };
}

/** A heartbeat that changes nothing but, when given, the tasks the member owns. */
function beat(
  memberId: string,
  memberEpoch: number,
  owned?: { subtopologyId: string; partitions: number[] }[],
) {
  return heartbeat({
    memberId,
    memberEpoch,
    rebalanceTimeoutMs: -1,
    activeTasks: owned ?? null,
    standbyTasks: owned ? [] : null,
    warmupTasks: owned ? [] : null,
    processId: null,
    clientTags: null,
    taskOffsets: null,
    taskEndOffsets: null,
  });
}

function coordinator(topics: Topics, sessionTimeoutMs = 45_000) {
  const c = new StreamsCoordinator(topics, {
    heartbeatIntervalMs: () => 5000,
    sessionTimeoutMs: () => sessionTimeoutMs,
    numStandbyReplicas: () => 0,
  });
  c.initialRebalanceDelayMs = 0;
  c.assignmentIntervalMs = 0;
  return c;
}

const client = { clientId: "c", clientHost: "/127.0.0.1" };

Deno.test("streams assignor: a second process takes what Kafka 4.4.0 gives it", () => {
  const all = [0, 1, 2].flatMap((p): [string, number][] => [["0", p], ["1", p]]);
  const out = assignTasks(
    [
      { memberId: "m1", processId: "p1", active: tasks(...all), standby: new Set() },
      { memberId: "m2", processId: "p2", active: new Set(), standby: new Set() },
    ],
    [
      { subtopologyId: "0", tasks: 3, stateful: false },
      { subtopologyId: "1", tasks: 3, stateful: true },
    ],
  );
  assertEquals([...out.get("m1")!.active].sort(), [...tasks(["0", 0], ["0", 1], ["1", 0])].sort());
  assertEquals([...out.get("m2")!.active].sort(), [...tasks(["0", 2], ["1", 1], ["1", 2])].sort());
});

Deno.test("streams assignor: standbys go to another process, one per stateful task", () => {
  const out = assignTasks(
    [
      { memberId: "a", processId: "p1", active: new Set(), standby: new Set() },
      { memberId: "b", processId: "p2", active: new Set(), standby: new Set() },
    ],
    [{ subtopologyId: "0", tasks: 4, stateful: true }],
    { numStandbyReplicas: 1 },
  );
  const a = out.get("a")!, b = out.get("b")!;
  assertEquals(a.active.size + b.active.size, 4);
  assertEquals(a.standby.size + b.standby.size, 4);
  for (const t of a.active) assertOk(b.standby.has(t) && !a.standby.has(t), `standby of ${t}`);
  for (const t of b.active) assertOk(a.standby.has(t) && !b.standby.has(t), `standby of ${t}`);
});

Deno.test("streams topology: internal topics take their partitions from the sources", () => {
  const topics = new Topics({ in: 4 });
  const configured = configureTopology(wordCount("in"), topics);
  assertEquals(configured.subtopologies?.map((s) => s.tasks), [4, 4]);
  assertEquals(configured.missingInternalTopics.map((t) => [t.name, t.partitions]), [
    ["app-rep-repartition", 4],
    ["app-store-changelog", 4],
  ]);
  assertEquals(configured.status?.statusCode, 3);
  // A missing source topic, and an internal topic with other partitions than its subtopology's.
  assertEquals(configureTopology(wordCount("nope"), topics).status, {
    statusCode: 1,
    statusDetail: "Source topics nope are missing.",
  });
  topics.counts.set("app-store-changelog", 2);
  assertEquals(configureTopology(wordCount("in"), topics).status, {
    statusCode: 2,
    statusDetail:
      "Existing topic app-store-changelog has different number of partitions: expected 4, found 2",
  });
  const fixed = wordCount("in");
  fixed.subtopologies[1].stateChangelogTopics[0].partitions = 4;
  assertEquals(
    invalidTopology(fixed),
    "Changelog topic app-store-changelog must have an undefined partition count, but it is set to 4.",
  );
});

Deno.test("streams heartbeat: Kafka's refusals of malformed requests", () => {
  const join = (fields: Partial<StreamsHeartbeatRequest>) =>
    invalidStreamsHeartbeat(heartbeat({ topology: wordCount("in"), ...fields }));
  assertEquals(join({}), null);
  assertEquals(join({ memberId: "" }), "MemberId can't be empty.");
  assertEquals(
    join({ rebalanceTimeoutMs: -1 }),
    "RebalanceTimeoutMs must be provided in first request.",
  );
  assertEquals(join({ activeTasks: null }), "ActiveTasks must be empty when (re-)joining.");
  assertEquals(join({ topology: null }), "Topology must be non-null when (re-)joining.");
  assertEquals(join({ memberEpoch: 3 }), "Topology can only be provided when (re-)joining.");
  assertEquals(
    join({ memberEpoch: -3 }),
    "MemberEpoch is -3, but must be greater than or equal to -2.",
  );
});

Deno.test("streams coordinator: tasks move to a new member only once the old one gave them up", () => {
  const topics = new Topics({ in: 3 });
  const c = coordinator(topics);
  try {
    const first = c.heartbeat(heartbeat({ topology: wordCount("in") }), client);
    assertEquals(first.status?.map((s) => s.statusCode), [3]);
    assertEquals(topics.created.sort(), ["app-rep-repartition", "app-store-changelog"]);
    // The next heartbeat sees the internal topics: the epoch moves and every task comes.
    const m1 = c.heartbeat(beat("m1", first.memberEpoch), client);
    assertEquals(m1.activeTasks, [
      { subtopologyId: "0", partitions: [0, 1, 2] },
      { subtopologyId: "1", partitions: [0, 1, 2] },
    ]);
    const m2 = c.heartbeat(
      heartbeat({ memberId: "m2", processId: "p2", topology: wordCount("in") }),
      client,
    );
    assertEquals(m2.activeTasks, []);
    // The first member is told to keep three tasks at its epoch; the second gets nothing yet.
    const revoking = c.heartbeat(beat("m1", m1.memberEpoch, m1.activeTasks!), client);
    assertEquals(revoking.memberEpoch, m1.memberEpoch);
    assertEquals(revoking.activeTasks, [
      { subtopologyId: "0", partitions: [0, 1] },
      { subtopologyId: "1", partitions: [0] },
    ]);
    assertEquals(c.heartbeat(beat("m2", m2.memberEpoch), client).activeTasks, null);
    // Once it reports them gone, it moves to the new epoch and the second member gets its tasks.
    const revoked = c.heartbeat(beat("m1", m1.memberEpoch, revoking.activeTasks!), client);
    assertOk(revoked.memberEpoch > m1.memberEpoch);
    const given = c.heartbeat(beat("m2", m2.memberEpoch), client);
    assertEquals(given.activeTasks, [
      { subtopologyId: "0", partitions: [2] },
      { subtopologyId: "1", partitions: [1, 2] },
    ]);
    const group = c.groups.get("app")!;
    assertEquals(group.state, "Stable");
    // A stale epoch is fenced; a member's offsets are checked against its epoch.
    assertEquals(c.heartbeat(beat("m2", given.memberEpoch + 1), client).errorCode, 110);
    const asker = (memberEpoch: number) => ({ memberId: "m2", memberEpoch });
    assertEquals(c.checkMember(group, asker(given.memberEpoch)), ErrorCode.NONE);
    assertEquals(c.checkMember(group, asker(1)), ErrorCode.STALE_MEMBER_EPOCH);
    assertEquals(
      c.checkMember(group, { memberId: "", memberEpoch: -1 }, { commitVersion: 9 }),
      ErrorCode.UNKNOWN_MEMBER_ID,
    );
    // The first member leaves: the second gets every task.
    assertEquals(c.heartbeat(beat("m1", -1), client).memberEpoch, -1);
    const alone = c.heartbeat(beat("m2", given.memberEpoch, given.activeTasks!), client);
    assertEquals(alone.activeTasks, [
      { subtopologyId: "0", partitions: [0, 1, 2] },
      { subtopologyId: "1", partitions: [0, 1, 2] },
    ]);
  } finally {
    c.close();
  }
});

Deno.test("streams coordinator: a member whose session ends leaves the group", async () => {
  const c = coordinator(new Topics({ in: 2 }), 100);
  try {
    const source = (id: string) => ({
      ...wordCount("in"),
      subtopologies: [{ ...wordCount("in").subtopologies[0], subtopologyId: id }],
    });
    c.heartbeat(heartbeat({ topology: source("0") }), client);
    const group = c.groups.get("app")!;
    // Bounded: the member's 100 ms session ends well within the 5 s this waits.
    const deadline = Date.now() + 5000;
    while (group.members.size > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assertEquals(group.members.size, 0);
    assertEquals(group.state, "Empty");
    assertEquals(
      c.heartbeat(beat("m1", 1), client).errorCode,
      ErrorCode.UNKNOWN_MEMBER_ID,
    );
  } finally {
    c.close();
  }
});

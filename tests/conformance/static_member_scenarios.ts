/**
 * Differential scenarios of classic static members (KIP-345): a new instance that joins with a
 * member's `group.instance.id` replaces it; the replaced member is then fenced (FENCED_INSTANCE_ID)
 * wherever it names that instance id, and unknown where it does not.
 *
 * @module
 */

import { ApiKey } from "../../codec/mod.ts";
import { type Scenario, step } from "./differential.ts";

type Joined = { memberId: string; generationId: number };

/** A consumer-protocol subscription to topic "t" (version 1, no user data, no owned partitions). */
const SUBSCRIPTION = new Uint8Array([0, 1, 0, 0, 0, 1, 0, 1, 116, 0, 0, 0, 0, 0, 0, 0, 0]);

/** The scenarios; `run` makes names unique to this run. */
export function staticMemberScenarios(run: string): Scenario[] {
  const groupId = `${run}-static`;
  const join = (memberId: (earlier: unknown[]) => string, instance: string | null) =>
    step(
      ApiKey.JoinGroup,
      9,
      (earlier) => ({
        groupId,
        sessionTimeoutMs: 30_000,
        rebalanceTimeoutMs: 30_000,
        memberId: memberId(earlier),
        groupInstanceId: instance,
        protocolType: "consumer",
        protocols: [{ name: "range", metadata: SUBSCRIPTION }],
        reason: null,
      }),
      undefined,
      (r) => ({
        ...r,
        // Member ids are random; whether the answer names the member itself as leader is not.
        leader: r.leader === r.memberId ? "<itself>" : r.leader === "" ? "" : "<another>",
        // Kafka names a static member after its instance id (member ids are masked otherwise).
        namedAfterInstance: r.memberId.startsWith(`${instance}-`),
      }),
    );
  // Steps 2 and 3: the first instance joins and syncs; step 4: a new instance takes its id.
  const first = (earlier: unknown[]) => earlier[2] as Joined;
  const second = (earlier: unknown[]) => earlier[4] as Joined;
  const heartbeat = (who: (e: unknown[]) => Joined, instance: string | null) =>
    step(ApiKey.Heartbeat, 4, (earlier) => ({
      groupId,
      generationId: who(earlier).generationId,
      memberId: who(earlier).memberId,
      groupInstanceId: instance,
    }));
  const sync = (who: (e: unknown[]) => Joined, instance: string | null) =>
    step(ApiKey.SyncGroup, 5, (earlier) => ({
      groupId,
      generationId: who(earlier).generationId,
      memberId: who(earlier).memberId,
      groupInstanceId: instance,
      protocolType: "consumer",
      protocolName: "range",
      assignments: [{ memberId: who(earlier).memberId, assignment: new Uint8Array() }],
    }));
  const commit = (who: (e: unknown[]) => Joined, instance: string | null) =>
    step(ApiKey.OffsetCommit, 8, (earlier) => ({
      groupId,
      generationIdOrMemberEpoch: who(earlier).generationId,
      memberId: who(earlier).memberId,
      groupInstanceId: instance,
      topics: [{
        name: `${run}-static-t`,
        partitions: [{ partitionIndex: 0, committedOffset: 0n }],
      }],
    }));
  return [{
    name: "classic groups: a static member replaced by a new instance is fenced",
    steps: [
      // On a newly started Kafka the group's coordinator may still be loading.
      step(
        ApiKey.FindCoordinator,
        4,
        { keyType: 0, coordinatorKeys: [groupId] },
        (r) => r.coordinators.every((c) => c.errorCode === 0),
      ),
      step(ApiKey.CreateTopics, 7, {
        topics: [{ name: `${run}-static-t`, numPartitions: 1, replicationFactor: 1 }],
        timeoutMs: 5000,
      }),
      join(() => "", "instance-a"),
      sync(first, "instance-a"),
      join(() => "", "instance-a"),
      heartbeat(first, "instance-a"),
      heartbeat(first, null),
      sync(first, "instance-a"),
      commit(first, "instance-a"),
      join((e) => first(e).memberId, "instance-a"),
      step(ApiKey.LeaveGroup, 5, (earlier) => ({
        groupId,
        members: [{
          memberId: first(earlier).memberId,
          groupInstanceId: "instance-a",
          reason: null,
        }],
      })),
      heartbeat(second, "instance-a"),
      heartbeat(second, null),
      sync(second, "instance-a"),
      heartbeat(second, "instance-b"),
    ],
  }];
}

/**
 * Control API routes the web console reads: consumer groups of every kind (classic, KIP-848
 * consumer, share) with their members, assignments and per-partition lag; transactions and the
 * producers writing to each partition; ACLs and SCRAM users.
 *
 * @module
 */

import { clusterOf } from "../broker_internals.ts";
import { decodeAssignment } from "../../codec/consumer_protocol.ts";
import type { CommittedOffset } from "../groups/classic_group.ts";
import type { Cluster } from "../metadata/cluster.ts";
import { checkQuery, json } from "./http.ts";
import type { Route } from "./routes.ts";
import { AclOperation, AclPatternType, AclPermission, AclResourceType } from "../../codec/acl.ts";

/** A member's partitions, by topic name. */
interface Assigned {
  topic: string;
  partitions: number[];
}

/** Partitions keyed by topic id, as KIP-848 and share groups keep them, by topic name. */
function byName(cluster: Cluster, parts: Map<string, Set<number>>): Assigned[] {
  return [...parts].map(([id, set]) => ({
    topic: cluster.topicsById.get(id)?.name ?? id,
    partitions: [...set].sort((a, b) => a - b),
  }));
}

/** A classic member's assignment, when it speaks the consumer protocol. */
function classicAssignment(protocolType: string | null, bytes: Uint8Array): Assigned[] {
  if (protocolType !== "consumer") return [];
  try {
    return decodeAssignment(bytes).partitions;
  } catch {
    // A client's own bytes that are not the consumer protocol: shown as no assignment.
    return [];
  }
}

/**
 * Committed offsets with the lag to each partition's high watermark, plus assigned partitions
 * without a commit (lag unknown, as Kafka's consumer-groups tool shows them).
 */
function lagOf(
  cluster: Cluster,
  offsets: Map<string, CommittedOffset>,
  assigned: Assigned[],
) {
  const rows = new Map<string, {
    topic: string;
    partition: number;
    committed: number | null;
    logEndOffset: number | null;
    lag: number | null;
  }>();
  for (const [key, c] of offsets) {
    const [topic, index] = key.split("\u0000");
    const p = cluster.partition(topic, Number(index));
    const end = p ? Number(p.log.highWatermark) : null;
    const committed = Number(c.offset);
    rows.set(key, {
      topic,
      partition: Number(index),
      committed,
      logEndOffset: end,
      lag: end === null ? null : Math.max(0, end - committed),
    });
  }
  for (const a of assigned) {
    for (const index of a.partitions) {
      const key = `${a.topic}\u0000${index}`;
      if (rows.has(key)) continue;
      const p = cluster.partition(a.topic, index);
      rows.set(key, {
        topic: a.topic,
        partition: index,
        committed: null,
        logEndOffset: p ? Number(p.log.highWatermark) : null,
        lag: null,
      });
    }
  }
  return [...rows.values()].sort((a, b) =>
    a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1
  );
}

/**
 * Every group the broker knows, of each kind, with members, assignments and lag.
 *
 * @example
 * ```ts
 * import { Broker } from "../broker.ts";
 * import { clusterOf } from "../broker_internals.ts";
 * import { groupsView } from "./group_routes.ts";
 * await using broker = await Broker.start();
 * console.log(groupsView(clusterOf(broker)).length); // 0
 * ```
 */
export function groupsView(cluster: Cluster) {
  const coordinator = cluster.groups;
  const out = [];
  for (const g of coordinator.groups.values()) {
    if (g.state === "Dead" || coordinator.consumerGroups.has(g.groupId)) continue;
    const members = [...g.members.values()].map((m) => ({
      memberId: m.memberId,
      instanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      assignment: classicAssignment(g.protocolType, m.assignment),
    }));
    out.push({
      groupId: g.groupId,
      type: "classic",
      protocolType: g.protocolType,
      protocol: g.protocolName,
      state: g.state,
      members,
      offsets: lagOf(cluster, g.offsets, members.flatMap((m) => m.assignment)),
    });
  }
  for (const g of coordinator.consumerGroups.values()) {
    const members = [...g.members.values()].map((m) => ({
      memberId: m.memberId,
      instanceId: m.instanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      memberEpoch: m.memberEpoch,
      assignment: byName(cluster, m.assigned),
    }));
    out.push({
      groupId: g.groupId,
      type: "consumer",
      protocolType: "consumer",
      protocol: null,
      state: g.state,
      members,
      offsets: lagOf(cluster, g.offsets, members.flatMap((m) => m.assignment)),
    });
  }
  for (const g of coordinator.shareGroups.values()) {
    out.push({
      groupId: g.groupId,
      type: "share",
      protocolType: "share",
      protocol: null,
      state: g.state,
      members: [...g.members.values()].map((m) => ({
        memberId: m.memberId,
        instanceId: null,
        clientId: m.clientId,
        clientHost: m.clientHost,
        memberEpoch: m.memberEpoch,
        assignment: byName(cluster, m.assigned),
      })),
      // Share groups acknowledge records rather than commit offsets: no lag to show.
      offsets: [],
    });
  }
  return out.sort((a, b) => a.groupId < b.groupId ? -1 : 1);
}

/** A constant's name in one of the ACL enumerations. */
function nameOf(table: Record<string, number>, value: number): string {
  return Object.entries(table).find(([, v]) => v === value)?.[0] ?? String(value);
}

/**
 * The console routes for groups, transactions and security, served by `serveControl`.
 *
 * @example
 * ```ts
 * import { GROUP_ROUTES } from "./group_routes.ts";
 * console.log(GROUP_ROUTES.map((r) => r.path)); // ["/groups", "/transactions", "/security"]
 * ```
 */
export const GROUP_ROUTES: Route[] = [
  {
    method: "GET",
    path: "/groups",
    handle: ({ url, state }) => {
      checkQuery(url, []);
      return json({ groups: groupsView(clusterOf(state.broker)) });
    },
  },
  {
    method: "GET",
    path: "/transactions",
    handle: ({ url, state }) => {
      checkQuery(url, []);
      const cluster = clusterOf(state.broker);
      const transactions = [...cluster.transactions.transactions.values()].map((t) => ({
        transactionalId: t.transactionalId,
        producerId: Number(t.producerId),
        producerEpoch: t.producerEpoch,
        state: t.state,
        timeoutMs: t.timeoutMs,
        partitions: [...t.partitions.values()],
        groups: [...t.groups],
        startTimestamp: t.startTimestamp,
        lastUpdateTimestamp: t.lastUpdateTimestamp,
      })).sort((a, b) => a.transactionalId < b.transactionalId ? -1 : 1);
      const producers = [];
      for (const topic of cluster.topics.values()) {
        for (const p of topic.partitions) {
          for (const a of p.producers.active) {
            producers.push({
              topic: topic.name,
              partition: p.index,
              producerId: Number(a.producerId),
              producerEpoch: a.epoch,
              lastSequence: a.lastSequence,
              lastTimestamp: Number(a.lastTimestamp),
            });
          }
        }
      }
      return json({ transactions, producers });
    },
  },
  {
    method: "GET",
    path: "/security",
    handle: ({ url, state }) => {
      checkQuery(url, []);
      const cluster = clusterOf(state.broker);
      const authorizer = state.broker.authorizer;
      const acls = (authorizer?.list() ?? []).map((a) => ({
        resourceType: nameOf(AclResourceType, a.resourceType),
        resourceName: a.resourceName,
        patternType: nameOf(AclPatternType, a.patternType),
        principal: a.principal,
        host: a.host,
        operation: nameOf(AclOperation, a.operation),
        permission: nameOf(AclPermission, a.permission),
      }));
      const scramUsers = cluster.credentials.scramUsers().sort().map((user) => ({
        user,
        credentials: cluster.credentials.scramInfo(user),
      }));
      return json({ authorizer: authorizer !== undefined, acls, scramUsers });
    },
  },
];

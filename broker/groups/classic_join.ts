/**
 * JoinGroup in a classic group, once the coordinator has checked the request (session timeout,
 * protocols, the group's kind): new dynamic members get their id first (KIP-394), a static member
 * coming back replaces its old member id (KIP-345), a known member rejoins, and the group's state
 * machine completes the join.
 *
 * @module
 */

import { ErrorCode } from "../../codec/mod.ts";
import {
  type ClassicGroup,
  joinError,
  type JoinResult,
  type Member,
  syncError,
} from "./classic_group.ts";
import type { ClassicJoin } from "./classic_members.ts";
import type { GroupRequest } from "./group_services.ts";

/**
 * Joins `req`'s member to `group`; `touch` restarts a member's session timer.
 *
 * @example
 * ```ts
 * import { joinClassicGroup } from "./classic_join.ts";
 * import { ClassicGroup } from "./classic_group.ts";
 * declare const request: Parameters<typeof joinClassicGroup>[1];
 * declare const ctx: Parameters<typeof joinClassicGroup>[2];
 * const result = await joinClassicGroup(new ClassicGroup("g", 0), request, ctx, () => {});
 * console.log(result.errorCode);
 * ```
 */
export async function joinClassicGroup(
  group: ClassicGroup,
  req: ClassicJoin,
  ctx: GroupRequest,
  touch: (group: ClassicGroup, member: Member) => void,
): Promise<JoinResult> {
  const fail = (errorCode: number, memberId = req.memberId) => joinError(memberId, errorCode);
  if (group.state === "Dead") return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  let memberId = req.memberId;
  const known = group.members.get(memberId);
  if (!known && !group.supportsProtocols(req.protocolType, req.protocols)) {
    return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  }
  if (memberId === "") {
    // Java's UUID text (Kafka's classic member ids), not a Kafka Uuid, after the instance id of a
    // static member and the client id of a dynamic one.
    memberId = `${req.groupInstanceId ?? ctx.header.clientId ?? ""}-${crypto.randomUUID()}`;
    if (req.groupInstanceId !== null) {
      // A static member coming back replaces its old member id; the old one is fenced.
      const old = group.staticMembers.get(req.groupInstanceId);
      const oldMember = old === undefined ? undefined : group.members.get(old);
      if (oldMember) {
        const unchanged = sameProtocols(oldMember.protocols, req.protocols);
        group.members.delete(old!);
        oldMember.joinWaiter?.(fail(ErrorCode.FENCED_INSTANCE_ID, old));
        oldMember.syncWaiter?.(syncError(ErrorCode.FENCED_INSTANCE_ID));
        clearTimeout(oldMember.sessionTimer);
        const member: Member = {
          ...oldMember,
          memberId,
          joinWaiter: undefined,
          syncWaiter: undefined,
          sessionTimer: undefined,
        };
        group.members.set(memberId, member);
        group.staticMembers.set(req.groupInstanceId, memberId);
        if (group.leaderId === old) group.leaderId = memberId;
        touch(group, member);
        if (group.state === "Stable" && unchanged) {
          // From v9 a replaced leader learns the members, and that it must not assign again.
          const leader = ctx.apiVersion >= 9 && group.leaderId === memberId;
          return { ...group.joinAnswer(memberId, leader), skipAssignment: leader };
        }
      }
    } else if (ctx.apiVersion >= 4) {
      // KIP-394: a new dynamic member first gets its id, and joins again with it.
      group.pendingMembers.add(memberId);
      return fail(ErrorCode.MEMBER_ID_REQUIRED, memberId);
    }
  } else if (!group.pendingMembers.has(memberId)) {
    const invalid = group.validateMember(memberId, req.groupInstanceId);
    if (invalid !== ErrorCode.NONE) return fail(invalid);
  }
  group.pendingMembers.delete(memberId);
  const existing = group.members.get(memberId);
  const changed = !existing || !sameProtocols(existing.protocols, req.protocols);
  const member: Member = existing ?? {
    memberId,
    groupInstanceId: req.groupInstanceId,
    clientId: ctx.header.clientId ?? "",
    clientHost: `/${ctx.connection.remoteAddress}`,
    sessionTimeoutMs: req.sessionTimeoutMs,
    rebalanceTimeoutMs: req.rebalanceTimeoutMs,
    protocolType: req.protocolType,
    protocols: req.protocols,
    assignment: new Uint8Array(0),
  };
  const joined = group.join({
    ...member,
    protocols: copyProtocols(req.protocols),
    sessionTimeoutMs: req.sessionTimeoutMs,
    rebalanceTimeoutMs: req.rebalanceTimeoutMs,
  }, changed);
  touch(group, group.members.get(memberId)!);
  const result = await joined;
  const m = group.members.get(memberId);
  if (m) touch(group, m);
  return result;
}

function sameProtocols(
  a: { name: string; metadata: Uint8Array }[],
  b: { name: string; metadata: Uint8Array }[],
): boolean {
  return a.length === b.length &&
    a.every((p, i) =>
      p.name === b[i].name && p.metadata.length === b[i].metadata.length &&
      p.metadata.every((x, j) => x === b[i].metadata[j])
    );
}

/** Request bytes are views into the connection's buffer: keep copies. */
function copyProtocols(
  p: { name: string; metadata: Uint8Array }[],
): { name: string; metadata: Uint8Array }[] {
  return p.map((x) => ({ name: x.name, metadata: x.metadata.slice() }));
}

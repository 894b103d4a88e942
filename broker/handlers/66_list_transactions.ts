/**
 * ListTransactions (key 66): the transactional ids this node coordinates, filtered by state,
 * producer id, duration (v1+) and an id pattern (v2+).
 *
 * @module
 */

import { AclOperation, AclResourceType, ApiKey, ErrorCode } from "../../codec/mod.ts";
import { defineHandler } from "../server/handler.ts";
import { can } from "../security/access.ts";

const STATES = new Set([
  "Empty",
  "Ongoing",
  "PrepareCommit",
  "PrepareAbort",
  "CompleteCommit",
  "CompleteAbort",
  "PrepareEpochFence",
  "Dead",
]);

export default defineHandler({
  apiKey: ApiKey.ListTransactions,
  minVersion: 0,
  maxVersion: 2,
  handle(request, ctx) {
    const { node } = ctx;
    let pattern: RegExp | undefined;
    if (request.transactionalIdPattern) {
      try {
        pattern = new RegExp(`^(?:${request.transactionalIdPattern})$`);
      } catch {
        return {
          errorCode: ErrorCode.INVALID_REGULAR_EXPRESSION,
          unknownStateFilters: [],
          transactionStates: [],
        };
      }
    }
    const states = new Set(request.stateFilters);
    const producerIds = new Set(request.producerIdFilters);
    const now = Date.now();
    const transactionStates = [];
    for (const txn of ctx.transactions.transactions.values()) {
      if (txn.state === "Dead") continue;
      if (ctx.transactions.coordinatorFor(txn.transactionalId) !== node.nodeId) continue;
      if (producerIds.size > 0 && !producerIds.has(txn.producerId)) continue;
      if (states.size > 0 && !states.has(txn.state)) continue;
      if (
        request.durationFilter >= 0 && BigInt(now - txn.startTimestamp) <= request.durationFilter
      ) {
        continue;
      }
      if (pattern && !pattern.test(txn.transactionalId)) continue;
      // Only the transactions the principal may describe are listed.
      if (
        !can(ctx, AclOperation.DESCRIBE, AclResourceType.TRANSACTIONAL_ID, txn.transactionalId)
      ) continue;
      transactionStates.push({
        transactionalId: txn.transactionalId,
        producerId: txn.producerId,
        transactionState: txn.state,
      });
    }
    return {
      errorCode: ErrorCode.NONE,
      unknownStateFilters: request.stateFilters.filter((s) => !STATES.has(s)),
      transactionStates,
    };
  },
});

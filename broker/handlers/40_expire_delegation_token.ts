/**
 * ExpireDelegationToken (key 40): brings a token's expiry closer, or with a negative period removes
 * it at once; only its owner and renewers may.
 *
 * @module
 */

import { ApiKey, ErrorCode } from "../../codec/mod.ts";
import { defineHandler } from "../server/handler.ts";
import { ownerOrRenewer, tokenNamed } from "../security/delegation_tokens.ts";

export default defineHandler({
  apiKey: ApiKey.ExpireDelegationToken,
  minVersion: 1,
  maxVersion: 2,
  handle(request, ctx) {
    const tokens = ctx.delegationTokens;
    const answer = (errorCode: number, expiry = -1n) => ({
      errorCode,
      expiryTimestampMs: expiry,
    });
    const token = tokenNamed(tokens, ctx.connection, request.hmac);
    if (typeof token === "number") return answer(token);
    if (!ownerOrRenewer(token, ctx.connection.principal)) {
      return answer(ErrorCode.DELEGATION_TOKEN_OWNER_MISMATCH);
    }
    const now = Date.now();
    if (request.expiryTimePeriodMs < 0n) {
      tokens.remove(token);
      return answer(ErrorCode.NONE, BigInt(now));
    }
    if (token.maxMs < now || token.expiryMs < now) {
      return answer(ErrorCode.DELEGATION_TOKEN_EXPIRED);
    }
    token.expiryMs = Math.min(token.maxMs, now + Number(request.expiryTimePeriodMs));
    return answer(ErrorCode.NONE, BigInt(token.expiryMs));
  },
});

/**
 * RenewDelegationToken (key 39): moves a token's expiry (by the period asked, at most
 * `delegation.token.expiry.time.ms`, never past its maximum lifetime); only its owner and renewers
 * may, and only before it expires.
 *
 * @module
 */

import { ApiKey, ErrorCode } from "../../codec/mod.ts";
import { defineHandler } from "../server/handler.ts";
import { ownerOrRenewer, tokenNamed } from "../security/delegation_tokens.ts";

export default defineHandler({
  apiKey: ApiKey.RenewDelegationToken,
  minVersion: 1,
  maxVersion: 2,
  handle(request, ctx) {
    const answer = (errorCode: number, expiry = -1n) => ({
      errorCode,
      expiryTimestampMs: expiry,
    });
    const token = tokenNamed(ctx.delegationTokens, ctx.connection, request.hmac);
    if (typeof token === "number") return answer(token);
    const now = Date.now();
    if (token.maxMs < now || token.expiryMs < now) {
      return answer(ErrorCode.DELEGATION_TOKEN_EXPIRED);
    }
    if (!ownerOrRenewer(token, ctx.connection.principal)) {
      return answer(ErrorCode.DELEGATION_TOKEN_OWNER_MISMATCH);
    }
    let period = ctx.configs.staticNumber("delegation.token.expiry.time.ms");
    if (request.renewPeriodMs > 0n) period = Math.min(period, Number(request.renewPeriodMs));
    token.expiryMs = Math.min(token.maxMs, now + period);
    return answer(ErrorCode.NONE, BigInt(token.expiryMs));
  },
});

/**
 * CreateDelegationToken (key 38): a token for the requester or, with CREATE_TOKENS on that user,
 * for another owner; its renewers must be users. Refused without SASL or from a token-authenticated
 * connection (DELEGATION_TOKEN_REQUEST_NOT_ALLOWED), and while tokens are off
 * (DELEGATION_TOKEN_AUTH_DISABLED), as Kafka refuses them.
 *
 * @module
 */

import { AclOperation, AclResourceType, ApiKey, ErrorCode } from "../../codec/mod.ts";
import { defineHandler } from "../server/handler.ts";
import { can } from "../security/access.ts";
import { principalParts, tokenRequestsAllowed } from "../security/delegation_tokens.ts";

export default defineHandler({
  apiKey: ApiKey.CreateDelegationToken,
  minVersion: 1,
  maxVersion: 3,
  async handle(request, ctx) {
    const { connection } = ctx;
    const requester = connection.principal;
    const owner = ctx.apiVersion >= 3 && request.ownerPrincipalName
      ? `${request.ownerPrincipalType}:${request.ownerPrincipalName}`
      : requester;
    const [ownerType, ownerName] = principalParts(owner);
    const [requesterType, requesterName] = principalParts(requester);
    const answer = (errorCode: number) => ({
      errorCode,
      principalType: ownerType,
      principalName: ownerName,
      // The requester fields exist from v3 on; older versions cannot carry them.
      ...(ctx.apiVersion >= 3
        ? { tokenRequesterPrincipalType: requesterType, tokenRequesterPrincipalName: requesterName }
        : {}),
      issueTimestampMs: -1n,
      expiryTimestampMs: -1n,
      maxTimestampMs: -1n,
      tokenId: "",
      hmac: new Uint8Array(0),
    });
    if (!tokenRequestsAllowed(connection)) {
      return answer(ErrorCode.DELEGATION_TOKEN_REQUEST_NOT_ALLOWED);
    }
    if (owner !== requester && !can(ctx, AclOperation.CREATE_TOKENS, AclResourceType.USER, owner)) {
      return answer(ErrorCode.DELEGATION_TOKEN_AUTHORIZATION_FAILED);
    }
    if (request.renewers.some((r) => r.principalType !== "User")) {
      return answer(ErrorCode.INVALID_PRINCIPAL_TYPE);
    }
    if (!ctx.delegationTokens.enabled) return answer(ErrorCode.DELEGATION_TOKEN_AUTH_DISABLED);
    const token = await ctx.delegationTokens.create(
      owner,
      requester,
      request.renewers.map((r) => `${r.principalType}:${r.principalName}`),
      request.maxLifetimeMs,
      Date.now(),
    );
    return {
      ...answer(ErrorCode.NONE),
      issueTimestampMs: BigInt(token.issueMs),
      expiryTimestampMs: BigInt(token.expiryMs),
      maxTimestampMs: BigInt(token.maxMs),
      tokenId: token.tokenId,
      hmac: token.hmac,
    };
  },
});

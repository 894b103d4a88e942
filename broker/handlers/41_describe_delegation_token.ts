/**
 * DescribeDelegationToken (key 41): the tokens of the owners asked (all, for null) that the
 * requester owns or renews, or may describe (DESCRIBE on the token, or DESCRIBE_TOKENS on its
 * owner); an empty owner list describes none.
 *
 * @module
 */

import { AclOperation, AclResourceType, ApiKey, ErrorCode } from "../../codec/mod.ts";
import { defineHandler } from "../server/handler.ts";
import { can } from "../security/access.ts";
import {
  ownerOrRenewer,
  principalParts,
  tokenRequestsAllowed,
} from "../security/delegation_tokens.ts";

export default defineHandler({
  apiKey: ApiKey.DescribeDelegationToken,
  minVersion: 1,
  maxVersion: 3,
  handle(request, ctx) {
    const tokens = ctx.delegationTokens;
    const answer = (errorCode: number, described: ReturnType<typeof tokens.all> = []) => ({
      errorCode,
      tokens: described.map((t) => {
        const [principalType, principalName] = principalParts(t.owner);
        const [requesterType, requesterName] = principalParts(t.requester);
        return {
          principalType,
          principalName,
          tokenRequesterPrincipalType: requesterType,
          tokenRequesterPrincipalName: requesterName,
          issueTimestamp: BigInt(t.issueMs),
          expiryTimestamp: BigInt(t.expiryMs),
          maxTimestamp: BigInt(t.maxMs),
          tokenId: t.tokenId,
          hmac: t.hmac,
          renewers: t.renewers.map((r) => {
            const [type, name] = principalParts(r);
            return { principalType: type, principalName: name };
          }),
        };
      }),
    });
    if (!tokenRequestsAllowed(ctx.connection)) {
      return answer(ErrorCode.DELEGATION_TOKEN_REQUEST_NOT_ALLOWED);
    }
    if (!tokens.enabled) return answer(ErrorCode.DELEGATION_TOKEN_AUTH_DISABLED);
    if (request.owners !== null && request.owners.length === 0) return answer(ErrorCode.NONE);
    const owners = request.owners?.map((o) => `${o.principalType}:${o.principalName}`);
    const principal = ctx.connection.principal;
    return answer(
      ErrorCode.NONE,
      tokens.all().filter((t) =>
        (!owners || owners.some((o) => ownerOrRenewer(t, o))) &&
        (ownerOrRenewer(t, principal) ||
          can(ctx, AclOperation.DESCRIBE, AclResourceType.DELEGATION_TOKEN, t.tokenId) ||
          can(ctx, AclOperation.DESCRIBE_TOKENS, AclResourceType.USER, t.owner))
      ),
    );
  },
});

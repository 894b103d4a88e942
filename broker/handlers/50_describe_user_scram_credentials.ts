/**
 * DescribeUserScramCredentials (key 50): the mechanisms and iteration counts of users' SCRAM
 * credentials (never the credentials), for the users named or, when none are, for every user.
 *
 * @module
 */

import { AclOperation, ApiKey, ErrorCode, SCRAM_MECHANISM_TYPES } from "../../codec/mod.ts";
import { defineHandler } from "../server/handler.ts";
import { canOnCluster } from "../security/access.ts";

export default defineHandler({
  apiKey: ApiKey.DescribeUserScramCredentials,
  minVersion: 0,
  maxVersion: 0,
  handle(request, ctx) {
    if (!canOnCluster(ctx, AclOperation.DESCRIBE)) {
      // As Kafka: the error at the top and once per user asked for, with no user name and no
      // message (the error's default message is left out).
      const refused = { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: null };
      return {
        ...refused,
        results: (request.users ?? []).map(() => ({ user: "", ...refused, credentialInfos: [] })),
      };
    }
    const store = ctx.credentials;
    // A user named twice is answered once, with DUPLICATE_RESOURCE.
    const users = new Map<string, boolean>();
    if (!request.users || request.users.length === 0) {
      for (const u of store.scramUsers()) users.set(u, false);
    } else {
      for (const { name } of request.users) users.set(name, users.has(name));
    }
    return {
      // Kafka 4.1.1 answers empty messages, not null, here.
      errorCode: ErrorCode.NONE,
      errorMessage: "",
      results: [...users].map(([user, duplicate]) => {
        if (duplicate) {
          return {
            user,
            errorCode: ErrorCode.DUPLICATE_RESOURCE,
            errorMessage:
              `Cannot describe SCRAM credentials for the same user twice in a single request: ${user}`,
            credentialInfos: [],
          };
        }
        const infos = store.scramInfo(user);
        if (infos.length === 0) {
          return {
            user,
            errorCode: ErrorCode.RESOURCE_NOT_FOUND,
            errorMessage: `Attempt to describe a user credential that does not exist: ${user}`,
            credentialInfos: [],
          };
        }
        return {
          user,
          errorCode: ErrorCode.NONE,
          errorMessage: "",
          credentialInfos: infos.map((i) => ({
            mechanism: SCRAM_MECHANISM_TYPES[i.mechanism],
            iterations: i.iterations,
          })),
        };
      }),
    };
  },
});

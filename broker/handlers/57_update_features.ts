/**
 * UpdateFeatures (key 57): raises or lowers the cluster's finalized feature levels, all or none,
 * with Kafka's checks (a supported feature and level, an upgrade type that allows a downgrade).
 * Version 0 says "allow downgrade" where later versions give an upgrade type.
 *
 * @module
 */

import { AclOperation, ApiKey, ErrorCode } from "../../codec/mod.ts";
import { defineHandler } from "../server/handler.ts";
import { canOnCluster, CLUSTER_REFUSED } from "../security/access.ts";

export default defineHandler({
  apiKey: ApiKey.UpdateFeatures,
  minVersion: 0,
  maxVersion: 2,
  handle(request, ctx) {
    const { apiVersion } = ctx;
    const answer = (errorCode: number, errorMessage: string | null) => ({
      errorCode,
      errorMessage,
      // Versions before 2 answer each feature too.
      results: apiVersion >= 2 ? [] : request.featureUpdates.map((u) => ({
        feature: u.feature,
        errorCode,
        errorMessage: errorMessage ?? "NONE",
      })),
    });
    if (!canOnCluster(ctx, AclOperation.ALTER)) {
      return answer(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, CLUSTER_REFUSED);
    }
    const updates = request.featureUpdates.map((u) => ({
      feature: u.feature,
      maxVersionLevel: u.maxVersionLevel,
      upgradeType: apiVersion >= 1 ? u.upgradeType : u.allowDowngrade ? 2 : 1,
    }));
    const problem = ctx.features.update(updates, {
      controllerId: ctx.metadata.controllerId,
      validateOnly: apiVersion >= 1 && request.validateOnly,
    });
    return problem === null
      ? answer(ErrorCode.NONE, null)
      : answer(ErrorCode.INVALID_UPDATE_VERSION, problem);
  },
});

/**
 * InitProducerId (key 22): hands an idempotent producer its id and epoch. A producer that asks again
 * with its id and epoch (KIP-360, v3+) gets the epoch bumped. Transactional ids are not served yet.
 *
 * @module
 */

import { ApiKey, ErrorCode } from "../../codec/mod.ts";
import { defineHandler } from "../handler.ts";

export default defineHandler({
  apiKey: ApiKey.InitProducerId,
  minVersion: 0,
  maxVersion: 5,
  handle(request, ctx) {
    if (request.transactionalId !== null) {
      return {
        errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
        producerId: -1n,
        producerEpoch: -1,
      };
    }
    if (request.producerId >= 0n && request.producerEpoch >= 0 && request.producerEpoch < 32766) {
      return {
        errorCode: ErrorCode.NONE,
        producerId: request.producerId,
        producerEpoch: request.producerEpoch + 1,
      };
    }
    return {
      errorCode: ErrorCode.NONE,
      producerId: ctx.cluster.producerIds.allocate(),
      producerEpoch: 0,
    };
  },
});

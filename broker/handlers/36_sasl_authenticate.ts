/**
 * SaslAuthenticate (key 36). On SASL listeners the connection's authenticator answers it (see
 * broker/security/authenticator.ts); what reaches this handler is out of place, and Kafka answers it
 * ILLEGAL_SASL_STATE.
 *
 * @module
 */

import { ApiKey, ErrorCode } from "../../codec/mod.ts";
import { defineHandler } from "../server/handler.ts";

export default defineHandler({
  apiKey: ApiKey.SaslAuthenticate,
  minVersion: 0,
  maxVersion: 2,
  handle: () => ({
    errorCode: ErrorCode.ILLEGAL_SASL_STATE,
    errorMessage: "SaslAuthenticate request received after successful authentication",
    authBytes: new Uint8Array(0),
    sessionLifetimeMs: 0n,
  }),
});

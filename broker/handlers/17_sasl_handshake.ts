/**
 * SaslHandshake (key 17). On SASL listeners the connection's authenticator answers it (see
 * broker/security/authenticator.ts); what reaches this handler came on a listener without SASL or
 * on an authenticated connection that may not re-authenticate, and Kafka answers it
 * ILLEGAL_SASL_STATE.
 *
 * @module
 */

import { ApiKey, ErrorCode } from "../../codec/mod.ts";
import { defineHandler } from "../server/handler.ts";

export default defineHandler({
  apiKey: ApiKey.SaslHandshake,
  minVersion: 0,
  maxVersion: 1,
  handle: () => ({ errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] }),
});

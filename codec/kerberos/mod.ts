/**
 * Kerberos V5 for SASL GSSAPI, shared by Brook's broker and client: the AES enctypes of RFC 3962
 * and RFC 8009 over Web Crypto, the DER messages of the AP exchange, MIT keytabs and the RFC 4121
 * GSS-API tokens.
 *
 * @example
 * ```ts
 * import { enctype } from "./mod.ts";
 * const key = await enctype(18).stringToKey("alice-secret", "BROOK.TESTalice");
 * console.log(key.length); // 32
 * ```
 *
 * @module
 */

export * from "./aes.ts";
export * from "./enctypes.ts";
export * from "./der.ts";
export * from "./messages.ts";
export * from "./keytab.ts";
export * from "./gss.ts";
export * from "./initiator.ts";
export * from "./kdc_messages.ts";

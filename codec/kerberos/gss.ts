/**
 * The Kerberos V5 GSS-API mechanism's tokens (RFC 4121, framed as RFC 2743 section 3.1 says): the
 * initial context token around an AP-REQ or AP-REP, the authenticator checksum 0x8003 that carries
 * the context flags, and per-message MIC and wrap tokens.
 *
 * @module
 */

import { encodeDer, readDer } from "./der.ts";
import { enctype, KerberosCryptoError } from "./enctypes.ts";
import { type EncryptionKey, KeyUsage } from "./messages.ts";

/** The Kerberos V5 mechanism's OID, 1.2.840.113554.1.2.2, DER encoded. */
export const KRB5_OID: Uint8Array = new Uint8Array([
  0x06,
  0x09,
  0x2a,
  0x86,
  0x48,
  0x86,
  0xf7,
  0x12,
  0x01,
  0x02,
  0x02,
]);

/** Token identifiers of RFC 4121 section 4.1 and 4.2.6. */
export const TokenId = {
  AP_REQ: 0x0100,
  AP_REP: 0x0200,
  ERROR: 0x0300,
  MIC: 0x0404,
  WRAP: 0x0504,
} as const;

/** Context flags carried by the 0x8003 checksum (RFC 4121 section 4.1.1.1). */
export const GssFlag = {
  DELEG: 1,
  MUTUAL: 2,
  REPLAY: 4,
  SEQUENCE: 8,
  CONF: 16,
  INTEG: 32,
} as const;

/** The checksum type that carries GSS context flags in an AP-REQ's authenticator. */
export const GSS_CHECKSUM_TYPE = 0x8003;

/**
 * Frames a Kerberos message as a GSS initial context token: [APPLICATION 0] with the krb5 OID and
 * the two-byte token id.
 *
 * @example
 * ```ts
 * import { encodeContextToken, TokenId } from "./gss.ts";
 * const token = encodeContextToken(TokenId.AP_REQ, new Uint8Array([0x6e, 0x00]));
 * console.log(token[0]); // 96
 * ```
 */
export function encodeContextToken(tokenId: number, message: Uint8Array): Uint8Array {
  return encodeDer(0x60, KRB5_OID, new Uint8Array([tokenId >> 8, tokenId & 0xff]), message);
}

/**
 * Unframes a GSS context token; throws RangeError when it is not one of the krb5 mechanism.
 *
 * @example
 * ```ts
 * import { decodeContextToken, encodeContextToken, TokenId } from "./gss.ts";
 * const { tokenId } = decodeContextToken(encodeContextToken(TokenId.AP_REP, new Uint8Array(2)));
 * console.log(tokenId === TokenId.AP_REP); // true
 * ```
 */
export function decodeContextToken(token: Uint8Array): { tokenId: number; message: Uint8Array } {
  const outer = readDer(token);
  if (outer.tag !== 0x60) throw new RangeError("Not a GSS-API initial context token");
  const v = outer.value;
  if (v.length < KRB5_OID.length + 2 || !KRB5_OID.every((b, i) => v[i] === b)) {
    throw new RangeError("Not a Kerberos V5 GSS-API token");
  }
  const at = KRB5_OID.length;
  return { tokenId: v[at] << 8 | v[at + 1], message: v.subarray(at + 2) };
}

/**
 * The 0x8003 checksum's value: 16 bytes of channel bindings (zeros: none) and the flags.
 *
 * @example
 * ```ts
 * import { encodeGssChecksum, GssFlag } from "./gss.ts";
 * console.log(encodeGssChecksum(GssFlag.MUTUAL | GssFlag.INTEG).length); // 24
 * ```
 */
export function encodeGssChecksum(flags: number): Uint8Array {
  const out = new Uint8Array(24);
  const view = new DataView(out.buffer);
  view.setUint32(0, 16, true);
  view.setUint32(20, flags, true);
  return out;
}

/**
 * The flags of a 0x8003 checksum value; throws RangeError when it is malformed.
 *
 * @example
 * ```ts
 * import { decodeGssChecksum, encodeGssChecksum } from "./gss.ts";
 * console.log(decodeGssChecksum(encodeGssChecksum(0x3c)).flags); // 60
 * ```
 */
export function decodeGssChecksum(value: Uint8Array): { flags: number; bindings: Uint8Array } {
  if (value.length < 24) throw new RangeError("GSS checksum too short");
  const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
  if (view.getUint32(0, true) !== 16) throw new RangeError("GSS checksum with bad binding length");
  return { flags: view.getUint32(20, true), bindings: value.slice(4, 20) };
}

/** Per-message token flags (RFC 4121 section 4.2.2). */
export const WrapFlag = { SENT_BY_ACCEPTOR: 1, SEALED: 2, ACCEPTOR_SUBKEY: 4 } as const;

/** How a wrap or MIC token is made. */
export interface TokenOptions {
  /** True when the acceptor (the server) sends the token. */
  sentByAcceptor: boolean;
  /** True when `key` is the acceptor's subkey from the AP-REP. */
  acceptorSubkey: boolean;
  /** The sender's sequence number. */
  sequence: bigint;
  /** Encrypt the payload too (wrap tokens only); default integrity only. */
  confidential?: boolean;
}

function header(tokenId: number, flags: number, ec: number, rrc: number, seq: bigint): Uint8Array {
  const h = new Uint8Array(16);
  const view = new DataView(h.buffer);
  view.setUint16(0, tokenId);
  h[2] = flags;
  if (tokenId === TokenId.MIC) {
    h.fill(0xff, 3, 8);
  } else {
    h[3] = 0xff;
    view.setUint16(4, ec);
    view.setUint16(6, rrc);
  }
  view.setBigUint64(8, seq);
  return h;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * A wrap token (05 04) around `payload`, with integrity (and confidentiality when asked).
 *
 * @example
 * ```ts
 * import { wrapToken } from "./gss.ts";
 * const key = { keyType: 18, keyValue: new Uint8Array(32) };
 * const token = await wrapToken(key, new Uint8Array([1, 0, 0, 0]), {
 *   sentByAcceptor: true, acceptorSubkey: false, sequence: 0n,
 * });
 * console.log(token.length); // 32
 * ```
 */
export async function wrapToken(
  key: EncryptionKey,
  payload: Uint8Array,
  options: TokenOptions,
): Promise<Uint8Array> {
  const e = enctype(key.keyType);
  const flags = (options.sentByAcceptor ? WrapFlag.SENT_BY_ACCEPTOR : 0) |
    (options.confidential ? WrapFlag.SEALED : 0) |
    (options.acceptorSubkey ? WrapFlag.ACCEPTOR_SUBKEY : 0);
  const usage = options.sentByAcceptor ? KeyUsage.ACCEPTOR_SEAL : KeyUsage.INITIATOR_SEAL;
  if (options.confidential) {
    const h = header(TokenId.WRAP, flags, 0, 0, options.sequence);
    const sealed = await e.encrypt(key.keyValue, usage, concat(payload, h));
    return concat(h, sealed);
  }
  const mac = await e.checksum(
    key.keyValue,
    usage,
    concat(payload, header(TokenId.WRAP, flags, 0, 0, options.sequence)),
  );
  return concat(header(TokenId.WRAP, flags, mac.length, 0, options.sequence), payload, mac);
}

/** What {@linkcode unwrapToken} found in a token. */
export interface Unwrapped {
  payload: Uint8Array;
  sequence: bigint;
  flags: number;
}

/**
 * Verifies a wrap token from the peer and returns its payload; throws KerberosCryptoError when it
 * is malformed, comes from the wrong side, or fails its integrity check.
 *
 * @example
 * ```ts
 * import { unwrapToken, wrapToken } from "./gss.ts";
 * const key = { keyType: 17, keyValue: new Uint8Array(16) };
 * const options = { sentByAcceptor: false, acceptorSubkey: false, sequence: 5n };
 * const out = await unwrapToken(key, await wrapToken(key, new Uint8Array([1]), options), options);
 * console.log(out.sequence); // 5n
 * ```
 */
export async function unwrapToken(
  key: EncryptionKey,
  token: Uint8Array,
  expect: { sentByAcceptor: boolean; acceptorSubkey: boolean },
): Promise<Unwrapped> {
  if (token.length < 16) throw new KerberosCryptoError("Wrap token too short");
  const view = new DataView(token.buffer, token.byteOffset, token.byteLength);
  if (view.getUint16(0) !== TokenId.WRAP || token[3] !== 0xff) {
    throw new KerberosCryptoError("Not a wrap token");
  }
  const flags = token[2];
  if (((flags & WrapFlag.SENT_BY_ACCEPTOR) !== 0) !== expect.sentByAcceptor) {
    throw new KerberosCryptoError("Wrap token sent by the wrong side");
  }
  if (((flags & WrapFlag.ACCEPTOR_SUBKEY) !== 0) !== expect.acceptorSubkey) {
    throw new KerberosCryptoError("Wrap token with the wrong acceptor subkey flag");
  }
  const ec = view.getUint16(4);
  const rrc = view.getUint16(6);
  const sequence = view.getBigUint64(8);
  let body = token.subarray(16);
  if (body.length > 0 && rrc % body.length !== 0) {
    const r = rrc % body.length;
    body = concat(body.subarray(r), body.subarray(0, r));
  }
  const e = enctype(key.keyType);
  const usage = expect.sentByAcceptor ? KeyUsage.ACCEPTOR_SEAL : KeyUsage.INITIATOR_SEAL;
  if (flags & WrapFlag.SEALED) {
    const plain = await e.decrypt(key.keyValue, usage, body);
    if (plain.length < 16 + ec) throw new KerberosCryptoError("Wrap token too short");
    const copy = plain.subarray(plain.length - 16);
    const expected = header(TokenId.WRAP, flags, ec, 0, sequence);
    if (!copy.every((b, i) => b === expected[i])) {
      throw new KerberosCryptoError("Wrap token header does not match its sealed copy");
    }
    return { payload: plain.slice(0, plain.length - 16 - ec), sequence, flags };
  }
  if (ec !== e.macLength || body.length < ec) {
    throw new KerberosCryptoError("Wrap token with a bad checksum length");
  }
  const payload = body.subarray(0, body.length - ec);
  const mac = await e.checksum(
    key.keyValue,
    usage,
    concat(payload, header(TokenId.WRAP, flags, 0, 0, sequence)),
  );
  const given = body.subarray(body.length - ec);
  if (!mac.every((b, i) => b === given[i])) {
    throw new KerberosCryptoError("Wrap token integrity check failed");
  }
  return { payload: payload.slice(), sequence, flags };
}

/**
 * A MIC token (04 04) over `message`.
 *
 * @example
 * ```ts
 * import { micToken } from "./gss.ts";
 * const key = { keyType: 17, keyValue: new Uint8Array(16) };
 * const mic = await micToken(key, new Uint8Array(3), {
 *   sentByAcceptor: false, acceptorSubkey: false, sequence: 0n,
 * });
 * console.log(mic.length); // 28
 * ```
 */
export async function micToken(
  key: EncryptionKey,
  message: Uint8Array,
  options: TokenOptions,
): Promise<Uint8Array> {
  const flags = (options.sentByAcceptor ? WrapFlag.SENT_BY_ACCEPTOR : 0) |
    (options.acceptorSubkey ? WrapFlag.ACCEPTOR_SUBKEY : 0);
  const h = header(TokenId.MIC, flags, 0, 0, options.sequence);
  const usage = options.sentByAcceptor ? KeyUsage.ACCEPTOR_SIGN : KeyUsage.INITIATOR_SIGN;
  const mac = await enctype(key.keyType).checksum(key.keyValue, usage, concat(message, h));
  return concat(h, mac);
}

/**
 * Verifies a MIC token over `message`; throws KerberosCryptoError when it does not match.
 *
 * @example
 * ```ts
 * import { micToken, verifyMicToken } from "./gss.ts";
 * const key = { keyType: 17, keyValue: new Uint8Array(16) };
 * const options = { sentByAcceptor: true, acceptorSubkey: false, sequence: 1n };
 * await verifyMicToken(key, new Uint8Array(3), await micToken(key, new Uint8Array(3), options), options);
 * ```
 */
export async function verifyMicToken(
  key: EncryptionKey,
  message: Uint8Array,
  token: Uint8Array,
  expect: { sentByAcceptor: boolean; acceptorSubkey: boolean },
): Promise<bigint> {
  if (token.length < 16) throw new KerberosCryptoError("MIC token too short");
  const view = new DataView(token.buffer, token.byteOffset, token.byteLength);
  if (view.getUint16(0) !== TokenId.MIC) throw new KerberosCryptoError("Not a MIC token");
  const flags = token[2];
  if (((flags & WrapFlag.SENT_BY_ACCEPTOR) !== 0) !== expect.sentByAcceptor) {
    throw new KerberosCryptoError("MIC token sent by the wrong side");
  }
  const usage = expect.sentByAcceptor ? KeyUsage.ACCEPTOR_SIGN : KeyUsage.INITIATOR_SIGN;
  const mac = await enctype(key.keyType).checksum(
    key.keyValue,
    usage,
    concat(message, token.subarray(0, 16)),
  );
  const given = token.subarray(16);
  if (mac.length !== given.length || !mac.every((b, i) => b === given[i])) {
    throw new KerberosCryptoError("MIC token integrity check failed");
  }
  return view.getBigUint64(8);
}

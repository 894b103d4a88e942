/**
 * The Kerberos V5 messages of the AP exchange (RFC 4120 section 5): tickets, authenticators,
 * AP-REQ and AP-REP, with the types they are built from.
 *
 * @module
 */

import {
  children,
  derFlags,
  derInteger,
  type DerNode,
  derOctets,
  derString,
  derTime,
  encodeDer,
  encodeFlags,
  encodeInteger,
  encodeOctets,
  encodeSequence,
  encodeString,
  encodeTime,
  field,
  fields,
  readDer,
  Tag,
} from "./der.ts";

/** PrincipalName: a name type and its components ("kafka", "localhost"). */
export interface PrincipalName {
  /** The name type (NameType, RFC 4120 section 6.2). */
  nameType: number;
  /** The name's components, e.g. ["kafka", "broker1.example.com"]. */
  names: string[];
}

/** Name types of RFC 4120 section 6.2. */
export const NameType = { PRINCIPAL: 1, SRV_INST: 2, SRV_HST: 3 } as const;

/** EncryptionKey. */
export interface EncryptionKey {
  /** The key's encryption type (RFC 3961 etype number). */
  keyType: number;
  /** The key's bytes. */
  keyValue: Uint8Array;
}

/** EncryptedData: ciphertext of one enctype, with the key's version when known. */
export interface EncryptedData {
  /** The encryption type of the ciphertext (RFC 3961 etype number). */
  etype: number;
  /** The version of the key it was encrypted with, when known. */
  kvno?: number;
  /** The ciphertext. */
  cipher: Uint8Array;
}

/** Checksum. */
export interface Checksum {
  type: number;
  value: Uint8Array;
}

/** Ticket ([APPLICATION 1]). */
export interface Ticket {
  /** The realm of the service the ticket is for. */
  realm: string;
  /** The service's principal name, e.g. kafka/broker1.example.com. */
  sname: PrincipalName;
  /** The part only the service can read (EncTicketPart), encrypted with its key. */
  encPart: EncryptedData;
  /** The ticket as received, for re-sending it unchanged. */
  raw?: Uint8Array;
}

/** EncTicketPart ([APPLICATION 3]): what only the service can read. */
export interface EncTicketPart {
  flags: number;
  key: EncryptionKey;
  crealm: string;
  cname: PrincipalName;
  authTime: number;
  startTime?: number;
  endTime: number;
  renewTill?: number;
}

/** Authenticator ([APPLICATION 2]). */
export interface Authenticator {
  crealm: string;
  cname: PrincipalName;
  cksum?: Checksum;
  cusec: number;
  ctime: number;
  subkey?: EncryptionKey;
  seqNumber?: number;
}

/** AP-REQ ([APPLICATION 14]). */
export interface ApReq {
  apOptions: number;
  ticket: Ticket;
  authenticator: EncryptedData;
}

/** EncAPRepPart ([APPLICATION 27]). */
export interface EncApRepPart {
  ctime: number;
  cusec: number;
  subkey?: EncryptionKey;
  seqNumber?: number;
}

/** APOptions bits (bit 0 is the most significant). */
export const ApOptions = { USE_SESSION_KEY: 0x40000000, MUTUAL_REQUIRED: 0x20000000 } as const;

/** Key usage numbers of RFC 4120 section 7.5.1 and RFC 4121 section 2. */
export const KeyUsage = {
  AS_REQ_PA_ENC_TIMESTAMP: 1,
  TICKET: 2,
  AS_REP_ENC_PART: 3,
  TGS_REQ_AUTH_CKSUM: 6,
  TGS_REQ_AUTHENTICATOR: 7,
  TGS_REP_ENC_PART_SESSION: 8,
  TGS_REP_ENC_PART_SUBKEY: 9,
  AP_REQ_AUTHENTICATOR: 11,
  AP_REP_ENC_PART: 12,
  ACCEPTOR_SEAL: 22,
  ACCEPTOR_SIGN: 23,
  INITIATOR_SEAL: 24,
  INITIATOR_SIGN: 25,
} as const;

const uint32 = (n: DerNode) => derInteger(n) >>> 0;

/**
 * Encodes a PrincipalName.
 *
 * @example
 * ```ts
 * import { encodePrincipalName } from "./messages.ts";
 * const der = encodePrincipalName({ nameType: 1, names: ["alice"] });
 * ```
 */
export function encodePrincipalName(p: PrincipalName): Uint8Array {
  return encodeSequence([
    encodeInteger(p.nameType),
    encodeDer(Tag.SEQUENCE, ...p.names.map(encodeString)),
  ]);
}

/**
 * Decodes a PrincipalName.
 *
 * @example
 * ```ts
 * import { decodePrincipalName, encodePrincipalName } from "./messages.ts";
 * import { readDer } from "./der.ts";
 * const p = decodePrincipalName(readDer(encodePrincipalName({ nameType: 1, names: ["alice"] })));
 * console.log(p.names); // ["alice"]
 * ```
 */
export function decodePrincipalName(node: DerNode): PrincipalName {
  const f = fields(node);
  return {
    nameType: derInteger(field(f, 0)),
    names: children(field(f, 1)).map(derString),
  };
}

/**
 * Encodes an EncryptionKey.
 *
 * @example
 * ```ts
 * import { encodeEncryptionKey } from "./messages.ts";
 * const der = encodeEncryptionKey({ keyType: 17, keyValue: new Uint8Array(16) });
 * ```
 */
export function encodeEncryptionKey(k: EncryptionKey): Uint8Array {
  return encodeSequence([encodeInteger(k.keyType), encodeOctets(k.keyValue)]);
}

/**
 * Decodes an EncryptionKey.
 *
 * @example
 * ```ts
 * import { decodeEncryptionKey, encodeEncryptionKey } from "./messages.ts";
 * import { readDer } from "./der.ts";
 * const k = decodeEncryptionKey(readDer(encodeEncryptionKey({ keyType: 17, keyValue: new Uint8Array(16) })));
 * console.log(k.keyType); // 17
 * ```
 */
export function decodeEncryptionKey(node: DerNode): EncryptionKey {
  const f = fields(node);
  return { keyType: derInteger(field(f, 0)), keyValue: derOctets(field(f, 1)).slice() };
}

/**
 * Encodes EncryptedData.
 *
 * @example
 * ```ts
 * import { encodeEncryptedData } from "./messages.ts";
 * const der = encodeEncryptedData({ etype: 18, kvno: 2, cipher: new Uint8Array(44) });
 * ```
 */
export function encodeEncryptedData(e: EncryptedData): Uint8Array {
  return encodeSequence([
    encodeInteger(e.etype),
    e.kvno === undefined ? undefined : encodeInteger(e.kvno),
    encodeOctets(e.cipher),
  ]);
}

/**
 * Decodes EncryptedData.
 *
 * @example
 * ```ts
 * import { decodeEncryptedData, encodeEncryptedData } from "./messages.ts";
 * import { readDer } from "./der.ts";
 * const e = decodeEncryptedData(readDer(encodeEncryptedData({ etype: 18, cipher: new Uint8Array(44) })));
 * console.log(e.etype); // 18
 * ```
 */
export function decodeEncryptedData(node: DerNode): EncryptedData {
  const f = fields(node);
  const kvno = f.get(1);
  return {
    etype: derInteger(field(f, 0)),
    kvno: kvno ? uint32(kvno) : undefined,
    cipher: derOctets(field(f, 2)).slice(),
  };
}

function encodeChecksum(c: Checksum): Uint8Array {
  return encodeSequence([encodeInteger(c.type), encodeOctets(c.value)]);
}

function decodeChecksum(node: DerNode): Checksum {
  const f = fields(node);
  return { type: derInteger(field(f, 0)), value: derOctets(field(f, 1)).slice() };
}

/**
 * Encodes a Ticket (its encrypted part already sealed with the service key).
 *
 * @example
 * ```ts
 * import { encodeTicket } from "./messages.ts";
 * const der = encodeTicket({
 *   realm: "BROOK.TEST",
 *   sname: { nameType: 2, names: ["kafka", "localhost"] },
 *   encPart: { etype: 18, kvno: 1, cipher: new Uint8Array(60) },
 * });
 * ```
 */
export function encodeTicket(t: Ticket): Uint8Array {
  if (t.raw) return t.raw;
  return encodeDer(
    0x61,
    encodeSequence([
      encodeInteger(5),
      encodeString(t.realm),
      encodePrincipalName(t.sname),
      encodeEncryptedData(t.encPart),
    ]),
  );
}

/**
 * Decodes a Ticket.
 *
 * @example
 * ```ts
 * import { decodeTicket, encodeTicket } from "./messages.ts";
 * import { readDer } from "./der.ts";
 * const t = decodeTicket(readDer(encodeTicket({
 *   realm: "R",
 *   sname: { nameType: 2, names: ["kafka", "h"] },
 *   encPart: { etype: 18, cipher: new Uint8Array(60) },
 * })));
 * console.log(t.realm); // "R"
 * ```
 */
export function decodeTicket(node: DerNode): Ticket {
  const f = fields(node, 1);
  if (derInteger(field(f, 0)) !== 5) throw new Error("Not a Kerberos 5 ticket");
  return {
    realm: derString(field(f, 1)),
    sname: decodePrincipalName(field(f, 2)),
    encPart: decodeEncryptedData(field(f, 3)),
    raw: node.raw.slice(),
  };
}

/**
 * Encodes an EncTicketPart (transited encoding empty, no addresses or authorization data).
 *
 * @example
 * ```ts
 * import { encodeEncTicketPart } from "./messages.ts";
 * const der = encodeEncTicketPart({
 *   flags: 0,
 *   key: { keyType: 18, keyValue: new Uint8Array(32) },
 *   crealm: "BROOK.TEST",
 *   cname: { nameType: 1, names: ["alice"] },
 *   authTime: Date.now(),
 *   endTime: Date.now() + 3_600_000,
 * });
 * ```
 */
export function encodeEncTicketPart(p: EncTicketPart): Uint8Array {
  return encodeDer(
    0x63,
    encodeSequence([
      encodeFlags(p.flags),
      encodeEncryptionKey(p.key),
      encodeString(p.crealm),
      encodePrincipalName(p.cname),
      encodeSequence([encodeInteger(1), encodeOctets(new Uint8Array(0))]),
      encodeTime(p.authTime),
      p.startTime === undefined ? undefined : encodeTime(p.startTime),
      encodeTime(p.endTime),
      p.renewTill === undefined ? undefined : encodeTime(p.renewTill),
    ]),
  );
}

/**
 * Decodes an EncTicketPart.
 *
 * @example
 * ```ts
 * import { decodeEncTicketPart, encodeEncTicketPart } from "./messages.ts";
 * const part = decodeEncTicketPart(encodeEncTicketPart({
 *   flags: 0,
 *   key: { keyType: 18, keyValue: new Uint8Array(32) },
 *   crealm: "R",
 *   cname: { nameType: 1, names: ["alice"] },
 *   authTime: 0,
 *   endTime: 1000,
 * }));
 * console.log(part.crealm); // "R"
 * ```
 */
export function decodeEncTicketPart(bytes: Uint8Array): EncTicketPart {
  const f = fields(readDer(bytes), 3);
  const opt = (n: number) => f.has(n) ? derTime(f.get(n)!) : undefined;
  return {
    flags: derFlags(field(f, 0)),
    key: decodeEncryptionKey(field(f, 1)),
    crealm: derString(field(f, 2)),
    cname: decodePrincipalName(field(f, 3)),
    authTime: derTime(field(f, 5)),
    startTime: opt(6),
    endTime: derTime(field(f, 7)),
    renewTill: opt(8),
  };
}

/**
 * Encodes an Authenticator.
 *
 * @example
 * ```ts
 * import { encodeAuthenticator } from "./messages.ts";
 * const der = encodeAuthenticator({
 *   crealm: "R",
 *   cname: { nameType: 1, names: ["alice"] },
 *   cusec: 0,
 *   ctime: Date.now(),
 * });
 * ```
 */
export function encodeAuthenticator(a: Authenticator): Uint8Array {
  return encodeDer(
    0x62,
    encodeSequence([
      encodeInteger(5),
      encodeString(a.crealm),
      encodePrincipalName(a.cname),
      a.cksum ? encodeChecksum(a.cksum) : undefined,
      encodeInteger(a.cusec),
      encodeTime(a.ctime),
      a.subkey ? encodeEncryptionKey(a.subkey) : undefined,
      a.seqNumber === undefined ? undefined : encodeInteger(a.seqNumber),
    ]),
  );
}

/**
 * Decodes an Authenticator.
 *
 * @example
 * ```ts
 * import { decodeAuthenticator, encodeAuthenticator } from "./messages.ts";
 * const a = decodeAuthenticator(encodeAuthenticator({
 *   crealm: "R",
 *   cname: { nameType: 1, names: ["alice"] },
 *   cusec: 7,
 *   ctime: 0,
 * }));
 * console.log(a.cusec); // 7
 * ```
 */
export function decodeAuthenticator(bytes: Uint8Array): Authenticator {
  const f = fields(readDer(bytes), 2);
  if (derInteger(field(f, 0)) !== 5) throw new Error("Not a Kerberos 5 authenticator");
  return {
    crealm: derString(field(f, 1)),
    cname: decodePrincipalName(field(f, 2)),
    cksum: f.has(3) ? decodeChecksum(f.get(3)!) : undefined,
    cusec: derInteger(field(f, 4)),
    ctime: derTime(field(f, 5)),
    subkey: f.has(6) ? decodeEncryptionKey(f.get(6)!) : undefined,
    seqNumber: f.has(7) ? uint32(f.get(7)!) : undefined,
  };
}

/**
 * Encodes an AP-REQ.
 *
 * @example
 * ```ts
 * import { encodeApReq } from "./messages.ts";
 * const der = encodeApReq({
 *   apOptions: 0,
 *   ticket: {
 *     realm: "R",
 *     sname: { nameType: 2, names: ["kafka", "h"] },
 *     encPart: { etype: 18, cipher: new Uint8Array(60) },
 *   },
 *   authenticator: { etype: 18, cipher: new Uint8Array(60) },
 * });
 * ```
 */
export function encodeApReq(r: ApReq): Uint8Array {
  return encodeDer(
    0x6e,
    encodeSequence([
      encodeInteger(5),
      encodeInteger(14),
      encodeFlags(r.apOptions),
      encodeTicket(r.ticket),
      encodeEncryptedData(r.authenticator),
    ]),
  );
}

/**
 * Decodes an AP-REQ.
 *
 * @example
 * ```ts
 * import { decodeApReq, encodeApReq } from "./messages.ts";
 * const r = decodeApReq(encodeApReq({
 *   apOptions: 0x20000000,
 *   ticket: {
 *     realm: "R",
 *     sname: { nameType: 2, names: ["kafka", "h"] },
 *     encPart: { etype: 18, cipher: new Uint8Array(60) },
 *   },
 *   authenticator: { etype: 18, cipher: new Uint8Array(60) },
 * }));
 * console.log(r.apOptions); // 536870912
 * ```
 */
export function decodeApReq(bytes: Uint8Array): ApReq {
  const f = fields(readDer(bytes), 14);
  if (derInteger(field(f, 0)) !== 5 || derInteger(field(f, 1)) !== 14) {
    throw new Error("Not a Kerberos 5 AP-REQ");
  }
  return {
    apOptions: derFlags(field(f, 2)),
    ticket: decodeTicket(field(f, 3)),
    authenticator: decodeEncryptedData(field(f, 4)),
  };
}

/**
 * Encodes an AP-REP around its encrypted part.
 *
 * @example
 * ```ts
 * import { encodeApRep } from "./messages.ts";
 * const der = encodeApRep({ etype: 18, cipher: new Uint8Array(60) });
 * ```
 */
export function encodeApRep(encPart: EncryptedData): Uint8Array {
  return encodeDer(
    0x6f,
    encodeSequence([encodeInteger(5), encodeInteger(15), encodeEncryptedData(encPart)]),
  );
}

/**
 * Decodes an AP-REP's encrypted part.
 *
 * @example
 * ```ts
 * import { decodeApRep, encodeApRep } from "./messages.ts";
 * console.log(decodeApRep(encodeApRep({ etype: 18, cipher: new Uint8Array(60) })).etype); // 18
 * ```
 */
export function decodeApRep(bytes: Uint8Array): EncryptedData {
  const f = fields(readDer(bytes), 15);
  if (derInteger(field(f, 0)) !== 5 || derInteger(field(f, 1)) !== 15) {
    throw new Error("Not a Kerberos 5 AP-REP");
  }
  return decodeEncryptedData(field(f, 2));
}

/**
 * Encodes an EncAPRepPart.
 *
 * @example
 * ```ts
 * import { encodeEncApRepPart } from "./messages.ts";
 * const der = encodeEncApRepPart({ ctime: Date.now(), cusec: 0, seqNumber: 1 });
 * ```
 */
export function encodeEncApRepPart(p: EncApRepPart): Uint8Array {
  return encodeDer(
    0x7b,
    encodeSequence([
      encodeTime(p.ctime),
      encodeInteger(p.cusec),
      p.subkey ? encodeEncryptionKey(p.subkey) : undefined,
      p.seqNumber === undefined ? undefined : encodeInteger(p.seqNumber),
    ]),
  );
}

/**
 * Decodes an EncAPRepPart.
 *
 * @example
 * ```ts
 * import { decodeEncApRepPart, encodeEncApRepPart } from "./messages.ts";
 * console.log(decodeEncApRepPart(encodeEncApRepPart({ ctime: 0, cusec: 3 })).cusec); // 3
 * ```
 */
export function decodeEncApRepPart(bytes: Uint8Array): EncApRepPart {
  const f = fields(readDer(bytes), 27);
  return {
    ctime: derTime(field(f, 0)),
    cusec: derInteger(field(f, 1)),
    subkey: f.has(2) ? decodeEncryptionKey(f.get(2)!) : undefined,
    seqNumber: f.has(3) ? uint32(f.get(3)!) : undefined,
  };
}

/**
 * The text form of a principal: components joined by "/", then "@" and the realm.
 *
 * @example
 * ```ts
 * import { principalText } from "./messages.ts";
 * console.log(principalText({ nameType: 2, names: ["kafka", "localhost"] }, "BROOK.TEST"));
 * // "kafka/localhost@BROOK.TEST"
 * ```
 */
export function principalText(name: PrincipalName, realm: string): string {
  return `${name.names.join("/")}@${realm}`;
}

/**
 * The Kerberos V5 messages between a client and its KDC (RFC 4120 section 5.4 and 5.9.1): AS-REQ
 * and TGS-REQ, AS-REP and TGS-REP with their encrypted parts, KRB-ERROR, the PA-DATA a client
 * sends (PA-ENC-TIMESTAMP, PA-TGS-REQ) and the ETYPE-INFO2 salts a KDC answers with.
 *
 * @module
 */

import {
  children,
  derInteger,
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
import {
  decodeEncryptedData,
  decodeEncryptionKey,
  decodePrincipalName,
  decodeTicket,
  encodeEncryptedData,
  encodePrincipalName,
  type EncryptedData,
  type EncryptionKey,
  type PrincipalName,
  type Ticket,
} from "./messages.ts";

/** PA-DATA types Brook's client uses (RFC 4120 section 7.5.2). */
export const PaType = { TGS_REQ: 1, ENC_TIMESTAMP: 2, ETYPE_INFO2: 19 } as const;

/** Kerberos error codes a client acts on. */
export const KdcError = { PREAUTH_REQUIRED: 25, PREAUTH_FAILED: 24 } as const;

/** One PA-DATA element. */
export interface PaData {
  type: number;
  value: Uint8Array;
}

/** KDC-REQ-BODY. */
export interface KdcReqBody {
  options: number;
  cname?: PrincipalName;
  realm: string;
  sname: PrincipalName;
  till: number;
  nonce: number;
  etypes: readonly number[];
}

/**
 * Encodes a KDC-REQ-BODY (also what a TGS-REQ's authenticator checksums).
 *
 * @example
 * ```ts
 * import { encodeKdcReqBody } from "./kdc_messages.ts";
 * const body = encodeKdcReqBody({
 *   options: 0, realm: "R", sname: { nameType: 2, names: ["krbtgt", "R"] }, till: 0, nonce: 1,
 *   etypes: [18],
 * });
 * ```
 */
export function encodeKdcReqBody(b: KdcReqBody): Uint8Array {
  return encodeSequence([
    encodeFlags(b.options),
    b.cname ? encodePrincipalName(b.cname) : undefined,
    encodeString(b.realm),
    encodePrincipalName(b.sname),
    undefined,
    encodeTime(b.till),
    undefined,
    encodeInteger(b.nonce),
    encodeDer(Tag.SEQUENCE, ...b.etypes.map(encodeInteger)),
  ]);
}

function encodePaData(p: PaData): Uint8Array {
  return encodeSequence([undefined, encodeInteger(p.type), encodeOctets(p.value)]);
}

/**
 * An AS-REQ (`tgs` false) or TGS-REQ around an encoded body.
 *
 * @example
 * ```ts
 * import { encodeKdcReq, encodeKdcReqBody } from "./kdc_messages.ts";
 * const body = encodeKdcReqBody({
 *   options: 0, realm: "R", sname: { nameType: 2, names: ["krbtgt", "R"] }, till: 0, nonce: 1,
 *   etypes: [18],
 * });
 * console.log(encodeKdcReq(false, [], body)[0]); // 106
 * ```
 */
export function encodeKdcReq(tgs: boolean, padata: PaData[], body: Uint8Array): Uint8Array {
  return encodeDer(
    tgs ? 0x6c : 0x6a,
    encodeSequence([
      undefined,
      encodeInteger(5),
      encodeInteger(tgs ? 12 : 10),
      padata.length ? encodeDer(Tag.SEQUENCE, ...padata.map(encodePaData)) : undefined,
      body,
    ]),
  );
}

/**
 * PA-ENC-TS-ENC: the client's time, to be encrypted with its key (key usage 1).
 *
 * @example
 * ```ts
 * import { encodePaEncTsEnc } from "./kdc_messages.ts";
 * const ts = encodePaEncTsEnc(Date.now());
 * ```
 */
export function encodePaEncTsEnc(now: number): Uint8Array {
  return encodeSequence([encodeTime(now), encodeInteger((now % 1000) * 1000)]);
}

/**
 * EncryptedData as the value of a PA-DATA.
 *
 * @example
 * ```ts
 * import { paEncryptedData } from "./kdc_messages.ts";
 * const value = paEncryptedData({ etype: 18, cipher: new Uint8Array(40) });
 * ```
 */
export function paEncryptedData(e: EncryptedData): Uint8Array {
  return encodeEncryptedData(e);
}

/** A KDC's answer: a reply, or a KRB-ERROR. */
export type KdcAnswer =
  | { kind: "reply"; reply: KdcRep }
  | { kind: "error"; error: KrbError };

/** AS-REP or TGS-REP. */
export interface KdcRep {
  padata: PaData[];
  crealm: string;
  cname: PrincipalName;
  ticket: Ticket;
  encPart: EncryptedData;
}

/** KRB-ERROR. */
export interface KrbError {
  code: number;
  text?: string;
  /** e-data read as METHOD-DATA, when it is. */
  methodData: PaData[];
}

function decodePaList(node: ReturnType<typeof readDer>): PaData[] {
  return children(node).map((p) => {
    const f = fields(p);
    return { type: derInteger(field(f, 1)), value: derOctets(field(f, 2)).slice() };
  });
}

/**
 * Reads a KDC's answer: an AS-REP, a TGS-REP or a KRB-ERROR.
 *
 * @example
 * ```ts ignore
 * import { decodeKdcAnswer } from "./kdc_messages.ts";
 * const answer = decodeKdcAnswer(bytesFromTheKdc);
 * if (answer.kind === "error") console.log(answer.error.code);
 * ```
 */
export function decodeKdcAnswer(bytes: Uint8Array): KdcAnswer {
  const node = readDer(bytes);
  if (node.tag === 0x7e) {
    const f = fields(node, 30);
    let methodData: PaData[] = [];
    const eData = f.get(12);
    if (eData) {
      try {
        methodData = decodePaList(readDer(derOctets(eData)));
      } catch {
        // e-data of another shape
      }
    }
    return {
      kind: "error",
      error: {
        code: derInteger(field(f, 6)),
        text: f.has(11) ? derString(f.get(11)!) : undefined,
        methodData,
      },
    };
  }
  const app = node.tag === 0x6b ? 11 : 13;
  const f = fields(node, app);
  return {
    kind: "reply",
    reply: {
      padata: f.has(2) ? decodePaList(f.get(2)!) : [],
      crealm: derString(field(f, 3)),
      cname: decodePrincipalName(field(f, 4)),
      ticket: decodeTicket(field(f, 5)),
      encPart: decodeEncryptedData(field(f, 6)),
    },
  };
}

/** EncASRepPart / EncTGSRepPart: the session key and the ticket's times. */
export interface EncKdcRepPart {
  key: EncryptionKey;
  nonce: number;
  authTime: number;
  endTime: number;
}

/**
 * Decodes the decrypted part of an AS-REP or TGS-REP (KDCs use either application tag for both).
 *
 * @example
 * ```ts ignore
 * import { decodeEncKdcRepPart } from "./kdc_messages.ts";
 * const part = decodeEncKdcRepPart(decrypted);
 * ```
 */
export function decodeEncKdcRepPart(bytes: Uint8Array): EncKdcRepPart {
  const node = readDer(bytes);
  const f = fields(node, node.tag === 0x79 ? 25 : 26);
  return {
    key: decodeEncryptionKey(field(f, 0)),
    nonce: derInteger(field(f, 2)) >>> 0,
    authTime: derTime(field(f, 5)),
    endTime: derTime(field(f, 7)),
  };
}

/** One ETYPE-INFO2 entry: how the KDC salts the password key of one enctype. */
export interface EtypeInfo2Entry {
  etype: number;
  salt?: string;
  /** PBKDF2 iterations from s2kparams, when given. */
  iterations?: number;
}

/**
 * Reads PA-ETYPE-INFO2's value.
 *
 * @example
 * ```ts ignore
 * import { decodeEtypeInfo2 } from "./kdc_messages.ts";
 * const [first] = decodeEtypeInfo2(paData.value);
 * ```
 */
export function decodeEtypeInfo2(value: Uint8Array): EtypeInfo2Entry[] {
  return children(readDer(value)).map((e) => {
    const f = fields(e);
    const params = f.get(2);
    const p = params ? derOctets(params) : undefined;
    return {
      etype: derInteger(field(f, 0)),
      salt: f.has(1) ? derString(f.get(1)!) : undefined,
      iterations: p && p.length === 4
        ? new DataView(p.buffer, p.byteOffset, 4).getUint32(0)
        : undefined,
    };
  });
}

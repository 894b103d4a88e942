/**
 * Kerberos without a KDC, for tests: a service keytab of random keys, and service tickets minted
 * with its key as a KDC would issue them (the client's name, a session key, auth and end times).
 *
 * @module
 */

import {
  encodeEncTicketPart,
  encodeKeytab,
  enctype,
  type KeytabEntry,
  KeyUsage,
  NameType,
  type ServiceTicket,
} from "../../codec/kerberos/mod.ts";

/** The realm of minted tickets. */
export const REALM = "BROOK.TEST";

/** A keytab for kafka/localhost@BROOK.TEST with a random key of each enctype, version `kvno`. */
export function serviceKeytab(kvno = 2): { entries: KeytabEntry[]; bytes: Uint8Array } {
  const entries = [18, 17, 20, 19].map((id): KeytabEntry => ({
    names: ["kafka", "localhost"],
    realm: REALM,
    nameType: NameType.PRINCIPAL,
    timestamp: Math.floor(Date.now() / 1000),
    kvno,
    enctype: id,
    key: enctype(id).randomKey(),
  }));
  return { entries, bytes: encodeKeytab(entries) };
}

/** What a minted ticket says. */
export interface MintOptions {
  /** The client, "alice" or "carol@OTHER.TEST"; default alice@BROOK.TEST. */
  client?: string;
  /** Enctype of the ticket (the service key used); default 18. */
  ticketEnctype?: number;
  /** Enctype of the session key; default the ticket's. */
  sessionEnctype?: number;
  /** Auth time, start time (none by default) and end time, epoch ms; default now and an hour on. */
  authTime?: number;
  startTime?: number;
  endTime?: number;
  /** Seal with this key version instead of the keytab's (a rotated key). */
  kvno?: number;
  /** The service the ticket names, and its realm; default kafka/localhost@BROOK.TEST. */
  service?: string[];
  serviceRealm?: string;
}

/** A service ticket for kafka/localhost sealed with the keytab's key, as a TGS-REP would carry. */
export async function mintTicket(
  keytab: KeytabEntry[],
  options: MintOptions = {},
): Promise<ServiceTicket> {
  const ticketEnctype = options.ticketEnctype ?? 18;
  const entry = keytab.find((e) => e.enctype === ticketEnctype)!;
  const [name, clientRealm = REALM] = (options.client ?? "alice").split("@");
  const session = enctype(options.sessionEnctype ?? ticketEnctype);
  const sessionKey = { keyType: session.id, keyValue: session.randomKey() };
  const client = { nameType: NameType.PRINCIPAL, names: name.split("/") };
  const now = Date.now();
  const part = encodeEncTicketPart({
    flags: 0,
    key: sessionKey,
    crealm: clientRealm,
    cname: client,
    authTime: options.authTime ?? now,
    startTime: options.startTime,
    endTime: options.endTime ?? now + 3_600_000,
  });
  const cipher = await enctype(ticketEnctype).encrypt(entry.key, KeyUsage.TICKET, part);
  return {
    ticket: {
      realm: options.serviceRealm ?? REALM,
      sname: { nameType: NameType.SRV_INST, names: options.service ?? ["kafka", "localhost"] },
      encPart: { etype: ticketEnctype, kvno: options.kvno ?? entry.kvno, cipher },
    },
    sessionKey,
    client,
    realm: clientRealm,
  };
}

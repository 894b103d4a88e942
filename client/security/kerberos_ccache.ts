/**
 * MIT credential caches (FILE: ccaches, formats 0x0503 and 0x0504, as `kinit` writes them): the
 * default principal and its tickets with their session keys, so that Brook's client can use a
 * ticket-granting ticket obtained by `kinit`.
 *
 * @module
 */

import {
  decodeTicket,
  type EncryptionKey,
  type PrincipalName,
  readDer,
  type Ticket,
} from "../../codec/kerberos/mod.ts";

/** One credential of a ccache. */
export interface CachedCredential {
  client: PrincipalName;
  clientRealm: string;
  server: PrincipalName;
  serverRealm: string;
  key: EncryptionKey;
  /** Epoch ms. */
  authTime: number;
  endTime: number;
  ticket: Ticket;
}

/** A ccache's default principal and its credentials (configuration entries left out). */
export interface Ccache {
  principal: PrincipalName;
  realm: string;
  credentials: CachedCredential[];
}

/**
 * Reads a ccache file's bytes.
 *
 * @example
 * ```ts ignore
 * import { parseCcache } from "./kerberos_ccache.ts";
 * const cache = parseCcache(await Deno.readFile("/tmp/krb5cc_1000"));
 * console.log(cache.principal.names, cache.realm);
 * ```
 */
export function parseCcache(bytes: Uint8Array): Ccache {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint16(0);
  if (version !== 0x0503 && version !== 0x0504) {
    throw new RangeError(`Unsupported ccache format 0x${version.toString(16)}`);
  }
  let at = 2;
  if (version === 0x0504) at += 2 + view.getUint16(2);
  const u8 = () => bytes[at++];
  const u16 = () => {
    const v = view.getUint16(at);
    at += 2;
    return v;
  };
  const u32 = () => {
    const v = view.getUint32(at);
    at += 4;
    return v;
  };
  const data = () => {
    const n = u32();
    const v = bytes.slice(at, at + n);
    at += n;
    return v;
  };
  const text = () => new TextDecoder().decode(data());
  const principal = () => {
    const nameType = u32();
    const count = u32();
    const realm = text();
    const names = Array.from({ length: count }, text);
    return { name: { nameType, names }, realm };
  };
  const main = principal();
  const credentials: CachedCredential[] = [];
  while (at < bytes.length) {
    const client = principal();
    const server = principal();
    const keyType = u16();
    const keyValue = data();
    const authTime = u32() * 1000;
    u32(); // start time
    const endTime = u32() * 1000;
    u32(); // renew till
    u8(); // is_skey
    u32(); // ticket flags
    for (let n = u32(); n > 0; n--) {
      u16();
      data();
    }
    for (let n = u32(); n > 0; n--) {
      u16();
      data();
    }
    const ticket = data();
    data(); // second ticket
    if (server.realm === "X-CACHECONF:") continue;
    credentials.push({
      client: client.name,
      clientRealm: client.realm,
      server: server.name,
      serverRealm: server.realm,
      key: { keyType, keyValue },
      authTime,
      endTime,
      ticket: decodeTicket(readDer(ticket)),
    });
  }
  return { principal: main.name, realm: main.realm, credentials };
}

/**
 * A minimal KDC for hermetic tests of Brook's Kerberos client, on 127.0.0.1 over TCP: AS requests
 * are refused with PREAUTH_REQUIRED and ETYPE-INFO2 (salt, iteration count) until they carry a
 * PA-ENC-TIMESTAMP that decrypts with the client's password key; TGS requests must carry the TGT
 * it issued. Tickets for kafka/localhost are sealed with a service keytab's key. The real MIT KDC
 * is in tests/peers/gssapi_kdc_test.ts; this one keeps `deno task test` free of it.
 *
 * @module
 */

import {
  children,
  decodeApReq,
  decodeAuthenticator,
  decodeEncTicketPart,
  decodePrincipalName,
  derInteger,
  derOctets,
  encodeDer,
  encodeEncryptedData,
  encodeEncryptionKey,
  encodeEncTicketPart,
  encodeFlags,
  encodeInteger,
  encodeOctets,
  encodePrincipalName,
  encodeSequence,
  encodeString,
  encodeTicket,
  encodeTime,
  type EncryptionKey,
  enctype,
  field,
  fields,
  type KeytabEntry,
  KeyUsage,
  NameType,
  type PrincipalName,
  readDer,
  Tag,
} from "../../codec/kerberos/mod.ts";

const REALM = "BROOK.TEST";
const ITERATIONS = 4096;

/** What the fake KDC saw, for assertions. */
export interface FakeKdcLog {
  asRequests: number;
  preauthenticated: number;
  tgsRequests: number;
}

function krbError(code: number, eData?: Uint8Array): Uint8Array {
  const now = Date.now();
  return encodeDer(
    0x7e,
    encodeSequence([
      encodeInteger(5),
      encodeInteger(30),
      undefined,
      undefined,
      encodeTime(now),
      encodeInteger(0),
      encodeInteger(code),
      undefined,
      undefined,
      encodeString(REALM),
      encodePrincipalName({ nameType: NameType.SRV_INST, names: ["krbtgt", REALM] }),
      undefined,
      eData ? encodeOctets(eData) : undefined,
    ]),
  );
}

async function reply(
  tgs: boolean,
  cname: PrincipalName,
  sname: PrincipalName,
  serviceKey: { etype: number; key: Uint8Array; kvno: number },
  replyKey: EncryptionKey,
  nonce: number,
): Promise<Uint8Array> {
  const now = Date.now();
  const session = enctype(serviceKey.etype);
  const key = { keyType: session.id, keyValue: session.randomKey() };
  const part = encodeEncTicketPart({
    flags: 0,
    key,
    crealm: REALM,
    cname,
    authTime: now,
    endTime: now + 3_600_000,
  });
  const ticket = encodeTicket({
    realm: REALM,
    sname,
    encPart: {
      etype: serviceKey.etype,
      kvno: serviceKey.kvno,
      cipher: await session.encrypt(serviceKey.key, KeyUsage.TICKET, part),
    },
  });
  const encPart = encodeDer(
    tgs ? 0x7a : 0x79,
    encodeSequence([
      encodeEncryptionKey(key),
      encodeDer(Tag.SEQUENCE),
      encodeInteger(nonce),
      undefined,
      encodeFlags(0),
      encodeTime(now),
      undefined,
      encodeTime(now + 3_600_000),
      undefined,
      encodeString(REALM),
      encodePrincipalName(sname),
    ]),
  );
  const usage = tgs ? KeyUsage.TGS_REP_ENC_PART_SESSION : KeyUsage.AS_REP_ENC_PART;
  const sealed = await enctype(replyKey.keyType).encrypt(replyKey.keyValue, usage, encPart);
  return encodeDer(
    tgs ? 0x6d : 0x6b,
    encodeSequence([
      encodeInteger(5),
      encodeInteger(tgs ? 13 : 11),
      undefined,
      encodeString(REALM),
      encodePrincipalName(cname),
      ticket,
      encodeEncryptedData({ etype: replyKey.keyType, cipher: sealed }),
    ]),
  );
}

/** The salt the fake KDC gives `name`'s password key (not the default, realm + name). */
export function fakeKdcSalt(name: string): string {
  return `${REALM}salt-${name}`;
}

/**
 * Starts the fake KDC: `users` by password, the service's keytab, enctype `etype` for everything.
 *
 * @example
 * ```ts ignore
 * await using kdc = await startFakeKdc({ alice: "alice-secret" }, keytab.entries);
 * console.log(kdc.address); // "127.0.0.1:PORT"
 * ```
 */
export async function startFakeKdc(
  users: Record<string, string>,
  service: KeytabEntry[],
  etype = 18,
): Promise<AsyncDisposable & { address: string; log: FakeKdcLog }> {
  const e = enctype(etype);
  const tgsKey = { etype, key: e.randomKey(), kvno: 1 };
  const serviceEntry = service.find((k) => k.enctype === etype)!;
  const log: FakeKdcLog = { asRequests: 0, preauthenticated: 0, tgsRequests: 0 };
  const userKeys = new Map<string, Uint8Array>();
  for (const [name, password] of Object.entries(users)) {
    // A salt other than the default (realm + name), so that only ETYPE-INFO2 gives the right key.
    userKeys.set(name, await e.stringToKey(password, fakeKdcSalt(name), ITERATIONS));
  }
  const etypeInfo = (name: string) =>
    encodeDer(
      Tag.SEQUENCE,
      encodeSequence([
        undefined,
        encodeInteger(19),
        encodeOctets(encodeDer(
          Tag.SEQUENCE,
          encodeSequence([
            encodeInteger(etype),
            encodeString(fakeKdcSalt(name)),
            encodeOctets(new Uint8Array([0, 0, ITERATIONS >> 8, ITERATIONS & 0xff])),
          ]),
        )),
      ]),
    );

  async function answer(request: Uint8Array): Promise<Uint8Array> {
    const node = readDer(request);
    const tgs = node.tag === 0x6c;
    const f = fields(node, tgs ? 12 : 10);
    const padata = f.has(3)
      ? children(f.get(3)!).map((p) => {
        const pf = fields(p);
        return { type: derInteger(field(pf, 1)), value: derOctets(field(pf, 2)) };
      })
      : [];
    const body = fields(field(f, 4));
    const nonce = derInteger(field(body, 7)) >>> 0;
    const sname = decodePrincipalName(field(body, 3));
    if (!tgs) {
      log.asRequests++;
      const cname = decodePrincipalName(field(body, 1));
      const name = cname.names.join("/");
      const key = userKeys.get(name);
      if (!key) return krbError(6);
      const ts = padata.find((p) => p.type === 2);
      if (!ts) return krbError(25, etypeInfo(name));
      try {
        const sealed = fields(readDer(ts.value));
        await e.decrypt(key, KeyUsage.AS_REQ_PA_ENC_TIMESTAMP, derOctets(field(sealed, 2)));
      } catch {
        return krbError(24);
      }
      log.preauthenticated++;
      return await reply(false, cname, sname, tgsKey, { keyType: etype, keyValue: key }, nonce);
    }
    log.tgsRequests++;
    const apReq = decodeApReq(padata.find((p) => p.type === 1)!.value);
    const tgt = decodeEncTicketPart(
      await e.decrypt(tgsKey.key, KeyUsage.TICKET, apReq.ticket.encPart.cipher),
    );
    const authenticator = decodeAuthenticator(
      await enctype(tgt.key.keyType).decrypt(
        tgt.key.keyValue,
        KeyUsage.TGS_REQ_AUTHENTICATOR,
        apReq.authenticator.cipher,
      ),
    );
    if (
      sname.names.join("/") !== "kafka/localhost" && sname.names.join("/") !== "kafka/127.0.0.1"
    ) {
      return krbError(7);
    }
    const serviceKey = { etype, key: serviceEntry.key, kvno: serviceEntry.kvno };
    return await reply(true, authenticator.cname, sname, serviceKey, tgt.key, nonce);
  }

  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const serving = (async () => {
    for await (const conn of listener) {
      (async () => {
        try {
          let buffer = new Uint8Array(0);
          const chunk = new Uint8Array(65536);
          for (;;) {
            if (buffer.length >= 4) {
              const size = new DataView(buffer.buffer).getUint32(0);
              if (buffer.length >= 4 + size) {
                const out = await answer(buffer.slice(4, 4 + size));
                const frame = new Uint8Array(4 + out.length);
                new DataView(frame.buffer).setUint32(0, out.length);
                frame.set(out, 4);
                for (let at = 0; at < frame.length;) at += await conn.write(frame.subarray(at));
                buffer = buffer.slice(4 + size);
                continue;
              }
            }
            const n = await conn.read(chunk);
            if (n === null) break;
            const next = new Uint8Array(buffer.length + n);
            next.set(buffer);
            next.set(chunk.subarray(0, n), buffer.length);
            buffer = next;
          }
        } catch {
          // the client went away
        } finally {
          try {
            conn.close();
          } catch {
            // already closed
          }
        }
      })();
    }
  })();
  const { port } = listener.addr as Deno.NetAddr;
  return {
    address: `127.0.0.1:${port}`,
    log,
    async [Symbol.asyncDispose]() {
      listener.close();
      await serving.catch(() => {});
    },
  };
}

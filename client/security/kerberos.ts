/**
 * Kerberos login for the GSSAPI mechanism of Brook's client, in TypeScript: an AS exchange with
 * pre-authentication (PA-ENC-TIMESTAMP, with the KDC's ETYPE-INFO2 salts) from a keytab or a
 * password gives a ticket-granting ticket, then a TGS exchange gives the ticket for
 * `service/host` of each broker. The KDC comes from the options or from a krb5.conf; it is reached
 * over TCP (`--allow-net` to it, `--allow-read` for the keytab and krb5.conf).
 *
 * @module
 */

import {
  decodeEncKdcRepPart,
  decodeEtypeInfo2,
  decodeKdcAnswer,
  encodeApReq,
  encodeAuthenticator,
  encodeKdcReq,
  encodeKdcReqBody,
  encodePaEncTsEnc,
  type EncryptionKey,
  enctype,
  KdcError,
  type KdcRep,
  KeyUsage,
  NameType,
  paEncryptedData,
  parseKeytab,
  PaType,
  type PrincipalName,
  type ServiceTicket,
  SUPPORTED_ENCTYPES,
  type Ticket,
} from "../../codec/kerberos/mod.ts";
import { type Ccache, parseCcache } from "./kerberos_ccache.ts";

/** The lifetime asked of a ticket-granting ticket: krb5.conf's default ticket_lifetime, 24 h. */
const TICKET_LIFETIME_MS = 86_400_000;
/** A ticket-granting ticket this close to its end is replaced before use, so none expires in flight. */
const TICKET_RENEW_MARGIN_MS = 60_000;
/** The bytes read from the KDC's TCP connection at a time. */
const KDC_READ_BYTES = 65_536;

/** How the client logs in to Kerberos (Kafka's Krb5LoginModule options, and krb5.conf). */
export interface KerberosLoginOptions {
  /**
   * The client principal, "alice@EXAMPLE.COM" (or "alice" in the default realm); default the
   * ccache's principal.
   */
  principal?: string;
  /**
   * A credential cache that `kinit` wrote ("FILE:/tmp/krb5cc_1000" or a path; Krb5LoginModule's
   * useTicketCache): its ticket-granting ticket is used while it is valid.
   */
  ccache?: string;
  /** A keytab with the principal's keys: a file path or its bytes. */
  keytab?: string | Uint8Array;
  /** The principal's password, when there is no keytab. */
  password?: string;
  /** The KDC, "host:port" (port 88 if absent); default the realm's kdc in krb5.conf. */
  kdc?: string;
  /** A krb5.conf to read the default realm and KDCs from; default $KRB5_CONFIG or /etc/krb5.conf. */
  krb5Conf?: string;
}

/** A KDC's refusal or an answer that does not verify. */
export class KerberosLoginError extends Error {
  /** The KDC's error code, when it sent a KRB-ERROR. */
  readonly code?: number;

  /** Creates the error. */
  constructor(message: string, code?: number) {
    super(message);
    this.name = "KerberosLoginError";
    this.code = code;
  }
}

/**
 * The realms and KDCs of a krb5.conf: `[libdefaults] default_realm` and each realm's `kdc` lines.
 *
 * @example
 * ```ts
 * import { parseKrb5Conf } from "./kerberos.ts";
 * const conf = parseKrb5Conf("[libdefaults]\n default_realm = R\n[realms]\n R = {\n  kdc = 127.0.0.1:88\n }\n");
 * console.log(conf.defaultRealm, conf.kdcs.get("R")); // "R" ["127.0.0.1:88"]
 * ```
 */
export function parseKrb5Conf(
  text: string,
): { defaultRealm?: string; kdcs: Map<string, string[]> } {
  let section = "";
  let realm: string | undefined;
  let defaultRealm: string | undefined;
  const kdcs = new Map<string, string[]>();
  for (const raw of text.split("\n")) {
    const line = raw.replace(/[#;].*$/, "").trim();
    if (line === "") continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = header[1].trim();
      realm = undefined;
      continue;
    }
    const open = /^(\S+)\s*=\s*\{$/.exec(line);
    if (open) {
      realm = section === "realms" ? open[1] : undefined;
      continue;
    }
    if (line === "}") {
      realm = undefined;
      continue;
    }
    const kv = /^(\S+)\s*=\s*(.*)$/.exec(line);
    if (!kv) continue;
    if (section === "libdefaults" && kv[1] === "default_realm") defaultRealm = kv[2];
    if (realm && kv[1] === "kdc") kdcs.set(realm, [...(kdcs.get(realm) ?? []), kv[2]]);
  }
  return { defaultRealm, kdcs };
}

/** One message to a KDC and its answer, over TCP (4-byte length prefix). */
async function exchange(kdc: string, message: Uint8Array): Promise<Uint8Array> {
  const m = /^(.*?)(?::(\d+))?$/.exec(kdc)!;
  const conn = await Deno.connect({
    hostname: m[1].replace(/^\[|\]$/g, ""),
    port: Number(m[2] ?? 88),
  });
  try {
    const frame = new Uint8Array(4 + message.length);
    new DataView(frame.buffer).setUint32(0, message.length);
    frame.set(message, 4);
    for (let at = 0; at < frame.length;) at += await conn.write(frame.subarray(at));
    let buffer = new Uint8Array(0);
    const chunk = new Uint8Array(KDC_READ_BYTES);
    for (;;) {
      if (buffer.length >= 4) {
        const size = new DataView(buffer.buffer).getUint32(0);
        if (size > 1 << 20) throw new KerberosLoginError(`KDC ${kdc} sent a ${size}-byte answer`);
        if (buffer.length >= 4 + size) return buffer.slice(4, 4 + size);
      }
      const n = await conn.read(chunk);
      if (n === null) throw new KerberosLoginError(`KDC ${kdc} closed the connection`);
      const next = new Uint8Array(buffer.length + n);
      next.set(buffer);
      next.set(chunk.subarray(0, n), buffer.length);
      buffer = next;
    }
  } finally {
    conn.close();
  }
}

const nonce = () => crypto.getRandomValues(new Uint32Array(1))[0] & 0x7fffffff;

/**
 * A logged-in Kerberos client: gets a ticket-granting ticket once (again when it expires), and a
 * service ticket for each broker it authenticates to.
 *
 * @example
 * ```ts ignore
 * import { KerberosLogin } from "./kerberos.ts";
 * const login = new KerberosLogin({ principal: "alice@BROOK.TEST", keytab: "alice.keytab" });
 * const ticket = await login.serviceTicket("kafka", "localhost");
 * ```
 */
export class KerberosLogin {
  readonly #options: KerberosLoginOptions;
  #tgt: { ticket: Ticket; key: EncryptionKey; endTime: number; realm: string } | undefined;
  #config: { realm: string; kdc: string; client: PrincipalName } | undefined;

  /** A login that contacts the KDC on first use. */
  constructor(options: KerberosLoginOptions) {
    if (
      options.keytab === undefined && options.password === undefined && options.ccache === undefined
    ) {
      throw new TypeError("Kerberos login needs a keytab, a password or a ccache");
    }
    if (options.principal === undefined && options.ccache === undefined) {
      throw new TypeError("Kerberos login needs a principal");
    }
    this.#options = options;
  }

  async #settings(): Promise<{ realm: string; kdc: string; client: PrincipalName }> {
    if (this.#config) return this.#config;
    let principal = this.#options.principal;
    if (principal === undefined) {
      const cache = await this.#readCcache();
      principal = `${cache.principal.names.join("/")}@${cache.realm}`;
    }
    const [name, given] = principal.split("@");
    let conf: ReturnType<typeof parseKrb5Conf> = { kdcs: new Map() };
    if (this.#options.kdc === undefined || given === undefined) {
      const path = this.#options.krb5Conf ?? Deno.env.get("KRB5_CONFIG") ?? "/etc/krb5.conf";
      conf = parseKrb5Conf(await Deno.readTextFile(path));
    }
    const realm = given ?? conf.defaultRealm;
    if (!realm) throw new KerberosLoginError(`No realm for ${principal}`);
    const kdc = this.#options.kdc ?? conf.kdcs.get(realm)?.[0];
    if (!kdc) throw new KerberosLoginError(`No KDC for realm ${realm}`);
    this.#config = { realm, kdc, client: { nameType: NameType.PRINCIPAL, names: name.split("/") } };
    return this.#config;
  }

  /** The long-term key of the client for `etype`, salted as the KDC says. */
  async #clientKey(etype: number, salt: string, iterations?: number): Promise<Uint8Array | null> {
    if (this.#options.keytab !== undefined) {
      const bytes = typeof this.#options.keytab === "string"
        ? await Deno.readFile(this.#options.keytab)
        : this.#options.keytab;
      const { realm, client } = await this.#settings();
      const keys = parseKeytab(bytes).filter((k) =>
        k.realm === realm && k.names.join("/") === client.names.join("/") && k.enctype === etype
      );
      if (keys.length === 0) return null;
      return keys.reduce((a, b) => (b.kvno > a.kvno ? b : a)).key;
    }
    return await enctype(etype).stringToKey(this.#options.password!, salt, iterations);
  }

  async #readCcache(): Promise<Ccache> {
    return parseCcache(await Deno.readFile(this.#options.ccache!.replace(/^FILE:/, "")));
  }

  /** The ticket-granting ticket: from the ccache while it holds a valid one, else an AS exchange. */
  async #login(): Promise<void> {
    const { realm, kdc, client } = await this.#settings();
    if (this.#options.ccache !== undefined) {
      const cache = await this.#readCcache();
      const tgt = cache.credentials.find((c) =>
        c.server.names.join("/") === `krbtgt/${realm}` && c.serverRealm === realm &&
        c.client.names.join("/") === client.names.join("/") &&
        c.endTime - Date.now() > TICKET_RENEW_MARGIN_MS
      );
      if (tgt) {
        this.#tgt = { ticket: tgt.ticket, key: tgt.key, endTime: tgt.endTime, realm };
        return;
      }
      if (this.#options.keytab === undefined && this.#options.password === undefined) {
        throw new KerberosLoginError(`No valid ticket-granting ticket in ${this.#options.ccache}`);
      }
    }
    const body = (n: number) =>
      encodeKdcReqBody({
        options: 0,
        cname: client,
        realm,
        sname: { nameType: NameType.SRV_INST, names: ["krbtgt", realm] },
        till: Date.now() + TICKET_LIFETIME_MS,
        nonce: n,
        etypes: SUPPORTED_ENCTYPES,
      });
    const defaultSalt = realm + client.names.join("");
    let n = nonce();
    let answer = decodeKdcAnswer(await exchange(kdc, encodeKdcReq(false, [], body(n))));
    let key: { etype: number; value: Uint8Array } | undefined;
    if (answer.kind === "error") {
      if (answer.error.code !== KdcError.PREAUTH_REQUIRED) {
        throw new KerberosLoginError(
          `KDC refused ${client.names.join("/")}@${realm}: error ${answer.error.code}${
            answer.error.text ? ` (${answer.error.text})` : ""
          }`,
          answer.error.code,
        );
      }
      const info = answer.error.methodData.find((p) => p.type === PaType.ETYPE_INFO2);
      const entries = info ? decodeEtypeInfo2(info.value) : [];
      for (const entry of entries) {
        if (!SUPPORTED_ENCTYPES.includes(entry.etype)) continue;
        const value = await this.#clientKey(
          entry.etype,
          entry.salt ?? defaultSalt,
          entry.iterations,
        );
        if (value) {
          key = { etype: entry.etype, value };
          break;
        }
      }
      if (!key) throw new KerberosLoginError("No key for any enctype the KDC offers");
      const now = Date.now();
      const timestamp = await enctype(key.etype).encrypt(
        key.value,
        KeyUsage.AS_REQ_PA_ENC_TIMESTAMP,
        encodePaEncTsEnc(now),
      );
      n = nonce();
      answer = decodeKdcAnswer(
        await exchange(
          kdc,
          encodeKdcReq(false, [{
            type: PaType.ENC_TIMESTAMP,
            value: paEncryptedData({ etype: key.etype, cipher: timestamp }),
          }], body(n)),
        ),
      );
      if (answer.kind === "error") {
        throw new KerberosLoginError(
          `KDC refused ${client.names.join("/")}@${realm}: error ${answer.error.code}${
            answer.error.text ? ` (${answer.error.text})` : ""
          }`,
          answer.error.code,
        );
      }
    }
    const rep: KdcRep = answer.reply;
    if (!key || key.etype !== rep.encPart.etype) {
      const info = rep.padata.find((p) => p.type === PaType.ETYPE_INFO2);
      const entry = info ? decodeEtypeInfo2(info.value)[0] : undefined;
      const value = await this.#clientKey(
        rep.encPart.etype,
        entry?.salt ?? defaultSalt,
        entry?.iterations,
      );
      if (!value) throw new KerberosLoginError(`No key of enctype ${rep.encPart.etype}`);
      key = { etype: rep.encPart.etype, value };
    }
    let part;
    try {
      part = decodeEncKdcRepPart(
        await enctype(key.etype).decrypt(key.value, KeyUsage.AS_REP_ENC_PART, rep.encPart.cipher),
      );
    } catch (e) {
      throw new KerberosLoginError(`The AS-REP does not decrypt: ${(e as Error).message}`);
    }
    if (part.nonce !== n) throw new KerberosLoginError("The AS-REP answers another request");
    this.#tgt = { ticket: rep.ticket, key: part.key, endTime: part.endTime, realm };
  }

  /**
   * A ticket for `service/host` (TGS exchange), logging in first when needed.
   *
   * @example
   * ```ts ignore
   * import { KerberosLogin } from "./kerberos.ts";
   * const login = new KerberosLogin({ principal: "alice@BROOK.TEST", password: "alice-secret" });
   * const { ticket } = await login.serviceTicket("kafka", "localhost");
   * ```
   */
  async serviceTicket(service: string, host: string): Promise<ServiceTicket> {
    if (!this.#tgt || this.#tgt.endTime - Date.now() < TICKET_RENEW_MARGIN_MS) await this.#login();
    const { realm, kdc, client } = await this.#settings();
    const tgt = this.#tgt!;
    const n = nonce();
    const body = encodeKdcReqBody({
      options: 0,
      realm,
      sname: { nameType: NameType.SRV_HST, names: [service, host] },
      till: tgt.endTime,
      nonce: n,
      etypes: SUPPORTED_ENCTYPES,
    });
    const e = enctype(tgt.key.keyType);
    const now = Date.now();
    const authenticator = encodeAuthenticator({
      crealm: realm,
      cname: client,
      cksum: {
        type: e.checksumType,
        value: await e.checksum(tgt.key.keyValue, KeyUsage.TGS_REQ_AUTH_CKSUM, body),
      },
      cusec: (now % 1000) * 1000,
      ctime: now,
    });
    const apReq = encodeApReq({
      apOptions: 0,
      ticket: tgt.ticket,
      authenticator: {
        etype: tgt.key.keyType,
        cipher: await e.encrypt(tgt.key.keyValue, KeyUsage.TGS_REQ_AUTHENTICATOR, authenticator),
      },
    });
    const answer = decodeKdcAnswer(
      await exchange(kdc, encodeKdcReq(true, [{ type: PaType.TGS_REQ, value: apReq }], body)),
    );
    if (answer.kind === "error") {
      throw new KerberosLoginError(
        `KDC refused a ticket for ${service}/${host}@${realm}: error ${answer.error.code}${
          answer.error.text ? ` (${answer.error.text})` : ""
        }`,
        answer.error.code,
      );
    }
    let part;
    try {
      part = decodeEncKdcRepPart(
        await e.decrypt(
          tgt.key.keyValue,
          KeyUsage.TGS_REP_ENC_PART_SESSION,
          answer.reply.encPart.cipher,
        ),
      );
    } catch (err) {
      throw new KerberosLoginError(`The TGS-REP does not decrypt: ${(err as Error).message}`);
    }
    if (part.nonce !== n) throw new KerberosLoginError("The TGS-REP answers another request");
    return { ticket: answer.reply.ticket, sessionKey: part.key, client, realm };
  }
}

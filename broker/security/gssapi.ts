/**
 * The GSSAPI (Kerberos V5) SASL mechanism of Brook's broker, in TypeScript: the acceptor reads the
 * service keys from a keytab, accepts the AP-REQ in the client's initial context token (ticket,
 * authenticator, times, replay cache), answers an AP-REP when the client asks for mutual
 * authentication, then negotiates RFC 4752's security layer ("no security layer" only, as Kafka's
 * brokers) with RFC 4121 wrap tokens. The principal is the client's Kerberos name mapped by
 * `sasl.kerberos.principal.to.local.rules`.
 *
 * @module
 */

import {
  ApOptions,
  decodeApReq,
  decodeAuthenticator,
  decodeContextToken,
  decodeEncTicketPart,
  decodeGssChecksum,
  encodeApRep,
  encodeContextToken,
  encodeEncApRepPart,
  type EncryptionKey,
  enctype,
  GSS_CHECKSUM_TYPE,
  GssFlag,
  type KeytabEntry,
  KeyUsage,
  parseKeytab,
  principalText,
  TokenId,
  unwrapToken,
  wrapToken,
} from "../../codec/kerberos/mod.ts";
import { KerberosShortNamer } from "./kerberos_rules.ts";
import { type MechanismServer, SaslFailure } from "./sasl_server.ts";

/** GSSAPI settings of the broker (Kafka's JAAS Krb5LoginModule and sasl.kerberos.* configs). */
export interface GssapiOptions {
  /** The service's keytab: a file path, or its bytes (MIT format 0x502). */
  keytab: string | Uint8Array;
  /** The service principal, e.g. "kafka/broker1.example.com@EXAMPLE.COM". */
  principal: string;
  /** sasl.kerberos.principal.to.local.rules; default ["DEFAULT"]. */
  rules?: string | string[];
  /** The realm DEFAULT applies to; default the service principal's realm. */
  defaultRealm?: string;
}

/** Kerberos error codes the acceptor reports (RFC 4120 section 7.5.9). */
const KrbError = {
  TKT_EXPIRED: 32,
  TKT_NYV: 33,
  REPEAT: 34,
  BADMATCH: 36,
  SKEW: 37,
  NOKEY: 45,
  INAPP_CKSUM: 50,
  MODIFIED: 41,
} as const;

/** The clock skew Kerberos allows by default (clockskew in krb5.conf). */
const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * Kafka answers every acceptor failure with its generic message (Kafka 4.1.1 checked: replays and
 * tickets not yet valid too, though its KerberosError calls them retriable).
 */
function reject(code: number, why: string): SaslFailure {
  return new SaslFailure(`Kerberos error ${code}: ${why}`, { visible: false });
}

/** A context the acceptor established with one client. */
export interface AcceptedContext {
  /** The client's principal, "alice@BROOK.TEST". */
  client: string;
  /** The AP-REP token to send, when the client asked for mutual authentication. */
  apRep?: Uint8Array;
  /** The key of wrap tokens, and whether it is the acceptor's subkey. */
  key: EncryptionKey;
  acceptorSubkey: boolean;
  /** The first sequence number of the tokens the acceptor sends. */
  sendSequence: bigint;
  /** When the ticket expires, epoch ms. */
  ticketEndTime: number;
}

/** The service side of Kerberos: keys, replay cache and principal mapping, shared by connections. */
export class KerberosAcceptor {
  readonly #keys: KeytabEntry[];
  readonly #names: string[];
  readonly #realm: string;
  readonly #namer: KerberosShortNamer;
  /** Authenticators seen, until they fall out of the clock skew window. */
  readonly #replay = new Map<string, number>();

  private constructor(keys: KeytabEntry[], principal: string, options: GssapiOptions) {
    const at = principal.lastIndexOf("@");
    if (at < 0) throw new RangeError(`The service principal ${principal} has no realm`);
    this.#realm = principal.slice(at + 1);
    this.#names = principal.slice(0, at).split("/");
    this.#keys = keys.filter((k) =>
      k.realm === this.#realm && k.names.join("/") === this.#names.join("/")
    );
    if (this.#keys.length === 0) {
      throw new RangeError(`The keytab has no key for ${principal}`);
    }
    this.#namer = new KerberosShortNamer(options.defaultRealm ?? this.#realm, options.rules);
  }

  /**
   * Reads the keytab and checks that it holds keys for the principal and that the rules parse.
   *
   * @example
   * ```ts ignore
   * import { KerberosAcceptor } from "./gssapi.ts";
   * const acceptor = await KerberosAcceptor.create({
   *   keytab: "/etc/kafka/kafka.keytab",
   *   principal: "kafka/localhost@BROOK.TEST",
   * });
   * ```
   */
  static async create(options: GssapiOptions): Promise<KerberosAcceptor> {
    const bytes = typeof options.keytab === "string"
      ? await Deno.readFile(options.keytab)
      : options.keytab;
    return new KerberosAcceptor(parseKeytab(bytes), options.principal, options);
  }

  /** The short name of a client principal; throws RangeError when no rule applies. */
  shortName(principal: string): string {
    return this.#namer.shortName(principal);
  }

  /** Accepts the client's initial context token; throws SaslFailure. */
  async accept(token: Uint8Array, now: number = Date.now()): Promise<AcceptedContext> {
    let message;
    try {
      const framed = decodeContextToken(token);
      if (framed.tokenId !== TokenId.AP_REQ) throw new RangeError("not an AP-REQ");
      message = decodeApReq(framed.message);
    } catch (e) {
      throw new SaslFailure(`Invalid GSSAPI token: ${(e as Error).message}`, { visible: false });
    }
    // The service name and realm the ticket gives are not compared with the principal: Kafka's
    // JDK acceptor takes any ticket that its keys decrypt (Kafka 4.1.1 checked).
    const { ticket } = message;
    const { etype, kvno } = ticket.encPart;
    // The key of the ticket's version first; then, as Kafka's JDK acceptor, the others of its
    // enctype (newest first).
    const candidates = this.#keys.filter((k) => k.enctype === etype)
      .sort((a, b) => Number(b.kvno === kvno) - Number(a.kvno === kvno) || b.kvno - a.kvno);
    if (candidates.length === 0) throw reject(KrbError.NOKEY, `no key of enctype ${etype}`);
    const e = enctype(etype);
    let part, authenticator;
    for (const entry of candidates) {
      try {
        part = decodeEncTicketPart(
          await e.decrypt(entry.key, KeyUsage.TICKET, ticket.encPart.cipher),
        );
        break;
      } catch {
        // another key of this enctype may be the one
      }
    }
    if (!part) throw reject(KrbError.MODIFIED, "the ticket does not decrypt with the service key");
    try {
      authenticator = decodeAuthenticator(
        await enctype(part.key.keyType).decrypt(
          part.key.keyValue,
          KeyUsage.AP_REQ_AUTHENTICATOR,
          message.authenticator.cipher,
        ),
      );
    } catch {
      throw reject(KrbError.MODIFIED, "the authenticator does not decrypt with the session key");
    }
    const client = principalText(part.cname, part.crealm);
    if (principalText(authenticator.cname, authenticator.crealm) !== client) {
      throw reject(KrbError.BADMATCH, "the authenticator names another client");
    }
    if (Math.abs(now - authenticator.ctime) > CLOCK_SKEW_MS) {
      throw reject(KrbError.SKEW, "clock skew too great");
    }
    // Only a start time is checked (Kafka's JDK acceptor ignores an auth time in the future).
    if (part.startTime !== undefined && part.startTime - now > CLOCK_SKEW_MS) {
      throw reject(KrbError.TKT_NYV, "ticket not yet valid");
    }
    if (now - part.endTime > CLOCK_SKEW_MS) throw reject(KrbError.TKT_EXPIRED, "ticket expired");
    const cksum = authenticator.cksum;
    if (!cksum || cksum.type !== GSS_CHECKSUM_TYPE) {
      throw reject(KrbError.INAPP_CKSUM, "no GSS-API checksum in the authenticator");
    }
    let flags;
    try {
      flags = decodeGssChecksum(cksum.value).flags;
    } catch {
      throw reject(KrbError.INAPP_CKSUM, "malformed GSS-API checksum");
    }
    this.#checkReplay(
      `${client} ${authenticator.ctime} ${authenticator.cusec} ${
        hex(message.authenticator.cipher.subarray(-16))
      }`,
      now,
    );
    const initiatorKey = authenticator.subkey ?? part.key;
    const initiatorSequence = BigInt(authenticator.seqNumber ?? 0);
    const mutual = (message.apOptions & ApOptions.MUTUAL_REQUIRED) !== 0 ||
      (flags & GssFlag.MUTUAL) !== 0;
    if (!mutual) {
      // Without an AP-REP the initiator expects the acceptor's numbers to start at its own.
      return {
        client,
        key: initiatorKey,
        acceptorSubkey: false,
        sendSequence: initiatorSequence,
        ticketEndTime: part.endTime,
      };
    }
    const subkey = {
      keyType: initiatorKey.keyType,
      keyValue: enctype(initiatorKey.keyType).randomKey(),
    };
    const sequence = crypto.getRandomValues(new Uint32Array(1))[0] & 0x3fffffff;
    const repPart = encodeEncApRepPart({
      ctime: authenticator.ctime,
      cusec: authenticator.cusec,
      subkey,
      seqNumber: sequence,
    });
    const sealed = await enctype(part.key.keyType).encrypt(
      part.key.keyValue,
      KeyUsage.AP_REP_ENC_PART,
      repPart,
    );
    return {
      client,
      apRep: encodeContextToken(
        TokenId.AP_REP,
        encodeApRep({ etype: part.key.keyType, cipher: sealed }),
      ),
      key: subkey,
      acceptorSubkey: true,
      sendSequence: BigInt(sequence),
      ticketEndTime: part.endTime,
    };
  }

  #checkReplay(id: string, now: number): void {
    for (const [key, expires] of this.#replay) {
      if (expires > now) break;
      this.#replay.delete(key);
    }
    if (this.#replay.has(id)) throw reject(KrbError.REPEAT, "request is a replay");
    this.#replay.set(id, now + 2 * CLOCK_SKEW_MS);
  }
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

const EMPTY = new Uint8Array(0);

/**
 * One client's GSSAPI exchange: the context token, the client's empty answer to an AP-REP, then
 * the security layer.
 *
 * @example
 * ```ts ignore
 * import { GssapiServer, KerberosAcceptor } from "./gssapi.ts";
 * const acceptor = await KerberosAcceptor.create({ keytab: "kafka.keytab", principal: "kafka/h@R" });
 * const server = new GssapiServer(acceptor);
 * const answer = await server.evaluate(initialContextToken);
 * ```
 */
export class GssapiServer implements MechanismServer {
  complete = false;
  authorizationId = "";
  principal?: string;
  /** Set when the rules give the client no short name: Kafka then serves it no request. */
  principalUnmapped = false;
  readonly #acceptor: KerberosAcceptor;
  #state: "context" | "ack" | "layer" | "done" = "context";
  #context: AcceptedContext | undefined;

  /** A server for one exchange with the broker's acceptor. */
  constructor(acceptor: KerberosAcceptor) {
    this.#acceptor = acceptor;
  }

  async evaluate(token: Uint8Array): Promise<Uint8Array> {
    switch (this.#state) {
      case "context": {
        this.#state = "done";
        const context = await this.#acceptor.accept(token);
        this.#context = context;
        if (context.apRep) {
          this.#state = "ack";
          return context.apRep;
        }
        return await this.#offerLayer();
      }
      case "ack":
        this.#state = "done";
        return await this.#offerLayer();
      case "layer":
        this.#state = "done";
        return await this.#chooseLayer(token);
      default:
        throw new SaslFailure("Unexpected GSSAPI token after the exchange", { visible: false });
    }
  }

  /** RFC 4752: the acceptor offers "no security layer" with a maximum buffer of 0. */
  async #offerLayer(): Promise<Uint8Array> {
    const c = this.#context!;
    const token = await wrapToken(c.key, new Uint8Array([1, 0, 0, 0]), {
      sentByAcceptor: true,
      acceptorSubkey: c.acceptorSubkey,
      sequence: c.sendSequence,
    });
    c.sendSequence++;
    this.#state = "layer";
    return token;
  }

  async #chooseLayer(token: Uint8Array): Promise<Uint8Array> {
    const c = this.#context!;
    let payload;
    try {
      payload = (await unwrapToken(c.key, token, {
        sentByAcceptor: false,
        acceptorSubkey: c.acceptorSubkey,
      })).payload;
    } catch (e) {
      throw new SaslFailure(`Final handshake failed: ${(e as Error).message}`, { visible: false });
    }
    if (payload.length < 4 || (payload[0] & 1) === 0) {
      throw new SaslFailure("Final handshake failed: no security layer not chosen", {
        visible: false,
      });
    }
    // Kafka authorizes the authenticated name whatever authorization id the client sends.
    this.authorizationId = c.client;
    try {
      this.principal = `User:${this.#acceptor.shortName(c.client)}`;
    } catch {
      this.principalUnmapped = true;
      this.principal = `User:${c.client}`;
    }
    this.complete = true;
    return EMPTY;
  }
}

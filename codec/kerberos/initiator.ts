/**
 * The initiator (client) side of SASL GSSAPI once a service ticket is in hand: the AP-REQ in the
 * initial context token (authenticator with the 0x8003 checksum, a subkey and a sequence number),
 * the AP-REP check when mutual authentication was asked for, then RFC 4752's security-layer
 * answer ("no security layer") in a wrap token.
 *
 * @module
 */

import { enctype } from "./enctypes.ts";
import {
  decodeContextToken,
  encodeContextToken,
  encodeGssChecksum,
  GSS_CHECKSUM_TYPE,
  GssFlag,
  TokenId,
  unwrapToken,
  wrapToken,
} from "./gss.ts";
import {
  ApOptions,
  decodeApRep,
  decodeEncApRepPart,
  encodeApReq,
  encodeAuthenticator,
  type EncryptionKey,
  KeyUsage,
  type PrincipalName,
  type Ticket,
} from "./messages.ts";

/** A service ticket with its session key, as a TGS-REP (or a ticket minted for a test) gives. */
export interface ServiceTicket {
  /** The service ticket. */
  ticket: Ticket;
  /** The session key the KDC gave with it. */
  sessionKey: EncryptionKey;
  /** The client's name and realm. */
  client: PrincipalName;
  /** The client's realm. */
  realm: string;
}

/** How the initiator builds its context. */
export interface InitiatorOptions {
  /** Ask for mutual authentication (an AP-REP); default true, as Cyrus SASL clients do. */
  mutual?: boolean;
  /** The authorization id sent with the security layer choice; default none. */
  authorizationId?: string;
  /** The authenticator's time, epoch ms; default now. */
  now?: number;
}

const EMPTY = new Uint8Array(0);

/**
 * One GSSAPI exchange of a client: `initialToken()`, then `evaluate()` on each server challenge
 * until `complete`.
 *
 * @example
 * ```ts ignore
 * import { GssapiInitiator } from "./initiator.ts";
 * const initiator = new GssapiInitiator(serviceTicket);
 * let token = await initiator.initialToken();
 * // send token, read the server's answer into `challenge`, then:
 * // token = await initiator.evaluate(challenge);
 * ```
 */
export class GssapiInitiator {
  /** True once the security layer is agreed. */
  complete = false;
  readonly #ticket: ServiceTicket;
  readonly #mutual: boolean;
  readonly #authorizationId: string;
  readonly #now: number | undefined;
  #subkey: EncryptionKey | undefined;
  #sequence = 0n;
  #ctime = 0;
  #cusec = 0;
  #acceptorKey: EncryptionKey | undefined;
  #state: "start" | "rep" | "layer" | "done" = "start";

  /** An initiator for one exchange with the service the ticket is for. */
  constructor(ticket: ServiceTicket, options: InitiatorOptions = {}) {
    this.#ticket = ticket;
    this.#mutual = options.mutual ?? true;
    this.#authorizationId = options.authorizationId ?? "";
    this.#now = options.now;
  }

  /** The initial context token (AP-REQ). */
  async initialToken(): Promise<Uint8Array> {
    const { ticket, sessionKey, client, realm } = this.#ticket;
    const e = enctype(sessionKey.keyType);
    this.#subkey = { keyType: sessionKey.keyType, keyValue: e.randomKey() };
    this.#sequence = BigInt(crypto.getRandomValues(new Uint32Array(1))[0] & 0x3fffffff);
    const now = this.#now ?? Date.now();
    this.#ctime = Math.floor(now / 1000) * 1000;
    this.#cusec = (now % 1000) * 1000 + Math.floor(Math.random() * 1000);
    const flags = GssFlag.INTEG | GssFlag.CONF | GssFlag.SEQUENCE | GssFlag.REPLAY |
      (this.#mutual ? GssFlag.MUTUAL : 0);
    const authenticator = encodeAuthenticator({
      crealm: realm,
      cname: client,
      cksum: { type: GSS_CHECKSUM_TYPE, value: encodeGssChecksum(flags) },
      cusec: this.#cusec,
      ctime: this.#ctime,
      subkey: this.#subkey,
      seqNumber: Number(this.#sequence),
    });
    const sealed = await e.encrypt(
      sessionKey.keyValue,
      KeyUsage.AP_REQ_AUTHENTICATOR,
      authenticator,
    );
    this.#state = this.#mutual ? "rep" : "layer";
    return encodeContextToken(
      TokenId.AP_REQ,
      encodeApReq({
        apOptions: this.#mutual ? ApOptions.MUTUAL_REQUIRED : 0,
        ticket,
        authenticator: { etype: sessionKey.keyType, cipher: sealed },
      }),
    );
  }

  /** Answers the server's next challenge; throws when it does not verify. */
  async evaluate(challenge: Uint8Array): Promise<Uint8Array> {
    if (this.#state === "rep") {
      const { tokenId, message } = decodeContextToken(challenge);
      if (tokenId !== TokenId.AP_REP) throw new Error("Expected an AP-REP from the server");
      const sealed = decodeApRep(message);
      const key = this.#ticket.sessionKey;
      const part = decodeEncApRepPart(
        await enctype(key.keyType).decrypt(key.keyValue, KeyUsage.AP_REP_ENC_PART, sealed.cipher),
      );
      if (part.ctime !== this.#ctime || part.cusec !== this.#cusec) {
        throw new Error("The AP-REP does not answer this AP-REQ");
      }
      this.#acceptorKey = part.subkey;
      this.#state = "layer";
      return EMPTY;
    }
    if (this.#state === "layer") {
      const key = this.#acceptorKey ?? this.#subkey!;
      const acceptorSubkey = this.#acceptorKey !== undefined;
      const { payload } = await unwrapToken(key, challenge, {
        sentByAcceptor: true,
        acceptorSubkey,
      });
      if (payload.length !== 4 || (payload[0] & 1) === 0) {
        throw new Error('The server does not offer "no security layer"');
      }
      const authz = new TextEncoder().encode(this.#authorizationId);
      const answer = new Uint8Array(4 + authz.length);
      answer[0] = 1;
      answer.set(authz, 4);
      this.#state = "done";
      this.complete = true;
      return await wrapToken(key, answer, {
        sentByAcceptor: false,
        acceptorSubkey,
        sequence: this.#sequence,
      });
    }
    if (challenge.length === 0) return EMPTY;
    throw new Error("Unexpected GSSAPI challenge after the exchange");
  }
}

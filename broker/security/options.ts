/**
 * How a broker's listeners are secured: security protocols as Kafka names them, TLS certificates,
 * and SASL mechanisms with their users.
 *
 * @module
 */

import type { OAuthBearerJwtOptions } from "./jwt_validator.ts";
import type { GssapiOptions } from "./gssapi.ts";

/** Kafka's security protocols. */
export type SecurityProtocol = "PLAINTEXT" | "SSL" | "SASL_PLAINTEXT" | "SASL_SSL";

/** The SASL mechanisms Brook's broker serves. */
export type SaslMechanism = "PLAIN" | "SCRAM-SHA-256" | "SCRAM-SHA-512" | "OAUTHBEARER" | "GSSAPI";

/** Every mechanism the broker can serve, in the order it advertises them. */
export const SASL_MECHANISMS: readonly SaslMechanism[] = [
  "PLAIN",
  "SCRAM-SHA-256",
  "SCRAM-SHA-512",
  "OAUTHBEARER",
  "GSSAPI",
];

/**
 * The mechanisms enabled when none are named: those that check the broker's own users. OAUTHBEARER
 * trusts whoever issues tokens, so it is enabled only by name, as Kafka enables only what
 * `sasl.enabled.mechanisms` lists.
 *
 * @example
 * ```ts
 * import { DEFAULT_SASL_MECHANISMS } from "./options.ts";
 * console.log(DEFAULT_SASL_MECHANISMS.includes("OAUTHBEARER")); // false
 * ```
 */
export const DEFAULT_SASL_MECHANISMS: readonly SaslMechanism[] = [
  "PLAIN",
  "SCRAM-SHA-256",
  "SCRAM-SHA-512",
];

const PROTOCOLS: readonly SecurityProtocol[] = ["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"];

/** One listener of every node, as `listeners` in Kafka's server.properties. */
export interface ListenerOptions {
  /** The listener name; default the security protocol's name. */
  name?: string;
  /** Default "PLAINTEXT", or the name when it is a protocol's name. */
  securityProtocol?: SecurityProtocol;
  /** The address to listen on and advertise; default the broker's host. */
  host?: string;
  /** The first node's port (node i listens on port + i); default 0, a free port per node. */
  port?: number;
}

/** A listener resolved from options or from "NAME://host:port". */
export interface ListenerSpec {
  name: string;
  securityProtocol: SecurityProtocol;
  host: string;
  port: number;
}

/**
 * Reads listeners given as Kafka writes them ("SASL_SSL://127.0.0.1:0") or as objects. A listener
 * whose name is not a protocol's name takes its protocol from `protocolMap`
 * (listener.security.protocol.map).
 */
export function parseListeners(
  listeners: (string | ListenerOptions)[],
  defaults: { host: string; port: number },
  protocolMap: Record<string, SecurityProtocol> = {},
): ListenerSpec[] {
  const specs = listeners.map((l): ListenerSpec => {
    if (typeof l === "string") {
      const m = /^([A-Za-z0-9_]+):\/\/(\[[^\]]*\]|[^:]*):(\d+)$/.exec(l);
      if (!m) throw new RangeError(`Invalid listener "${l}": expected NAME://host:port`);
      const name = m[1].toUpperCase();
      const securityProtocol = protocolMap[name] ?? name as SecurityProtocol;
      if (!PROTOCOLS.includes(securityProtocol)) {
        throw new RangeError(`Listener ${name} has no security protocol (one of ${PROTOCOLS})`);
      }
      return {
        name,
        securityProtocol,
        host: m[2] === "" ? defaults.host : m[2].replace(/^\[|\]$/g, ""),
        port: Number(m[3]),
      };
    }
    const securityProtocol = l.securityProtocol ??
      (PROTOCOLS.includes(l.name as SecurityProtocol) ? l.name as SecurityProtocol : "PLAINTEXT");
    if (!PROTOCOLS.includes(securityProtocol)) {
      throw new RangeError(`Unknown security protocol ${securityProtocol}`);
    }
    return {
      name: (l.name ?? securityProtocol).toUpperCase(),
      securityProtocol,
      host: l.host ?? defaults.host,
      port: l.port ?? defaults.port,
    };
  });
  if (specs.length === 0) throw new RangeError("A broker needs at least one listener");
  const names = new Set(specs.map((s) => s.name));
  if (names.size !== specs.length) throw new RangeError("Listener names must be unique");
  return specs;
}

/**
 * Reads advertised.listeners ("NAME://host:port", comma-separated in Kafka's config) against the
 * listeners: each name must be a listener's, once, as Kafka requires.
 *
 * @example
 * ```ts
 * import { parseAdvertisedListeners, parseListeners } from "./options.ts";
 * const listeners = parseListeners(["PLAINTEXT://127.0.0.1:0"], { host: "127.0.0.1", port: 0 });
 * parseAdvertisedListeners(["PLAINTEXT://proxy:29091"], listeners);
 * // Map { "PLAINTEXT" => { host: "proxy", port: 29091 } }
 * ```
 */
export function parseAdvertisedListeners(
  advertised: string[],
  listeners: ListenerSpec[],
): Map<string, { host: string; port: number }> {
  const found = new Map<string, { host: string; port: number }>();
  for (const entry of advertised.flatMap((a) => a.split(",")).map((a) => a.trim())) {
    const m = /^([A-Za-z0-9_]+):\/\/(\[[^\]]*\]|[^:]+):(\d+)$/.exec(entry);
    if (!m) {
      throw new RangeError(`Invalid advertised listener "${entry}": expected NAME://host:port`);
    }
    const name = m[1].toUpperCase();
    if (found.has(name)) {
      throw new RangeError(`Each listener must have a different name, listeners: ${advertised}`);
    }
    if (!listeners.some((l) => l.name === name)) {
      throw new RangeError(
        "advertised.listeners listener names must be equal to or a subset of the ones defined in " +
          `listeners. Found ${[...found.keys(), name].join(",")}. The valid options based on the ` +
          `current configuration are ${listeners.map((l) => l.name).join(",")}`,
      );
    }
    const port = Number(m[3]);
    if (port > 65535) {
      throw new RangeError(`Invalid advertised listener "${entry}": port over 65535`);
    }
    found.set(name, { host: m[2].replace(/^\[|\]$/g, ""), port });
  }
  return found;
}

/** TLS for SSL and SASL_SSL listeners. */
export interface BrokerTlsOptions {
  /** The broker's certificate chain, PEM. */
  cert: string;
  /** The certificate's private key, PEM. */
  key: string;
  /**
   * ssl.client.auth of SSL listeners: "requested" or "required" asks clients for a certificate
   * (mutual TLS); a verified one makes the principal "User:" + its subject in RFC 2253 form, as
   * Kafka's default principal builder does. SASL_SSL listeners authenticate by SASL. Default "none".
   */
  clientAuth?: "none" | "requested" | "required";
  /** The certificate authorities that client certificates must chain to, PEM (the truststore). */
  caCerts?: string[];
}

/** What an OAUTHBEARER validator decides about a token. */
export type OAuthBearerValidation =
  | { principal: string; expiresAtMs: number; scopes?: string[] }
  | { errorStatus: string; errorScope?: string };

/** SASL for SASL_PLAINTEXT and SASL_SSL listeners. */
export interface BrokerSaslOptions {
  /**
   * sasl.enabled.mechanisms; default PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512. OAUTHBEARER is served
   * only when listed here.
   */
  mechanisms?: SaslMechanism[];
  /**
   * Users and passwords: PLAIN checks them, and each gets SCRAM-SHA-256 and SCRAM-SHA-512
   * credentials (4096 iterations) at start. More SCRAM users come with AlterUserScramCredentials.
   */
  users?: Record<string, string>;
  /**
   * How OAUTHBEARER validates signed JWTs (KIP-768, Kafka's `sasl.oauthbearer.*` configs): the
   * JWKS keys (a file, an http(s) URL refreshed as Kafka refreshes it, or keys in hand), the
   * expected issuer and audience, the clock skew, the subject and scope claims.
   *
   * With neither this nor `validateOAuthBearer`, an enabled OAUTHBEARER runs Kafka's unsecured
   * validator, meant for development only: it accepts unsigned tokens ("alg": "none"), so anyone
   * may log in as any principal, super users included.
   */
  oauthBearer?: OAuthBearerJwtOptions;
  /**
   * Validates OAUTHBEARER tokens your own way, instead of `oauthBearer`. Without either: Kafka's
   * unsecured validator (alg "none", a "sub" claim, an "exp" in the future, "iat" not in the
   * future), which trusts any token.
   */
  validateOAuthBearer?: (
    token: string,
    extensions: Map<string, string>,
  ) => OAuthBearerValidation | Promise<OAuthBearerValidation>;
  /**
   * GSSAPI (Kerberos), served when `mechanisms` lists "GSSAPI": the service's keytab and principal
   * (Kafka's Krb5LoginModule `keyTab` and `principal`) and sasl.kerberos.principal.to.local.rules.
   * The keytab is read at start (`--allow-read`); no KDC is contacted.
   */
  gssapi?: GssapiOptions;
  /**
   * connections.max.reauth.ms: the longest session before a client must re-authenticate (KIP-368);
   * 0, the default, leaves sessions unbounded (an OAUTHBEARER token's expiry still bounds its own).
   */
  sessionLifetimeMs?: number;
  /**
   * connection.failed.authentication.delay.ms: how long a failed client waits for its answer and
   * close (KIP-306). Default 100.
   */
  failedAuthenticationDelayMs?: number;
}

/** The SASL settings of a broker's listeners from its options, with Kafka's defaults. */
export function saslSettings(
  options: BrokerSaslOptions,
): {
  mechanisms: readonly SaslMechanism[];
  sessionLifetimeMs: number;
  failedAuthenticationDelayMs: number;
} {
  const mechanisms = options.mechanisms ?? DEFAULT_SASL_MECHANISMS;
  for (const m of mechanisms) {
    if (!SASL_MECHANISMS.includes(m)) throw new RangeError(`Unsupported SASL mechanism ${m}`);
  }
  if (options.oauthBearer && options.validateOAuthBearer) {
    throw new RangeError("Give sasl.oauthBearer or sasl.validateOAuthBearer, not both");
  }
  if ((options.oauthBearer || options.validateOAuthBearer) && !mechanisms.includes("OAUTHBEARER")) {
    // Configuring a validator does not enable the mechanism; say so rather than ignore it.
    throw new RangeError("An OAUTHBEARER validator is configured but OAUTHBEARER is not enabled");
  }
  if (options.gssapi && !mechanisms.includes("GSSAPI")) {
    throw new RangeError("sasl.gssapi is configured but GSSAPI is not enabled");
  }
  if (mechanisms.includes("GSSAPI") && !options.gssapi) {
    throw new RangeError("GSSAPI needs sasl.gssapi: the service keytab and principal");
  }
  return {
    mechanisms,
    sessionLifetimeMs: options.sessionLifetimeMs ?? 0,
    failedAuthenticationDelayMs: options.failedAuthenticationDelayMs ?? 100,
  };
}

/**
 * True when the options enable OAUTHBEARER with Kafka's unsecured validator (no `oauthBearer`, no
 * `validateOAuthBearer`): any unsigned token then logs in as any principal.
 *
 * @example
 * ```ts
 * import { unsecuredOAuthBearer } from "./options.ts";
 * console.log(unsecuredOAuthBearer({ mechanisms: ["OAUTHBEARER"] })); // true
 * console.log(unsecuredOAuthBearer({ users: { alice: "secret" } })); // false
 * ```
 */
export function unsecuredOAuthBearer(options: BrokerSaslOptions): boolean {
  return (options.mechanisms ?? DEFAULT_SASL_MECHANISMS).includes("OAUTHBEARER") &&
    options.oauthBearer === undefined && options.validateOAuthBearer === undefined;
}

/**
 * The enabled mechanisms in the order Kafka's SaslHandshake answers name them: Kafka copies
 * sasl.enabled.mechanisms into a Java HashSet, so they come in that set's iteration order (by
 * bucket of the String hash, then as listed), without duplicates.
 *
 * @example
 * ```ts
 * import { handshakeMechanisms } from "./options.ts";
 * console.log(handshakeMechanisms(["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]));
 * // ["PLAIN", "SCRAM-SHA-512", "SCRAM-SHA-256"]
 * ```
 */
export function handshakeMechanisms(mechanisms: readonly string[]): string[] {
  // A HashSet made from a collection has 16 buckets up to 12 elements; Brook serves 5 mechanisms.
  const bucket = (s: string) => {
    let h = 0;
    for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
    return (h ^ (h >>> 16)) & 15;
  };
  return [...new Set(mechanisms)]
    .map((name, at) => ({ name, at, bucket: bucket(name) }))
    .sort((a, b) => a.bucket - b.bucket || a.at - b.at)
    .map((m) => m.name);
}

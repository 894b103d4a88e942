/**
 * The client side of SASL authentication as Kafka's clients run it: SaslHandshake v1, then
 * SaslAuthenticate requests carrying the mechanism's tokens (PLAIN, SCRAM-SHA-256/512,
 * OAUTHBEARER, GSSAPI), and the session lifetime the broker grants (KIP-368).
 *
 * @module
 */

import {
  ApiKey,
  type ApiMessages,
  ErrorCode,
  KafkaError,
  oauthBearerInitialResponse,
  plainMessage,
  ScramClient,
  type ScramError,
} from "../../codec/mod.ts";
import { GssapiInitiator, type ServiceTicket } from "../../codec/kerberos/initiator.ts";
import { KerberosLogin, type KerberosLoginOptions } from "./kerberos.ts";

/** A token for OAUTHBEARER, as a token provider returns it. */
export interface OAuthBearerToken {
  /** The compact JWT (or other bearer token) value. */
  value: string;
  /** SASL extensions to send with it (KIP-342). */
  extensions?: Record<string, string>;
}

/** How a client authenticates with SASL. */
export type SaslOptions =
  | { mechanism: "PLAIN"; username: string; password: string }
  | {
    mechanism: "SCRAM-SHA-256" | "SCRAM-SHA-512";
    username: string;
    password: string;
    /**
     * Authenticate with a delegation token: `username` is its token id, `password` its HMAC in
     * base64 (SCRAM's "tokenauth=true" extension).
     */
    tokenAuth?: boolean;
  }
  | {
    mechanism: "OAUTHBEARER";
    /** Returns a current token; called at each authentication and re-authentication. */
    token: () => OAuthBearerToken | Promise<OAuthBearerToken>;
  }
  | (
    & {
      mechanism: "GSSAPI";
      /** sasl.kerberos.service.name; default "kafka". */
      serviceName?: string;
      /** Ask the broker to authenticate itself (an AP-REP); default true. */
      mutual?: boolean;
    }
    & (
      | {
        /**
         * Returns a Kerberos service ticket for `service/host` (host: the broker's address as the
         * client reaches it, e.g. its advertised name); called at each authentication.
         */
        serviceTicket: (service: string, host: string) => ServiceTicket | Promise<ServiceTicket>;
      }
      /** Log in to the KDC with the principal's keytab or password (see KerberosLoginOptions). */
      | KerberosLoginOptions
    )
  );

/** One Kerberos login per options object, shared by the client's connections. */
const logins = new WeakMap<object, KerberosLogin>();

function ticketSource(
  options: Extract<SaslOptions, { mechanism: "GSSAPI" }>,
): (service: string, host: string) => ServiceTicket | Promise<ServiceTicket> {
  if ("serviceTicket" in options) return options.serviceTicket;
  let login = logins.get(options);
  if (!login) {
    login = new KerberosLogin(options);
    logins.set(options, login);
  }
  return (service, host) => login.serviceTicket(service, host);
}

/**
 * A failed SASL authentication: Kafka's error code (e.g. SASL_AUTHENTICATION_FAILED) and message.
 *
 * @example
 * ```ts
 * import { KafkaAuthenticationError, Producer } from "@brook/kafka/client";
 * const producer = new Producer({
 *   bootstrapServers: "127.0.0.1:9092",
 *   sasl: { mechanism: "PLAIN", username: "alice", password: "wrong" },
 * });
 * try {
 *   await producer.send({ topic: "t", value: "v" });
 * } catch (e) {
 *   if (e instanceof KafkaAuthenticationError) console.log(e.code, e.message); // 58 ...
 * }
 * ```
 */
export class KafkaAuthenticationError extends KafkaError {
  /** Kafka's error code. */
  readonly code: number;

  /**
   * Creates an authentication error.
   *
   * @example
   * ```ts
   * import { KafkaAuthenticationError } from "@brook/kafka/client";
   * const e = new KafkaAuthenticationError(58, "Authentication failed: Invalid username or password");
   * console.log(e.code); // 58
   * ```
   */
  constructor(code: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "KafkaAuthenticationError";
    this.code = code;
  }
}

type Send = <K extends typeof ApiKey.SaslHandshake | typeof ApiKey.SaslAuthenticate>(
  apiKey: K,
  body: ApiMessages[K]["requestInit"],
) => Promise<ApiMessages[K]["response"]>;

/**
 * Authenticates a connection with `options`; resolves with the session lifetime the broker granted
 * (0: unbounded), or rejects with KafkaAuthenticationError.
 */
export async function authenticate(
  options: SaslOptions,
  send: Send,
  address: string,
): Promise<number> {
  const handshake = await send(ApiKey.SaslHandshake, { mechanism: options.mechanism });
  if (handshake.errorCode !== ErrorCode.NONE) {
    throw new KafkaAuthenticationError(
      handshake.errorCode,
      handshake.errorCode === ErrorCode.UNSUPPORTED_SASL_MECHANISM
        ? `${address} does not accept SASL mechanism ${options.mechanism} (it accepts ${
          handshake.mechanisms.join(", ") || "none"
        })`
        : `SASL handshake with ${address} failed (error ${handshake.errorCode})`,
    );
  }
  const step = async (token: Uint8Array) => {
    const res = await send(ApiKey.SaslAuthenticate, { authBytes: token });
    if (res.errorCode !== ErrorCode.NONE) {
      throw new KafkaAuthenticationError(
        res.errorCode,
        res.errorMessage ?? `SASL authentication with ${address} failed`,
      );
    }
    return res;
  };
  switch (options.mechanism) {
    case "PLAIN": {
      const res = await step(plainMessage(options.username, options.password));
      return Number(res.sessionLifetimeMs);
    }
    case "SCRAM-SHA-256":
    case "SCRAM-SHA-512": {
      const scram = new ScramClient(options.mechanism, {
        username: options.username,
        password: options.password,
        extensions: options.tokenAuth ? { tokenauth: "true" } : undefined,
      });
      const first = await step(scram.first());
      const final = await step(await scram.final(first.authBytes));
      try {
        scram.verify(final.authBytes);
      } catch (e) {
        throw new KafkaAuthenticationError(
          ErrorCode.SASL_AUTHENTICATION_FAILED,
          `${address} failed SCRAM server verification: ${(e as ScramError).message}`,
          { cause: e },
        );
      }
      return Number(final.sessionLifetimeMs);
    }
    case "OAUTHBEARER": {
      const token = await options.token();
      const res = await send(ApiKey.SaslAuthenticate, {
        authBytes: oauthBearerInitialResponse(token.value, { extensions: token.extensions }),
      });
      if (res.errorCode === ErrorCode.NONE && res.authBytes.length > 0) {
        // The broker refused the token with an RFC 7628 error; answering it ends the exchange.
        const detail = new TextDecoder().decode(res.authBytes);
        const end = await send(ApiKey.SaslAuthenticate, { authBytes: new Uint8Array([1]) });
        throw new KafkaAuthenticationError(
          end.errorCode || ErrorCode.SASL_AUTHENTICATION_FAILED,
          `${address} refused the OAUTHBEARER token: ${end.errorMessage ?? detail}`,
        );
      }
      if (res.errorCode !== ErrorCode.NONE) {
        throw new KafkaAuthenticationError(
          res.errorCode,
          res.errorMessage ?? `SASL authentication with ${address} failed`,
        );
      }
      return Number(res.sessionLifetimeMs);
    }
    case "GSSAPI": {
      const host = address.replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
      let ticket;
      try {
        ticket = await ticketSource(options)(options.serviceName ?? "kafka", host);
      } catch (e) {
        throw new KafkaAuthenticationError(
          ErrorCode.SASL_AUTHENTICATION_FAILED,
          `Kerberos login for ${address} failed: ${(e as Error).message}`,
          { cause: e },
        );
      }
      const initiator = new GssapiInitiator(ticket, { mutual: options.mutual });
      let res = await step(await initiator.initialToken());
      // At most three round trips: AP-REP, security layer, end.
      for (let i = 0; i < 3 && !initiator.complete; i++) {
        let token;
        try {
          token = await initiator.evaluate(res.authBytes);
        } catch (e) {
          throw new KafkaAuthenticationError(
            ErrorCode.SASL_AUTHENTICATION_FAILED,
            `${address} failed GSSAPI verification: ${(e as Error).message}`,
            { cause: e },
          );
        }
        res = await step(token);
      }
      return Number(res.sessionLifetimeMs);
    }
  }
}

/**
 * When to re-authenticate after a session of `lifetimeMs`: at 85-95% of it, as Kafka's clients do,
 * so that connections opened together do not all re-authenticate at once.
 */
export function reauthenticationDelay(lifetimeMs: number): number {
  return Math.floor(lifetimeMs * (0.85 + Math.random() * 0.1));
}

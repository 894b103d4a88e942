/**
 * The server side of each SASL mechanism: PLAIN, SCRAM-SHA-256/512, OAUTHBEARER and GSSAPI, with
 * the failures Kafka reports for each.
 *
 * @module
 */

import {
  base64,
  parseClientFinal,
  parseClientFirst,
  parseOAuthBearerInitialResponse,
  parsePlainMessage,
  parseUnsecuredJwt,
  SCRAM_MIN_ITERATIONS,
  type ScramCredential,
  type ScramMechanism,
  scramNonce,
  verifyClientProof,
} from "../../codec/mod.ts";
import type { OAuthBearerValidation, SaslMechanism } from "./options.ts";
import { GssapiServer, type KerberosAcceptor } from "./gssapi.ts";
import { type MechanismServer, SaslFailure } from "./sasl_server.ts";

export { type MechanismServer, SaslFailure } from "./sasl_server.ts";

/** What the mechanisms look credentials up in. */
export interface CredentialSource {
  plainPassword(username: string): string | undefined;
  scramCredential(username: string, mechanism: ScramMechanism): ScramCredential | undefined;
  /** A live delegation token's SCRAM credential, and its owner's principal. */
  tokenCredential(
    tokenId: string,
    mechanism: ScramMechanism,
  ): { credential: ScramCredential; owner: string } | undefined;
  validateOAuthBearer(
    token: string,
    extensions: Map<string, string>,
  ): OAuthBearerValidation | Promise<OAuthBearerValidation>;
  /** The Kerberos acceptor of GSSAPI, when configured. */
  kerberosAcceptor?(): KerberosAcceptor | undefined;
}

const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);

/** A new server for `mechanism`. */
export function mechanismServer(
  mechanism: SaslMechanism,
  credentials: CredentialSource,
): MechanismServer {
  switch (mechanism) {
    case "PLAIN":
      return new PlainServer(credentials);
    case "SCRAM-SHA-256":
    case "SCRAM-SHA-512":
      return new ScramServer(mechanism, credentials);
    case "OAUTHBEARER":
      return new OAuthBearerServer(credentials);
    case "GSSAPI": {
      const acceptor = credentials.kerberosAcceptor?.();
      if (!acceptor) throw new RangeError("GSSAPI is enabled without sasl.gssapi");
      return new GssapiServer(acceptor);
    }
  }
}

class PlainServer implements MechanismServer {
  complete = false;
  authorizationId = "";
  readonly #credentials: CredentialSource;

  constructor(credentials: CredentialSource) {
    this.#credentials = credentials;
  }

  evaluate(token: Uint8Array): Promise<Uint8Array> {
    const parts = parsePlainMessage(token);
    if (!parts) {
      const count = new TextDecoder().decode(token).split("\u0000").length;
      throw new SaslFailure(
        `Invalid SASL/PLAIN response: expected 3 tokens, got ${Math.min(count, 4)}`,
        { visible: true },
      );
    }
    const fail = (m: string) => new SaslFailure(`Authentication failed: ${m}`, { visible: true });
    if (parts.username === "") throw fail("username not specified");
    if (parts.password === "") throw fail("password not specified");
    if (this.#credentials.plainPassword(parts.username) !== parts.password) {
      throw fail("Invalid username or password");
    }
    if (parts.authorizationId !== "" && parts.authorizationId !== parts.username) {
      throw fail("Client requested an authorization id that is different from username");
    }
    this.authorizationId = parts.username;
    this.complete = true;
    return Promise.resolve(EMPTY);
  }
}

class ScramServer implements MechanismServer {
  complete = false;
  authorizationId = "";
  principal?: string;
  tokenAuthenticated = false;
  readonly #mechanism: ScramMechanism;
  readonly #credentials: CredentialSource;
  #state: "first" | "final" | "done" = "first";
  #credential: ScramCredential | undefined;
  #clientFirstBare = "";
  #serverFirst = "";
  #nonce = "";

  constructor(mechanism: ScramMechanism, credentials: CredentialSource) {
    this.#mechanism = mechanism;
    this.#credentials = credentials;
  }

  async evaluate(token: Uint8Array): Promise<Uint8Array> {
    const generic = (m: string) => new SaslFailure(m, { visible: false });
    try {
      if (this.#state === "first") {
        const first = parseClientFirst(token);
        let credential: ScramCredential | undefined;
        if (first.extensions.get("tokenauth") === "true") {
          // A delegation token: its id is the user name, its HMAC the password; it acts as its owner.
          const found = this.#credentials.tokenCredential(first.username, this.#mechanism);
          if (!found) {
            throw generic(`Token Authentication failed: Invalid tokenId : ${first.username}`);
          }
          credential = found.credential;
          this.principal = found.owner;
          this.tokenAuthenticated = true;
        } else {
          credential = this.#credentials.scramCredential(first.username, this.#mechanism);
        }
        if (!credential) throw generic("Authentication failed: Invalid user credentials");
        if (first.authorizationId !== "" && first.authorizationId !== first.username) {
          throw new SaslFailure(
            "Authentication failed: Client requested an authorization id that is different from username",
            { visible: true },
          );
        }
        if (credential.iterations < SCRAM_MIN_ITERATIONS) {
          throw generic(`Iterations ${credential.iterations} is less than the minimum`);
        }
        this.#credential = credential;
        this.authorizationId = first.username;
        this.#clientFirstBare = first.bare;
        this.#nonce = first.nonce + scramNonce();
        this.#serverFirst = `r=${this.#nonce},s=${
          base64(credential.salt)
        },i=${credential.iterations}`;
        this.#state = "final";
        return encoder.encode(this.#serverFirst);
      }
      if (this.#state === "final") {
        const final = parseClientFinal(token);
        // As Kafka, the echoed nonce need only end with the server's: librdkafka sends its own
        // nonce again in front of it.
        if (!final.nonce.endsWith(this.#nonce)) {
          throw generic("Invalid client nonce in the final client message.");
        }
        const authMessage = `${this.#clientFirstBare},${this.#serverFirst},${final.withoutProof}`;
        const serverFinal = await verifyClientProof(this.#mechanism, this.#credential!, {
          authMessage,
          proof: final.proof,
        });
        this.#state = "done";
        this.complete = true;
        return serverFinal;
      }
      throw generic("Unexpected challenge in Sasl server state COMPLETE");
    } catch (e) {
      this.#state = "done";
      if (e instanceof SaslFailure) throw e;
      throw generic((e as Error).message);
    }
  }
}

class OAuthBearerServer implements MechanismServer {
  complete = false;
  authorizationId = "";
  credentialExpiresAtMs?: number;
  readonly #credentials: CredentialSource;
  /** The error sent as a challenge; the client's "\x01" answer to it ends the exchange. */
  #error: string | undefined;

  constructor(credentials: CredentialSource) {
    this.#credentials = credentials;
  }

  async evaluate(token: Uint8Array): Promise<Uint8Array> {
    if (token.length === 1 && token[0] === 1 && this.#error !== undefined) {
      throw new SaslFailure(this.#error, { visible: true });
    }
    this.#error = undefined;
    const response = parseOAuthBearerInitialResponse(token);
    if (!response) {
      throw new SaslFailure("Invalid OAUTHBEARER client first message", { visible: false });
    }
    const result = await this.#credentials.validateOAuthBearer(
      response.token,
      response.extensions,
    );
    if ("errorStatus" in result) {
      this.#error = result.errorScope === undefined
        ? `{"status":"${result.errorStatus}"}`
        : `{"status":"${result.errorStatus}", "scope":"${result.errorScope}"}`;
      return encoder.encode(this.#error);
    }
    if (response.authorizationId !== "" && response.authorizationId !== result.principal) {
      throw new SaslFailure(
        `Authentication failed: Client requested an authorization id (${response.authorizationId}) that is different from the token's principal name (${result.principal})`,
        { visible: true },
      );
    }
    this.authorizationId = result.principal;
    this.credentialExpiresAtMs = result.expiresAtMs;
    this.complete = true;
    return EMPTY;
  }
}

/**
 * Kafka's default OAUTHBEARER validator for unsecured JWTs: alg "none", a string "sub", a numeric
 * "exp" in the future, and an "iat" (if any) not in the future.
 *
 * @example
 * ```ts
 * import { validateUnsecuredJwt } from "@brook/kafka/broker";
 * import { unsecuredJwt } from "@brook/kafka/codec";
 * console.log(validateUnsecuredJwt(unsecuredJwt({ sub: "alice" }))); // { principal: "alice", ... }
 * console.log(validateUnsecuredJwt("not.a.jwt")); // { errorStatus: "invalid_token" }
 * ```
 */
export function validateUnsecuredJwt(
  token: string,
  now: number = Date.now(),
): OAuthBearerValidation {
  const invalid = { errorStatus: "invalid_token" };
  const jwt = parseUnsecuredJwt(token);
  if (!jwt || jwt.header.alg !== "none") return invalid;
  const { sub, exp, iat } = jwt.claims;
  if (typeof sub !== "string" || sub === "") return invalid;
  if (typeof exp !== "number" || exp * 1000 <= now) return invalid;
  if (iat !== undefined && (typeof iat !== "number" || iat * 1000 > now || iat > exp)) {
    return invalid;
  }
  return { principal: sub, expiresAtMs: Math.floor(exp * 1000) };
}

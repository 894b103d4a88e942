/**
 * The SASL authenticator of one connection on a SASL_PLAINTEXT or SASL_SSL listener, as Kafka's
 * runs: ApiVersions (once) and SaslHandshake before anything else; then SaslAuthenticate requests
 * (handshake v1) or raw size-prefixed tokens (handshake v0); then the connection is served as
 * the authenticated principal until its session expires. A client that asked with SaslAuthenticate
 * v1+ may re-authenticate (KIP-368) by sending SaslHandshake again. Failures get Kafka's answers,
 * sent with the close after connection.failed.authentication.delay.ms (KIP-306); requests out of
 * place close the connection without serving them. The connection bounds the frames read here by
 * sasl.server.max.receive.size.
 *
 * @module
 */

import {
  API_CODECS,
  ApiKey,
  type CodecApiKey,
  encodeResponseFrame,
  ErrorCode,
  Reader,
  readRequestHeader,
  type RequestHeader,
  type Writer,
} from "../../codec/mod.ts";
import type { Cluster } from "../metadata/cluster.ts";
import type { Dispatch, DispatchResult } from "../server/connection.ts";
import { mirrorErrorResponse } from "../faults/faults_response.ts";
import type { ConnectionInfo } from "../server/handler.ts";
import type { RequestTiming } from "../server/metrics.ts";
import {
  type CredentialSource,
  type MechanismServer,
  mechanismServer,
  SaslFailure,
} from "./mechanisms.ts";
import { handshakeMechanisms, type SaslMechanism } from "./options.ts";

/** What every authenticator of a broker shares. */
export interface SaslSettings {
  mechanisms: readonly SaslMechanism[];
  credentials: CredentialSource;
  /** connections.max.reauth.ms; 0 for none. */
  sessionLifetimeMs: number;
  failedAuthenticationDelayMs: number;
  /** The ApiVersions versions the broker serves. */
  apiVersions: { min: number; max: number };
  cluster: Cluster;
}

type State =
  | "initial"
  | "handshake_or_versions"
  | "handshake"
  | "authenticate"
  | "complete"
  | "reauth_bad_mechanism"
  | "unmapped"
  | "failed";

/** Authenticates one connection, then hands its requests to the broker's dispatcher. */
export class SaslAuthenticator {
  readonly #settings: SaslSettings;
  readonly #inner: Dispatch;
  #state: State = "initial";
  /** Whether tokens come in SaslAuthenticate requests (handshake v1+) or raw (v0). */
  #framed = true;
  #mechanism: SaslMechanism | undefined;
  #server: MechanismServer | undefined;
  #supportsReauthentication = false;
  /** performance.now() after which the session is over. */
  #expiresAt = Infinity;
  /** While re-authenticating: the mechanism and principal that must not change. */
  #previous: { mechanism: SaslMechanism; principal: string } | undefined;

  constructor(settings: SaslSettings, inner: Dispatch) {
    this.#settings = settings;
    this.#inner = inner;
  }

  /** True once the client is authenticated (and until its session expires). */
  get authenticated(): boolean {
    return this.#state === "complete";
  }

  /** Answers one frame: authentication first, then the broker's handlers. */
  dispatch: Dispatch = async (payload, info, signal, w, timing) => {
    if (this.#state === "complete") {
      if (performance.now() > this.#expiresAt) return "close";
      if (apiKeyOf(payload) !== ApiKey.SaslHandshake || !this.#supportsReauthentication) {
        return await this.#inner(payload, info, signal, w, timing);
      }
      this.#previous = { mechanism: this.#mechanism!, principal: info.principal };
      this.#state = "handshake";
    }
    switch (this.#state) {
      case "initial":
      case "handshake_or_versions":
      case "handshake":
        return await this.#handshakePhase(payload, info, signal, w, timing);
      case "authenticate":
        return this.#framed
          ? await this.#authenticateRequest(payload, info, w, timing)
          : await this.#rawToken(payload, info);
      case "unmapped":
        // Kafka builds the principal at the first request after GSSAPI, and closes when it cannot.
        return "close";
      default:
        // A re-authentication with another mechanism fails at the next token, unanswered.
        return this.#fail();
    }
  };

  async #handshakePhase(
    payload: Uint8Array,
    info: ConnectionInfo,
    signal: AbortSignal,
    w: Writer,
    timing: RequestTiming,
  ): Promise<DispatchResult> {
    const header = parseHeader(payload);
    // Not a Kafka request: a GSSAPI token from a 0.9 client (no handshake) could be, but Kafka
    // 4.1.1 closes those connections too, GSSAPI enabled or not.
    if (!header) return "close";
    if (this.#state === "initial") this.#state = "handshake_or_versions";
    const { apiKey, apiVersion } = header;
    if (apiKey === ApiKey.ApiVersions && this.#previous === undefined) {
      // Only once, before the handshake; a second ApiVersions is a protocol error.
      if (this.#state !== "handshake_or_versions") return "close";
      const answer = await this.#inner(payload, info, signal, w, timing);
      const { min, max } = this.#settings.apiVersions;
      if (apiVersion >= min && apiVersion <= max && answer instanceof Uint8Array) {
        this.#state = "handshake";
      }
      return answer;
    }
    // Anything else before authentication is refused unanswered, as an authentication failure.
    if (apiKey !== ApiKey.SaslHandshake) return this.#fail();
    if (apiVersion > 1) return "close";
    const r = new Reader(payload);
    let request;
    try {
      readRequestHeader(r);
      request = API_CODECS[ApiKey.SaslHandshake].decodeRequest(r, apiVersion);
    } catch {
      return "close";
    }
    stamp(timing, header);
    const mechanisms = handshakeMechanisms(this.#settings.mechanisms);
    const mechanism = request.mechanism as SaslMechanism;
    if (!mechanisms.includes(mechanism)) {
      const bytes = respond(w, ApiKey.SaslHandshake, header, {
        errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM,
        mechanisms,
      });
      timing.errorCode = ErrorCode.UNSUPPORTED_SASL_MECHANISM;
      return this.#fail(bytes);
    }
    const bytes = respond(w, ApiKey.SaslHandshake, header, { errorCode: 0, mechanisms });
    this.#framed = apiVersion >= 1;
    if (this.#previous && this.#previous.mechanism !== mechanism) {
      this.#state = "reauth_bad_mechanism";
    } else {
      this.#mechanism = mechanism;
      this.#server = mechanismServer(mechanism, this.#settings.credentials);
      this.#state = "authenticate";
    }
    timing.handled = performance.now();
    return bytes;
  }

  async #authenticateRequest(
    payload: Uint8Array,
    info: ConnectionInfo,
    w: Writer,
    timing: RequestTiming,
  ): Promise<DispatchResult> {
    const header = parseHeader(payload);
    if (!header) return "close";
    const r = new Reader(payload);
    let request: Record<string, unknown>;
    try {
      readRequestHeader(r);
      request = API_CODECS[header.apiKey as CodecApiKey].decodeRequest(
        r,
        header.apiVersion,
      ) as unknown as Record<string, unknown>;
    } catch {
      return "close";
    }
    stamp(timing, header);
    if (header.apiKey !== ApiKey.SaslAuthenticate) {
      // Answered with ILLEGAL_SASL_STATE in the request's own shape, then closed.
      const body = mirrorErrorResponse(
        header.apiKey as CodecApiKey,
        header.apiVersion,
        request,
        ErrorCode.ILLEGAL_SASL_STATE,
        undefined,
        this.#settings.cluster,
      );
      timing.errorCode = ErrorCode.ILLEGAL_SASL_STATE;
      return this.#fail(respond(w, header.apiKey as CodecApiKey, header, body));
    }
    if (header.apiVersion > 2) return "close";
    if (header.apiVersion > 0) this.#supportsReauthentication = true;
    try {
      const token = await this.#server!.evaluate(request.authBytes as Uint8Array);
      const lifetime = this.#server!.complete ? this.#complete(info) : 0;
      timing.handled = performance.now();
      return respond(w, ApiKey.SaslAuthenticate, header, {
        errorCode: 0,
        authBytes: token,
        sessionLifetimeMs: BigInt(lifetime),
      });
    } catch (e) {
      const message = e instanceof SaslFailure && e.visible
        ? e.message
        : `Authentication failed during ${
          this.#previous ? "re-authentication" : "authentication"
        } due to invalid credentials with SASL mechanism ${this.#mechanism}`;
      timing.errorCode = ErrorCode.SASL_AUTHENTICATION_FAILED;
      return this.#fail(respond(w, ApiKey.SaslAuthenticate, header, {
        errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED,
        errorMessage: message,
        authBytes: new Uint8Array(0),
      }));
    }
  }

  /** A token after a v0 handshake: no Kafka header, answered with a size-prefixed token. */
  async #rawToken(payload: Uint8Array, info: ConnectionInfo): Promise<DispatchResult> {
    try {
      const token = await this.#server!.evaluate(payload.slice());
      if (this.#server!.complete) this.#complete(info);
      const frame = new Uint8Array(4 + token.length);
      new DataView(frame.buffer).setInt32(0, token.length);
      frame.set(token, 4);
      return frame;
    } catch {
      return this.#fail();
    }
  }

  /** Ends a successful exchange; returns the session lifetime to report (0: unbounded). */
  #complete(info: ConnectionInfo): number {
    const principal = this.#server!.principal ?? `User:${this.#server!.authorizationId}`;
    if (this.#previous && this.#previous.principal !== principal) {
      const [fromType, fromName] = splitPrincipal(this.#previous.principal);
      const [toType, toName] = splitPrincipal(principal);
      throw new SaslFailure(
        `Cannot change principals during re-authentication from ${fromType}.${fromName}: ${toType}.${toName}`,
        { visible: true },
      );
    }
    const now = Date.now();
    const configured = this.#settings.sessionLifetimeMs;
    const expiresAt = this.#server!.credentialExpiresAtMs;
    let lifetime = 0;
    this.#expiresAt = Infinity;
    if (expiresAt !== undefined || configured > 0) {
      lifetime = expiresAt === undefined
        ? configured
        : configured > 0
        ? Math.min(expiresAt - now, configured)
        : expiresAt - now;
      lifetime = Math.max(0, lifetime);
      this.#expiresAt = performance.now() + lifetime;
    }
    info.principal = principal;
    info.tokenAuthenticated = this.#server!.tokenAuthenticated ?? false;
    this.#previous = undefined;
    this.#state = this.#server!.principalUnmapped ? "unmapped" : "complete";
    return lifetime;
  }

  /** A failed authentication: after Kafka's delay, the answer (if any) and a close. */
  #fail(answer?: Uint8Array): DispatchResult {
    this.#state = "failed";
    return { send: answer, closeAfterMs: this.#settings.failedAuthenticationDelayMs };
  }
}

function apiKeyOf(payload: Uint8Array): number {
  return payload.length < 2 ? -1 : (payload[0] << 8 | payload[1]) << 16 >> 16;
}

interface Header {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

/** The request header, or null when the frame is not a Kafka request Brook knows. */
function parseHeader(payload: Uint8Array): Header | null {
  const apiKey = apiKeyOf(payload);
  if (!(apiKey in API_CODECS)) return null;
  try {
    const h: RequestHeader = readRequestHeader(new Reader(payload));
    return {
      apiKey: h.requestApiKey,
      apiVersion: h.requestApiVersion,
      correlationId: h.correlationId,
      clientId: h.clientId,
    };
  } catch {
    return null;
  }
}

function stamp(timing: RequestTiming, header: Header): void {
  timing.apiKey = header.apiKey;
  timing.apiVersion = header.apiVersion;
  timing.clientId = header.clientId;
  timing.started = performance.now();
}

function respond(w: Writer, apiKey: CodecApiKey, header: Header, body: unknown): Uint8Array {
  w.reset();
  return encodeResponseFrame(w, {
    apiKey,
    apiVersion: header.apiVersion,
    correlationId: header.correlationId,
    body: body as never,
  });
}

function splitPrincipal(principal: string): [string, string] {
  const colon = principal.indexOf(":");
  return [principal.slice(0, colon), principal.slice(colon + 1)];
}

/**
 * Delegation tokens (KIP-48) as Kafka's controller keeps them: on only when
 * `delegation.token.secret.key` is set; each token has an id, an HMAC-SHA512 of the id under that
 * key (the token's password), an owner, renewers, an expiry that renewals move (by at most
 * `delegation.token.expiry.time.ms`) and a maximum lifetime (`delegation.token.max.lifetime.ms`).
 * A client authenticates with a token over SCRAM (the "tokenauth=true" extension), as its owner.
 *
 * @module
 */

import {
  ErrorCode,
  randomUuid,
  SCRAM_MECHANISM_TYPES,
  type ScramCredential,
  scramCredential,
  type ScramMechanism,
} from "../../codec/mod.ts";
import type { BrokerConfigs } from "../configs/broker_configs.ts";

/** One delegation token. */
export interface DelegationToken {
  readonly tokenId: string;
  /** Principals as "Type:name". */
  readonly owner: string;
  readonly requester: string;
  readonly renewers: readonly string[];
  readonly issueMs: number;
  expiryMs: number;
  readonly maxMs: number;
  readonly hmac: Uint8Array;
  /** SCRAM credentials whose password is the HMAC in base64, per mechanism. */
  readonly credentials: ReadonlyMap<ScramMechanism, ScramCredential>;
}

function base64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

/** The delegation tokens of a cluster. */
export class DelegationTokens {
  readonly #configs: BrokerConfigs;
  readonly #byId = new Map<string, DelegationToken>();
  readonly #byHmac = new Map<string, DelegationToken>();

  constructor(configs: BrokerConfigs) {
    this.#configs = configs;
  }

  /** Tokens are on when the cluster has a secret key. */
  get enabled(): boolean {
    return this.#configs.staticValue("delegation.token.secret.key") !== "";
  }

  /** Creates a token for `owner`, as `requester` asked, with Kafka's lifetimes. */
  async create(
    owner: string,
    requester: string,
    renewers: string[],
    maxLifetimeMs: bigint,
    now: number,
  ): Promise<DelegationToken> {
    let maxLife = this.#configs.staticNumber("delegation.token.max.lifetime.ms");
    if (maxLifetimeMs > 0n) maxLife = Math.min(maxLife, Number(maxLifetimeMs));
    const maxMs = now + maxLife;
    const expiryMs = Math.min(
      maxMs,
      now + this.#configs.staticNumber("delegation.token.expiry.time.ms"),
    );
    const tokenId = randomUuid();
    const key = await crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(this.#configs.staticValue("delegation.token.secret.key")),
      { name: "HMAC", hash: "SHA-512" },
      false,
      ["sign"],
    );
    const hmac = new Uint8Array(
      await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(tokenId)),
    );
    const credentials = new Map<ScramMechanism, ScramCredential>();
    for (const mechanism of Object.keys(SCRAM_MECHANISM_TYPES) as ScramMechanism[]) {
      credentials.set(mechanism, await scramCredential(mechanism, { password: base64(hmac) }));
    }
    const token: DelegationToken = {
      tokenId,
      owner,
      requester,
      renewers,
      issueMs: now,
      expiryMs,
      maxMs,
      hmac,
      credentials,
    };
    this.#byId.set(tokenId, token);
    this.#byHmac.set(base64(hmac), token);
    return token;
  }

  /** The token an HMAC belongs to. */
  byHmac(hmac: Uint8Array): DelegationToken | undefined {
    return this.#byHmac.get(base64(hmac));
  }

  /** Every token, oldest first. */
  all(): DelegationToken[] {
    return [...this.#byId.values()];
  }

  /** Removes a token (expired at once). */
  remove(token: DelegationToken): void {
    this.#byId.delete(token.tokenId);
    this.#byHmac.delete(base64(token.hmac));
  }

  /** A live token's SCRAM credential and owner, for token authentication. */
  credential(
    tokenId: string,
    mechanism: ScramMechanism,
    now: number,
  ): { credential: ScramCredential; owner: string } | undefined {
    const token = this.#byId.get(tokenId);
    if (!token || token.expiryMs < now || token.maxMs < now) return undefined;
    return { credential: token.credentials.get(mechanism)!, owner: token.owner };
  }
}

/** Whether a principal owns or may renew a token. */
export function ownerOrRenewer(token: DelegationToken, principal: string): boolean {
  return token.owner === principal || token.renewers.includes(principal);
}

/** Kafka refuses token requests on connections without SASL, and from token-authenticated ones. */
export function tokenRequestsAllowed(
  connection: { securityProtocol: string; tokenAuthenticated?: boolean },
): boolean {
  return !connection.tokenAuthenticated && connection.securityProtocol.startsWith("SASL_");
}

/** A principal's type and name ("User:alice" is ["User", "alice"]). */
export function principalParts(principal: string): [type: string, name: string] {
  const colon = principal.indexOf(":");
  return [principal.slice(0, colon), principal.slice(colon + 1)];
}

/**
 * The token a Renew or Expire request names by its HMAC, or Kafka's refusal: no SASL (or a
 * token-authenticated client), tokens off, no such token.
 */
export function tokenNamed(
  tokens: DelegationTokens,
  connection: { securityProtocol: string; tokenAuthenticated?: boolean },
  hmac: Uint8Array,
): DelegationToken | number {
  if (!tokenRequestsAllowed(connection)) return ErrorCode.DELEGATION_TOKEN_REQUEST_NOT_ALLOWED;
  if (!tokens.enabled) return ErrorCode.DELEGATION_TOKEN_AUTH_DISABLED;
  return tokens.byHmac(hmac) ?? ErrorCode.DELEGATION_TOKEN_NOT_FOUND;
}

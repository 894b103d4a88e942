/**
 * The broker's users: PLAIN passwords from its options, SCRAM credentials (from its options and from
 * AlterUserScramCredentials, as Kafka keeps them in its metadata), the OAUTHBEARER validator and
 * the Kerberos acceptor of GSSAPI.
 *
 * @module
 */

import { type ScramCredential, scramCredential, type ScramMechanism } from "../../codec/mod.ts";
import { type CredentialSource, validateUnsecuredJwt } from "./mechanisms.ts";
import type { BrokerSaslOptions, OAuthBearerValidation } from "./options.ts";
import type { DelegationTokens } from "./delegation_tokens.ts";
import { OAuthBearerJwtValidator } from "./jwt_validator.ts";
import { KerberosAcceptor } from "./gssapi.ts";

/** Users and credentials of one cluster. */
export class CredentialStore implements CredentialSource {
  readonly #plain = new Map<string, string>();
  /** SCRAM credentials by mechanism, then user. */
  readonly #scram = new Map<ScramMechanism, Map<string, ScramCredential>>([
    ["SCRAM-SHA-256", new Map()],
    ["SCRAM-SHA-512", new Map()],
  ]);
  #kerberos: KerberosAcceptor | undefined;
  #validate: NonNullable<BrokerSaslOptions["validateOAuthBearer"]> = (token) =>
    validateUnsecuredJwt(token);

  /**
   * Adds the users of the broker's options (PLAIN passwords and both SCRAM credentials) and its
   * OAUTHBEARER validator, whose keys are read now: the broker does not start without them.
   */
  async configure(options: BrokerSaslOptions): Promise<void> {
    if (options.validateOAuthBearer) this.#validate = options.validateOAuthBearer;
    if (options.gssapi) this.#kerberos = await KerberosAcceptor.create(options.gssapi);
    if (options.oauthBearer) {
      const validator = await OAuthBearerJwtValidator.create(options.oauthBearer);
      this.#validate = (token) => validator.validate(token);
    }
    for (const [user, password] of Object.entries(options.users ?? {})) {
      this.#plain.set(user, password);
      for (const mechanism of this.#scram.keys()) {
        this.setScram(user, mechanism, await scramCredential(mechanism, { password }));
      }
    }
  }

  plainPassword(username: string): string | undefined {
    return this.#plain.get(username);
  }

  scramCredential(username: string, mechanism: ScramMechanism): ScramCredential | undefined {
    return this.#scram.get(mechanism)?.get(username);
  }

  /** The cluster's delegation tokens, which SCRAM authenticates with too. */
  tokens: DelegationTokens | undefined;

  tokenCredential(
    tokenId: string,
    mechanism: ScramMechanism,
  ): { credential: ScramCredential; owner: string } | undefined {
    return this.tokens?.credential(tokenId, mechanism, Date.now());
  }

  validateOAuthBearer(
    token: string,
    extensions: Map<string, string>,
  ): OAuthBearerValidation | Promise<OAuthBearerValidation> {
    return this.#validate(token, extensions);
  }

  kerberosAcceptor(): KerberosAcceptor | undefined {
    return this.#kerberos;
  }

  /** Stores a user's SCRAM credential. */
  setScram(username: string, mechanism: ScramMechanism, credential: ScramCredential): void {
    this.#scram.get(mechanism)!.set(username, credential);
  }

  /** Removes a user's SCRAM credential; false when there was none. */
  deleteScram(username: string, mechanism: ScramMechanism): boolean {
    return this.#scram.get(mechanism)!.delete(username);
  }

  /** The mechanisms and iterations of a user's SCRAM credentials. */
  scramInfo(username: string): { mechanism: ScramMechanism; iterations: number }[] {
    const out: { mechanism: ScramMechanism; iterations: number }[] = [];
    for (const [mechanism, users] of this.#scram) {
      const c = users.get(username);
      if (c) out.push({ mechanism, iterations: c.iterations });
    }
    return out;
  }

  /** Every user with a SCRAM credential. */
  scramUsers(): string[] {
    const users = new Set<string>();
    for (const m of this.#scram.values()) for (const u of m.keys()) users.add(u);
    return [...users];
  }
}

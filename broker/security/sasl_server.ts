/**
 * What every SASL mechanism of the broker's authenticator is: one exchange with one client, and the
 * failure it throws. A module of its own, so that mechanisms in other files need not import the
 * registry of mechanisms that imports them.
 *
 * @module
 */

/**
 * An authentication failure. Kafka shows the client the message of some failures; of others only
 * a generic one, so that a reply does not reveal, say, whether a user exists.
 */
export class SaslFailure extends Error {
  /** Whether the client may see this message. */
  readonly visible: boolean;

  /** Creates a failure; `visible` messages are sent to the client as they are. */
  constructor(message: string, options: { visible: boolean }) {
    super(message);
    this.name = "SaslFailure";
    this.visible = options.visible;
  }
}

/** One mechanism's exchange with one client. */
export interface MechanismServer {
  /** Answers the client's next token; throws SaslFailure. */
  evaluate(token: Uint8Array): Promise<Uint8Array>;
  /** True once the client is authenticated. */
  readonly complete: boolean;
  /** The authenticated name (Kafka's authorization id), once complete. */
  readonly authorizationId: string;
  /** When the credential expires (epoch ms), for mechanisms whose credentials do. */
  readonly credentialExpiresAtMs?: number;
  /** The principal, when it is not "User:" + the authorization id (a delegation token's owner). */
  readonly principal?: string;
  /** True when the client authenticated with a delegation token. */
  readonly tokenAuthenticated?: boolean;
  /**
   * GSSAPI: the Kerberos name has no short name under the rules. Kafka answers the exchange, then
   * fails to build the principal and closes the connection at its next request.
   */
  readonly principalUnmapped?: boolean;
}

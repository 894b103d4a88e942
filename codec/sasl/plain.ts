/**
 * SASL/PLAIN (RFC 4616): "authzid NUL username NUL password".
 *
 * @module
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The PLAIN client message.
 *
 * @example
 * ```ts
 * import { plainMessage } from "@brook/kafka/codec";
 * const token = plainMessage("alice", "secret");
 * ```
 */
export function plainMessage(
  username: string,
  password: string,
  options: { authorizationId?: string } = {},
): Uint8Array {
  return encoder.encode(`${options.authorizationId ?? ""}\u0000${username}\u0000${password}`);
}

/**
 * A PLAIN message's parts; null when it does not have exactly three.
 *
 * @example
 * ```ts
 * import { parsePlainMessage, plainMessage } from "@brook/kafka/codec";
 * console.log(parsePlainMessage(plainMessage("alice", "secret"))?.username); // "alice"
 * ```
 */
export function parsePlainMessage(
  bytes: Uint8Array,
): { authorizationId: string; username: string; password: string } | null {
  const parts = decoder.decode(bytes).split("\u0000");
  if (parts.length !== 3) return null;
  return { authorizationId: parts[0], username: parts[1], password: parts[2] };
}

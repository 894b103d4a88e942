/**
 * Fetch sessions (KIP-227): a client that opens a session sends only the partitions that changed, and
 * the broker answers only partitions with news (records, a moved high watermark or log start, an error).
 *
 * Epochs: -1 fetches without a session (closing the one named); 0 opens a new session (closing the one
 * named); N > 0 continues the named session, whose epoch must be N.
 *
 * @module
 */

import { ErrorCode } from "../../codec/mod.ts";

/** What a session remembers of one partition. */
export interface SessionPartition {
  topicName: string;
  topicId: string;
  partition: number;
  fetchOffset: bigint;
  maxBytes: number;
  /** What the last answer told the client, to tell what changed since. */
  lastHighWatermark: bigint;
  lastLogStartOffset: bigint;
}

/** One fetch session. */
export interface FetchSession {
  id: number;
  epoch: number;
  partitions: Map<string, SessionPartition>;
  lastUsed: number;
}

/** max.incremental.fetch.session.cache.slots. */
const MAX_SESSIONS = 1000;

/** The result of looking a request's session up. */
export type SessionLookup =
  | { kind: "sessionless" }
  | { kind: "new"; session: FetchSession }
  | { kind: "existing"; session: FetchSession }
  | { kind: "error"; errorCode: number };

/** A node's fetch sessions. */
export class FetchSessionCache {
  #sessions = new Map<number, FetchSession>();
  #nextId = 1;

  /** Resolves a request's session id and epoch, as Kafka's FetchSessionCache does. */
  lookUp(sessionId: number, epoch: number): SessionLookup {
    if (epoch === -1) {
      if (sessionId !== 0) this.#sessions.delete(sessionId);
      return { kind: "sessionless" };
    }
    if (epoch === 0) {
      if (sessionId !== 0) this.#sessions.delete(sessionId);
      if (this.#sessions.size >= MAX_SESSIONS) this.#evictOldest();
      const session: FetchSession = {
        id: this.#newId(),
        epoch: 1,
        partitions: new Map(),
        lastUsed: Date.now(),
      };
      this.#sessions.set(session.id, session);
      return { kind: "new", session };
    }
    const session = this.#sessions.get(sessionId);
    if (!session) return { kind: "error", errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND };
    if (session.epoch !== epoch) {
      return { kind: "error", errorCode: ErrorCode.INVALID_FETCH_SESSION_EPOCH };
    }
    session.epoch = epoch === 0x7fffffff ? 1 : epoch + 1;
    session.lastUsed = Date.now();
    return { kind: "existing", session };
  }

  #newId(): number {
    for (;;) {
      const id = this.#nextId;
      this.#nextId = this.#nextId >= 0x7fffffff ? 1 : this.#nextId + 1;
      if (!this.#sessions.has(id)) return id;
    }
  }

  #evictOldest(): void {
    let oldest: FetchSession | undefined;
    for (const s of this.#sessions.values()) {
      if (!oldest || s.lastUsed < oldest.lastUsed) oldest = s;
    }
    if (oldest) this.#sessions.delete(oldest.id);
  }
}

/** The key of a session partition: by topic id when the request used ids, else by name. */
export function sessionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

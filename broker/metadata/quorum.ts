/**
 * The KRaft metadata quorum, as DescribeQuorum shows it. Brook's nodes are combined brokers and
 * controllers (process.roles=broker,controller) sharing one in-memory state, so every node is a
 * voter of `__cluster_metadata`, a running voter is always caught up, and the node acting as
 * controller leads; a new leader takes a new epoch, as a Raft election gives it.
 *
 * Brook keeps no metadata log, so its end offset is counted: one record per node registration and
 * per topic, partition or leadership change, plus the NoOpRecord Kafka's controller appends after
 * every metadata.max.idle.interval.ms without writes. The figures grow as Kafka's do; they are not
 * the offsets a real cluster with the same history would show.
 *
 * @module
 */

import { randomUuid } from "../../codec/mod.ts";

/** A voter of the quorum, as DescribeQuorum reports it. */
export interface VoterState {
  nodeId: number;
  /** The directory id of the voter's metadata log directory (KIP-853). */
  directoryId: string;
  logEndOffset: bigint;
  /** -1 when unknown. */
  lastFetchTimestamp: bigint;
  lastCaughtUpTimestamp: bigint;
}

/** The quorum's leader and voters at a moment. */
export interface QuorumState {
  /** -1 while no voter runs. */
  leaderId: number;
  leaderEpoch: number;
  highWatermark: bigint;
  voters: VoterState[];
}

interface Voter {
  directoryId: string;
  /** Where a stopped voter's log ended and when it last fetched; undefined while it runs. */
  stopped?: { logEndOffset: bigint; at: number };
}

/** The metadata quorum of a Brook cluster. */
export class MetadataQuorum {
  readonly #voters = new Map<number, Voter>();
  readonly #idleIntervalMs: () => number;
  readonly #startedAt = Date.now();
  #records = 0;
  #leaderId = -1;
  #epoch = 0;

  /** `idleIntervalMs` gives metadata.max.idle.interval.ms (0 turns the NoOp records off). */
  constructor(idleIntervalMs: () => number) {
    this.#idleIntervalMs = idleIntervalMs;
  }

  /** A node joined: it registers (one record) and votes from now on. */
  addVoter(nodeId: number): void {
    if (!this.#voters.has(nodeId)) this.#voters.set(nodeId, { directoryId: randomUuid() });
    this.#records++;
  }

  /** Metadata records were written (topic, partition or leadership changes). */
  recordsWritten(count = 1): void {
    this.#records += count;
  }

  /** A voter stopped: its log and fetch times stay where they were. */
  voterStopped(nodeId: number, now: number = Date.now()): void {
    const voter = this.#voters.get(nodeId);
    if (voter && !voter.stopped) voter.stopped = { logEndOffset: this.endOffset(now), at: now };
  }

  /** A stopped voter runs again and catches up at once (the state is shared). */
  voterStarted(nodeId: number): void {
    const voter = this.#voters.get(nodeId);
    if (voter) voter.stopped = undefined;
    this.#records++;
  }

  /** The controller is now `leaderId` (-1: none); a change of leader is a new epoch. */
  leaderIs(leaderId: number): void {
    if (leaderId === this.#leaderId) return;
    this.#leaderId = leaderId;
    if (leaderId >= 0) {
      this.#epoch++;
      // A new leader appends a LeaderChangeMessage control record.
      this.#records++;
    }
  }

  /** The end offset of the metadata log. */
  endOffset(now: number = Date.now()): bigint {
    const interval = this.#idleIntervalMs();
    const noOps = interval > 0 ? Math.floor((now - this.#startedAt) / interval) : 0;
    return BigInt(this.#records + noOps);
  }

  /** The leader, its epoch, the high watermark and every voter's state, in node id order. */
  describe(now: number = Date.now()): QuorumState {
    const end = this.endOffset(now);
    const voters = [...this.#voters.entries()].sort(([a], [b]) => a - b).map(
      ([nodeId, v]): VoterState => ({
        nodeId,
        directoryId: v.directoryId,
        logEndOffset: v.stopped?.logEndOffset ?? end,
        lastFetchTimestamp: BigInt(v.stopped?.at ?? now),
        lastCaughtUpTimestamp: BigInt(v.stopped?.at ?? now),
      }),
    );
    return { leaderId: this.#leaderId, leaderEpoch: this.#epoch, highWatermark: end, voters };
  }
}

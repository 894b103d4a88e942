/**
 * The consumer protocol's bytes inside JoinGroup and SyncGroup: an int16 version, then a
 * ConsumerProtocolSubscription or ConsumerProtocolAssignment body. Newer versions only add fields at the
 * end, so a version above the highest known one is read as the highest known one, as Kafka's clients do.
 *
 * @module
 */

import {
  decodeConsumerProtocolAssignment,
  encodeConsumerProtocolAssignment,
} from "./generated/messages/consumer_protocol_assignment.ts";
import {
  decodeConsumerProtocolSubscription,
  encodeConsumerProtocolSubscription,
} from "./generated/messages/consumer_protocol_subscription.ts";
import { KafkaCodecError } from "./errors.ts";
import { Reader } from "./protocol/reader.ts";
import { Writer } from "./protocol/writer.ts";

/** A topic and some of its partitions. */
export interface TopicPartitions {
  /** The topic's name. */
  topic: string;
  /** The partition indexes. */
  partitions: number[];
}

/** What one member told its group in its JoinGroup subscription. */
export interface MemberSubscription {
  /** The member's id in the group. */
  memberId: string;
  /** The static member's instance id (group.instance.id), or null. */
  groupInstanceId: string | null;
  /** The topics it subscribes to. */
  topics: string[];
  /** The partitions it owns (cooperative protocol, subscription v1+). */
  ownedPartitions: TopicPartitions[];
  /** The generation its owned partitions are from (subscription v2+), -1 when unknown. */
  generationId: number;
  /** The consumer's rack (client.rack, subscription v3+), or null. */
  rackId: string | null;
  /** The assignor's opaque data, or null. */
  userData: Uint8Array | null;
}

/** The highest consumer protocol version Brook writes and reads natively. */
export const CONSUMER_PROTOCOL_VERSION = 3;

/** A subscription to encode. */
export interface Subscription {
  /** The topics to subscribe to. */
  topics: string[];
  /** The assignor's opaque data, or null. */
  userData: Uint8Array | null;
  /** The partitions the member owns (cooperative protocol). */
  ownedPartitions: TopicPartitions[];
  /** The generation its owned partitions are from, -1 when unknown. */
  generationId: number;
  /** The consumer's rack (client.rack), or null. */
  rackId: string | null;
}

/**
 * The JoinGroup protocol metadata for a subscription.
 *
 * @example
 * ```ts
 * import { encodeSubscription } from "@brook/kafka/codec";
 * const bytes = encodeSubscription({ topics: ["orders"], userData: null, ownedPartitions: [], generationId: -1, rackId: null });
 * ```
 */
export function encodeSubscription(
  s: Subscription,
  version = CONSUMER_PROTOCOL_VERSION,
): Uint8Array {
  const w = new Writer({ initialSize: 64 });
  w.int16(version);
  encodeConsumerProtocolSubscription(w, {
    topics: s.topics,
    userData: s.userData,
    ownedPartitions: s.ownedPartitions.map((tp) => ({
      topic: tp.topic,
      partitions: tp.partitions,
    })),
    generationId: s.generationId,
    rackId: s.rackId,
  }, version);
  return w.toUint8Array();
}

/**
 * Reads a member's JoinGroup protocol metadata.
 *
 * @example
 * ```ts
 * import { decodeSubscription, encodeSubscription } from "@brook/kafka/codec";
 * const bytes = encodeSubscription({
 *   topics: ["orders"],
 *   userData: null,
 *   ownedPartitions: [],
 *   generationId: -1,
 *   rackId: null,
 * });
 * console.log(decodeSubscription("member-1", null, bytes).topics); // ["orders"]
 * ```
 */
export function decodeSubscription(
  memberId: string,
  groupInstanceId: string | null,
  bytes: Uint8Array,
): MemberSubscription {
  const r = new Reader(bytes);
  const version = readVersion(r);
  const s = decodeConsumerProtocolSubscription(r, version);
  return {
    memberId,
    groupInstanceId,
    topics: s.topics,
    userData: s.userData,
    ownedPartitions: s.ownedPartitions.map((tp) => ({
      topic: tp.topic,
      partitions: tp.partitions,
    })),
    generationId: s.generationId,
    rackId: s.rackId,
  };
}

/**
 * The SyncGroup assignment bytes for one member.
 *
 * @example
 * ```ts
 * import { decodeAssignment, encodeAssignment } from "@brook/kafka/codec";
 * const bytes = encodeAssignment([{ topic: "orders", partitions: [0, 2] }]);
 * console.log(decodeAssignment(bytes).partitions); // [{ topic: "orders", partitions: [0, 2] }]
 * ```
 */
export function encodeAssignment(
  partitions: TopicPartitions[],
  userData: Uint8Array | null = null,
  version = CONSUMER_PROTOCOL_VERSION,
): Uint8Array {
  const w = new Writer({ initialSize: 64 });
  w.int16(version);
  encodeConsumerProtocolAssignment(w, { assignedPartitions: partitions, userData }, version);
  return w.toUint8Array();
}

/**
 * Reads SyncGroup assignment bytes (empty bytes mean no assignment, as Kafka treats them).
 *
 * @example
 * ```ts
 * import { decodeAssignment, encodeAssignment } from "@brook/kafka/codec";
 * const { partitions, userData } = decodeAssignment(encodeAssignment([{ topic: "t", partitions: [1] }]));
 * console.log(partitions, userData); // [{ topic: "t", partitions: [1] }] null
 * ```
 */
export function decodeAssignment(
  bytes: Uint8Array,
): { partitions: TopicPartitions[]; userData: Uint8Array | null } {
  if (bytes.length === 0) return { partitions: [], userData: null };
  const r = new Reader(bytes);
  const a = decodeConsumerProtocolAssignment(r, readVersion(r));
  return {
    partitions: a.assignedPartitions.map((tp) => ({ topic: tp.topic, partitions: tp.partitions })),
    userData: a.userData,
  };
}

function readVersion(r: Reader): number {
  const version = r.int16();
  if (version < 0) {
    throw new KafkaCodecError(`Cannot decode: consumer protocol version ${version}`, { offset: 0 });
  }
  return Math.min(version, CONSUMER_PROTOCOL_VERSION);
}

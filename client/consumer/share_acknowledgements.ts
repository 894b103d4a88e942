/**
 * The share consumer's acknowledgements as ShareFetch and ShareAcknowledge carry them: Kafka's
 * acknowledge types, partitions keyed by topic id and index, runs of offsets as batches, and the
 * share session's epoch.
 *
 * @module
 */

/** Kafka's acknowledge types (a gap is an offset the log no longer holds). */
export const TYPE = { gap: 0, accept: 1, release: 2, reject: 3, renew: 4 } as const;

const INT32_MAX = 2_147_483_647;

/** A partition's key: its topic id and index. */
export const keyOf = (topicId: string, partition: number): string => `${topicId}:${partition}`;

/** A run of offsets with one acknowledge type. */
export type Batch = { firstOffset: bigint; lastOffset: bigint; acknowledgeTypes: number[] };
/** A topic's acknowledgements as a request carries them. */
export type AckTopic = {
  topicId: string;
  partitions: { partitionIndex: number; acknowledgementBatches: Batch[] }[];
};

/** Whether a batch renews acquisition locks (ShareAcknowledge v2). */
export const isRenewal = (b: Batch): boolean => b.acknowledgeTypes[0] === TYPE.renew;

/** Runs of consecutive offsets with one type, as acknowledgement batches. */
export function toBatches(offsets: Map<bigint, number>): Batch[] {
  const sorted = [...offsets].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const out: Batch[] = [];
  for (const [offset, type] of sorted) {
    const last = out[out.length - 1];
    if (last && last.lastOffset + 1n === offset && last.acknowledgeTypes[0] === type) {
      last.lastOffset = offset;
    } else {
      out.push({ firstOffset: offset, lastOffset: offset, acknowledgeTypes: [type] });
    }
  }
  return out;
}

/** A partition's key back as its topic id and index. */
export function splitKey(key: string): [string, number] {
  const at = key.lastIndexOf(":");
  return [key.slice(0, at), Number(key.slice(at + 1))];
}

/** A share session's next epoch: after the greatest int32 it starts again at 1, as Kafka's does. */
export function nextEpoch(epoch: number): number {
  return epoch === INT32_MAX ? 1 : epoch + 1;
}

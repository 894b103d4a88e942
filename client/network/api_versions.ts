/**
 * The newest version of each API that Brook's client speaks, where the codec knows newer ones: the
 * codec is generated from Kafka 4.4.0's specs. The client speaks 4.4's ApiVersions v5 (without naming
 * a cluster and node, which KIP-1242 allows), ListOffsets v11, DeleteGroups v3 and DescribeLogDirs
 * v5, ShareFetch and ShareAcknowledge v2; it still speaks Kafka 4.1.1's versions of the others here
 * (TxnOffsetCommit v6 names topics by id, and the rest are not implemented yet).
 *
 * @module
 */

import { ApiKey } from "../../codec/mod.ts";

/**
 * The newest version the client speaks of `apiKey` (Infinity: the codec's newest).
 *
 * @example
 * ```ts
 * import { ApiKey } from "../../codec/mod.ts";
 * import { clientMaxVersion } from "./api_versions.ts";
 * clientMaxVersion(ApiKey.TxnOffsetCommit); // 5
 * ```
 */
export function clientMaxVersion(apiKey: number): number {
  return CEILINGS.get(apiKey) ?? Infinity;
}

const CEILINGS = new Map<number, number>([
  [ApiKey.WriteTxnMarkers, 1],
  [ApiKey.TxnOffsetCommit, 5],
  [ApiKey.BrokerHeartbeat, 1],
  [ApiKey.AddRaftVoter, 0],
  [ApiKey.WriteShareGroupState, 0],
  [ApiKey.ReadShareGroupStateSummary, 0],
  [ApiKey.StreamsGroupHeartbeat, 0],
  [ApiKey.StreamsGroupDescribe, 0],
  [ApiKey.DescribeShareGroupOffsets, 0],
]);

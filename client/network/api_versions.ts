/**
 * The newest version of each API that Brook's client speaks, where the codec knows newer ones: the
 * codec is generated from Kafka 4.4.0's specs. The client speaks 4.4's ApiVersions v5 (without naming
 * a cluster and node, which KIP-1242 allows), ListOffsets v11, DeleteGroups v3 and DescribeLogDirs
 * v5, ShareFetch and ShareAcknowledge v2, and names topics by id in OffsetCommit and OffsetFetch v10
 * and TxnOffsetCommit v6 (where its metadata has every id); it still speaks Kafka 4.1.1's versions
 * of the others here.
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
 * clientMaxVersion(ApiKey.WriteTxnMarkers); // 1
 * ```
 */
export function clientMaxVersion(apiKey: number): number {
  return CEILINGS.get(apiKey) ?? Infinity;
}

const CEILINGS = new Map<number, number>([
  [ApiKey.WriteTxnMarkers, 1],
  [ApiKey.BrokerHeartbeat, 1],
  [ApiKey.AddRaftVoter, 0],
  [ApiKey.WriteShareGroupState, 0],
  [ApiKey.ReadShareGroupStateSummary, 0],
  [ApiKey.StreamsGroupHeartbeat, 0],
  [ApiKey.StreamsGroupDescribe, 0],
  [ApiKey.DescribeShareGroupOffsets, 0],
]);

/**
 * The newest version of each API that Brook's client speaks, where the codec knows newer ones: the
 * codec is generated from Kafka 4.4.0's specs, the client still implements Kafka 4.1.1's versions of
 * these APIs (ApiVersions v5's cluster check, ListOffsets v11, TxnOffsetCommit v6, ShareFetch and
 * ShareAcknowledge v2 and the rest are not implemented yet).
 *
 * @module
 */

import { ApiKey } from "../codec/mod.ts";

/**
 * Kafka 4.1.1's newest version of the APIs whose newer versions the client does not speak.
 *
 * @example
 * ```ts
 * import { ApiKey } from "../codec/mod.ts";
 * import { clientMaxVersion } from "./api_versions.ts";
 * clientMaxVersion(ApiKey.ApiVersions); // 4
 * ```
 */
export function clientMaxVersion(apiKey: number): number {
  return CEILINGS.get(apiKey) ?? Infinity;
}

const CEILINGS = new Map<number, number>([
  [ApiKey.ListOffsets, 10],
  [ApiKey.ApiVersions, 4],
  [ApiKey.WriteTxnMarkers, 1],
  [ApiKey.TxnOffsetCommit, 5],
  [ApiKey.DescribeLogDirs, 4],
  [ApiKey.DeleteGroups, 2],
  [ApiKey.BrokerHeartbeat, 1],
  [ApiKey.ShareFetch, 1],
  [ApiKey.ShareAcknowledge, 1],
  [ApiKey.AddRaftVoter, 0],
  [ApiKey.WriteShareGroupState, 0],
  [ApiKey.ReadShareGroupStateSummary, 0],
  [ApiKey.StreamsGroupHeartbeat, 0],
  [ApiKey.StreamsGroupDescribe, 0],
  [ApiKey.DescribeShareGroupOffsets, 0],
]);

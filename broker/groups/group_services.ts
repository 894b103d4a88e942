/**
 * What the group coordinator works with, and the parts of it that its helpers (consumer-group and
 * share-group heartbeats, classic members of consumer groups) call back into. The helpers take these
 * narrow views instead of the coordinator, so that no module of groups/ imports the coordinator.
 *
 * @module
 */

import type { TopicCatalog } from "../metadata/topic_catalog.ts";
import type { BrokerConfigs } from "../configs/broker_configs.ts";
import type { GroupConfigs } from "../configs/group_configs.ts";
import type { ClassicGroup } from "./classic_group.ts";
import type { ConsumerGroup, ConsumerMember } from "./consumer_group.ts";
import type { ShareGroup } from "../share/share_group.ts";

/**
 * The rest of the broker as the group coordinator sees it: the topics (looked up, and
 * __consumer_offsets or Kafka Streams' topics created) and the broker configs (group.*).
 *
 * @example
 * ```ts
 * import type { GroupMetadata } from "./group_services.ts";
 * function maxSize(metadata: GroupMetadata): number {
 *   return metadata.configs.staticNumber("group.consumer.max.size");
 * }
 * ```
 */
export interface GroupMetadata {
  /** The cluster's topics. */
  readonly topics: TopicCatalog;
  /** The broker configs. */
  readonly configs: BrokerConfigs;
}

/** What the group coordinator is built with. */
export interface GroupCoordinatorOptions extends GroupMetadata {
  /** Dynamic group configs (GROUP resources), shared with the share store. */
  readonly groupConfigs: GroupConfigs;
}

/**
 * The consumer groups of the coordinator, as ConsumerGroupHeartbeat and classic members of consumer
 * groups use them. The group coordinator is one.
 *
 * @example
 * ```ts
 * import type { ConsumerGroups } from "./group_services.ts";
 * function isConsumerGroup(groups: ConsumerGroups, groupId: string): boolean {
 *   return groups.consumerGroups.has(groupId);
 * }
 * ```
 */
export interface ConsumerGroups {
  /** Classic groups, by id. */
  readonly groups: ReadonlyMap<string, ClassicGroup>;
  /** Consumer groups (KIP-848), by id. */
  readonly consumerGroups: ReadonlyMap<string, ConsumerGroup>;
  /** The consumer group of an id, created when asked to; throws a Refusal as Kafka refuses. */
  consumerGroupFor(groupId: string, create: boolean): ConsumerGroup;
  /** Keeps a group that a heartbeat made (or changed) as the id's group. */
  adopt(group: ConsumerGroup): void;
  /** Removes members (they left or timed out); the group epoch moves. */
  fence(group: ConsumerGroup, memberIds: string[]): void;
  /** Starts a member's session and rebalance timers again. */
  armTimers(group: ConsumerGroup, member: ConsumerMember, reconciled: boolean): void;
  /** A group's value of a numeric group config. */
  groupNumber(groupId: string, name: string): number;
  /** The ids of the topics a member subscribes to, by name or regex. */
  subscribedTopicIds(group: ConsumerGroup, member: ConsumerMember): string[];
  /** The metadata the members' subscriptions depend on, to see when it changes. */
  metadataSignature(group: ConsumerGroup, members: ConsumerMember[]): string;
  /** Resolves a newly seen subscription regex. */
  maybeRefreshRegexes(group: ConsumerGroup, newRegex: string): void;
}

/**
 * The share groups of the coordinator, as ShareGroupHeartbeat uses them. The group coordinator is
 * one.
 *
 * @example
 * ```ts
 * import type { ShareGroups } from "./group_services.ts";
 * function members(groups: ShareGroups, groupId: string): number {
 *   return groups.shareGroups.get(groupId)?.members.size ?? 0;
 * }
 * ```
 */
export interface ShareGroups {
  /** Classic groups, by id (a share group's id must not name one). */
  readonly groups: ReadonlyMap<string, unknown>;
  /** Consumer groups, by id (a share group's id must not name one). */
  readonly consumerGroups: ReadonlyMap<string, unknown>;
  /** Share groups, by id. */
  readonly shareGroups: Map<string, ShareGroup>;
  /** The share group of an id, created when asked to; throws a Refusal as Kafka refuses. */
  shareGroupFor(groupId: string, create: boolean): ShareGroup;
  /** Removes a member (it left, or its session ended); the group epoch moves. */
  fenceShareMember(group: ShareGroup, memberId: string): void;
  /** A group's value of a numeric group config. */
  groupNumber(groupId: string, name: string): number;
}

/**
 * What the coordinator reads of a request: the node it came to, the client, and the version. A
 * handler's RequestContext is one.
 */
export interface GroupRequest {
  /** The node that received the request. */
  readonly node: { readonly nodeId: number };
  /** The request header's client id. */
  readonly header: { readonly clientId: string | null };
  /** The request's API version. */
  readonly apiVersion: number;
  /** The client's address. */
  readonly connection: { readonly remoteAddress: string };
}

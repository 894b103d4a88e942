/**
 * Resetting a broker to the state it started with, between tests: topics, groups, offsets,
 * transactions, ACLs, SCRAM users and dynamic configs added at run time go, and so do client-metrics
 * subscriptions and what clients pushed.
 *
 * @module
 */

import type { AclBinding, ScramCredential, ScramMechanism } from "../../codec/mod.ts";
import type { Cluster, CreateTopicOptions } from "../metadata/cluster.ts";

const SCRAM_MECHANISMS: ScramMechanism[] = ["SCRAM-SHA-256", "SCRAM-SHA-512"];

/** What a broker held when it started, to go back to. */
export interface InitialState {
  readonly topics: Readonly<Record<string, CreateTopicOptions>>;
  readonly acls: readonly AclBinding[];
  readonly scram: ReadonlyMap<string, ScramCredential>;
  readonly dynamicConfigs: ReadonlyMap<number | null, ReadonlyMap<string, string>>;
}

/**
 * Notes the state a broker starts with (its topics as options gave them, ACLs, SCRAM users,
 * dynamic configs).
 *
 * @example
 * ```ts
 * import { Cluster } from "../metadata/cluster.ts";
 * import { initialState } from "./reset.ts";
 * const state = initialState(new Cluster(), { orders: { partitions: 3 } });
 * ```
 */
export function initialState(
  cluster: Cluster,
  topics: Readonly<Record<string, CreateTopicOptions>> = {},
): InitialState {
  const scram = new Map<string, ScramCredential>();
  for (const mechanism of SCRAM_MECHANISMS) {
    for (const user of cluster.credentials.scramUsers()) {
      const credential = cluster.credentials.scramCredential(user, mechanism);
      if (credential) scram.set(`${mechanism}\0${user}`, credential);
    }
  }
  const dynamicConfigs = new Map<number | null, ReadonlyMap<string, string>>();
  for (const id of [null, ...cluster.registeredNodeIds]) {
    dynamicConfigs.set(id, new Map(cluster.configs.dynamic(id)));
  }
  return {
    // Most brokers start with no topics: a clone of nothing is skipped.
    topics: Object.keys(topics).length === 0 ? {} : structuredClone(topics),
    acls: cluster.authorizer?.list() ?? [],
    scram,
    dynamicConfigs,
  };
}

/**
 * Empties the cluster's data and puts back what it started with: open transactions are aborted,
 * then every group, offset, transactional id and topic is removed, the starting topics are made
 * again (empty, with new topic ids), and ACLs, SCRAM users and dynamic configs return to their
 * starting values.
 *
 * @example
 * ```ts
 * import { Cluster } from "../metadata/cluster.ts";
 * import { initialState, resetCluster } from "./reset.ts";
 * const cluster = new Cluster();
 * const state = initialState(cluster);
 * resetCluster(cluster, state);
 * ```
 */
export function resetCluster(cluster: Cluster, initial: InitialState): void {
  // Aborting first completes the offsets staged by open transactions, so none is left pending.
  cluster.transactions.abortTimedOut(Infinity);
  cluster.transactions.transactions.clear();
  const groups = cluster.groups;
  for (const g of [...groups.shareGroups.values()]) groups.deleteShareGroup(g);
  groups.close();
  groups.groups.clear();
  groups.consumerGroups.clear();
  groups.shareGroups.clear();
  groups.groupConfigs.clear();
  for (const name of [...cluster.topics.keys()]) {
    cluster.deleteTopic(name);
  }
  for (const [name, options] of Object.entries(initial.topics)) {
    cluster.createTopic(name, structuredClone(options));
  }
  const authorizer = cluster.authorizer;
  if (authorizer) {
    authorizer.remove({});
    authorizer.add(initial.acls);
  }
  const credentials = cluster.credentials;
  for (const mechanism of SCRAM_MECHANISMS) {
    for (const user of credentials.scramUsers()) credentials.deleteScram(user, mechanism);
  }
  for (const [key, credential] of initial.scram) {
    const [mechanism, user] = key.split("\0") as [ScramMechanism, string];
    credentials.setScram(user, mechanism, credential);
  }
  for (const id of [null, ...cluster.registeredNodeIds]) {
    cluster.configs.setDynamic(id, initial.dynamicConfigs.get(id) ?? new Map());
  }
  for (const name of cluster.clientMetrics.names()) cluster.clientMetrics.store(name, new Map());
  cluster.telemetry.clear();
  // Long polls on deleted partitions wake and answer.
  cluster.appended.notify();
}

/**
 * The coordinators work from what they are given: a transaction coordinator tells its callback what
 * each transaction completed, and the group coordinator commits or drops the offsets staged for it.
 */
import { assertEquals } from "../assert.ts";
import { Cluster } from "../../broker/metadata/cluster.ts";
import { OFFSETS_TOPIC } from "../../broker/metadata/topic_catalog.ts";
import { TransactionCoordinator } from "../../broker/transactions/coordinator.ts";
import type { TransactionCompletion } from "../../broker/transactions/transaction_completed.ts";
import { GroupCoordinator } from "../../broker/groups/coordinator.ts";
import { GroupConfigs } from "../../broker/configs/group_configs.ts";

function oneNodeCluster(): Cluster {
  const cluster = new Cluster();
  cluster.addNode({ nodeId: 1, host: "127.0.0.1", port: 9092, rack: null });
  return cluster;
}

function transactionsHeard(cluster: Cluster) {
  const heard: TransactionCompletion[] = [];
  let woken = 0;
  const transactions = new TransactionCoordinator({
    topics: cluster,
    configs: cluster.configs,
    producerIds: cluster.producerIds,
    onTransactionCompleted: (completion) => heard.push(completion),
    onAppended: () => woken++,
  });
  return { transactions, heard, woken: () => woken };
}

Deno.test("seams: a committed transaction reaches the callback with its groups, markers written", () => {
  const cluster = oneNodeCluster();
  cluster.createTopic("t", { partitions: 1 });
  const { transactions, heard, woken } = transactionsHeard(cluster);
  const { producerId, producerEpoch } = transactions.initProducerId("tx", 60_000);
  transactions.addPartitions("tx", producerId, producerEpoch, [{ topic: "t", partition: 0 }]);
  transactions.addGroup("tx", producerId, producerEpoch, "g");
  transactions.end("tx", producerId, producerEpoch, true, false);
  assertEquals(heard, [{ producerId, commit: true, offsetsPartitions: [], groups: ["g"] }]);
  assertEquals(cluster.partition("t", 0)!.log.highWatermark, 1n);
  assertEquals(woken(), 1);
});

Deno.test("seams: markers written to __consumer_offsets name its partitions to the callback", () => {
  const cluster = oneNodeCluster();
  cluster.createTopic(OFFSETS_TOPIC, { partitions: 3, internal: true });
  const { transactions, heard } = transactionsHeard(cluster);
  const written = transactions.writeMarkers({
    producerId: 7n,
    producerEpoch: 0,
    commit: false,
    partitions: [{ topic: OFFSETS_TOPIC, partition: 2 }, { topic: "gone", partition: 0 }],
  });
  assertEquals([...written.values()], [0, 3]);
  assertEquals(heard, [{ producerId: 7n, commit: false, offsetsPartitions: [2], groups: [] }]);
});

Deno.test("seams: the group coordinator commits or drops what a completed transaction staged", () => {
  const cluster = oneNodeCluster();
  const groups = new GroupCoordinator({
    topics: cluster,
    configs: cluster.configs,
    groupConfigs: new GroupConfigs(cluster.configs),
  });
  const offset = { offset: 5n, leaderEpoch: -1, metadata: null, commitTimestamp: 0 };
  groups.addTransactionalOffsets("a", 1n, [["t\u00000", offset]]);
  groups.addTransactionalOffsets("b", 1n, [["t\u00000", offset]]);
  groups.addTransactionalOffsets("c", 2n, [["t\u00000", offset]]);
  groups.onTransactionCompleted({
    producerId: 1n,
    commit: true,
    offsetsPartitions: [],
    groups: ["a"],
  });
  groups.onTransactionCompleted({
    producerId: 1n,
    commit: false,
    offsetsPartitions: [],
    groups: ["b"],
  });
  groups.onTransactionCompleted({
    producerId: 2n,
    commit: true,
    offsetsPartitions: [groups.partitionFor("c")],
    groups: [],
  });
  assertEquals(groups.offsets("a").get("t\u00000"), offset);
  assertEquals(groups.offsets("b").get("t\u00000"), undefined);
  assertEquals(groups.offsets("c").get("t\u00000"), offset);
  groups.close();
});

Deno.test("seams: a transaction times out and completes by the coordinator's clock", () => {
  const cluster = oneNodeCluster();
  cluster.createTopic("t", { partitions: 1 });
  let now = 1_000_000;
  const heard: TransactionCompletion[] = [];
  const transactions = new TransactionCoordinator({
    topics: cluster,
    configs: cluster.configs,
    producerIds: cluster.producerIds,
    onTransactionCompleted: (completion) => heard.push(completion),
    onAppended: () => {},
    clock: { now: () => now },
  });
  const { producerId, producerEpoch } = transactions.initProducerId("tx", 5_000);
  transactions.addPartitions("tx", producerId, producerEpoch, [{ topic: "t", partition: 0 }]);
  now += 5_000;
  transactions.abortTimedOut();
  assertEquals(heard, []);
  now += 1;
  transactions.abortTimedOut();
  assertEquals(heard, [{ producerId, commit: false, offsetsPartitions: [], groups: [] }]);
  const txn = transactions.transactions.get("tx")!;
  assertEquals([txn.state, txn.lastUpdateTimestamp], ["PrepareAbort", 1_005_001]);
  now += transactions.completionMs;
  assertEquals(txn.state, "CompleteAbort");
});

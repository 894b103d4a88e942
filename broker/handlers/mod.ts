/**
 * Every handler the broker serves, registered by API key.
 *
 * @module
 */

import { register } from "./registry.ts";
import produce from "./00_produce.ts";
import fetch from "./01_fetch.ts";
import listOffsets from "./02_list_offsets.ts";
import metadata from "./03_metadata.ts";
import offsetCommit from "./08_offset_commit.ts";
import offsetFetch from "./09_offset_fetch.ts";
import findCoordinator from "./10_find_coordinator.ts";
import joinGroup from "./11_join_group.ts";
import heartbeat from "./12_heartbeat.ts";
import leaveGroup from "./13_leave_group.ts";
import syncGroup from "./14_sync_group.ts";
import describeGroups from "./15_describe_groups.ts";
import listGroups from "./16_list_groups.ts";
import createPartitions from "./37_create_partitions.ts";
import createDelegationToken from "./38_create_delegation_token.ts";
import renewDelegationToken from "./39_renew_delegation_token.ts";
import expireDelegationToken from "./40_expire_delegation_token.ts";
import describeDelegationToken from "./41_describe_delegation_token.ts";
import deleteGroups from "./42_delete_groups.ts";
import electLeaders from "./43_elect_leaders.ts";
import incrementalAlterConfigs from "./44_incremental_alter_configs.ts";
import alterPartitionReassignments from "./45_alter_partition_reassignments.ts";
import listPartitionReassignments from "./46_list_partition_reassignments.ts";
import offsetDelete from "./47_offset_delete.ts";
import describeClientQuotas from "./48_describe_client_quotas.ts";
import alterClientQuotas from "./49_alter_client_quotas.ts";
import describeQuorum from "./55_describe_quorum.ts";
import updateFeatures from "./57_update_features.ts";
import describeCluster from "./60_describe_cluster.ts";
import unregisterBroker from "./64_unregister_broker.ts";
import describeProducers from "./61_describe_producers.ts";
import consumerGroupHeartbeat from "./68_consumer_group_heartbeat.ts";
import consumerGroupDescribe from "./69_consumer_group_describe.ts";
import listConfigResources from "./74_list_config_resources.ts";
import describeTopicPartitions from "./75_describe_topic_partitions.ts";
import shareGroupHeartbeat from "./76_share_group_heartbeat.ts";
import shareGroupDescribe from "./77_share_group_describe.ts";
import shareFetch from "./78_share_fetch.ts";
import shareAcknowledge from "./79_share_acknowledge.ts";
import describeShareGroupOffsets from "./90_describe_share_group_offsets.ts";
import alterShareGroupOffsets from "./91_alter_share_group_offsets.ts";
import deleteShareGroupOffsets from "./92_delete_share_group_offsets.ts";
import streamsGroupHeartbeat from "./88_streams_group_heartbeat.ts";
import streamsGroupDescribe from "./89_streams_group_describe.ts";
import streamsGroupTopologyDescriptionUpdate from "./93_streams_group_topology_description_update.ts";
import apiVersions from "./18_api_versions.ts";
import createTopics from "./19_create_topics.ts";
import deleteTopics from "./20_delete_topics.ts";
import deleteRecords from "./21_delete_records.ts";
import initProducerId from "./22_init_producer_id.ts";
import offsetForLeaderEpoch from "./23_offset_for_leader_epoch.ts";
import describeConfigs from "./32_describe_configs.ts";
import alterConfigs from "./33_alter_configs.ts";
import alterReplicaLogDirs from "./34_alter_replica_log_dirs.ts";
import describeLogDirs from "./35_describe_log_dirs.ts";
import addPartitionsToTxn from "./24_add_partitions_to_txn.ts";
import addOffsetsToTxn from "./25_add_offsets_to_txn.ts";
import endTxn from "./26_end_txn.ts";
import writeTxnMarkers from "./27_write_txn_markers.ts";
import txnOffsetCommit from "./28_txn_offset_commit.ts";
import describeTransactions from "./65_describe_transactions.ts";
import listTransactions from "./66_list_transactions.ts";
import saslHandshake from "./17_sasl_handshake.ts";
import saslAuthenticate from "./36_sasl_authenticate.ts";
import describeUserScramCredentials from "./50_describe_user_scram_credentials.ts";
import alterUserScramCredentials from "./51_alter_user_scram_credentials.ts";
import describeAcls from "./29_describe_acls.ts";
import createAcls from "./30_create_acls.ts";
import deleteAcls from "./31_delete_acls.ts";
import getTelemetrySubscriptions from "./71_get_telemetry_subscriptions.ts";
import pushTelemetry from "./72_push_telemetry.ts";

register(produce, fetch, listOffsets, metadata, apiVersions, initProducerId);
register(offsetCommit, offsetFetch, findCoordinator, joinGroup, heartbeat, leaveGroup, syncGroup);
register(describeGroups, listGroups, deleteGroups, offsetDelete);
register(createTopics, deleteTopics, createPartitions, describeCluster, describeQuorum);
register(describeClientQuotas, alterClientQuotas, updateFeatures, unregisterBroker);
register(
  createDelegationToken,
  renewDelegationToken,
  expireDelegationToken,
  describeDelegationToken,
);
register(
  deleteRecords,
  offsetForLeaderEpoch,
  describeConfigs,
  alterConfigs,
  incrementalAlterConfigs,
);
register(
  alterReplicaLogDirs,
  describeLogDirs,
  electLeaders,
  alterPartitionReassignments,
  listPartitionReassignments,
  describeProducers,
  consumerGroupHeartbeat,
  consumerGroupDescribe,
  listConfigResources,
  describeTopicPartitions,
);
register(addPartitionsToTxn, addOffsetsToTxn, endTxn, writeTxnMarkers, txnOffsetCommit);
register(describeTransactions, listTransactions);
register(saslHandshake, saslAuthenticate, describeUserScramCredentials, alterUserScramCredentials);
register(describeAcls, createAcls, deleteAcls);
register(shareGroupHeartbeat, shareGroupDescribe, shareFetch, shareAcknowledge);
register(describeShareGroupOffsets, alterShareGroupOffsets, deleteShareGroupOffsets);
register(streamsGroupHeartbeat, streamsGroupDescribe, streamsGroupTopologyDescriptionUpdate);
register(getTelemetrySubscriptions, pushTelemetry);

export { HANDLERS } from "./registry.ts";

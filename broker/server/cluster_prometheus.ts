/**
 * The cluster's state in Prometheus' text format, next to the request metrics on the metrics port:
 * each partition's offsets and log size, each topic's log size, and every consumer group's committed
 * offsets and lag per partition (classic and KIP-848 groups, empty ones too), with the group's members and state,
 * and the metrics clients pushed (KIP-714).
 *
 * @module
 */

import type { Cluster } from "../metadata/cluster.ts";
import { clusterMetrics } from "../control/cluster_metrics.ts";
import { telemetryPrometheus } from "../telemetry/telemetry_prometheus.ts";

/**
 * A label value escaped as Prometheus' text format requires.
 *
 * @example
 * ```ts
 * import { labelValue } from "./cluster_prometheus.ts";
 * console.log(labelValue('a "b"')); // a \"b\"
 * ```
 */
export function labelValue(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/**
 * The cluster's gauges as exposition lines (HELP and TYPE included), ending with a newline.
 *
 * @example
 * ```ts
 * import { Broker } from "../broker.ts";
 * import { clusterOf } from "../broker_internals.ts";
 * import { clusterPrometheus } from "./cluster_prometheus.ts";
 * await using broker = await Broker.start({ topics: { t: {} } });
 * console.log(clusterPrometheus(clusterOf(broker)).includes('brook_partition_high_watermark{topic="t",partition="0"} 0')); // true
 * ```
 */
export function clusterPrometheus(cluster: Cluster): string {
  const { partitions, groups } = clusterMetrics(cluster);
  const lines: string[] = [];
  const family = (name: string, help: string) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
  };
  const tp = (topic: string, partition: number) =>
    `topic="${labelValue(topic)}",partition="${partition}"`;

  family(
    "brook_partition_high_watermark",
    "The partition's high watermark: the offset of the next record (records in since creation).",
  );
  for (const p of partitions) {
    lines.push(`brook_partition_high_watermark{${tp(p.topic, p.partition)}} ${p.highWatermark}`);
  }
  family("brook_partition_log_start_offset", "The partition's first offset kept by retention.");
  for (const p of partitions) {
    lines.push(`brook_partition_log_start_offset{${tp(p.topic, p.partition)}} ${p.logStartOffset}`);
  }
  family("brook_partition_log_size_bytes", "Bytes of record batches the partition's log holds.");
  for (const p of partitions) {
    lines.push(`brook_partition_log_size_bytes{${tp(p.topic, p.partition)}} ${p.sizeBytes}`);
  }
  const topics = new Map<string, { bytes: number; records: number; partitions: number }>();
  for (const p of partitions) {
    const t = topics.get(p.topic) ?? { bytes: 0, records: 0, partitions: 0 };
    t.bytes += p.sizeBytes;
    t.records += p.highWatermark - p.logStartOffset;
    t.partitions++;
    topics.set(p.topic, t);
  }
  family("brook_topic_log_size_bytes", "Bytes of record batches the topic's logs hold.");
  for (const [name, t] of topics) {
    lines.push(`brook_topic_log_size_bytes{topic="${labelValue(name)}"} ${t.bytes}`);
  }
  family("brook_topic_log_records", "Offsets the topic's logs hold (high watermark - log start).");
  for (const [name, t] of topics) {
    lines.push(`brook_topic_log_records{topic="${labelValue(name)}"} ${t.records}`);
  }
  family("brook_topic_partitions", "The topic's partitions.");
  for (const [name, t] of topics) {
    lines.push(`brook_topic_partitions{topic="${labelValue(name)}"} ${t.partitions}`);
  }
  family("brook_consumergroup_members", "A consumer group's members, with its protocol and state.");
  for (const g of groups) {
    lines.push(
      `brook_consumergroup_members{group="${
        labelValue(g.groupId)
      }",protocol="${g.protocol}",state="${g.state}"} ${g.members}`,
    );
  }
  family("brook_consumergroup_current_offset", "A group's committed offset on a partition.");
  for (const g of groups) {
    for (const l of g.lag) {
      lines.push(
        `brook_consumergroup_current_offset{group="${labelValue(g.groupId)}",${
          tp(l.topic, l.partition)
        }} ${l.committedOffset}`,
      );
    }
  }
  family(
    "brook_consumergroup_lag",
    "A group's lag on a partition: high watermark - committed offset.",
  );
  for (const g of groups) {
    for (const l of g.lag) {
      lines.push(
        `brook_consumergroup_lag{group="${labelValue(g.groupId)}",${
          tp(l.topic, l.partition)
        }} ${l.lag}`,
      );
    }
  }
  family("brook_consumergroup_total_lag", "A group's lag over all its partitions.");
  for (const g of groups) {
    lines.push(
      `brook_consumergroup_total_lag{group="${labelValue(g.groupId)}"} ${g.totalLag}`,
    );
  }
  return lines.join("\n") + "\n" + telemetryPrometheus(cluster.telemetry.reports());
}

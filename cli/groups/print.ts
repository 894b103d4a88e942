/**
 * What `brook groups` prints, laid out as kafka-consumer-groups.sh 4.1 lays it out: its column
 * widths (a minimum, widened by the longest value), the blank line before each table, its row
 * order and its messages on stdout or stderr.
 *
 * @module
 */

import { javaHash } from "../../broker/metadata/java_hash.ts";

/** Kafka's `%-Ns`: `s` left-aligned in at least `width` characters. */
const left = (s: string, width: number) => s.padEnd(width);

/** The widest of `min` and the values' lengths. */
const widest = (min: number, values: string[]) => Math.max(min, ...values.map((v) => v.length));

/** Java's String.compareTo (UTF-16 code units), which Kafka's tools sort with. */
export const javaCompare = (a: string, b: string) => a < b ? -1 : a > b ? 1 : 0;

/** A row of `--describe --offsets`. */
export interface OffsetRow {
  group: string;
  topic: string;
  partition: number;
  /** The committed offset, absent when none. */
  offset?: bigint;
  /** The committed record's leader epoch, absent when unknown. */
  leaderEpoch?: number;
  logEndOffset?: bigint;
  consumerId: string;
  host: string;
  clientId: string;
}

/**
 * Kafka's message for a group's state before its table: true when a table follows (the group
 * exists and has rows).
 *
 * @example
 * ```ts
 * import { stateNotice } from "./print.ts";
 * stateNotice("billing", "Empty", 2); // prints "Consumer group 'billing' has no active members." on stderr
 * ```
 */
export function stateNotice(
  group: string,
  state: string,
  rows: number,
  kind = "Consumer",
): boolean {
  if (state === "Dead") {
    console.log(`\nError: ${kind} group '${group}' does not exist.`);
    return false;
  }
  if (state === "Empty") console.error(`\n${kind} group '${group}' has no active members.`);
  else if (state !== "Stable") console.error(`\nWarning: ${kind} group '${group}' is rebalancing.`);
  return rows > 0;
}

/**
 * The offsets table (with `verbose`, the LEADER-EPOCH column).
 *
 * @example
 * ```ts
 * import { printOffsets } from "./print.ts";
 * printOffsets([{ group: "g", topic: "t", partition: 0, offset: 1n, logEndOffset: 3n,
 *   consumerId: "-", host: "-", clientId: "-" }], false);
 * ```
 */
export function printOffsets(rows: OffsetRow[], verbose: boolean): void {
  const g = widest(15, rows.map((r) => r.group));
  const t = widest(15, rows.map((r) => r.topic));
  const c = widest(15, rows.map((r) => r.consumerId));
  const h = widest(15, rows.map((r) => r.host));
  const line = (cells: string[]) => {
    const [group, topic, partition, ...rest] = cells;
    const middle = rest.slice(0, verbose ? 4 : 3).map((x) => left(x, 15));
    const [consumer, host, client] = rest.slice(verbose ? 4 : 3);
    return [left(group, g), left(topic, t), left(partition, 10), ...middle, left(consumer, c)]
      .concat([left(host, h), client]).join(" ");
  };
  const header = [
    "GROUP",
    "TOPIC",
    "PARTITION",
    ...(verbose ? ["LEADER-EPOCH"] : []),
    "CURRENT-OFFSET",
    "LOG-END-OFFSET",
    "LAG",
    "CONSUMER-ID",
    "HOST",
    "CLIENT-ID",
  ];
  const text = (x: bigint | number | undefined) => x === undefined ? "-" : String(x);
  const body = rows.map((r) =>
    line([
      r.group,
      r.topic,
      String(r.partition),
      ...(verbose ? [text(r.leaderEpoch)] : []),
      text(r.offset),
      text(r.logEndOffset),
      r.offset === undefined || r.logEndOffset === undefined
        ? "-"
        : String(r.logEndOffset - r.offset),
      r.consumerId,
      r.host,
      r.clientId,
    ])
  );
  console.log("\n" + [line(header), ...body].join("\n"));
}

/** A member as `--members` shows it. */
export interface MemberRow {
  group: string;
  consumerId: string;
  groupInstanceId: string | null;
  host: string;
  clientId: string;
  assignment: { topic: string; partition: number }[];
  /** Consumer groups (KIP-848): the member's epoch, its target assignment and the group's epoch. */
  memberEpoch?: number;
  targetAssignment?: { topic: string; partition: number }[];
  targetEpoch?: number;
}

/** A member's partitions as Kafka writes them: `topic:0,1;other:2`, topics in order. */
export function assignmentText(assignment: { topic: string; partition: number }[]): string {
  if (assignment.length === 0) return "-";
  const byTopic = new Map<string, number[]>();
  for (const a of assignment) {
    (byTopic.get(a.topic) ?? byTopic.set(a.topic, []).get(a.topic)!).push(a.partition);
  }
  // Kafka sorts each topic's partitions as text (10 before 2) and then the topics' strings.
  return [...byTopic].map(([t, ps]) => `${t}:${ps.map(String).sort(javaCompare).join(",")}`)
    .sort(javaCompare).join(";");
}

/**
 * The `--members` table (with `verbose`, each member's epochs and assignments, "-" where a classic
 * group has none). Kafka prints its header even for a group without members.
 *
 * @example
 * ```ts
 * import { printMembers } from "./print.ts";
 * printMembers([], false);
 * ```
 */
export function printMembers(members: MemberRow[], verbose: boolean): void {
  const g = widest(15, members.map((m) => m.group));
  const c = widest(15, members.map((m) => m.consumerId));
  const i = widest(17, members.map((m) => m.groupInstanceId ?? ""));
  const h = widest(15, members.map((m) => m.host));
  const k = widest(15, members.map((m) => m.clientId));
  const instances = members.some((m) => (m.groupInstanceId ?? "") !== "");
  const current = members.map((m) => assignmentText(m.assignment));
  const target = members.map((m) => assignmentText(m.targetAssignment ?? []));
  const ca = widest(20, current);
  const ta = widest(20, target);
  const text = (x: number | undefined) => x === undefined ? "-" : String(x);
  const line = (cells: string[]) =>
    [
      left(cells[0], g),
      left(cells[1], c),
      ...(instances ? [left(cells[2], i)] : []),
      left(cells[3], h),
      left(cells[4], k),
      left(cells[5], 15),
    ].join(" ") + " ";
  const extra = (cells: string[]) =>
    verbose
      ? [left(cells[0], 15), left(cells[1], ca), left(cells[2], 15), left(cells[3], ta)]
        .join(" ")
      : "";
  const lines = [
    line(["GROUP", "CONSUMER-ID", "GROUP-INSTANCE-ID", "HOST", "CLIENT-ID", "#PARTITIONS"]) +
    extra(["CURRENT-EPOCH", "CURRENT-ASSIGNMENT", "TARGET-EPOCH", "TARGET-ASSIGNMENT"]),
    ...members.map((m, n) =>
      line([
        m.group,
        m.consumerId,
        m.groupInstanceId ?? "",
        m.host,
        m.clientId,
        String(m.assignment.length),
      ]) + extra([text(m.memberEpoch), current[n], text(m.targetEpoch), target[n]])
    ),
  ];
  console.log("\n" + lines.join("\n"));
}

/**
 * The `--state` table: the coordinator as `host:port  (id)`, "-" for a group without assignor.
 *
 * @example
 * ```ts
 * import { printState } from "./print.ts";
 * printState({ group: "g", coordinator: "127.0.0.1:9092  (1)", assignor: "range",
 *   state: "Stable", members: 2 });
 * ```
 */
export function printState(s: {
  group: string;
  coordinator: string;
  assignor: string;
  state: string;
  members: number;
  /** With these (`--verbose`), the GROUP-EPOCH and TARGET-ASSIGNMENT-EPOCH columns ("-": none). */
  epochs?: { group?: number; target?: number };
}): void {
  const g = widest(15, [s.group]);
  const c = widest(25, [s.coordinator]);
  const verbose = s.epochs !== undefined;
  const line = (cells: string[]) =>
    [
      left(cells[0], g),
      left(cells[1], c),
      left(cells[2], 20),
      left(cells[3], 20),
      ...(verbose ? [left(cells[4], 15), left(cells[5], 25)] : []),
      cells[cells.length - 1],
    ].join(" ");
  const text = (x: number | undefined) => x === undefined ? "-" : String(x);
  console.log(
    "\n" +
      line([
        "GROUP",
        "COORDINATOR (ID)",
        "ASSIGNMENT-STRATEGY",
        "STATE",
        "GROUP-EPOCH",
        "TARGET-ASSIGNMENT-EPOCH",
        "#MEMBERS",
      ]) + "\n" +
      line([
        s.group,
        s.coordinator,
        s.assignor || "-",
        s.state,
        text(s.epochs?.group),
        text(s.epochs?.target),
        String(s.members),
      ]),
  );
}

/**
 * The `--list --state/--type` table: the group column 10 wider than the longest id (at least 15).
 *
 * @example
 * ```ts
 * import { printListing } from "./print.ts";
 * printListing(["GROUP", "STATE"], [["billing", "Stable"]]);
 * ```
 */
export function printListing(header: string[], rows: string[][]): void {
  const g = widest(15, rows.map((r) => r[0])) + 10;
  const line = (cells: string[]) =>
    [left(cells[0], g), ...cells.slice(1).map((x) => left(x, 20))].join(" ");
  console.log([header, ...rows].map(line).join("\n"));
}

/**
 * Topic partitions in the order a Java HashMap keyed by Kafka's TopicPartition iterates them
 * (Kafka's reset plan is one): by bucket of the spread hash `31 * (31 + partition) + the topic's
 * String hash`, in a table of the smallest power of two (at least 16) that holds them under the
 * 0.75 load factor, then in insertion order.
 *
 * @example
 * ```ts
 * import { topicPartitionMapOrder } from "./print.ts";
 * topicPartitionMapOrder([{ topic: "t", partition: 1 }, { topic: "t", partition: 0 }]);
 * ```
 */
export function topicPartitionMapOrder<T extends { topic: string; partition: number }>(
  partitions: readonly T[],
): T[] {
  let capacity = 16;
  while (partitions.length > capacity * 0.75) capacity *= 2;
  const bucket = (p: T) => {
    const h = (Math.imul(31, 31 + p.partition) + javaHash(p.topic)) | 0;
    return (h ^ (h >>> 16)) & (capacity - 1);
  };
  return partitions.map((p, i) => ({ p, i, b: bucket(p) }))
    .sort((x, y) => x.b - y.b || x.i - y.i)
    .map((x) => x.p);
}

/**
 * The reset plan (`--reset-offsets`): Kafka's fixed 30/30/10/15 columns, no header when empty.
 *
 * @example
 * ```ts
 * import { printResetPlan } from "./print.ts";
 * printResetPlan([["billing", "orders", "0", "42"]]);
 * ```
 */
export function printResetPlan(rows: string[][]): void {
  const line = (cells: string[]) =>
    [left(cells[0], 30), left(cells[1], 30), left(cells[2], 10), left(cells[3], 15)].join(" ");
  const all = rows.length === 0 ? [] : [["GROUP", "TOPIC", "PARTITION", "NEW-OFFSET"], ...rows];
  console.log(all.map((r) => "\n" + line(r)).join(""));
}

/**
 * The `--delete-offsets` table: partitions sorted by topic and partition as text.
 *
 * @example
 * ```ts
 * import { printDeletedOffsets } from "./print.ts";
 * printDeletedOffsets([{ topic: "orders", partition: 0, status: "Successful" }]);
 * ```
 */
export function printDeletedOffsets(
  rows: { topic: string; partition: number; status: string }[],
): void {
  const t = widest(15, rows.map((r) => r.topic));
  const line = (cells: string[]) =>
    [left(cells[0], t), left(cells[1], 10), left(cells[2], 15)]
      .join(" ");
  const sorted = [...rows].sort((a, b) =>
    javaCompare(a.topic + a.partition, b.topic + b.partition)
  );
  console.log(
    [
      ["TOPIC", "PARTITION", "STATUS"],
      ...sorted.map((r) => [
        r.topic,
        r.partition >= 0 ? String(r.partition) : "-",
        r.status,
      ]),
    ].map((r) => "\n" + line(r)).join(""),
  );
}

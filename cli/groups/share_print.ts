/**
 * What `brook groups --describe` prints for a share group (KIP-932), laid out as Kafka 4.1.1's
 * kafka-share-groups.sh lays it out: its minimum column widths, widened by the longest value, and
 * a blank line before each table.
 *
 * @module
 */

import { assignmentText, javaCompare } from "./print.ts";

const left = (s: string, width: number) => s.padEnd(width);
const widest = (min: number, values: string[]) => Math.max(min, ...values.map((v) => v.length));
const text = (x: number | bigint | undefined) => x === undefined ? "-" : String(x);

/** A share partition's start offset, as the group's share state holds it. */
export interface ShareOffsetRow {
  topic: string;
  partition: number;
  /** The start offset and its leader epoch; absent while the share state has none. */
  startOffset?: bigint;
  leaderEpoch?: number;
}

/**
 * The start offsets (with `verbose`, the LEADER-EPOCH column), in topic and partition order.
 *
 * @example
 * ```ts
 * import { printShareOffsets } from "./share_print.ts";
 * printShareOffsets("workers", [{ topic: "jobs", partition: 0, startOffset: 4n }], false);
 * ```
 */
export function printShareOffsets(group: string, rows: ShareOffsetRow[], verbose: boolean): void {
  const g = widest(15, [group]);
  const t = widest(15, rows.map((r) => r.topic));
  const line = (cells: string[]) =>
    [left(cells[0], g), left(cells[1], t), left(cells[2], 10)]
      .concat(verbose ? [left(cells[3], 13)] : []).concat(cells[4]).join(" ");
  const sorted = [...rows].sort((a, b) =>
    javaCompare(a.topic, b.topic) || a.partition - b.partition
  );
  console.log(
    "\n" + [
      line(["GROUP", "TOPIC", "PARTITION", "LEADER-EPOCH", "START-OFFSET"]),
      ...sorted.map((r) =>
        line([group, r.topic, String(r.partition), text(r.leaderEpoch), text(r.startOffset)])
      ),
    ].join("\n"),
  );
}

/** A share group's member as `--members` shows it. */
export interface ShareMemberRow {
  consumerId: string;
  host: string;
  clientId: string;
  memberEpoch: number;
  assignment: { topic: string; partition: number }[];
}

/**
 * The `--members` table (with `verbose`, the MEMBER-EPOCH column).
 *
 * @example
 * ```ts
 * import { printShareMembers } from "./share_print.ts";
 * printShareMembers("workers", [], false);
 * ```
 */
export function printShareMembers(
  group: string,
  members: ShareMemberRow[],
  verbose: boolean,
): void {
  const g = widest(15, [group]);
  const c = widest(15, members.map((m) => m.consumerId));
  const h = widest(15, members.map((m) => m.host));
  const k = widest(15, members.map((m) => m.clientId));
  const line = (cells: string[]) =>
    [left(cells[0], g), left(cells[1], c), left(cells[2], h), left(cells[3], k), left(cells[4], 12)]
      .concat(verbose ? [left(cells[5], 13)] : []).concat(cells[6]).join(" ");
  console.log(
    "\n" + [
      line([
        "GROUP",
        "CONSUMER-ID",
        "HOST",
        "CLIENT-ID",
        "#PARTITIONS",
        "MEMBER-EPOCH",
        "ASSIGNMENT",
      ]),
      ...members.map((m) =>
        line([
          group,
          m.consumerId,
          m.host,
          m.clientId,
          String(m.assignment.length),
          String(m.memberEpoch),
          assignmentText(m.assignment),
        ])
      ),
    ].join("\n"),
  );
}

/**
 * The `--state` table (with `epochs`, `--verbose`: GROUP-EPOCH and ASSIGNMENT-EPOCH).
 *
 * @example
 * ```ts
 * import { printShareState } from "./share_print.ts";
 * printShareState({ group: "workers", coordinator: "127.0.0.1:9092  (1)", state: "Stable",
 *   members: 1 });
 * ```
 */
export function printShareState(s: {
  group: string;
  coordinator: string;
  state: string;
  members: number;
  epochs?: { group: number; assignment: number };
}): void {
  const g = widest(15, [s.group]);
  const c = widest(25, [s.coordinator]);
  const line = (cells: string[]) =>
    [left(cells[0], g), left(cells[1], c), left(cells[2], 15)]
      .concat(s.epochs ? [left(cells[3], 12), left(cells[4], 17)] : []).concat(cells[5]).join(" ");
  console.log(
    "\n" +
      line(["GROUP", "COORDINATOR (ID)", "STATE", "GROUP-EPOCH", "ASSIGNMENT-EPOCH", "#MEMBERS"]) +
      "\n" +
      line([
        s.group,
        s.coordinator,
        s.state,
        text(s.epochs?.group),
        text(s.epochs?.assignment),
        String(s.members),
      ]),
  );
}

/**
 * The share group's topics whose start offsets `--delete-offsets` deleted, as Kafka's tool lists
 * them (no heading line before the table).
 *
 * @example
 * ```ts
 * import { printDeletedShareOffsets } from "./share_print.ts";
 * printDeletedShareOffsets(["jobs"]);
 * ```
 */
export function printDeletedShareOffsets(topics: string[]): void {
  const t = widest(15, topics);
  console.log(
    [["TOPIC", "STATUS"], ...topics.map((topic) => [topic, "Successful"])]
      .map(([a, b]) => `\n${left(a, t)} ${b}`).join(""),
  );
}

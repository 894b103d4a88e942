/**
 * `brook groups`: list, describe (offsets and lag, members, state), reset offsets, delete groups
 * and their offsets, like kafka-consumer-groups.sh (same flags); share groups (KIP-932) as
 * kafka-share-groups.sh shows them.
 *
 * @example
 * ```sh
 * brook groups --bootstrap-server 127.0.0.1:9092 --describe --group billing
 * brook groups --bootstrap-server 127.0.0.1:9092 --reset-offsets --group billing --topic orders \
 *   --to-earliest --execute
 * ```
 *
 * @module
 */

import { ApiKey, ErrorCode, KafkaProtocolError } from "../codec/mod.ts";
import { Admin, type GroupDescription, type OffsetSpec } from "../client/mod.ts";
import { integer, parse, run, UsageError, VERSION } from "./common.ts";
import { clientSettings, CONNECTION_FLAGS, CONNECTION_HELP } from "./connection.ts";
import { hashSetOrder } from "../broker/metadata/java_hash_set.ts";
import { parseDateTime, parseDuration } from "./groups/time.ts";
import {
  printDeletedShareOffsets,
  printShareMembers,
  printShareOffsets,
  printShareState,
} from "./groups/share_print.ts";
import {
  javaCompare,
  type OffsetRow,
  printDeletedOffsets,
  printListing,
  printMembers,
  printOffsets,
  printResetPlan,
  printState,
  stateNotice,
  topicPartitionMapOrder,
} from "./groups/print.ts";

const HELP = `Usage: brook groups --bootstrap-server HOST:PORT (--list|--describe|--reset-offsets|
                    --delete|--delete-offsets) [options]
${CONNECTION_HELP}
  --list                   the groups; with --state [STATES] or --type [TYPES] their state/type
  --describe               with --group G (repeatable) or --all-groups: committed offsets, the
                           log-end offsets and LAG (default, or --offsets), --members (with
                           --verbose: the assignment) or --state
  --reset-offsets          with --group or --all-groups, --topic T[:P,P...] (repeatable) or
                           --all-topics, and one of --to-earliest, --to-latest, --to-current,
                           --to-offset N, --to-datetime YYYY-MM-DDTHH:mm:SS.sss[zone],
                           --by-duration PnDTnHnMnS, --shift-by N; --dry-run (default) or
                           --execute; only for groups without active members, not for
                           share groups (as Kafka 4.1.1's kafka-share-groups)
  --delete                 delete --group G (repeatable) or --all-groups
  --delete-offsets         delete the committed offsets of --group G for --topic T[:P,P...]
  --timeout-ms MS          how long to try (default 30000)`;

const FLAGS = {
  ...CONNECTION_FLAGS,
  list: { type: "boolean" },
  describe: { type: "boolean" },
  "reset-offsets": { type: "boolean" },
  delete: { type: "boolean" },
  "delete-offsets": { type: "boolean" },
  group: { type: "string", multiple: true },
  "all-groups": { type: "boolean" },
  topic: { type: "string", multiple: true },
  "all-topics": { type: "boolean" },
  members: { type: "boolean" },
  offsets: { type: "boolean" },
  state: { type: "string" },
  type: { type: "string" },
  verbose: { type: "boolean" },
  "to-earliest": { type: "boolean" },
  "to-latest": { type: "boolean" },
  "to-current": { type: "boolean" },
  "to-offset": { type: "string" },
  "to-datetime": { type: "string" },
  "by-duration": { type: "string" },
  "shift-by": { type: "string" },
  "dry-run": { type: "boolean" },
  execute: { type: "boolean" },
  "timeout-ms": { type: "string" },
  version: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** `--state` and `--type` take an optional value: alone, they mean "show the column". */
function withOptionalValues(args: string[]): string[] {
  const out = [...args];
  for (let i = 0; i < out.length; i++) {
    if (
      (out[i] === "--state" || out[i] === "--type") &&
      (i + 1 >= out.length || out[i + 1].startsWith("--"))
    ) {
      out.splice(i + 1, 0, "");
    }
  }
  return out;
}

type Values = ReturnType<typeof parse<typeof FLAGS>>;

/**
 * Runs `brook groups` with these arguments.
 *
 * @example
 * ```ts
 * import { main } from "./groups.ts";
 * await main(["--bootstrap-server", "127.0.0.1:9092", "--list"]);
 * ```
 */
export async function main(args: string[]): Promise<void> {
  const v = parse(withOptionalValues(args), FLAGS);
  if (v.help) return console.log(HELP);
  if (v.version) return console.log(VERSION);
  const actions = (["list", "describe", "reset-offsets", "delete", "delete-offsets"] as const)
    .filter((a) => v[a]);
  if (actions.length !== 1) {
    throw new UsageError(
      "give exactly one of --list, --describe, --reset-offsets, --delete, --delete-offsets",
    );
  }
  const action = actions[0];
  const timeoutMs = integer("--timeout-ms", v["timeout-ms"], 1) ?? 30000;
  if (action !== "list" && !v.group && !v["all-groups"]) {
    throw new UsageError(`--${action} needs --group or --all-groups`);
  }
  if (v.group && v["all-groups"]) throw new UsageError("give --group or --all-groups, not both");
  if (action === "reset-offsets") resetSpec(v); // usage errors before connecting
  const { client } = await clientSettings(v);
  await using admin = new Admin({ ...client, connectTimeoutMs: client.connectTimeoutMs ?? 10000 });
  const call = { timeoutMs };
  if (action === "list") return await list(admin, v, call);
  const groups = v["all-groups"]
    ? (await admin.listGroups(call)).map((g) => g.groupId).sort()
    : v.group!;
  if (action === "describe") return await describe(admin, groups, v, call);
  if (action === "delete") {
    await admin.deleteGroups(groups, call);
    // Kafka names them in the order of the hash map it gathers the results in.
    console.log(
      `Deletion of requested consumer groups (${
        hashSetOrder(groups).map((g) => `'${g}'`).join(", ")
      }) was successful.`,
    );
    return;
  }
  if (action === "delete-offsets") {
    if (groups.length !== 1 || !v.topic) {
      throw new UsageError("--delete-offsets needs one --group and --topic");
    }
    const share = (await admin.listGroups(call)).some((g) =>
      g.groupId === groups[0] && g.type === "share"
    );
    if (share) {
      // A share group's start offsets go by whole topics.
      const topics = v.topic.map((t) => t.replace(/:[\d,\s]*$/, ""));
      await admin.deleteShareGroupOffsets(groups[0], topics, call);
      printDeletedShareOffsets(topics);
      return;
    }
    const partitions = await topicPartitions(admin, v.topic, call);
    await admin.deleteConsumerGroupOffsets(groups[0], partitions, call);
    console.log(`Request succeeded for deleting offsets from group ${groups[0]}.`);
    printDeletedOffsets(partitions.map((p) => ({ ...p, status: "Successful" })));
    return;
  }
  await reset(admin, groups, v, call);
}

async function list(admin: Admin, v: Values, call: { timeoutMs: number }): Promise<void> {
  const states = v.state ? v.state.split(",").map((s) => s.trim().toLowerCase()) : [];
  const types = v.type ? v.type.split(",").map((s) => s.trim().toLowerCase()) : [];
  // In the brokers' order, as Kafka's tool lists them.
  const groups = (await admin.listGroups(call))
    .filter((g) => states.length === 0 || states.includes(g.state.toLowerCase()))
    .filter((g) => types.length === 0 || types.includes(g.type.toLowerCase()));
  const showState = v.state !== undefined;
  const showType = v.type !== undefined;
  if (!showState && !showType) {
    for (const g of groups) console.log(g.groupId);
    return;
  }
  const header = ["GROUP", ...(showType ? ["TYPE"] : []), ...(showState ? ["STATE"] : [])];
  printListing(
    header,
    groups.map((g) => [
      g.groupId,
      ...(showType ? [g.type[0]?.toUpperCase() + g.type.slice(1)] : []),
      ...(showState ? [g.state] : []),
    ]),
  );
}

async function describe(
  admin: Admin,
  groups: string[],
  v: Values,
  call: { timeoutMs: number },
): Promise<void> {
  const types = new Map((await admin.listGroups(call)).map((g) => [g.groupId, g.type]));
  const described = new Map<string, GroupDescription | undefined>();
  for (const group of hashSetOrder([...new Set(groups)])) {
    if (types.get(group) === "share") continue;
    const d = await describeGroup(admin, group, call);
    if (d === undefined) {
      // Kafka's tool describes every group first and stops at one its coordinator does not know,
      // in the words of Kafka's exception.
      console.log(
        `\nError: Executing consumer group command failed due to org.apache.kafka.common.errors.GroupIdNotFoundException: Group ${group} not found.`,
      );
      return;
    }
    described.set(group, d);
  }
  // Kafka's tool prints the groups from a sorted map.
  for (const group of [...new Set(groups)].sort(javaCompare)) {
    if (types.get(group) === "share") {
      await describeShare(admin, group, v, call);
      continue;
    }
    const d = described.get(group);
    const state = d?.state ?? "Dead";
    if (v.state !== undefined) {
      if (!stateNotice(group, state, 1) || !d) continue;
      const coordinator = (await admin.describeCluster(call)).brokers.find((b) =>
        b.nodeId === d.coordinator
      );
      const epochs = v.verbose ? await consumerEpochs(admin, d) : undefined;
      printState({
        group,
        coordinator: coordinator
          ? `${coordinator.host}:${coordinator.port}  (${coordinator.nodeId})`
          : "-",
        assignor: d.protocol,
        state,
        members: d.members.length,
        epochs: v.verbose
          ? { group: epochs?.groupEpoch, target: epochs?.assignmentEpoch }
          : undefined,
      });
    } else if (v.members) {
      const members = d?.members ?? [];
      stateNotice(group, state, members.length);
      const epochs = v.verbose && d ? await consumerEpochs(admin, d) : undefined;
      printMembers(
        members.map((m) => ({
          group,
          consumerId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          host: m.clientHost,
          clientId: m.clientId,
          assignment: m.assignment,
          memberEpoch: epochs?.members.get(m.memberId)?.memberEpoch,
          targetAssignment: epochs?.members.get(m.memberId)?.target,
          targetEpoch: epochs?.assignmentEpoch,
        })),
        v.verbose === true,
      );
    } else {
      const rows = !d || state === "Dead" ? [] : await offsetRows(admin, d, call);
      if (stateNotice(group, state, rows.length)) printOffsets(rows, v.verbose === true);
    }
  }
}

/** A share group (KIP-932), as Kafka 4.1.1's kafka-share-groups --describe shows it. */
async function describeShare(
  admin: Admin,
  group: string,
  v: Values,
  call: { timeoutMs: number },
): Promise<void> {
  const [d] = await admin.describeShareGroups([group], call);
  // Kafka's tool says so with --members and --state, and then prints no members table.
  const idle = d.members.length === 0;
  if (idle && (v.members || v.state !== undefined)) {
    console.error(`\nShare group '${group}' has no active members.`);
  }
  const verbose = v.verbose === true;
  if (v.state !== undefined) {
    const coordinator = (await admin.describeCluster(call)).brokers.find((b) =>
      b.nodeId === d.coordinator
    );
    printShareState({
      group,
      coordinator: coordinator
        ? `${coordinator.host}:${coordinator.port}  (${coordinator.nodeId})`
        : "-",
      state: d.state,
      members: d.members.length,
      epochs: verbose ? { group: d.groupEpoch, assignment: d.assignmentEpoch } : undefined,
    });
  } else if (v.members) {
    if (idle) return;
    printShareMembers(
      group,
      d.members.map((m) => ({
        consumerId: m.memberId,
        host: m.clientHost,
        clientId: m.clientId,
        memberEpoch: m.memberEpoch,
        assignment: m.assignment,
      })),
      verbose,
    );
  } else {
    const offsets = await admin.listShareGroupOffsets(group, call);
    printShareOffsets(
      group,
      offsets.map((o) => ({
        topic: o.topic,
        partition: o.partition,
        // Kafka's tool shows neither while the share state has no start offset.
        startOffset: o.startOffset < 0n ? undefined : o.startOffset,
        leaderEpoch: o.startOffset < 0n || o.leaderEpoch < 0 ? undefined : o.leaderEpoch,
      })),
      verbose,
    );
  }
}

/** A group's description; undefined for one the coordinator does not know (Kafka: Dead). */
async function describeGroup(
  admin: Admin,
  group: string,
  call: { timeoutMs: number },
): Promise<GroupDescription | undefined> {
  try {
    return (await admin.describeGroups([group], call))[0];
  } catch (e) {
    if (e instanceof KafkaProtocolError && e.code === ErrorCode.GROUP_ID_NOT_FOUND) {
      return undefined;
    }
    throw e;
  }
}

/** A consumer group's (KIP-848) epochs and target assignments; undefined for a classic group. */
async function consumerEpochs(admin: Admin, d: GroupDescription) {
  if (d.type !== "consumer") return undefined;
  const res = await admin.client.requestNode(d.coordinator, ApiKey.ConsumerGroupDescribe, {
    groupIds: [d.groupId],
    includeAuthorizedOperations: false,
  });
  const g = res.groups[0];
  if (!g || g.errorCode !== 0) return undefined;
  return {
    groupEpoch: g.groupEpoch,
    assignmentEpoch: g.assignmentEpoch,
    members: new Map(g.members.map((m) => [m.memberId, {
      memberEpoch: m.memberEpoch,
      target: m.targetAssignment.topicPartitions.flatMap((t) =>
        t.partitions.map((partition) => ({ topic: t.topicName, partition }))
      ),
    }])),
  };
}

/**
 * Kafka's rows: each member's partitions (members with more partitions first), then the committed
 * partitions no member owns, each set in the order of the hash map Kafka 4.1.1 keeps them in.
 */
async function offsetRows(
  admin: Admin,
  d: GroupDescription,
  call: { timeoutMs: number },
): Promise<OffsetRow[]> {
  const committed = new Map(
    (await admin.listConsumerGroupOffsets(d.groupId, call)).map((
      c,
    ) => [`${c.topic}:${c.partition}`, c]),
  );
  const byPartition = (a: { topic: string; partition: number }, b: typeof a) =>
    javaCompare(a.topic, b.topic) || a.partition - b.partition;
  const owned = new Set<string>();
  const sets: {
    parts: { topic: string; partition: number }[];
    owner?: GroupDescription["members"][number];
  }[] = [];
  for (
    const m of [...d.members].filter((m) => m.assignment.length > 0)
      .sort((a, b) => b.assignment.length - a.assignment.length)
  ) {
    for (const a of m.assignment) owned.add(`${a.topic}:${a.partition}`);
    sets.push({ parts: topicPartitionMapOrder(m.assignment), owner: m });
  }
  const rest = [...committed.values()].filter((c) => !owned.has(`${c.topic}:${c.partition}`));
  if (rest.length > 0) sets.push({ parts: topicPartitionMapOrder(rest.sort(byPartition)) });
  const all = sets.flatMap((s) => s.parts);
  const ends = all.length === 0 ? [] : await admin.listOffsets(
    all.map((p) => ({ topic: p.topic, partition: p.partition, spec: "latest" as const })),
    call,
  );
  const end = new Map(ends.map((e) => [`${e.topic}:${e.partition}`, e.offset]));
  return sets.flatMap(({ parts, owner }) =>
    parts.map((p) => {
      const k = `${p.topic}:${p.partition}`;
      const c = committed.get(k);
      return {
        group: d.groupId,
        topic: p.topic,
        partition: p.partition,
        offset: c !== undefined && c.offset >= 0n ? c.offset : undefined,
        leaderEpoch: c !== undefined && c.leaderEpoch >= 0 ? c.leaderEpoch : undefined,
        logEndOffset: end.get(k),
        consumerId: owner?.memberId ?? "-",
        host: owner?.clientHost ?? "-",
        clientId: owner?.clientId ?? "-",
      };
    })
  );
}

/** `--topic T` or `--topic T:0,2` as partitions (every partition of T when none are named). */
async function topicPartitions(
  admin: Admin,
  specs: string[],
  call: { timeoutMs: number },
): Promise<{ topic: string; partition: number }[]> {
  const out: { topic: string; partition: number }[] = [];
  for (const spec of specs) {
    const colon = spec.lastIndexOf(":");
    if (colon > 0) {
      const topic = spec.slice(0, colon);
      for (const p of spec.slice(colon + 1).split(",")) {
        out.push({ topic, partition: integer(`--topic ${topic}'s partition`, p.trim(), 0)! });
      }
    } else {
      const [t] = await admin.describeTopics([spec], call);
      for (const p of t.partitions) out.push({ topic: spec, partition: p.partition });
    }
  }
  return out;
}

type ResetSpec =
  | { kind: "spec"; spec: OffsetSpec }
  | { kind: "offset"; offset: bigint }
  | { kind: "shift"; by: bigint }
  | { kind: "current" };

function resetSpec(v: Values): ResetSpec {
  const given = [
    v["to-earliest"] && "to-earliest",
    v["to-latest"] && "to-latest",
    v["to-current"] && "to-current",
    v["to-offset"] !== undefined && "to-offset",
    v["to-datetime"] !== undefined && "to-datetime",
    v["by-duration"] !== undefined && "by-duration",
    v["shift-by"] !== undefined && "shift-by",
  ].filter((x) => x);
  if (given.length !== 1) {
    throw new UsageError(
      "--reset-offsets needs exactly one of --to-earliest, --to-latest, --to-current, --to-offset, --to-datetime, --by-duration, --shift-by",
    );
  }
  if (!v.topic && !v["all-topics"]) {
    throw new UsageError("--reset-offsets needs --topic or --all-topics");
  }
  if (v["dry-run"] && v.execute) throw new UsageError("give --dry-run or --execute, not both");
  if (v["to-earliest"]) return { kind: "spec", spec: "earliest" };
  if (v["to-latest"]) return { kind: "spec", spec: "latest" };
  if (v["to-current"]) return { kind: "current" };
  if (v["to-offset"] !== undefined) {
    return { kind: "offset", offset: BigInt(integer("--to-offset", v["to-offset"], 0)!) };
  }
  if (v["shift-by"] !== undefined) {
    return {
      kind: "shift",
      by: BigInt(integer("--shift-by", v["shift-by"], Number.MIN_SAFE_INTEGER)!),
    };
  }
  if (v["to-datetime"] !== undefined) {
    return { kind: "spec", spec: { timestamp: parseDateTime(v["to-datetime"]) } };
  }
  return { kind: "spec", spec: { timestamp: Date.now() - parseDuration(v["by-duration"]!) } };
}

async function reset(
  admin: Admin,
  groups: string[],
  v: Values,
  call: { timeoutMs: number },
): Promise<void> {
  const how = resetSpec(v);
  if (!v["dry-run"] && !v.execute) {
    console.error(
      "WARN: No action will be performed as the --execute option is missing. In a future major release, the default behavior of this command will be to prompt the user before executing the reset rather than doing a dry run. You should add the --dry-run option explicitly if you are scripting this command and want to keep the current default behavior without prompting.",
    );
  }
  // Kafka 4.1.1's kafka-share-groups refuses to reset (its brokers ignore AlterShareGroupOffsets).
  const shareGroups = new Set(
    (await admin.listGroups(call)).filter((g) => g.type === "share").map((g) => g.groupId),
  );
  const share = groups.find((g) => shareGroups.has(g));
  if (share !== undefined) {
    throw new Error(
      `share group '${share}': --reset-offsets option is not yet implemented, as in Kafka 4.1.1's kafka-share-groups`,
    );
  }
  const plans = new Map<string, { topic: string; partition: number; offset: bigint }[]>();
  for (const group of groups) {
    const d = await describeGroup(admin, group, call);
    if (d && d.state !== "Empty" && d.state !== "Dead") {
      throw new Error(
        `Assignments can only be reset if the group '${group}' is inactive, but the current state is ${d.state}.`,
      );
    }
    const committed = await admin.listConsumerGroupOffsets(group, call);
    const partitions = v["all-topics"]
      ? committed.map((c) => ({ topic: c.topic, partition: c.partition }))
      : await topicPartitions(admin, v.topic!, call);
    if (partitions.length === 0) continue;
    const current = new Map(committed.map((c) => [`${c.topic}:${c.partition}`, c.offset]));
    const bounds = async (spec: OffsetSpec) =>
      new Map(
        (await admin.listOffsets(partitions.map((p) => ({ ...p, spec })), call))
          .map((o) => [`${o.topic}:${o.partition}`, o.offset]),
      );
    const [earliest, latest] = [await bounds("earliest"), await bounds("latest")];
    const target = how.kind === "spec" ? await bounds(how.spec) : undefined;
    if (how.kind === "spec" && typeof how.spec === "object") {
      // No record at or after the time: Kafka's tool says so and takes the log end.
      for (const p of topicPartitionMapOrder(partitions)) {
        if (target!.get(`${p.topic}:${p.partition}`)! < 0n) {
          console.log(
            `\nWarn: Partition ${p.partition} from topic ${p.topic} is empty. Falling back to latest known offset.`,
          );
        }
      }
    }
    if (how.kind === "shift") {
      const none = partitions.find((p) => !current.has(`${p.topic}:${p.partition}`));
      if (none) {
        throw new Error(
          `Cannot shift offset for partition ${none.topic}-${none.partition} since there is no current committed offset`,
        );
      }
    }
    const offsets = partitions.map((p) => {
      const k = `${p.topic}:${p.partition}`;
      const lo = earliest.get(k)!;
      const hi = latest.get(k)!;
      let offset: bigint;
      if (how.kind === "offset") offset = how.offset;
      else if (how.kind === "shift") offset = current.get(k)! + how.by;
      else if (how.kind === "current") offset = current.get(k) ?? hi;
      else offset = target!.get(k)! < 0n ? hi : target!.get(k)!;
      // Out of range moves to the nearest end, as Kafka's tool does.
      if (offset < lo) offset = lo;
      if (offset > hi) offset = hi;
      return { ...p, offset };
    });
    if (v.execute) await admin.alterConsumerGroupOffsets(group, offsets, call);
    plans.set(group, offsets);
  }
  // Kafka's plan is a hash map of groups, each a hash map of partitions: printed in their order.
  const rows = hashSetOrder([...plans.keys()]).flatMap((group) =>
    topicPartitionMapOrder(plans.get(group)!).map((o) => [
      group,
      o.topic,
      String(o.partition),
      String(o.offset),
    ])
  );
  printResetPlan(rows);
}

if (import.meta.main) await run("groups", () => main(Deno.args));

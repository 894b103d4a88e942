/**
 * `brook configs`: describe and alter the configs of topics, brokers and groups, and the quotas
 * (and SCRAM credentials) of users and clients, like kafka-configs.sh (same flags and output).
 *
 * @example
 * ```sh
 * brook configs --bootstrap-server 127.0.0.1:9092 --alter --entity-type topics --entity-name t \
 *   --add-config retention.ms=60000,cleanup.policy=[compact,delete]
 * brook configs --bootstrap-server 127.0.0.1:9092 --describe --entity-type topics --entity-name t
 * ```
 *
 * @module
 */

import { Admin, type ConfigEntry, type ConfigOp } from "../client/mod.ts";
import { alterClientQuotas, describeClientQuotas } from "../client/admin/quotas.ts";
import { integer, parse, run, UsageError, VERSION } from "./common.ts";
import { clientSettings, CONNECTION_FLAGS, CONNECTION_HELP } from "./connection.ts";

const HELP = `Usage: brook configs --bootstrap-server HOST:PORT (--describe|--alter) [options]
${CONNECTION_HELP}
  --entity-type TYPE       topics, brokers, groups, users or clients
  --entity-name NAME       the entity (all of the type with --describe when absent)
  --entity-default         the default entity (brokers, users, clients)
  --topic T, --broker ID, --broker-defaults, --group G, --user U, --client C
                           shortcuts for --entity-type and --entity-name
  --describe [--all]       the dynamic configs (--all: every config) or quotas
  --alter                  with --add-config K=V,K2=[A,B] and/or --delete-config K,K2
                           (users: quotas, and SCRAM-SHA-256=[iterations=N,password=P])
  --timeout-ms MS          how long to try (default 30000)`;

const FLAGS = {
  ...CONNECTION_FLAGS,
  describe: { type: "boolean" },
  alter: { type: "boolean" },
  all: { type: "boolean" },
  "entity-type": { type: "string" },
  "entity-name": { type: "string" },
  "entity-default": { type: "boolean" },
  topic: { type: "string" },
  broker: { type: "string" },
  "broker-defaults": { type: "boolean" },
  group: { type: "string" },
  user: { type: "string" },
  client: { type: "string" },
  "add-config": { type: "string" },
  "delete-config": { type: "string" },
  "timeout-ms": { type: "string" },
  version: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

const TYPES = ["topics", "brokers", "groups", "users", "clients"] as const;
type EntityType = typeof TYPES[number];

/** `k=v,k2=[a,b]` as pairs: commas inside brackets belong to the value. */
export function parseConfigPairs(text: string): [string, string][] {
  const out: [string, string][] = [];
  for (const part of text.match(/([^,=\s][^,=]*=(?:\[[^\]]*\]|[^,]*))/g) ?? []) {
    const eq = part.indexOf("=");
    const value = part.slice(eq + 1).trim();
    out.push([part.slice(0, eq).trim(), value.startsWith("[") ? value.slice(1, -1) : value]);
  }
  if (out.length === 0 && text.trim() !== "") {
    throw new UsageError(`--add-config takes k=v,k2=[a,b], got '${text}'`);
  }
  return out;
}

/**
 * Runs `brook configs` with these arguments.
 *
 * @example
 * ```ts
 * import { main } from "./configs.ts";
 * await main(["--bootstrap-server", "127.0.0.1:9092", "--describe", "--entity-type", "brokers"]);
 * ```
 */
export async function main(args: string[]): Promise<void> {
  const v = parse(args, FLAGS);
  if (v.help) return console.log(HELP);
  if (v.version) return console.log(VERSION);
  if (!v.describe === !v.alter) throw new UsageError("give exactly one of --describe and --alter");
  let type = v["entity-type"] as EntityType | undefined;
  let name = v["entity-name"];
  const shortcuts: [EntityType, string | undefined][] = [
    ["topics", v.topic],
    ["brokers", v.broker],
    ["groups", v.group],
    ["users", v.user],
    ["clients", v.client],
  ];
  for (const [t, n] of shortcuts) {
    if (n === undefined) continue;
    if (type !== undefined) throw new UsageError("give one entity");
    [type, name] = [t, n];
  }
  if (v["broker-defaults"]) [type, name] = ["brokers", undefined];
  const isDefault = v["entity-default"] || v["broker-defaults"] === true;
  if (type === undefined || !TYPES.includes(type)) {
    throw new UsageError(`--entity-type must be one of ${TYPES.join(", ")}`);
  }
  if (isDefault && (type === "topics" || type === "groups")) {
    throw new UsageError(`--entity-default does not apply to ${type}`);
  }
  if (v.alter && name === undefined && !isDefault) {
    throw new UsageError("--alter needs --entity-name or --entity-default");
  }
  if (type === "brokers" && name !== undefined) integer("--entity-name of a broker", name, 0);
  const timeoutMs = integer("--timeout-ms", v["timeout-ms"], 1) ?? 30000;
  const { client } = await clientSettings(v);
  await using admin = new Admin({ ...client, connectTimeoutMs: client.connectTimeoutMs ?? 10000 });
  const call = { timeoutMs };
  if (v.alter) {
    const add = parseConfigPairs(v["add-config"] ?? "");
    const del = (v["delete-config"] ?? "").split(",").map((s) => s.trim()).filter((s) => s);
    if (add.length === 0 && del.length === 0) {
      throw new UsageError("--alter needs --add-config or --delete-config");
    }
    if (type === "users" || type === "clients") {
      return await alterQuotas(admin, type, isDefault ? null : name!, add, del);
    }
    const ops: ConfigOp[] = [
      ...add.map(([k, value]) => ({ name: k, op: "set" as const, value })),
      ...del.map((k) => ({ name: k, op: "delete" as const })),
    ];
    const resource = { type: singular(type), name: isDefault ? "" : name! };
    await admin.incrementalAlterConfigs([{ resource, ops }], call);
    console.log(
      isDefault
        ? "Completed updating default config for brokers in the cluster."
        : `Completed updating config for ${singular(type)} ${name}.`,
    );
    return;
  }
  if (type === "users" || type === "clients") {
    return await describeQuotas(admin, type, isDefault ? null : name);
  }
  let names: string[];
  if (isDefault) names = [""];
  else if (name !== undefined) names = [name];
  else if (type === "topics") names = await admin.listTopics(call);
  else if (type === "brokers") {
    names = (await admin.describeCluster(call)).brokers.map((b) => String(b.nodeId));
    names.push("");
  } else names = (await admin.listGroups(call)).map((g) => g.groupId).sort();
  const described = await admin.describeConfigs(
    names.map((n) => ({ type: singular(type), name: n })),
    { ...call, includeSynonyms: true },
  );
  for (const { resource, entries } of described) {
    const what = resource.type === "broker" && resource.name === ""
      ? "brokers in the cluster"
      : `${resource.type} ${resource.name}`;
    const source = resource.type === "topic"
      ? "DYNAMIC_TOPIC_CONFIG"
      : resource.type === "group"
      ? "GROUP_CONFIG"
      : resource.name === ""
      ? "DYNAMIC_DEFAULT_BROKER_CONFIG"
      : "DYNAMIC_BROKER_CONFIG";
    const shown = v.all ? entries : entries.filter((e) => e.source === source);
    const heading = v.all
      ? "All"
      : resource.type === "broker" && resource.name === ""
      ? "Default"
      : "Dynamic";
    console.log(`${heading} configs for ${what} are:`);
    for (const e of shown.sort((a, b) => a.name.localeCompare(b.name))) console.log(entryLine(e));
  }
}

function singular(type: EntityType): "topic" | "broker" | "group" {
  return type === "topics" ? "topic" : type === "brokers" ? "broker" : "group";
}

function entryLine(e: ConfigEntry): string {
  const value = (x: string | null) => (e.isSensitive ? "null" : x ?? "null");
  const synonyms = e.synonyms.map((s) => `${s.source}:${s.name}=${value(s.value)}`).join(", ");
  return `  ${e.name}=${value(e.value)} sensitive=${e.isSensitive} synonyms={${synonyms}}`;
}

/** A quota as Java prints a double: 1024 as "1024.0". */
function javaDouble(n: number): string {
  return Number.isInteger(n) ? n.toFixed(1) : String(n);
}

const QUOTA_TYPE = { users: "user", clients: "client-id" } as const;
const QUOTA_LABEL = { users: "user-principal", clients: "client-id" } as const;

async function describeQuotas(
  admin: Admin,
  type: "users" | "clients",
  name: string | null | undefined,
): Promise<void> {
  const entityType = QUOTA_TYPE[type];
  const quotas = await describeClientQuotas(admin.client, [
    name === undefined ? { entityType, any: true } : { entityType, match: name },
  ], { strict: true });
  const label = QUOTA_LABEL[type];
  for (
    const q of quotas.sort((a, b) =>
      String(a.entity[entityType]).localeCompare(String(b.entity[entityType]))
    )
  ) {
    const who = q.entity[entityType] === null
      ? `the default ${label}`
      : `${label} '${q.entity[entityType]}'`;
    const values = Object.entries(q.values).sort(([a], [b]) => a.localeCompare(b))
      .map(([k, n]) => `${k}=${javaDouble(n)}`).join(", ");
    console.log(`Quota configs for ${who} are ${values}`);
  }
  if (type === "users" && name) {
    const scram = await admin.describeUserScramCredentials([name]).catch(() => []);
    for (const u of scram) {
      if (u.credentials.length === 0) continue;
      const creds = u.credentials.map((c) => `${c.mechanism}=iterations=${c.iterations}`).join(
        ", ",
      );
      console.log(`SCRAM credential configs for user-principal '${u.user}' are ${creds}`);
    }
  }
}

async function alterQuotas(
  admin: Admin,
  type: "users" | "clients",
  name: string | null,
  add: [string, string][],
  del: string[],
): Promise<void> {
  const ops: Record<string, number | null> = {};
  const scram: Parameters<Admin["alterUserScramCredentials"]>[0] = [];
  for (const [k, text] of add) {
    if (/^SCRAM-SHA-(256|512)$/.test(k)) {
      if (type !== "users" || name === null) throw new UsageError(`${k} needs a user`);
      const fields = new Map(
        text.split(",").map((f) => {
          const eq = f.indexOf("=");
          return [f.slice(0, eq).trim(), f.slice(eq + 1).trim()] as [string, string];
        }),
      );
      const password = fields.get("password");
      if (!password) throw new UsageError(`${k} needs password=...`);
      scram.push({
        op: "upsert",
        user: name,
        mechanism: k as "SCRAM-SHA-256",
        password,
        iterations: integer(`${k} iterations`, fields.get("iterations"), 4096, 16384),
      });
      continue;
    }
    const n = Number(text);
    if (text === "" || !Number.isFinite(n)) {
      throw new UsageError(`${k} must be a number, got '${text}'`);
    }
    ops[k] = n;
  }
  for (const k of del) {
    if (/^SCRAM-SHA-(256|512)$/.test(k) && type === "users" && name !== null) {
      scram.push({ op: "delete", user: name, mechanism: k as "SCRAM-SHA-256" });
    } else ops[k] = null;
  }
  if (Object.keys(ops).length > 0) {
    await alterClientQuotas(admin.client, [{ entity: { [QUOTA_TYPE[type]]: name }, ops }]);
  }
  if (scram.length > 0) await admin.alterUserScramCredentials(scram);
  const singularName = type === "users" ? "user" : "client";
  console.log(
    name === null
      ? `Completed updating default config for ${type} in the cluster.`
      : `Completed updating config for ${singularName} ${name}.`,
  );
}

if (import.meta.main) await run("configs", () => main(Deno.args));

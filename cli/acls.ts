/**
 * `brook acls`: add, remove and list ACLs, like kafka-acls.sh (same flags and output), with the
 * `--producer` and `--consumer` conveniences.
 *
 * @example
 * ```sh
 * brook acls --bootstrap-server 127.0.0.1:9092 --add --allow-principal User:alice \
 *   --operation Read --topic orders
 * brook acls --bootstrap-server 127.0.0.1:9092 --list --topic orders
 * ```
 *
 * @module
 */

import { Admin } from "../client/mod.ts";
import {
  type AclBinding,
  type AclBindingFilter,
  AclOperation,
  AclPatternType,
  AclPermission,
  AclResourceType,
  CLUSTER_RESOURCE_NAME,
} from "../codec/mod.ts";
import { integer, parse, run, UsageError, VERSION } from "./common.ts";
import { clientSettings, CONNECTION_FLAGS, CONNECTION_HELP } from "./connection.ts";

const HELP = `Usage: brook acls --bootstrap-server HOST:PORT (--add|--remove|--list) [options]
${CONNECTION_HELP}
  --allow-principal P, --deny-principal P   e.g. User:alice (repeatable)
  --allow-host H, --deny-host H             hosts of those principals (default *)
  --operation OP           Read, Write, Create, Delete, Alter, Describe, ClusterAction,
                           DescribeConfigs, AlterConfigs, IdempotentWrite, CreateTokens,
                           DescribeTokens or All (repeatable; default All)
  --topic T, --group G, --cluster, --transactional-id ID, --delegation-token ID,
  --user-principal P       the resources (repeatable)
  --resource-pattern-type TYPE
                           literal (default) or prefixed; with --list and --remove also any or
                           match
  --principal P            with --list: only the ACLs of P
  --producer, --consumer   the ACLs a producer (with --idempotent) or consumer needs
  --force                  with --remove: do not ask for confirmation
  --timeout-ms MS          how long to try (default 30000)`;

const FLAGS = {
  ...CONNECTION_FLAGS,
  add: { type: "boolean" },
  remove: { type: "boolean" },
  list: { type: "boolean" },
  "allow-principal": { type: "string", multiple: true },
  "deny-principal": { type: "string", multiple: true },
  "allow-host": { type: "string", multiple: true },
  "deny-host": { type: "string", multiple: true },
  operation: { type: "string", multiple: true },
  topic: { type: "string", multiple: true },
  group: { type: "string", multiple: true },
  cluster: { type: "boolean" },
  "transactional-id": { type: "string", multiple: true },
  "delegation-token": { type: "string", multiple: true },
  "user-principal": { type: "string", multiple: true },
  "resource-pattern-type": { type: "string" },
  principal: { type: "string", multiple: true },
  producer: { type: "boolean" },
  consumer: { type: "boolean" },
  idempotent: { type: "boolean" },
  force: { type: "boolean" },
  "timeout-ms": { type: "string" },
  version: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

type Values = ReturnType<typeof parse<typeof FLAGS>>;

const OPERATIONS: Record<string, AclOperation> = {
  read: AclOperation.READ,
  write: AclOperation.WRITE,
  create: AclOperation.CREATE,
  delete: AclOperation.DELETE,
  alter: AclOperation.ALTER,
  describe: AclOperation.DESCRIBE,
  clusteraction: AclOperation.CLUSTER_ACTION,
  describeconfigs: AclOperation.DESCRIBE_CONFIGS,
  alterconfigs: AclOperation.ALTER_CONFIGS,
  idempotentwrite: AclOperation.IDEMPOTENT_WRITE,
  createtokens: AclOperation.CREATE_TOKENS,
  describetokens: AclOperation.DESCRIBE_TOKENS,
  all: AclOperation.ALL,
};

const nameOf = <T extends Record<string, number>>(table: T, n: number) =>
  Object.keys(table).find((k) => table[k] === n) ?? "UNKNOWN";

interface Resource {
  resourceType: AclResourceType;
  resourceName: string;
}

function resources(v: Values): Resource[] {
  const out: Resource[] = [];
  const add = (type: AclResourceType, names: string[] | undefined) => {
    for (const resourceName of names ?? []) out.push({ resourceType: type, resourceName });
  };
  add(AclResourceType.TOPIC, v.topic);
  add(AclResourceType.GROUP, v.group);
  if (v.cluster) add(AclResourceType.CLUSTER, [CLUSTER_RESOURCE_NAME]);
  add(AclResourceType.TRANSACTIONAL_ID, v["transactional-id"]);
  add(AclResourceType.DELEGATION_TOKEN, v["delegation-token"]);
  add(AclResourceType.USER, v["user-principal"]);
  return out;
}

function patternType(v: Values, filter: boolean): AclPatternType {
  const text = (v["resource-pattern-type"] ?? "literal").toUpperCase();
  const allowed = filter ? ["LITERAL", "PREFIXED", "ANY", "MATCH"] : ["LITERAL", "PREFIXED"];
  if (!allowed.includes(text)) {
    throw new UsageError(
      `--resource-pattern-type must be ${allowed.join(", ").toLowerCase()}, got '${
        v["resource-pattern-type"]
      }'`,
    );
  }
  return AclPatternType[text as "LITERAL"];
}

function operations(v: Values, resource: Resource): AclOperation[] {
  if (v.producer || v.consumer) {
    // What Kafka's --producer and --consumer grant, per resource type.
    const t = resource.resourceType;
    if (v.producer && t === AclResourceType.TOPIC) {
      return [AclOperation.WRITE, AclOperation.DESCRIBE, AclOperation.CREATE];
    }
    if (v.producer && t === AclResourceType.TRANSACTIONAL_ID) {
      return [AclOperation.WRITE, AclOperation.DESCRIBE];
    }
    if (v.producer && t === AclResourceType.CLUSTER) return [AclOperation.IDEMPOTENT_WRITE];
    if (v.consumer && t === AclResourceType.TOPIC) {
      return [AclOperation.READ, AclOperation.DESCRIBE];
    }
    if (v.consumer && t === AclResourceType.GROUP) return [AclOperation.READ];
    return [];
  }
  const ops = (v.operation ?? ["All"]).map((o) => {
    const op = OPERATIONS[o.replace(/[-_]/g, "").toLowerCase()];
    if (op === undefined) throw new UsageError(`unknown --operation '${o}'`);
    return op;
  });
  return [...new Set(ops)];
}

function principals(list: string[] | undefined, flag: string): string[] {
  for (const p of list ?? []) {
    if (p.indexOf(":") < 1) {
      throw new UsageError(`--${flag} needs TYPE:NAME, e.g. User:alice, got '${p}'`);
    }
  }
  return list ?? [];
}

function bindings(v: Values, list: Resource[]): AclBinding[] {
  const out: AclBinding[] = [];
  const pattern = patternType(v, false);
  const sides: [string[], string[] | undefined, AclPermission][] = [
    [principals(v["allow-principal"], "allow-principal"), v["allow-host"], AclPermission.ALLOW],
    [principals(v["deny-principal"], "deny-principal"), v["deny-host"], AclPermission.DENY],
  ];
  for (const r of list) {
    for (const [who, hosts, permission] of sides) {
      for (const principal of who) {
        for (const host of hosts ?? ["*"]) {
          for (const operation of operations(v, r)) {
            out.push({ ...r, patternType: pattern, principal, host, operation, permission });
          }
        }
      }
    }
  }
  return out;
}

function patternText(b: { resourceType: number; resourceName: string; patternType: number }) {
  return `ResourcePattern(resourceType=${
    nameOf(AclResourceType, b.resourceType)
  }, name=${b.resourceName}, patternType=${nameOf(AclPatternType, b.patternType)})`;
}

function aclText(b: AclBinding): string {
  return `(principal=${b.principal}, host=${b.host}, operation=${
    nameOf(AclOperation, b.operation)
  }, permissionType=${nameOf(AclPermission, b.permission)})`;
}

function byPattern(acls: AclBinding[]): Map<string, AclBinding[]> {
  const out = new Map<string, AclBinding[]>();
  for (const b of acls) {
    const k = patternText(b);
    (out.get(k) ?? out.set(k, []).get(k)!).push(b);
  }
  return out;
}

/** Prints the ACLs being added, grouped by resource pattern, as Kafka's tool prints them. */
function printAdding(acls: AclBinding[]): void {
  for (const [pattern, list] of byPattern(acls)) {
    console.log(
      `Adding ACLs for resource \`${pattern}\`: \n ${
        list.map((b) => `\t${aclText(b)}`).join("\n")
      }\n`,
    );
  }
}

/** Prints ACLs in force, grouped by resource pattern, as Kafka's `--list` prints them. */
function printCurrent(acls: AclBinding[]): void {
  for (const [pattern, list] of byPattern(acls)) {
    console.log(
      `Current ACLs for resource \`${pattern}\`:\n${
        list.map((b) => `\t${aclText(b)}`).join("\n")
      }\n`,
    );
  }
}

/**
 * Runs `brook acls` with these arguments.
 *
 * @example
 * ```ts
 * import { main } from "./acls.ts";
 * await main(["--bootstrap-server", "127.0.0.1:9092", "--list"]);
 * ```
 */
export async function main(args: string[]): Promise<void> {
  const v = parse(args, FLAGS);
  if (v.help) return console.log(HELP);
  if (v.version) return console.log(VERSION);
  const actions = (["add", "remove", "list"] as const).filter((a) => v[a]);
  if (actions.length !== 1) throw new UsageError("give exactly one of --add, --remove, --list");
  const action = actions[0];
  const timeoutMs = integer("--timeout-ms", v["timeout-ms"], 1) ?? 30000;
  const list = resources(v);
  if ((v.producer || v.consumer) && action === "list") {
    throw new UsageError("--producer and --consumer go with --add and --remove");
  }
  if (v.consumer && !v.group) throw new UsageError("--consumer needs --group");
  if (v.producer && v.idempotent) {
    list.push({ resourceType: AclResourceType.CLUSTER, resourceName: CLUSTER_RESOURCE_NAME });
  }
  if (action === "add") {
    if (list.length === 0) {
      throw new UsageError("--add needs a resource (--topic, --group, --cluster...)");
    }
    const acls = bindings(v, list);
    if (acls.length === 0) {
      throw new UsageError("--add needs --allow-principal or --deny-principal");
    }
    const { client } = await clientSettings(v);
    await using admin = new Admin({
      ...client,
      connectTimeoutMs: client.connectTimeoutMs ?? 10000,
    });
    for (const r of list) {
      const mine = acls.filter((a) =>
        a.resourceType === r.resourceType && a.resourceName === r.resourceName
      );
      printAdding(mine);
    }
    // Kafka 4.1's tool lists nothing after adding (nor after removing).
    await admin.createAcls(acls, { timeoutMs });
    return;
  }
  const { client } = await clientSettings(v);
  await using admin = new Admin({ ...client, connectTimeoutMs: client.connectTimeoutMs ?? 10000 });
  const pattern = patternType(v, true);
  if (action === "list") {
    const filters = list.length === 0
      ? [{ patternType: AclPatternType.ANY }]
      : list.map((r) => ({ ...r, patternType: pattern }));
    const who = principals(v.principal, "principal");
    return await listAcls(admin, filters, timeoutMs, who);
  }
  if (list.length === 0) {
    throw new UsageError("--remove needs a resource (--topic, --group, --cluster...)");
  }
  const given = (v["allow-principal"] ?? []).length + (v["deny-principal"] ?? []).length;
  const filters: AclBindingFilter[] = given === 0
    ? list.map((r) => ({ ...r, patternType: pattern }))
    : bindings(v, list).map((b) => ({ ...b, patternType: pattern }));
  if (!v.force && Deno.stdin.isTerminal()) {
    const answer = prompt(
      `Are you sure you want to remove ACLs from ${list.length} resource(s)? (y/n)`,
    );
    if (answer?.trim().toLowerCase() !== "y") return;
  }
  await admin.deleteAcls(filters, { timeoutMs });
}

async function listAcls(
  admin: Admin,
  filters: AclBindingFilter[],
  timeoutMs: number,
  principalsWanted: string[] = [],
): Promise<void> {
  const seen = new Set<string>();
  const all: AclBinding[] = [];
  for (const f of filters) {
    for (const b of await admin.describeAcls(f, { timeoutMs })) {
      const k = `${patternText(b)}${aclText(b)}`;
      if (seen.has(k)) continue;
      seen.add(k);
      all.push(b);
    }
  }
  if (principalsWanted.length === 0) return printCurrent(all);
  // Per principal asked for, under Kafka's heading.
  for (const principal of new Set(principalsWanted)) {
    console.log(`ACLs for principal \`${principal}\``);
    printCurrent(all.filter((b) => b.principal === principal));
  }
}

if (import.meta.main) await run("acls", () => main(Deno.args));

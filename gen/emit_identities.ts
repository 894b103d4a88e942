/**
 * Emits `codec/generated/identities.ts`: for each API key, the fields of its request and response
 * that an error answer needs, with the versions that carry them: the error codes, the fields that
 * name what an element is about (a topic, partition, group, transactional id...), and the arrays
 * that hold such elements. The broker builds error answers from it (as Kafka's
 * `AbstractRequest.getErrorResponse` does, API by API) without probing the codec.
 *
 * @module
 */

import { type FieldSpec, type FieldType, intersect, isEmpty, type MessageSpec } from "./spec.ts";
import type { Range, StructSpec } from "./spec.ts";
import { KAFKA_VERSION } from "./version.ts";

/** What an identity field names. */
const KINDS = [
  "topic",
  "topicId",
  "partition",
  "groupId",
  "transactionalId",
  "key",
  "resourceType",
  "resourceName",
  "memberId",
  "groupInstanceId",
] as const;
type Kind = typeof KINDS[number];

/** The specs' entity types that name what an element is about. */
const BY_ENTITY_TYPE: Record<string, Kind> = {
  topicName: "topic",
  groupId: "groupId",
  transactionalId: "transactionalId",
};

/**
 * What Kafka's specs leave without an entity type, by field name and type: topic ids, partition
 * indexes, FindCoordinator's keys, config resources, members.
 */
const BY_NAME: Record<string, [string, Kind]> = {
  TopicId: ["uuid", "topicId"],
  PartitionIndex: ["int32", "partition"],
  Partition: ["int32", "partition"],
  Index: ["int32", "partition"],
  PartitionId: ["int32", "partition"],
  Partitions: ["[]int32", "partition"],
  PartitionIndexes: ["[]int32", "partition"],
  GroupId: ["string", "groupId"],
  Key: ["string", "key"],
  CoordinatorKeys: ["[]string", "key"],
  ResourceType: ["int8", "resourceType"],
  ResourceName: ["string", "resourceName"],
  MemberId: ["string", "memberId"],
  GroupInstanceId: ["string", "groupInstanceId"],
};

function typeName(t: FieldType): string {
  return t.kind === "array" ? `[]${typeName(t.element)}` : t.kind === "struct" ? "struct" : t.name;
}

function kindOf(f: FieldSpec): Kind | undefined {
  if (f.entityType !== undefined && f.entityType in BY_ENTITY_TYPE) {
    return BY_ENTITY_TYPE[f.entityType];
  }
  const rule = BY_NAME[f.name];
  return rule !== undefined && rule[0] === typeName(f.type) ? rule[1] : undefined;
}

const isErrorField = (f: FieldSpec) =>
  f.type.kind === "primitive" && f.type.name === "int16" &&
  (f.prop === "errorCode" || f.prop.endsWith("ErrorCode"));

/** The entries of a struct's fields within `possible` versions, as TypeScript object literals. */
function structEntries(s: StructSpec, possible: Range, indent: string): string[] {
  const out: string[] = [];
  for (const f of s.fields) {
    const v = intersect(f.versions, possible);
    if (isEmpty(v)) continue;
    const head = `name: ${JSON.stringify(f.prop)}, versions: [${v.lo}, ${v.hi}]`;
    if (isErrorField(f)) {
      out.push(`${indent}{ ${head}, role: "error" },`);
      continue;
    }
    const t = f.type;
    // A field that defaults to null stays null in an error answer, as in Kafka's (a heartbeat's
    // member id).
    if (f.defaultText === "null" && t.kind === "primitive") continue;
    if (t.kind === "primitive" && t.name === "records") {
      // Records that may not be null: an error answer carries none, as Kafka's do.
      const nullable = intersect(f.nullableVersions, v);
      const hi = isEmpty(nullable) ? v.hi : nullable.lo - 1;
      if (hi >= v.lo) {
        out.push(
          `${indent}{ name: ${
            JSON.stringify(f.prop)
          }, versions: [${v.lo}, ${hi}], role: "records" },`,
        );
      }
    } else if (t.kind === "primitive") {
      const kind = kindOf(f);
      if (kind) out.push(`${indent}{ ${head}, role: "name", kind: "${kind}" },`);
    } else if (t.kind === "array" && t.element.kind === "primitive") {
      const kind = kindOf(f);
      const valueType = ["string", "uuid"].includes(t.element.name) ? "string" : "number";
      if (kind) {
        out.push(
          `${indent}{ ${head}, role: "values", kind: "${kind}", valueType: "${valueType}" },`,
        );
      }
    } else if (t.kind === "array" && t.element.kind === "struct") {
      const inner = structEntries(
        t.element.struct,
        intersect(t.element.struct.versions, v),
        `${indent}  `,
      );
      // An array whose elements name nothing and carry no error plays no part in an error answer.
      if (inner.some((l) => !l.includes('role: "records"'))) {
        out.push(`${indent}{`, `${indent}  ${head},`, `${indent}  role: "structs",`);
        out.push(`${indent}  fields: [`, ...inner.map((l) => `  ${l}`), `${indent}  ],`);
        out.push(`${indent}},`);
      }
    }
  }
  return out;
}

/** The module's text, from the specs of every API's request and response. */
export function emitIdentities(specs: MessageSpec[]): string {
  const requests = specs.filter((s) => s.kind === "request" && !isEmpty(s.validVersions));
  const responses = new Map(specs.filter((s) => s.kind === "response").map((s) => [s.apiKey, s]));
  const out = [
    `// Code generated by \`deno task gen\` from Apache Kafka ${KAFKA_VERSION}'s message specs. DO NOT EDIT.`,
    "",
    "/**",
    " * For each API key, the fields of its request and response that an error answer needs, with the",
    " * versions that carry them: error codes, the fields that name what an element is about (from the",
    " * specs' entity types, and by name where the specs give none: topic ids, partition indexes),",
    " * and the arrays that hold such elements.",
    " *",
    " * @module",
    " */",
    "",
    "/** What an identity field names. */",
    `export type IdentityKind = ${KINDS.map((k) => `"${k}"`).join(" | ")};`,
    "",
    "/** One field of a message struct that an error answer needs. */",
    "export interface IdentityField {",
    "  /** The field's property name. */",
    "  readonly name: string;",
    "  /** The first and last version that carry it. */",
    "  readonly versions: readonly [number, number];",
    "  /**",
    '   * "error" for an error code, "name" for a field naming what its element is about, "values" for',
    '   * an array of such names, "structs" for an array of structs, "records" for records that may',
    "   * not be null (an error answer carries empty ones).",
    "   */",
    '  readonly role: "error" | "name" | "values" | "structs" | "records";',
    '  /** What a "name" or "values" field names. */',
    "  readonly kind?: IdentityKind;",
    '  /** The type of a "values" array\'s elements. */',
    '  readonly valueType?: "number" | "string";',
    '  /** The element fields of a "structs" array. */',
    "  readonly fields?: readonly IdentityField[];",
    "}",
    "",
    "/** The identity fields of one API's request and response. */",
    "export interface ApiIdentities {",
    "  /** The request's fields. */",
    "  readonly request: readonly IdentityField[];",
    "  /** The response's fields. */",
    "  readonly response: readonly IdentityField[];",
    "}",
    "",
    "/** The identity fields of every API, by API key. */",
    "export const API_IDENTITIES: { readonly [apiKey: number]: ApiIdentities } = {",
  ];
  for (const req of requests) {
    const res = responses.get(req.apiKey)!;
    out.push(`  ${req.apiKey}: {`);
    for (const [side, spec] of [["request", req], ["response", res]] as const) {
      out.push(
        `    ${side}: [`,
        ...structEntries(spec.root, spec.validVersions, "      "),
        "    ],",
      );
    }
    out.push("  },");
  }
  out.push("};");
  return out.join("\n") + "\n";
}

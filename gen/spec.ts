/**
 * Reads Kafka's JSON message specs into a model the emitters (and the codec tests) work from.
 *
 * @module
 */

/** An inclusive version range; `hi` is Infinity for open ranges ("3+"); lo > hi is empty ("none"). */
export interface Range {
  lo: number;
  hi: number;
}

/** The empty range. */
export const NONE: Range = { lo: 1, hi: 0 };

/** Parses "none", "3", "3+" or "0-7". */
export function parseRange(text: string | undefined, fallback: Range = NONE): Range {
  if (text === undefined) return fallback;
  const t = text.trim();
  if (t === "none") return NONE;
  if (t.endsWith("+")) return { lo: Number(t.slice(0, -1)), hi: Infinity };
  const dash = t.indexOf("-");
  if (dash > 0) return { lo: Number(t.slice(0, dash)), hi: Number(t.slice(dash + 1)) };
  return { lo: Number(t), hi: Number(t) };
}

/** True when the range holds no version. */
export function isEmpty(r: Range): boolean {
  return r.lo > r.hi;
}

/** The versions in both ranges. */
export function intersect(a: Range, b: Range): Range {
  const r = { lo: Math.max(a.lo, b.lo), hi: Math.min(a.hi, b.hi) };
  return isEmpty(r) ? NONE : r;
}

/** True when version `v` is in the range. */
export function contains(r: Range, v: number): boolean {
  return v >= r.lo && v <= r.hi;
}

/** Kafka's text form of a range. */
export function formatRange(r: Range): string {
  if (isEmpty(r)) return "none";
  if (r.hi === Infinity) return `${r.lo}+`;
  return r.lo === r.hi ? `${r.lo}` : `${r.lo}-${r.hi}`;
}

/** Primitive field types of the specs. */
export type Primitive =
  | "bool"
  | "int8"
  | "int16"
  | "uint16"
  | "int32"
  | "uint32"
  | "int64"
  | "float64"
  | "uuid"
  | "string"
  | "bytes"
  | "records";

/** A field's type. */
export type FieldType =
  | { kind: "primitive"; name: Primitive }
  | { kind: "struct"; struct: StructSpec }
  | { kind: "array"; element: FieldType };

/** One field of a struct. */
export interface FieldSpec {
  /** The spec's PascalCase name. */
  name: string;
  /** The camelCase property name (Kafka's JSON converters use the same). */
  prop: string;
  type: FieldType;
  versions: Range;
  nullableVersions: Range;
  taggedVersions: Range;
  tag: number | undefined;
  /** The field's own flexibleVersions (only string and bytes fields have one), else undefined. */
  flexibleVersions: Range | undefined;
  ignorable: boolean;
  /** The spec's default text, or undefined for the type's natural default. */
  defaultText: string | undefined;
  entityType: string | undefined;
  mapKey: boolean;
  /** Kafka's description of the field (the spec's `about`), or "" where it has none. */
  about: string;
}

/** A struct: the message body, a nested struct or a common struct. */
export interface StructSpec {
  /** The spec's name for it (e.g. "TopicProduceData"). */
  name: string;
  /** A name unique across all generated code (e.g. "ProduceRequestTopicProduceData"). */
  typeName: string;
  versions: Range;
  fields: FieldSpec[];
  /** The `about` of the first field that holds the struct, or "" (the message body, or none). */
  about: string;
}

/** A whole spec file. */
export interface MessageSpec {
  name: string;
  /** "request", "response", "header" or "data". */
  kind: string;
  apiKey: number | undefined;
  validVersions: Range;
  flexibleVersions: Range;
  listeners: string[];
  latestVersionUnstable: boolean;
  /** Versions that KIP-896 deprecated (requests only). */
  deprecatedVersions: Range;
  root: StructSpec;
  /** Every struct of the file, the root first, in the order they are declared. */
  structs: StructSpec[];
  /** The spec file name. */
  file: string;
}

const PRIMITIVES = new Set<string>([
  "bool",
  "int8",
  "int16",
  "uint16",
  "int32",
  "uint32",
  "int64",
  "float64",
  "uuid",
  "string",
  "bytes",
  "records",
]);

/** Removes `//` comments that are outside strings, as Kafka's own spec reader tolerates them. */
export function stripComments(text: string): string {
  let out = "";
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === "\\") out += text[++i];
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
      out += "\n";
    } else {
      out += c;
    }
  }
  return out;
}

// deno-lint-ignore no-explicit-any
type Json = any;

/** Parses one spec file's text. */
export function parseMessage(file: string, text: string): MessageSpec {
  const json: Json = JSON.parse(stripComments(text));
  const name: string = json.name;
  const validVersions = parseRange(json.validVersions);
  const flexibleVersions = parseRange(json.flexibleVersions);
  const structs: StructSpec[] = [];
  const common = new Map<string, Json>();
  for (const c of json.commonStructs ?? []) common.set(c.name, c);
  const built = new Map<string, StructSpec>();

  const uniqueName = (structName: string) =>
    structName.startsWith(name) ? structName : name + structName;

  const buildStruct = (structName: string, versions: Range, fieldsJson: Json[]): StructSpec => {
    const struct: StructSpec = {
      name: structName,
      typeName: uniqueName(structName),
      versions,
      fields: [],
      about: "",
    };
    built.set(structName, struct);
    structs.push(struct);
    struct.fields = fieldsJson.map((f) => buildField(f, versions));
    return struct;
  };

  const resolveType = (typeText: string, field: Json, versions: Range): FieldType => {
    if (typeText.startsWith("[]")) {
      return { kind: "array", element: resolveType(typeText.slice(2), field, versions) };
    }
    if (PRIMITIVES.has(typeText)) return { kind: "primitive", name: typeText as Primitive };
    const existing = built.get(typeText);
    if (existing) return { kind: "struct", struct: existing };
    if (field.fields) {
      return { kind: "struct", struct: buildStruct(typeText, versions, field.fields) };
    }
    const c = common.get(typeText);
    if (!c) throw new Error(`${file}: unknown type ${typeText}`);
    return {
      kind: "struct",
      struct: buildStruct(typeText, parseRange(c.versions, { lo: 0, hi: Infinity }), c.fields),
    };
  };

  const buildField = (f: Json, parent: Range): FieldSpec => {
    const versions = intersect(parseRange(f.versions), parent);
    const field: FieldSpec = {
      name: f.name,
      prop: f.name[0].toLowerCase() + f.name.slice(1),
      type: { kind: "primitive", name: "int8" },
      versions: parseRange(f.versions),
      nullableVersions: parseRange(f.nullableVersions),
      taggedVersions: parseRange(f.taggedVersions),
      tag: f.tag,
      flexibleVersions: f.flexibleVersions === undefined
        ? undefined
        : parseRange(f.flexibleVersions),
      ignorable: f.ignorable === true,
      defaultText: f.default === undefined ? undefined : String(f.default),
      entityType: f.entityType,
      mapKey: f.mapKey === true,
      about: typeof f.about === "string" ? f.about.trim() : "",
    };
    field.type = resolveType(f.type, f, versions);
    let held = field.type;
    while (held.kind === "array") held = held.element;
    if (held.kind === "struct" && held.struct.about === "") held.struct.about = field.about;
    return field;
  };

  const root = buildStruct(name, validVersions, json.fields ?? []);
  return {
    name,
    kind: json.type,
    apiKey: json.apiKey,
    validVersions,
    flexibleVersions,
    listeners: json.listeners ?? [],
    latestVersionUnstable: json.latestVersionUnstable === true,
    deprecatedVersions: parseRange(json.deprecatedVersions),
    root,
    structs,
    file,
  };
}

/** Reads every spec file of a folder, sorted by API key then name. */
export async function readSpecs(dir: string): Promise<MessageSpec[]> {
  const specs: MessageSpec[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isFile || !entry.name.endsWith(".json")) continue;
    specs.push(parseMessage(entry.name, await Deno.readTextFile(`${dir}/${entry.name}`)));
  }
  return specs.sort((a, b) =>
    (a.apiKey ?? 1000) - (b.apiKey ?? 1000) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
  );
}

/** snake_case of a PascalCase name ("ApiVersionsRequest" -> "api_versions_request"). */
export function snakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").replace(/([A-Z])([A-Z][a-z])/g, "$1_$2")
    .toLowerCase();
}

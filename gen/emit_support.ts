/**
 * Pure helpers of the message emitter: version conditions, TypeScript types and default values of
 * fields, and the small naming rules of the generated code.
 *
 * @module
 */

import {
  type FieldSpec,
  type FieldType,
  formatRange,
  intersect,
  isEmpty,
  type MessageSpec,
  type Range,
  type StructSpec,
} from "./spec.ts";

/** A version condition over the versions a struct can be written in: always, never, or an expression. */
export type Cond = true | false | string;

/** The condition "version in `r`", simplified for code that only runs for versions in `possible`. */
export function versionCond(r: Range, possible: Range): Cond {
  const i = intersect(r, possible);
  if (isEmpty(i)) return false;
  const parts: string[] = [];
  if (i.lo > possible.lo) parts.push(`version >= ${i.lo}`);
  if (i.hi < possible.hi) parts.push(`version <= ${i.hi}`);
  return parts.length === 0 ? true : parts.join(" && ");
}

export function not(c: Cond): Cond {
  return c === true ? false : c === false ? true : `!(${c})`;
}

export function and(a: Cond, b: Cond): Cond {
  if (a === false || b === false) return false;
  if (a === true) return b;
  if (b === true) return a;
  return `${a} && ${b}`;
}

/** `r` without its tagged suffix `t` (tagged ranges are open-ended, so the rest is one range). */
export function untagged(present: Range, tagged: Range): Range {
  if (isEmpty(tagged)) return present;
  return intersect(present, { lo: present.lo, hi: tagged.lo - 1 });
}

/** The TypeScript type of a value of `t`; `init` gives the encoder's input type. */
export function tsType(t: FieldType, init: boolean): string {
  if (t.kind === "array") {
    const e = tsType(t.element, init);
    return `${e}[]`;
  }
  if (t.kind === "struct") return init ? `${t.struct.typeName}Init` : t.struct.typeName;
  switch (t.name) {
    case "bool":
      return "boolean";
    case "int64":
      return "bigint";
    case "string":
    case "uuid":
      return "string";
    case "bytes":
    case "records":
      return "Uint8Array";
    default:
      return "number";
  }
}

/** True when the field's type may hold null in some version where it is present. */
export function mayBeNull(f: FieldSpec, possible: Range): boolean {
  return !isEmpty(intersect(intersect(f.nullableVersions, f.versions), possible));
}

/** The field's default as a TypeScript expression for decoded values. */
export function defaultExpr(f: FieldSpec): string {
  const d = f.defaultText;
  const t = f.type;
  if (d === "null") return "null";
  if (t.kind === "array") return "[]";
  if (t.kind === "struct") return `default${t.struct.typeName}()`;
  switch (t.name) {
    case "bool":
      return d === undefined ? "false" : String(d === "true");
    case "int64":
      return `${d === undefined ? 0n : BigInt(d)}n`;
    case "string":
      return JSON.stringify(d ?? "");
    case "uuid":
      return d === undefined ? "ZERO_UUID" : JSON.stringify(d);
    case "bytes":
      return "EMPTY_BYTES";
    case "records":
      return "null";
    default:
      return d === undefined ? "0" : String(Number(d));
  }
}

export function pick(flex: Cond, compact: string, classic: string): string {
  if (flex === true) return compact;
  if (flex === false) return classic;
  return `if (${flex}) ${compact} else ${classic}`;
}

export function pickExpr(flex: Cond, compact: string, classic: string): string {
  if (flex === true) return compact;
  if (flex === false) return classic;
  return `(${flex} ? ${compact} : ${classic})`;
}

export function usesVersion(body: string[]): boolean {
  // The version parameter, not a property called version nor text in a string.
  return body.some((l) => /(?<![\w.$])version\b(?!\s*:)/.test(l.replace(/"[^"]*"/g, "")));
}

export function local(f: FieldSpec): string {
  return `$${f.prop}`;
}

export function constName(s: StructSpec): string {
  return s.typeName.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
}

export function typeText(t: FieldType): string {
  if (t.kind === "array") return `[]${typeText(t.element)}`;
  if (t.kind === "struct") return t.struct.name;
  return t.name;
}

/** A field's facts for its JSDoc: its type, versions, nullability, tag, default and entity type. */
export function fieldDoc(f: FieldSpec, possible: Range): string {
  const parts = [
    `${f.name}: ${typeText(f.type)}, versions ${formatRange(intersect(f.versions, possible))}`,
  ];
  const nullable = intersect(f.nullableVersions, f.versions);
  if (!isEmpty(nullable)) parts.push(`nullable in ${formatRange(nullable)}`);
  if (!isEmpty(f.taggedVersions)) {
    parts.push(`tagged (tag ${f.tag}) in ${formatRange(f.taggedVersions)}`);
  }
  if (f.defaultText !== undefined) parts.push(`default ${f.defaultText}`);
  if (f.ignorable) parts.push("ignorable");
  if (f.entityType) parts.push(`a ${f.entityType}`);
  return parts.join("; ") + ".";
}

/** A message's one-line description: its name, API key, versions and first flexible version. */
export function describeMessage(s: MessageSpec): string {
  const parts = [`Kafka's ${s.name} message`];
  if (s.apiKey !== undefined) parts.push(`(API key ${s.apiKey})`);
  parts.push(`in versions ${formatRange(s.validVersions)}`);
  if (!isEmpty(s.flexibleVersions)) parts.push(`(flexible from ${s.flexibleVersions.lo})`);
  return parts.join(" ") + ".";
}

/**
 * A JSDoc comment at `indent` of `paragraphs` (empty ones dropped), on one line when it fits in
 * 100 columns, else wrapped at word boundaries with a blank line between paragraphs.
 */
export function docComment(indent: string, paragraphs: string[]): string[] {
  const texts = paragraphs.map((p) => p.replaceAll("*/", "*\\/").replace(/\s+/g, " ").trim())
    .filter((p) => p !== "");
  const single = `${indent}/** ${texts.join(" ")} */`;
  if (texts.length <= 1 && single.length <= 100) return [single];
  const width = 100 - indent.length - 3;
  const out = [`${indent}/**`];
  texts.forEach((text, i) => {
    if (i > 0) out.push(`${indent} *`);
    let line = "";
    for (const word of text.split(" ")) {
      if (line !== "" && line.length + 1 + word.length > width) {
        out.push(`${indent} * ${line}`);
        line = word;
      } else line = line === "" ? word : `${line} ${word}`;
    }
    out.push(`${indent} * ${line}`);
  });
  out.push(`${indent} */`);
  return out;
}

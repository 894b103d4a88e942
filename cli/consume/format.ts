/**
 * How `brook consume` prints a record: Kafka's DefaultMessageFormatter (print.timestamp,
 * print.partition, print.offset, print.headers, print.key, print.value and their separators), a
 * kcat-style `--format` string, or JSON lines.
 *
 * @module
 */

import type { ConsumerRecord } from "../../client/mod.ts";
import { UsageError } from "../common.ts";

/** Turns a record into the text printed for it (its line separator included). */
export type Formatter = (r: ConsumerRecord) => string;

const decoder = new TextDecoder();
const text = (
  b: Uint8Array | null,
  nullText: string,
) => (b === null ? nullText : decoder.decode(b));

/**
 * Kafka's DefaultMessageFormatter, from its `--property` (or `--formatter-property`) settings.
 *
 * @example
 * ```ts
 * import { kafkaFormatter } from "./format.ts";
 * const format = kafkaFormatter(new Map([["print.key", "true"]]));
 * ```
 */
export function kafkaFormatter(props: Map<string, string>): Formatter {
  // Kafka reads a boolean as true only when it is "true", case aside.
  const flag = (k: string, d: boolean) =>
    props.has(k) ? props.get(k)!.trim().toLowerCase() === "true" : d;
  const ts = flag("print.timestamp", false);
  const partition = flag("print.partition", false);
  const offset = flag("print.offset", false);
  const headers = flag("print.headers", false);
  const key = flag("print.key", false);
  const value = flag("print.value", true);
  const keySep = props.get("key.separator") ?? "\t";
  const lineSep = props.get("line.separator") ?? "\n";
  const headersSep = props.get("headers.separator") ?? ",";
  const nullLiteral = props.get("null.literal") ?? "null";
  // After each column, the key separator when another column follows, else the line separator.
  const sep = (more: boolean) => (more ? keySep : lineSep);
  return (r) => {
    let out = "";
    if (ts) {
      out += `${r.timestampType}:${r.timestamp}` +
        sep(partition || offset || headers || key || value);
    }
    if (partition) out += `Partition:${r.partition}` + sep(offset || headers || key || value);
    if (offset) out += `Offset:${r.offset}` + sep(headers || key || value);
    if (headers) {
      out += r.headers.length === 0
        ? "NO_HEADERS"
        : r.headers.map((h) => `${h.key}:${text(h.value, nullLiteral)}`).join(headersSep);
      out += sep(key || value);
    }
    if (key) out += text(r.key, nullLiteral) + sep(value);
    if (value) out += text(r.value, nullLiteral) + lineSep;
    return out;
  };
}

/**
 * A kcat-style format string: `%t` topic, `%p` partition, `%o` offset, `%k` key, `%s` value,
 * `%h` headers (`k=v,k2=v2`), `%T` timestamp (ms), `%K` and `%S` key and value sizes (-1 for
 * null), `%%`, and the escapes `\n`, `\t`, `\r`, `\\`.
 *
 * @example
 * ```ts
 * import { kcatFormatter } from "./format.ts";
 * const format = kcatFormatter("%t [%p] at %o: %k=%s\\n");
 * ```
 */
export function kcatFormatter(format: string): Formatter {
  const parts: (string | ((r: ConsumerRecord) => string))[] = [];
  const fields: Record<string, (r: ConsumerRecord) => string> = {
    t: (r) => r.topic,
    p: (r) => String(r.partition),
    o: (r) => String(r.offset),
    k: (r) => text(r.key, ""),
    s: (r) => text(r.value, ""),
    h: (r) => r.headers.map((h) => `${h.key}=${text(h.value, "")}`).join(","),
    T: (r) => String(r.timestamp),
    K: (r) => String(r.key?.length ?? -1),
    S: (r) => String(r.value?.length ?? -1),
  };
  const escapes: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\" };
  let literal = "";
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    const next = format[i + 1];
    if (c === "%" && next === "%") {
      literal += "%";
      i++;
    } else if (c === "%" && next !== undefined && next in fields) {
      if (literal) parts.push(literal);
      literal = "";
      parts.push(fields[next]);
      i++;
    } else if (c === "%") {
      throw new UsageError(
        `--format: unknown field '%${next ?? ""}' (use %t %p %o %k %s %h %T %K %S)`,
      );
    } else if (c === "\\" && next !== undefined && next in escapes) {
      literal += escapes[next];
      i++;
    } else {
      literal += c;
    }
  }
  if (literal) parts.push(literal);
  return (r) => {
    let out = "";
    for (const p of parts) out += typeof p === "string" ? p : p(r);
    return out;
  };
}

/**
 * One JSON object a line: topic, partition, offset, timestamp, key, value (UTF-8 text or null)
 * and headers (`[{ key, value }]`).
 *
 * @example
 * ```ts
 * import { jsonFormatter } from "./format.ts";
 * const format = jsonFormatter();
 * ```
 */
export function jsonFormatter(): Formatter {
  const orNull = (b: Uint8Array | null) => (b === null ? null : decoder.decode(b));
  return (r) =>
    JSON.stringify({
      topic: r.topic,
      partition: r.partition,
      offset: Number(r.offset),
      timestamp: Number(r.timestamp),
      key: orNull(r.key),
      value: orNull(r.value),
      headers: r.headers.map((h) => ({ key: h.key, value: orNull(h.value) })),
    }) + "\n";
}

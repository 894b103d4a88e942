/**
 * Tables as Kafka's tools print them: a header row and left-aligned columns, each as wide as its
 * widest cell, one space apart.
 *
 * @module
 */

/**
 * Prints a table on stdout.
 *
 * @example
 * ```ts
 * import { table } from "./table.ts";
 * table(["TOPIC", "PARTITION"], [["orders", "0"]]);
 * ```
 */
export function table(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join(" ");
  console.log([header, ...rows].map(line).join("\n"));
}

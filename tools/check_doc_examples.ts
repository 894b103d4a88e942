/**
 * Fails when an exported class or function of the public entry points has no `@example` in its
 * JSDoc (`deno doc --lint` checks that every export is documented, not that it shows its use).
 * Reads the documentation of the entry points with `deno doc --json`.
 *
 *   deno run --allow-run=deno --allow-read tools/check_doc_examples.ts
 *
 * @module
 */

/** The entry points of deno.json's exports. */
export const ENTRY_POINTS = [
  "mod.ts",
  "codec/mod.ts",
  "client/mod.ts",
  "broker/mod.ts",
  "cli/main.ts",
];
const root = new URL("../", import.meta.url);

interface Declaration {
  kind: string;
  location: { filename: string; line: number };
  jsDoc?: { tags?: { kind: string }[] };
}

interface DocNodes {
  nodes: Record<string, { symbols: { name: string; declarations: Declaration[] }[] }>;
}

/**
 * "path:line kind name" of each class and function in `doc` (deno doc --json output) without an
 * example, once each, sorted.
 *
 * @example
 * ```ts
 * import { withoutExamples } from "./check_doc_examples.ts";
 * const doc = {
 *   nodes: {
 *     "file:///m.ts": {
 *       symbols: [{
 *         name: "f",
 *         declarations: [{ kind: "function", location: { filename: "file:///m.ts", line: 3 } }],
 *       }],
 *     },
 *   },
 * };
 * console.log(withoutExamples(doc, "file:///")); // ["m.ts:3 function f"]
 * ```
 */
export function withoutExamples(doc: DocNodes, base: string): string[] {
  const found = new Set<string>();
  for (const { symbols } of Object.values(doc.nodes)) {
    for (const symbol of symbols) {
      for (const d of symbol.declarations) {
        if (d.kind !== "class" && d.kind !== "function") continue;
        if (d.jsDoc?.tags?.some((t) => t.kind === "example")) continue;
        const where = d.location.filename.replace(base, "");
        found.add(`${where}:${d.location.line} ${d.kind} ${symbol.name}`);
      }
    }
  }
  return [...found].sort();
}

if (import.meta.main) {
  const out = await new Deno.Command("deno", {
    args: ["doc", "--json", ...ENTRY_POINTS],
    cwd: root,
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error("deno doc --json failed");
  const missing = withoutExamples(JSON.parse(new TextDecoder().decode(out.stdout)), root.href);
  for (const m of missing) console.error(`no @example: ${m}`);
  console.log(`${missing.length} exported classes and functions without an @example`);
  if (missing.length > 0) Deno.exit(1);
}

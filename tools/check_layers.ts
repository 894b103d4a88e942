/**
 * Fails when a module imports against the direction of Brook's layers (ARCHITECTURE.md): the codec
 * depends on nothing of Brook's; the broker and the client each depend on the codec only, never on
 * each other; the command line sits on top of both. Reads the module graph of every entry point
 * with `deno info --json`; type-only imports count.
 *
 *   deno run --allow-run=deno --allow-read tools/check_layers.ts
 *
 * @module
 */

const ENTRY_POINTS = ["mod.ts", "codec/mod.ts", "client/mod.ts", "broker/mod.ts", "cli/main.ts"];
const root = new URL("../", import.meta.url);

/** What each top-level folder may import from the others (its own folder always). */
export const ALLOWED: Record<string, readonly string[]> = {
  codec: [],
  broker: ["codec"],
  client: ["codec"],
  cli: ["codec", "broker", "client"],
};

/** The imports of `graph` (module -> imported modules, paths from the root) that break a layer. */
export function layerViolations(graph: Map<string, string[]>): string[] {
  const layer = (path: string) => path.split("/")[0];
  const found: string[] = [];
  for (const [from, deps] of graph) {
    const allowed = ALLOWED[layer(from)];
    if (allowed === undefined) continue;
    for (const to of deps) {
      const target = layer(to);
      if (target === layer(from) || !(target in ALLOWED) || allowed.includes(target)) continue;
      found.push(`${from} imports ${to}`);
    }
  }
  return found;
}

interface ModuleInfo {
  specifier: string;
  dependencies?: { code?: { specifier?: string }; type?: { specifier?: string } }[];
}

async function graphOf(entry: string): Promise<Map<string, string[]>> {
  const out = await new Deno.Command("deno", {
    args: ["info", "--json", entry],
    cwd: root,
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`deno info ${entry} failed`);
  const { modules } = JSON.parse(new TextDecoder().decode(out.stdout)) as { modules: ModuleInfo[] };
  const ours = (s: string | undefined) => s?.startsWith(root.href) === true;
  const graph = new Map<string, string[]>();
  for (const m of modules) {
    if (!ours(m.specifier)) continue;
    const deps = (m.dependencies ?? []).flatMap((d) => [d.code?.specifier, d.type?.specifier])
      .filter((s): s is string => ours(s));
    graph.set(m.specifier.slice(root.href.length), deps.map((s) => s.slice(root.href.length)));
  }
  return graph;
}

if (import.meta.main) {
  const graph = new Map<string, string[]>();
  for (const entry of ENTRY_POINTS) {
    for (const [m, deps] of await graphOf(entry)) graph.set(m, deps);
  }
  const found = layerViolations(graph);
  for (const v of found) console.error(`against the layers: ${v}`);
  console.log(`${graph.size} modules, ${found.length} imports against the layers`);
  if (found.length > 0) Deno.exit(1);
}

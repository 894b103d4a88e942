/**
 * Fails on import cycles among the project's modules (type-only imports count: they tie modules
 * together just the same). Reads the module graph of every entry point with `deno info --json`.
 * Cycles still being taken apart are listed in tools/known_cycles.json; a cycle not listed there
 * fails, and so does a listed one that no longer exists (the list only shrinks).
 *
 *   deno run --allow-run=deno --allow-read tools/check_cycles.ts
 *
 * @module
 */

const ENTRY_POINTS = [
  "mod.ts",
  "codec/mod.ts",
  "client/mod.ts",
  "broker/mod.ts",
  "cli/main.ts",
  "cli/broker.ts",
];
const root = new URL("../", import.meta.url);

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
  const ours = (s: string | undefined) => s?.startsWith(root.href) && !s.includes("/generated/");
  const graph = new Map<string, string[]>();
  for (const m of modules) {
    if (!ours(m.specifier)) continue;
    const deps = (m.dependencies ?? []).flatMap((d) => [d.code?.specifier, d.type?.specifier])
      .filter((s): s is string => ours(s) === true);
    graph.set(m.specifier.slice(root.href.length), deps.map((s) => s.slice(root.href.length)));
  }
  return graph;
}

/** Strongly connected components of more than one module (Tarjan's algorithm, iteratively). */
export function cyclesOf(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let next = 0;
  for (const start of graph.keys()) {
    if (index.has(start)) continue;
    const work: { node: string; edge: number }[] = [{ node: start, edge: 0 }];
    index.set(start, next);
    low.set(start, next++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const edges = graph.get(frame.node) ?? [];
      if (frame.edge < edges.length) {
        const to = edges[frame.edge++];
        if (!index.has(to)) {
          index.set(to, next);
          low.set(to, next++);
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, edge: 0 });
        } else if (onStack.has(to)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(to)!));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.node)!));
      }
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        for (;;) {
          const m = stack.pop()!;
          onStack.delete(m);
          component.push(m);
          if (m === frame.node) break;
        }
        if (component.length > 1) cycles.push(component.sort());
      }
    }
  }
  return cycles;
}

if (import.meta.main) {
  const graph = new Map<string, string[]>();
  for (const entry of ENTRY_POINTS) {
    for (const [m, deps] of await graphOf(entry)) graph.set(m, deps);
  }
  const found = cyclesOf(graph).map((c) => c.join(" "));
  const known: string[][] = JSON.parse(
    await Deno.readTextFile(new URL("known_cycles.json", import.meta.url)),
  );
  const knownKeys = known.map((c) => [...c].sort().join(" "));
  const fresh = found.filter((c) => !knownKeys.includes(c));
  const gone = knownKeys.filter((c) => !found.includes(c));
  for (const c of fresh) console.error(`import cycle: ${c}`);
  for (const c of gone) {
    console.error(`no longer a cycle (remove it from tools/known_cycles.json): ${c}`);
  }
  console.log(`${graph.size} modules, ${found.length} import cycles (${known.length} known)`);
  if (fresh.length > 0 || gone.length > 0) Deno.exit(1);
}

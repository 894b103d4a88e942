// Brook's client logs only through the logger option: no console calls in its code (examples in
// comments excepted).
import { assertEquals } from "../assert.ts";

async function* sources(dir: URL): AsyncGenerator<URL> {
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isDirectory) yield* sources(new URL(`${entry.name}/`, dir));
    else if (entry.name.endsWith(".ts")) yield new URL(entry.name, dir);
  }
}

Deno.test("client: no console calls outside comments", async () => {
  const found: string[] = [];
  for await (const file of sources(new URL("../../client/", import.meta.url))) {
    const lines = (await Deno.readTextFile(file)).split("\n");
    lines.forEach((line, i) => {
      const code = line.trim();
      if (code.startsWith("*") || code.startsWith("//") || code.startsWith("/*")) return;
      if (/\bconsole\.\w+\s*\(/.test(code)) found.push(`${file.pathname}:${i + 1}: ${code}`);
    });
  }
  assertEquals(found, []);
});

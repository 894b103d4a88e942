// The helpers that find kcat and openssl load on a machine that has neither (an empty PATH), say
// once why tests are skipped, and report both missing; on a machine with them, the same probes
// find them.
import { assertEquals } from "./assert.ts";
import { installed } from "./installed.ts";

const KCAT = new URL("./kcat.ts", import.meta.url).href;
const INSTALLED = new URL("./installed.ts", import.meta.url).href;

Deno.test("installed: with no program on PATH, kcat.ts and installed.ts load and say what is missing", async () => {
  const empty = await Deno.makeTempDir({ prefix: "brook-empty-path-" });
  try {
    const env: Record<string, string> = { PATH: empty, NO_COLOR: "1" };
    // A fresh environment: the parent's notes of what it already printed must not carry over.
    for (const name of ["HOME", "DENO_DIR"]) {
      const value = Deno.env.get(name);
      if (value !== undefined) env[name] = value;
    }
    const code = `
      const { hasKcat } = await import(${JSON.stringify(KCAT)});
      const { has, missing } = await import(${JSON.stringify(INSTALLED)});
      const first = missing("kcat", "openssl");
      const again = missing("kcat") && missing("openssl");
      console.log(JSON.stringify({ hasKcat, openssl: has("openssl"), first, again }));
    `;
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["eval", code],
      clearEnv: true,
      env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const td = new TextDecoder();
    assertEquals(out.code, 0, td.decode(out.stderr));
    assertEquals(td.decode(out.stdout).trim().split("\n"), [
      "skipped: kcat not installed (tests that need it are ignored)",
      "skipped: openssl not installed (tests that need it are ignored)",
      JSON.stringify({ hasKcat: false, openssl: false, first: true, again: true }),
    ]);
  } finally {
    await Deno.remove(empty, { recursive: true });
  }
});

Deno.test("installed: a program that cannot start is false; Deno itself is found", async () => {
  assertEquals(await installed("brook-no-such-program", ["-V"]), false);
  assertEquals(await installed(Deno.execPath(), ["--version"]), true);
  // Started but failing is not installed either.
  assertEquals(await installed(Deno.execPath(), ["--no-such-flag"]), false);
});

// The broker config catalog and the configs' documentation are regenerated from a real Kafka 4.1.1
// and must equal the checked-in ones (BROOK_INTEROP=1; part of deno task test:interop).
import { assertEquals } from "../assert.ts";

const interop = Deno.env.get("BROOK_INTEROP") === "1";
const root = new URL("../../", import.meta.url).pathname;

Deno.test({
  name: "conformance: regenerating the config catalog from a real Kafka 4.1.1 changes nothing",
  ignore: !interop,
  async fn() {
    const out = await Deno.makeTempFile({ suffix: ".ts" });
    try {
      const run = await new Deno.Command("deno", {
        args: ["run", "-A", `${root}tools/kafka/config_catalog.ts`],
        env: { BROOK_CATALOG_OUT: out },
        stderr: "inherit",
      }).output();
      assertEquals(run.success, true);
      assertEquals(
        await Deno.readTextFile(out),
        await Deno.readTextFile(`${root}broker/configs/generated/config_catalog.ts`),
      );
    } finally {
      await Deno.remove(out);
    }
  },
});

Deno.test({
  name:
    "conformance: regenerating the configs' documentation from a real Kafka 4.1.1 changes nothing",
  ignore: !interop,
  async fn() {
    const out = await Deno.makeTempFile({ suffix: ".ts" });
    try {
      const run = await new Deno.Command("deno", {
        args: ["run", "-A", `${root}tools/kafka/config_docs.ts`],
        env: { BROOK_DOCS_OUT: out },
        stdout: "null",
        stderr: "inherit",
      }).output();
      assertEquals(run.success, true);
      assertEquals(
        await Deno.readTextFile(out),
        await Deno.readTextFile(`${root}broker/configs/generated/config_docs.ts`),
      );
    } finally {
      await Deno.remove(out);
    }
  },
});

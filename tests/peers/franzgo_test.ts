// franz-go (Go modules) against Brook's broker (BROOK_INTEROP=1): kadm creates a topic, idempotent
// producers with every codec, a consumer group reads everything and commits, kadm reads the offsets.
import { assertEquals } from "../assert.ts";
import { Broker } from "../../broker/mod.ts";

const enabled = Deno.env.get("BROOK_INTEROP") === "1";
const dir = new URL("./franzgo/", import.meta.url).pathname;

Deno.test({
  name: "peers: franz-go against Brook's broker",
  ignore: !enabled,
  async fn() {
    const binary = await Deno.makeTempFile({ prefix: "brook-franzgo-" });
    const build = await new Deno.Command("go", {
      args: ["build", "-o", binary, "."],
      cwd: dir,
      stderr: "piped",
    }).output();
    assertEquals(build.success, true, new TextDecoder().decode(build.stderr));
    await using broker = await Broker.start({ nodes: 3 });
    const out = await new Deno.Command(binary, {
      args: [broker.bootstrapServers, "franz"],
      stderr: "piped",
    }).output();
    assertEquals(out.success, true, new TextDecoder().decode(out.stderr));
    const r = JSON.parse(new TextDecoder().decode(out.stdout));
    assertEquals([r.produced, r.consumed, r.committed_total, r.group_state], [
      100,
      100,
      100,
      "Empty",
    ]);
    await Deno.remove(binary);
  },
});

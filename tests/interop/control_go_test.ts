// The control API from Go (BROOK_INTEROP=1): `go test` in tools/control/go starts
// `deno task broker --control-port 0`, stops the partition leader's node and injects errors through
// tools/control/go/control.go, and sees franz-go's producer recover (every record once, in order).
import { assertOk } from "../assert.ts";

const enabled = Deno.env.get("BROOK_INTEROP") === "1";
const root = new URL("../../", import.meta.url).pathname;

Deno.test({
  name: "control API: a Go test with franz-go drives faults and sees its producer recover",
  ignore: !enabled,
  async fn() {
    const out = await new Deno.Command("go", {
      args: ["test", "-count=1", "-v", "./..."],
      cwd: `${root}tools/control/go`,
      env: { BROOK_HOME: root },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    assertOk(out.success, text);
    assertOk(text.includes("--- PASS: TestFranzGoRecoversFromALeaderStopAndInjectedErrors"), text);
    assertOk(text.includes("--- PASS: TestRefusalsAndReset"), text);
  },
});

// The control API from Python (BROOK_INTEROP=1): pytest runs tools/control/test_brook_control.py,
// which starts `deno task broker --control-port 0`, injects faults through tools/control/
// brook_control.py and sees confluent-kafka's producer and consumer recover.
import { assertOk } from "../assert.ts";

const enabled = Deno.env.get("BROOK_INTEROP") === "1";
const root = new URL("../../", import.meta.url).pathname;

Deno.test({
  name:
    "control API: a pytest test with confluent-kafka drives faults and sees its clients recover",
  ignore: !enabled,
  async fn() {
    const file = "tools/control/test_brook_control.py";
    // pytest when installed; else the file's own runner, which runs the same tests.
    const pytest = (await new Deno.Command("python3", { args: ["-c", "import pytest"] }).output())
      .success;
    const out = await new Deno.Command("python3", {
      args: pytest ? ["-m", "pytest", "-q", "-p", "no:cacheprovider", file] : [file],
      cwd: root,
      env: { BROOK_HOME: root, PYTHONDONTWRITEBYTECODE: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    assertOk(out.success, text);
    assertOk(/\b4 passed\b/.test(text), text);
  },
});

// The control API from Java (BROOK_INTEROP=1): tools/control/java/ControlTest.java, compiled with
// javac against kafka-clients 4.1.1, starts `deno task broker --control-port 0`, injects faults
// through tools/control/java/BrookControl.java and sees its producer and consumer group recover.
import { assertOk } from "../assert.ts";

const enabled = Deno.env.get("BROOK_INTEROP") === "1";
const root = new URL("../../", import.meta.url).pathname;

async function run(command: string, args: string[]): Promise<string> {
  const out = await new Deno.Command(command, {
    args,
    cwd: root,
    env: { BROOK_HOME: root },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assertOk(out.success, `${command}: ${text}`);
  return text;
}

Deno.test({
  name:
    "control API: a Java test with kafka-clients 4.1.1 drives faults and sees its clients recover",
  ignore: !enabled,
  async fn() {
    const libs = (await run("bash", ["tools/kafka/install.sh"])).trim().split("\n").pop()!;
    const classes = await Deno.makeTempDir({ prefix: "brook-control-java-" });
    try {
      const sources = ["BrookControl.java", "ControlTest.java"].map((f) =>
        `tools/control/java/${f}`
      );
      await run("javac", ["-cp", `${libs}/*`, "-d", classes, ...sources]);
      const text = await run("java", ["-cp", `${classes}:${libs}/*`, "ControlTest"]);
      assertOk(text.includes("PASS clientsRecoverFromInjectedFaults"), text);
      assertOk(text.includes("PASS refusalsAndReset"), text);
    } finally {
      await Deno.remove(classes, { recursive: true });
    }
  },
});

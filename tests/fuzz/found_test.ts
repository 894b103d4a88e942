// Frames the fuzzer (tests/fuzz/fuzz.ts) found mishandled, kept and replayed: each must get a
// well-formed answer or a close within 5 s (or rightly none: long polls, frames still waiting for
// their announced bytes, acks=0 Produce), and nothing may be written to stderr.
import { assertEquals } from "../assert.ts";
import { Broker } from "../../broker/mod.ts";
import { checkAnswer, expectation, FuzzConnection, HANG_MS, LONG_POLLS } from "./fuzz.ts";

const found = new URL("./found/", import.meta.url);
const files = [...Deno.readDirSync(found)].filter((f) => f.name.endsWith(".bin")).map((f) => f.name)
  .sort();

Deno.test({
  name:
    `fuzz: the ${files.length} frames the fuzzer found are answered or closed, with nothing on stderr`,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using broker = await Broker.start({ topics: { fuzz: { partitions: 2 } } });
    const printed: string[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => printed.push(args.map(String).join(" "));
    const problems: string[] = [];
    try {
      for (const name of files) {
        const frame = await Deno.readFile(new URL(name, found));
        const expect = expectation(frame);
        const conn = new FuzzConnection(broker.bootstrapServers);
        const wait = expect.partial || expect.noAnswer ? 0 : HANG_MS;
        const [outcome, payload] = await conn.exchange(frame, wait);
        conn.drop();
        const problem = outcome === "answer"
          ? checkAnswer(expect, payload!)
          : outcome === "silent" && wait > 0 && !LONG_POLLS.has(expect.apiKey)
          ? "no answer and no close"
          : undefined;
        if (problem) problems.push(`${name}: ${problem}`);
      }
      // Answers leave before their handler's last lines: give those a moment.
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      console.error = original;
    }
    assertEquals(problems, []);
    assertEquals(printed, []);
  },
});

// A bounded fuzz run in the hermetic suite: 20,000 mutated frames of every API key and version to a
// broker process while a producer writes to it; `deno task fuzz --frames N` runs longer ones.
import { assertEquals } from "../assert.ts";
import { runFuzz } from "./fuzz.ts";

Deno.test({
  name:
    "fuzz: 20,000 mutated frames: no crash, hang, malformed answer or stderr line; nothing lost",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const report = await runFuzz({ frames: 20_000, connections: 8, goodRecords: 5_000, seed: 7 });
    console.log(
      `${report.frames} frames in ${report.seconds.toFixed(1)} s: ${report.answered} answered, ` +
        `${report.closed} closed, ${report.unanswered} rightly unanswered`,
    );
    assertEquals(report.failures.map((f) => `${f.kind}: ${f.detail}`), []);
  },
});

import { assertEquals, assertOk } from "../assert.ts";
import { Broker } from "../../broker/mod.ts";
import { Consumer } from "../../client/mod.ts";
import { runTool } from "./cli_run.ts";

/** 300,000 lines "k<i % 13>\t<i padded to ~100 bytes>", in chunks of ~1 MB. */
function* lines(count: number): Generator<Uint8Array> {
  const encoder = new TextEncoder();
  const pad = "x".repeat(88);
  let text = "";
  for (let i = 0; i < count; i++) {
    text += `k${i % 13}\t${String(i).padStart(7, "0")} ${pad}\n`;
    if (text.length > 1_000_000) {
      yield encoder.encode(text);
      text = "";
    }
  }
  if (text) yield encoder.encode(text);
}

/** Reads every record of a topic; per key, the numbers in the order the partition holds them. */
async function readAll(bootstrapServers: string, topic: string, partitions: number, count: number) {
  await using consumer = new Consumer({ bootstrapServers, autoOffsetReset: "earliest" });
  consumer.assign(Array.from({ length: partitions }, (_, partition) => ({ topic, partition })));
  const byKey = new Map<string, number[]>();
  const decoder = new TextDecoder();
  let read = 0;
  for (let polls = 0; read < count && polls < 2000; polls++) {
    for (const r of await consumer.poll({ timeoutMs: 500, maxRecords: 10000 })) {
      const key = decoder.decode(r.key!);
      const n = Number(decoder.decode(r.value!).slice(0, 7));
      (byKey.get(key) ?? byKey.set(key, []).get(key)!).push(n);
      read++;
    }
  }
  return { read, byKey };
}

Deno.test("produce: 300,000 lines (~30 MB) from stdin all arrive, in order per partition, exit 0", async () => {
  const count = 300_000;
  await using broker = await Broker.start({ topics: { lines: { partitions: 4 } } });
  const b = ["--bootstrap-server", broker.bootstrapServers];
  const produced = await runTool(
    "produce",
    [...b, "--topic", "lines", "--property", "parse.key=true"],
    lines(count),
  );
  assertEquals(produced.code, 0, produced.stderr);
  // One summary line on stderr, nothing on stdout.
  assertEquals(produced.stdout, "");
  assertOk(
    /^300000 records \(\d+\.\d MB\) sent in [\d.]+ s: \d+ records\/s/.test(produced.stderr),
    produced.stderr,
  );
  const { read, byKey } = await readAll(broker.bootstrapServers, "lines", 4, count);
  assertEquals(read, count);
  for (const [key, numbers] of byKey) {
    const k = Number(key.slice(1));
    const expected = Array.from({ length: Math.ceil((count - k) / 13) }, (_, i) => k + 13 * i);
    assertEquals(numbers, expected, `key ${key}`);
  }
});

Deno.test("produce: Kafka's line format: headers, null marker, ignore.error, CRLF and empty lines", async () => {
  await using broker = await Broker.start({ topics: { fmt: { partitions: 1 } } });
  const produced = await runTool("produce", [
    "--bootstrap-server",
    broker.bootstrapServers,
    "--topic",
    "fmt",
    "--property",
    "parse.key=true",
    "--property",
    "key.separator=::",
    "--property",
    "parse.headers=true",
    "--property",
    "null.marker=NULL",
    "--sync",
  ], "h1:a,h2:NULL\tk::v\r\n\tNULL::only value\n\tk2::NULL\n");
  assertEquals(produced.code, 0, produced.stderr);
  await using consumer = new Consumer({
    bootstrapServers: broker.bootstrapServers,
    autoOffsetReset: "earliest",
  });
  consumer.assign([{ topic: "fmt", partition: 0 }]);
  const got: unknown[] = [];
  const text = (b: Uint8Array | null) => (b === null ? null : new TextDecoder().decode(b));
  for (let i = 0; i < 20 && got.length < 3; i++) {
    for (const r of await consumer.poll({ timeoutMs: 200 })) {
      got.push([text(r.key), text(r.value), r.headers.map((h) => [h.key, text(h.value)])]);
    }
  }
  assertEquals(got, [
    ["k", "v", [["h1", "a"], ["h2", null]]],
    [null, "only value", []],
    ["k2", null, []],
  ]);
  const bad = await runTool("produce", [
    "--bootstrap-server",
    broker.bootstrapServers,
    "--topic",
    "fmt",
    "--property",
    "parse.key=true",
  ], "k\tv\nno separator\n");
  assertEquals(bad.code, 1);
  assertEquals(bad.stderr.trim().split("\n").length, 1, bad.stderr);
  assertOk(/No key separator found on line number 2: 'no separator'/.test(bad.stderr), bad.stderr);
});

Deno.test("produce: when the broker goes away, it says how many records were not delivered, and why, and exits 1", async () => {
  const broker = await Broker.start({ topics: { gone: { partitions: 1 } } });
  const bootstrap = broker.bootstrapServers;
  let stopped = false;
  function* input(): Generator<Uint8Array> {
    const line = new TextEncoder().encode("record\n".repeat(1000));
    for (let i = 0; i < 200; i++) {
      if (i === 20 && !stopped) {
        stopped = true;
        // Generators cannot await: the broker is closed from a microtask while the tool blocks.
        broker.close();
      }
      yield line;
    }
  }
  const ran = await runTool("produce", [
    "--bootstrap-server",
    bootstrap,
    "--topic",
    "gone",
    "--timeout-ms",
    "4000",
    "--request-timeout-ms",
    "1000",
    "--max-block-ms",
    "2000",
  ], input());
  await broker.close();
  assertEquals(ran.code, 1, ran.stderr);
  // One line, no stack trace.
  assertEquals(ran.stderr.trim().split("\n").length, 1, ran.stderr);
  const m = /^produce: (\d+) of (\d+) records read were not delivered \((\d+) were\): \S/.exec(
    ran.stderr,
  );
  assertOk(m, ran.stderr);
  assertEquals(Number(m[1]) + Number(m[3]), Number(m[2]));
  assertOk(Number(m[1]) > 0);
});

import { clusterOf } from "../../broker/broker_internals.ts";
import { assertEquals, assertOk } from "../assert.ts";
import { Broker } from "../../broker/mod.ts";
import { Consumer, Producer } from "../../client/mod.ts";
import { parseCommandLine } from "../../cli/broker.ts";

/** The value of one exposition line, by its name and labels; undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

function promtool(): string | undefined {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    try {
      if (Deno.statSync(`${dir}/promtool`).isFile) return `${dir}/promtool`;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

Deno.test("metrics port: partition offsets and sizes, lag of an empty group, latency quantiles per API", async () => {
  await using broker = await Broker.start({ topics: { t: { partitions: 2 } }, metricsPort: 0 });
  const bootstrapServers = broker.bootstrapServers;
  await using producer = new Producer({ bootstrapServers, lingerMs: 1 });
  for (let i = 0; i < 5; i++) await producer.send({ topic: "t", partition: 0, value: `v${i}` });
  {
    await using consumer = new Consumer({
      bootstrapServers,
      groupId: 'billing "eu"',
      autoOffsetReset: "earliest",
      autoCommit: false,
    });
    consumer.subscribe(["t"]);
    let seen = 0;
    for (let i = 0; i < 200 && seen < 5; i++) {
      seen += (await consumer.poll({ timeoutMs: 50 })).length;
    }
    await consumer.commit([{ topic: "t", partition: 0, offset: 2n }]);
  }
  const res = await fetch(`http://${broker.metricsAddress}/metrics`);
  const text = await res.text();
  const size = clusterOf(broker).partition("t", 0)!.log.sizeBytes;
  assertOk(size > 0);
  assertEquals(sample(text, 'brook_partition_high_watermark{topic="t",partition="0"}'), 5);
  assertEquals(sample(text, 'brook_partition_high_watermark{topic="t",partition="1"}'), 0);
  assertEquals(sample(text, 'brook_partition_log_start_offset{topic="t",partition="0"}'), 0);
  assertEquals(sample(text, 'brook_partition_log_size_bytes{topic="t",partition="0"}'), size);
  assertEquals(sample(text, 'brook_topic_log_size_bytes{topic="t"}'), size);
  assertEquals(sample(text, 'brook_topic_log_records{topic="t"}'), 5);
  // The group has no members left: its lag is still reported, from its committed offsets.
  const group = 'group="billing \\"eu\\""';
  assertEquals(
    sample(text, `brook_consumergroup_members{${group},protocol="classic",state="Empty"}`),
    0,
  );
  assertEquals(
    sample(text, `brook_consumergroup_current_offset{${group},topic="t",partition="0"}`),
    2,
  );
  assertEquals(sample(text, `brook_consumergroup_lag{${group},topic="t",partition="0"}`), 3);
  assertEquals(sample(text, `brook_consumergroup_total_lag{${group}}`), 3);
  // Traffic: each send stored one batch of one record; the consumer read them all back.
  const tp0 = 'topic="t",partition="0"';
  assertEquals(sample(text, `brook_partition_records_in_total{${tp0}}`), 5);
  assertEquals(sample(text, `brook_partition_bytes_in_total{${tp0}}`), size);
  assertEquals(sample(text, `brook_partition_records_out_total{${tp0}}`), 5);
  assertEquals(sample(text, `brook_partition_bytes_out_total{${tp0}}`), size);
  assertEquals(sample(text, 'brook_topic_records_in_total{topic="t"}'), 5);
  assertEquals(sample(text, 'brook_topic_bytes_out_total{topic="t"}'), size);
  const p50 = sample(text, 'brook_request_latency_seconds{api="Produce",quantile="0.5"}');
  const p99 = sample(text, 'brook_request_latency_seconds{api="Produce",quantile="0.99"}');
  assertOk(p50 !== undefined && p99 !== undefined && p50 <= p99, `${p50} ${p99}`);
  assertEquals(sample(text, 'brook_request_latency_seconds_count{api="Produce"}'), 5);
  // Prometheus' own checker of the format, where installed (Debian's prometheus package).
  const tool = promtool();
  if (tool) {
    const check = new Deno.Command(tool, {
      args: ["check", "metrics"],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const writer = check.stdin.getWriter();
    await writer.write(new TextEncoder().encode(text));
    await writer.close();
    const out = await check.output();
    const said = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    assertEquals([out.code, said], [0, ""]);
  }
});

Deno.test("--metrics-host sets the metrics port's address and needs --metrics-port", async () => {
  const parsed = await parseCommandLine(["--metrics-port", "0", "--metrics-host", "0.0.0.0"]);
  assertOk(!parsed.help);
  assertEquals([parsed.options.metricsHost, parsed.options.metricsPort], ["0.0.0.0", 0]);
  let error: Error | undefined;
  await parseCommandLine(["--metrics-host", "0.0.0.0"]).catch((e) => error = e);
  assertEquals(error?.message, "--metrics-host needs --metrics-port");
});

Deno.test("the Grafana dashboard reads only metric names the broker exposes", async () => {
  await using broker = await Broker.start();
  const text = broker.prometheusMetrics();
  const families = new Map<string, string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) families.set(m[1], m[2]);
  const dashboard = JSON.parse(
    await Deno.readTextFile(new URL("../../tools/grafana/brook_dashboard.json", import.meta.url)),
  );
  const exprs: string[] = dashboard.panels.flatMap((p: { targets: { expr: string }[] }) =>
    p.targets.map((t) => t.expr)
  );
  assertOk(exprs.length >= 10);
  const missing = [];
  for (const expr of exprs) {
    for (const [name] of expr.matchAll(/brook_[a-z_]+/g)) {
      const family = name.replace(/_bucket$/, "");
      const type = families.get(family);
      if (!type || (name !== family && type !== "histogram")) missing.push(name);
    }
  }
  assertEquals(missing, []);
});

Deno.test("metrics port: a Produce the broker refuses counts nothing in", async () => {
  await using broker = await Broker.start({
    topics: { t: { partitions: 1, configs: { "max.message.bytes": "200" } } },
  });
  await using producer = new Producer({ bootstrapServers: broker.bootstrapServers, lingerMs: 1 });
  await producer.send({ topic: "t", partition: 0, value: "x".repeat(20) });
  const refused = await producer.send({ topic: "t", partition: 0, value: "x".repeat(400) })
    .then(() => undefined, (e: Error) => e);
  assertOk(refused !== undefined);
  const text = broker.prometheusMetrics();
  assertEquals(sample(text, 'brook_partition_records_in_total{topic="t",partition="0"}'), 1);
  assertEquals(
    sample(text, 'brook_partition_bytes_in_total{topic="t",partition="0"}'),
    clusterOf(broker).partition("t", 0)!.log.sizeBytes,
  );
  assertEquals(
    sample(text, 'brook_request_errors_total{api="Produce",error="MESSAGE_TOO_LARGE"}'),
    1,
  );
});

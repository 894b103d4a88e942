/**
 * Start time of Brook's broker: in process, `Broker.start()` to the first served request (an
 * ApiVersions round trip over a real socket) and close; and, when allowed to run subprocesses, the
 * CLI from spawn to its "listening on" line.
 *
 * Run: deno bench --allow-read --allow-env --allow-net=127.0.0.1 --allow-run bench/broker_start_bench.ts
 *
 * @module
 */

import { ApiKey, encodeRequestFrame, Writer } from "../codec/mod.ts";
import { Broker } from "../broker/mod.ts";

const API_VERSIONS = encodeRequestFrame(new Writer(), {
  apiKey: ApiKey.ApiVersions,
  apiVersion: 3,
  correlationId: 1,
  clientId: "bench",
  body: { clientSoftwareName: "brook-bench", clientSoftwareVersion: "1" },
});

/** Sends ApiVersions and reads its whole answer. */
async function apiVersionsRoundTrip(address: string): Promise<void> {
  const [hostname, port] = address.split(":");
  const conn = await Deno.connect({ hostname, port: Number(port) });
  try {
    await conn.write(API_VERSIONS);
    const buf = new Uint8Array(64 * 1024);
    let have = 0;
    for (;;) {
      const n = await conn.read(buf.subarray(have));
      if (n === null) throw new Error("the broker closed the connection");
      have += n;
      if (have >= 4 && have >= 4 + new DataView(buf.buffer).getInt32(0)) return;
    }
  } finally {
    conn.close();
  }
}

for (const nodes of [1, 3]) {
  Deno.bench({
    name: `Broker.start({ nodes: ${nodes} }) + ApiVersions round trip + close`,
    group: "start",
    baseline: nodes === 1,
    async fn() {
      const broker = await Broker.start({ nodes });
      await apiVersionsRoundTrip(broker.bootstrapServers.split(",")[0]);
      await broker.close();
    },
  });
}

const CLI = new URL("../cli/broker.ts", import.meta.url).pathname;
const canRun = Deno.permissions.querySync({ name: "run" }).state === "granted";

Deno.bench({
  name: "CLI: spawn to 'listening on' (3 nodes), then SIGTERM",
  group: "cli",
  ignore: !canRun,
  n: 10,
  warmup: 2,
  async fn() {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-net",
        "--allow-read",
        "--allow-env",
        CLI,
        "--port",
        "0",
        "--brokers",
        "3",
      ],
      stdout: "piped",
      stderr: "null",
      stdin: "null",
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let out = "";
    while (!out.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) throw new Error("the CLI exited before listening");
      out += value;
    }
    if (!out.startsWith("listening on ")) throw new Error(`unexpected output: ${out}`);
    child.kill("SIGTERM");
    await reader.cancel();
    await child.status;
  },
});

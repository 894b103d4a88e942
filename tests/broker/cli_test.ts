import { assertEquals, assertOk } from "../assert.ts";
import { aclFilterToFields, ApiKey, ErrorCode } from "../../codec/mod.ts";
import { RawClient } from "./raw_client.ts";
import { Producer } from "../../client/mod.ts";
import { clientCertificate, testCertificates } from "../security/certs.ts";
import { missing } from "../installed.ts";

const CLI = new URL("../../cli/broker.ts", import.meta.url).pathname;

/** A running CLI broker: its child process, its first stdout line, and readers for the rest. */
class CliBroker implements AsyncDisposable {
  readonly child: Deno.ChildProcess;
  readonly #stdout: ReadableStreamDefaultReader<string>;
  #buffered = "";

  constructor(args: string[]) {
    this.child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-net", "--allow-read", "--allow-env", CLI, ...args],
      stdout: "piped",
      stderr: "piped",
      stdin: "null",
    }).spawn();
    this.#stdout = this.child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  }

  /** The next stdout line, or null at the end; fails after `ms`. */
  async line(ms = 20000): Promise<string | null> {
    const deadline = Date.now() + ms;
    while (!this.#buffered.includes("\n")) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error("no line from the CLI in time")),
          deadline - Date.now(),
        );
      });
      try {
        const { value, done } = await Promise.race([this.#stdout.read(), timeout]);
        if (done) return this.#buffered === "" ? null : this.#take(this.#buffered.length);
        this.#buffered += value;
      } finally {
        clearTimeout(timer);
      }
    }
    return this.#take(this.#buffered.indexOf("\n") + 1).trimEnd();
  }

  #take(n: number): string {
    const line = this.#buffered.slice(0, n);
    this.#buffered = this.#buffered.slice(n);
    return line;
  }

  /** Sends the signal and returns the exit code, the rest of stdout, and stderr. */
  async stop(
    signal: Deno.Signal = "SIGTERM",
  ): Promise<{ code: number; rest: string; stderr: string }> {
    this.child.kill(signal);
    let rest = this.#buffered;
    for (;;) {
      const { value, done } = await this.#stdout.read();
      if (done) break;
      rest += value;
    }
    const stderr = await new Response(this.child.stderr).text();
    const { code } = await this.child.status;
    return { code, rest, stderr };
  }

  async [Symbol.asyncDispose](): Promise<void> {
    try {
      this.child.kill("SIGKILL");
    } catch {
      // Already exited.
    }
    await this.child.status;
    await this.#stdout.cancel().catch(() => {});
    await this.child.stderr.cancel().catch(() => {});
  }
}

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--allow-read", "--allow-env", CLI, ...args],
    stdin: "null",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("cli: three nodes on free ports, one line, clean stop on SIGTERM", async () => {
  await using cli = new CliBroker([
    "--port",
    "0",
    "--brokers",
    "3",
    "--partitions",
    "2",
    "--topic",
    "t:4",
  ]);
  const line = await cli.line();
  const match = line?.match(/^listening on (127\.0\.0\.1:\d+(,127\.0\.0\.1:\d+){2})$/);
  assertOk(match, `unexpected first line: ${line}`);
  const addresses = match[1].split(",");
  assertEquals(new Set(addresses).size, 3);
  for (const address of addresses) {
    await using client = await RawClient.connect(address);
    const meta = await client.request(ApiKey.Metadata, 12, {
      topics: [{ name: "t" }, { name: "auto" }],
      allowAutoTopicCreation: true,
    });
    assertEquals(meta.brokers.map((b) => `${b.host}:${b.port}`).sort(), addresses.toSorted());
    assertEquals(meta.topics[0].partitions.length, 4);
  }
  // The auto-created topic got --partitions.
  await using client = await RawClient.connect(addresses[2]);
  const auto = await client.request(ApiKey.Metadata, 12, { topics: [{ name: "auto" }] });
  assertEquals(auto.topics[0].partitions.length, 2);
  client.close();
  const { code, rest } = await cli.stop("SIGTERM");
  assertEquals(code, 0);
  assertEquals(rest, "");
});

Deno.test(
  "cli: kcat lists the brokers; SIGINT stops it with status 0",
  { ignore: missing("kcat") },
  async () => {
    await using cli = new CliBroker(["--port", "0", "--brokers", "2", "--topic", "k:3"]);
    const line = await cli.line();
    const addresses = line!.replace("listening on ", "").split(",");
    const kcat = await new Deno.Command("kcat", {
      args: ["-L", "-b", addresses[0], "-m", "10"],
      stdin: "null",
    }).output();
    const out = new TextDecoder().decode(kcat.stdout);
    assertEquals(kcat.code, 0, new TextDecoder().decode(kcat.stderr));
    assertOk(out.includes(" 2 brokers:"), out);
    assertOk(out.includes(`broker 2 at ${addresses[1]}`), out);
    assertOk(out.includes('topic "k" with 3 partitions'), out);
    const { code } = await cli.stop("SIGINT");
    assertEquals(code, 0);
  },
);

Deno.test("cli: a fault plan file and the metrics port", async () => {
  const file = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await Deno.writeTextFile(
      file,
      JSON.stringify({
        faults: [{
          kind: "error",
          apiKey: "Metadata",
          errorCode: "UNKNOWN_SERVER_ERROR",
          topic: "t",
        }],
      }),
    );
    await using cli = new CliBroker([
      "--port",
      "0",
      "--topic",
      "t",
      "--metrics-port",
      "0",
      "--faults",
      file,
    ]);
    const address = (await cli.line())!.replace("listening on ", "");
    await using client = await RawClient.connect(address);
    const failed = await client.request(ApiKey.Metadata, 12, { topics: [{ name: "t" }] });
    assertEquals(failed.topics[0].errorCode, ErrorCode.UNKNOWN_SERVER_ERROR);
    const ok = await client.request(ApiKey.Metadata, 12, { topics: [{ name: "t" }] });
    assertEquals(ok.topics[0].errorCode, ErrorCode.NONE);
    client.close();
    const { code, stderr } = await cli.stop();
    assertEquals(code, 0);
    assertOk(/^metrics on http:\/\/127\.0\.0\.1:\d+\/metrics$/m.test(stderr), stderr);
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("cli: the metrics port serves what the broker counted", async () => {
  await using cli = new CliBroker(["--port", "0", "--metrics-port", "0"]);
  const address = (await cli.line())!.replace("listening on ", "");
  await using client = await RawClient.connect(address);
  await client.request(ApiKey.ApiVersions, 2, {});
  // The metrics address is on stderr; read it from the process's stderr stream.
  const reader = cli.child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let err = "";
  for (let i = 0; i < 100 && !err.includes("/metrics\n"); i++) {
    const { value, done } = await reader.read();
    if (done) break;
    err += value;
  }
  reader.releaseLock();
  const url = err.match(/http:\/\/\S+\/metrics/)![0];
  const text = await (await fetch(url)).text();
  assertOk(text.includes('brook_requests_total{api="ApiVersions"} 1'), text);
  client.close();
  cli.child.kill("SIGTERM");
  assertEquals((await cli.child.status).code, 0);
});

Deno.test("cli: bad arguments print one line and exit 2", async () => {
  for (
    const args of [
      ["--bogus"],
      ["--brokers", "zero"],
      ["--port", "70000"],
      ["--brokers", "2", "--replication-factor", "3"],
      ["positional"],
      ["--faults", "/nonexistent/faults.json"],
      ["--super-user", "admin"],
      ["--ssl-client-auth", "required"],
    ]
  ) {
    const { code, stdout, stderr } = await run(args);
    assertEquals(code, 2, `${args}: ${stderr}`);
    assertEquals(stdout, "");
    const lines = stderr.trimEnd().split("\n");
    assertEquals(lines.length, 1, stderr);
    assertOk(lines[0].startsWith("broker: ") && lines[0].endsWith("(see --help)"), lines[0]);
  }
});

Deno.test("cli: a fault plan with a mistake is refused before starting", async () => {
  const file = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await Deno.writeTextFile(file, JSON.stringify([{ kind: "latency", apiKey: "Produce" }]));
    const { code, stderr } = await run(["--port", "0", "--faults", file]);
    assertEquals(code, 2);
    assertOk(stderr.includes("Fault step 0: ms must be a number"), stderr);
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("cli: --help prints the usage and exits 0", async () => {
  const { code, stdout } = await run(["--help"]);
  assertEquals(code, 0);
  assertOk(stdout.startsWith("Usage: deno task broker"));
  assertOk(stdout.includes("--metrics-port") && stdout.includes("--faults"));
});

Deno.test("cli: a port in use is reported and exits 1", async () => {
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (taken.addr as Deno.NetAddr).port;
  const { code, stdout, stderr } = await run(["--port", String(port)]);
  assertEquals(code, 1);
  assertEquals(stdout, "");
  assertOk(stderr.startsWith("broker: cannot start:"), stderr);
});

Deno.test("cli: a SASL_SSL listener with users; a SCRAM client over TLS produces", {
  ignore: missing("openssl"),
}, async () => {
  const certs = await testCertificates();
  await using cli = new CliBroker([
    "--listener",
    "SASL_SSL://127.0.0.1:0",
    "--tls-cert",
    certs.certPath,
    "--tls-key",
    certs.keyPath,
    "--sasl-user",
    "alice:alice-secret",
    "--sasl-mechanisms",
    "scram-sha-512",
  ]);
  const address = (await cli.line())!.replace("listening on ", "");
  {
    await using producer = new Producer({
      bootstrapServers: address,
      tls: { caCerts: [certs.caCert] },
      sasl: { mechanism: "SCRAM-SHA-512", username: "alice", password: "alice-secret" },
    });
    const meta = await producer.send({ topic: "cli-secure", value: "x" });
    assertEquals(meta.offset, 0n);
  }
  assertEquals((await cli.stop()).code, 0);
  const bad = await run(["--sasl-mechanisms", "KERBEROS"]);
  assertEquals(bad.code, 2);
  assertOk(bad.stderr.includes("unknown mechanism 'KERBEROS'"), bad.stderr);
  // GSSAPI is served, but only with the service's keytab.
  const noKeytab = await run(["--sasl-mechanisms", "GSSAPI"]);
  assertEquals(noKeytab.code, 2);
  assertOk(noKeytab.stderr.includes("GSSAPI needs --gssapi-keytab"), noKeytab.stderr);
});

Deno.test("cli: an SSL listener that requires client certificates (--ssl-client-auth)", {
  ignore: missing("openssl"),
}, async () => {
  const certs = await testCertificates();
  const alice = await clientCertificate("/CN=alice");
  const tlsFlags = ["--tls-cert", certs.certPath, "--tls-key", certs.keyPath];
  await using cli = new CliBroker([
    "--listener",
    "SSL://127.0.0.1:0",
    ...tlsFlags,
    "--ssl-client-auth",
    "required",
    "--tls-ca",
    certs.caCertPath,
  ]);
  const address = (await cli.line())!.replace("listening on ", "");
  {
    await using producer = new Producer({
      bootstrapServers: address,
      tls: { caCerts: [certs.caCert], cert: alice.cert, key: alice.key },
    });
    assertEquals((await producer.send({ topic: "cli-mtls", value: "x" })).offset, 0n);
  }
  assertEquals((await cli.stop()).code, 0);
});

Deno.test("cli: --super-user turns ACLs on (DescribeAcls answers, not SECURITY_DISABLED)", async () => {
  await using cli = new CliBroker(["--port", "0", "--super-user", "User:ANONYMOUS"]);
  const address = (await cli.line())!.slice("listening on ".length);
  await using raw = await RawClient.connect(address);
  const described = await raw.request(ApiKey.DescribeAcls, 3, aclFilterToFields({}));
  assertEquals([described.errorCode, described.resources], [ErrorCode.NONE, []]);
  await cli.stop();
});

Deno.test("cli: --config sets static broker configs; an unknown one stops the start", async () => {
  await using cli = new CliBroker(["--port", "0", "--config", "log.retention.ms=60000"]);
  const line = await cli.line();
  const address = line!.slice("listening on ".length);
  await using client = await RawClient.connect(address);
  const described = await client.request(ApiKey.DescribeConfigs, 4, {
    resources: [{ resourceType: 4, resourceName: "1", configurationKeys: ["log.retention.ms"] }],
    includeSynonyms: false,
    includeDocumentation: false,
  });
  const [config] = described.results[0].configs;
  assertEquals([config.value, config.configSource], ["60000", 4]);
  client.close();
  assertEquals((await cli.stop("SIGTERM")).code, 0);
  const bad = await run(["--port", "0", "--config", "log.retention.msx=1"]);
  assertEquals([bad.code, bad.stderr.trim()], [
    1,
    "broker: cannot start: Unknown broker config log.retention.msx",
  ]);
});

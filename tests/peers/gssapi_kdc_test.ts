// SASL GSSAPI against real Kerberos (BROOK_INTEROP=1; MIT krb5kdc from Debian's krb5-kdc,
// krb5-admin-server and krb5-user): a throw-away KDC (tools/kerberos/kdc.sh) issues the tickets;
// Kafka's Java client (Krb5LoginModule, no mutual authentication) produces to and consumes from
// Brook's broker with each AES enctype as ticket and session key; kcat (Cyrus SASL, mutual
// authentication) does too; a rotated service key is refused with Kafka's answer.
import { assertEquals } from "../assert.ts";
import { Broker } from "../../broker/mod.ts";
import { installJavaLibs, javaLibsDir } from "./group_peer.ts";
import { has } from "../installed.ts";

const interop = Deno.env.get("BROOK_INTEROP") === "1";
const KDC_SCRIPT = new URL("../../tools/kerberos/kdc.sh", import.meta.url).pathname;
const JAVA = new URL("./java/GssapiClient.java", import.meta.url).pathname;
const SERVICE = "kafka/localhost@BROOK.TEST";
const GENERIC =
  "Authentication failed during authentication due to invalid credentials with SASL mechanism GSSAPI";

function onPath(program: string): boolean {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":").concat("/usr/sbin")) {
    try {
      if (Deno.statSync(`${dir}/${program}`).isFile) return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

const kdcInstalled = interop && onPath("krb5kdc") && onPath("kadmin.local") && onPath("kinit");
if (interop && !kdcInstalled) {
  console.log(
    "skipped: krb5kdc not installed (apt-get install krb5-kdc krb5-admin-server krb5-user)",
  );
}

/** A KDC of realm BROOK.TEST in a fresh directory; `enctype` is the only one it issues. */
async function startKdc(enctype?: string): Promise<AsyncDisposable & { dir: string }> {
  const dir = await Deno.makeTempDir({ prefix: "brook-kdc-" });
  const env: Record<string, string> = {};
  if (enctype) env.KDC_ENCTYPES = `${enctype}:normal`;
  const out = await new Deno.Command("bash", {
    args: [KDC_SCRIPT, dir],
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(`kdc.sh failed: ${new TextDecoder().decode(out.stderr)}`);
  return {
    dir,
    async [Symbol.asyncDispose]() {
      try {
        Deno.kill(Number((await Deno.readTextFile(`${dir}/pid`)).trim()), "SIGTERM");
      } catch {
        // already gone
      }
      await Deno.remove(dir, { recursive: true });
    },
  };
}

async function brookBroker(kdc: string, host = "127.0.0.1") {
  return await Broker.start({
    listeners: [`SASL_PLAINTEXT://${host}:0`],
    sasl: {
      mechanisms: ["GSSAPI"],
      gssapi: { keytab: `${kdc}/kafka.keytab`, principal: SERVICE },
      failedAuthenticationDelayMs: 0,
    },
  });
}

/** Kafka's Java client as alice: its output lines. */
async function javaClient(kdc: string, bootstrap: string, topic: string): Promise<string[]> {
  await installJavaLibs();
  const out = await new Deno.Command("java", {
    args: [
      "-Xmx256m",
      "-XX:+UseSerialGC",
      `-Djava.security.krb5.conf=${kdc}/krb5.conf`,
      "-cp",
      `${javaLibsDir()}/*`,
      JAVA,
      bootstrap,
      `${kdc}/alice.keytab`,
      "alice@BROOK.TEST",
      topic,
    ],
    stdout: "piped",
    stderr: "null",
  }).output();
  return new TextDecoder().decode(out.stdout).trim().split("\n");
}

const ENCTYPES = [
  "aes256-cts-hmac-sha1-96",
  "aes128-cts-hmac-sha1-96",
  "aes256-cts-hmac-sha384-192",
  "aes128-cts-hmac-sha256-128",
];

Deno.test({
  name: "gssapi kdc: Kafka's Java client produces and consumes on Brook with each enctype",
  ignore: !kdcInstalled,
  async fn() {
    for (const enctype of ENCTYPES) {
      await using kdc = await startKdc(enctype);
      await using broker = await brookBroker(kdc.dir);
      const lines = await javaClient(kdc.dir, broker.bootstrapServersFor("SASL_PLAINTEXT"), "java");
      assertEquals(lines, ["produced 10", "consumed 10"], enctype);
    }
  },
});

Deno.test({
  name: "gssapi kdc: a rotated service key is refused with Kafka's answer",
  ignore: !kdcInstalled,
  async fn() {
    await using kdc = await startKdc();
    await using broker = await brookBroker(kdc.dir);
    // The KDC's key changes (a new version); the broker's keytab keeps the old one.
    const rotate = await new Deno.Command("kadmin.local", {
      args: ["-r", "BROOK.TEST", "-q", `cpw -randkey ${SERVICE}`],
      env: { KRB5_CONFIG: `${kdc.dir}/krb5.conf`, KRB5_KDC_PROFILE: `${kdc.dir}/kdc.conf` },
      stdout: "null",
      stderr: "null",
    }).output();
    assertEquals(rotate.success, true);
    const lines = await javaClient(kdc.dir, broker.bootstrapServersFor("SASL_PLAINTEXT"), "java");
    assertEquals(lines, [`SaslAuthenticationException: ${GENERIC}`]);
    assertEquals(broker.cluster.topics.has("java"), false);
  },
});

Deno.test({
  name: "gssapi kdc: kcat (Cyrus SASL, mutual authentication) produces and consumes on Brook",
  ignore: !kdcInstalled || !has("kcat"),
  async fn() {
    await using kdc = await startKdc();
    // librdkafka asks for kafka/<advertised host>: the listener is advertised as localhost.
    await using broker = await brookBroker(kdc.dir, "localhost");
    const env = { KRB5_CONFIG: `${kdc.dir}/krb5.conf`, KRB5CCNAME: `FILE:${kdc.dir}/kcat.ccache` };
    const keytab = `${kdc.dir}/alice.keytab`;
    const common = [
      "-b",
      broker.bootstrapServersFor("SASL_PLAINTEXT"),
      "-X",
      "security.protocol=SASL_PLAINTEXT",
      "-X",
      "sasl.mechanisms=GSSAPI",
      "-X",
      "sasl.kerberos.service.name=kafka",
      "-X",
      `sasl.kerberos.keytab=${keytab}`,
      "-X",
      "sasl.kerberos.principal=alice@BROOK.TEST",
      "-X",
      `sasl.kerberos.kinit.cmd=kinit -k -t ${keytab} alice@BROOK.TEST`,
    ];
    const producer = new Deno.Command("kcat", {
      args: [...common, "-P", "-t", "kcat"],
      env,
      stdin: "piped",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const writer = producer.stdin.getWriter();
    await writer.write(new TextEncoder().encode("a\nb\nc\n"));
    await writer.close();
    const produced = await producer.output();
    assertEquals(produced.success, true, new TextDecoder().decode(produced.stderr));
    const consumed = await new Deno.Command("kcat", {
      args: [...common, "-C", "-t", "kcat", "-o", "beginning", "-e", "-q"],
      env,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(new TextDecoder().decode(consumed.stdout).trim().split("\n"), ["a", "b", "c"]);
  },
});

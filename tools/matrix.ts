/**
 * Builds the conformance matrix (peer × scenario) from the JUnit reports of a test run, and prints
 * it or writes it into README.md between its matrix markers.
 *
 *   deno run --allow-read --allow-write tools/matrix.ts [--write README.md] REPORT.xml...
 *
 * A cell is ✔ when every test it names passed, ✘ when one failed, "n/a" when the scenario cannot be
 * expressed with that peer (the step was skipped), and "—" when no test of the run covers it.
 *
 * @module
 */

import { parseArgs } from "node:util";

type Outcome = "pass" | "fail" | "skip";

/** The outcome of every test and step ("test > step") in JUnit reports. */
export function readReports(xmls: string[]): Map<string, Outcome> {
  const unescape = (s: string) =>
    s.replace(/&gt;/g, ">").replace(/&lt;/g, "<").replace(/&quot;/g, '"').replace(/&apos;/g, "'")
      .replace(/&amp;/g, "&");
  const outcomes = new Map<string, Outcome>();
  for (const xml of xmls) {
    const cases = xml.matchAll(/<testcase name="([^"]*)"[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g);
    for (const [, name, , body = ""] of cases) {
      const outcome = body.includes("<failure") || body.includes("<error")
        ? "fail"
        : body.includes("<skipped")
        ? "skip"
        : "pass";
      outcomes.set(unescape(name), outcome);
    }
  }
  return outcomes;
}

const PEER_SCENARIOS = ["metadata", "admin", "compression", "idempotent", "group"];

/** A row: the peer, and for each column the tests (exact names, or prefixes ending in "*"). */
interface Row {
  peer: string;
  cells: Record<string, string[]>;
}

const SCENARIO_COLUMNS = ["metadata", "admin", "compression", "idempotent", "group"];
const EXTRA_COLUMNS = [
  "mixed group",
  "KIP-848 group",
  "share group",
  "transactions",
  "SASL & TLS",
  "mutual TLS",
  "GSSAPI",
  "ACLs",
];

function peerRow(peer: string, target: string, extra: Record<string, string[]> = {}): Row {
  const cells: Record<string, string[]> = {};
  for (const s of PEER_SCENARIOS) cells[s] = [`matrix: ${peer} on ${target} > ${s}*`];
  return {
    peer: target === "Brook's broker" ? peer : `${peer} → ${target}`,
    cells: { ...cells, ...extra },
  };
}

const MIXED = "mixed groups: Brook and foreign consumers share a group on";
const KIP848 =
  "consumer protocol: Java, librdkafka, franz-go and Brook consumers (KIP-848) share a group on";
const SHARE_JAVA = "share groups: Java share consumers (KIP-932) read together on";
const SHARE_BROOK = "share consumer: reads a share group on";
const ROWS: Row[] = [
  peerRow("Java kafka-clients 4.1.1", "Brook's broker", {
    "mixed group": [`${MIXED} Brook's broker > java,*`],
    "KIP-848 group": [`${KIP848} Brook's broker > java *`],
    "share group": [`${SHARE_JAVA} Brook's broker*`],
    GSSAPI: ["gssapi kdc: Kafka's Java client produces and consumes on Brook with each enctype"],
  }),
  peerRow("franz-go", "Brook's broker", {
    "mixed group": [`${MIXED} Brook's broker > franz-go,*`],
    "KIP-848 group": [`${KIP848} Brook's broker > franz-go *`],
  }),
  peerRow("confluent-kafka", "Brook's broker", {
    "mixed group": [`${MIXED} Brook's broker > librdkafka,*`],
    "KIP-848 group": [
      `${KIP848} Brook's broker > librdkafka *`,
      `${KIP848} Brook's broker > java uniform, then librdkafka uniform`,
    ],
    transactions: [
      "peers: confluent-kafka transactions give the same results on Brook's broker and real Kafka",
    ],
    GSSAPI: [
      "gssapi kdc: confluent-kafka (Cyrus SASL) produces and consumes on Brook and Kafka 4.1.1 alike",
    ],
    ACLs: [
      "peers: confluent-kafka and kafka-python see the same ACLs on Brook's broker and real Kafka",
    ],
  }),
  peerRow("kafka-python", "Brook's broker", {
    "SASL & TLS": [
      "peers: kafka-python with every SASL mechanism over SASL_PLAINTEXT and SASL_SSL",
    ],
    ACLs: [
      "peers: confluent-kafka and kafka-python see the same ACLs on Brook's broker and real Kafka",
    ],
  }),
  peerRow("kcat", "Brook's broker", {
    "SASL & TLS": ["security: kcat produces and consumes over SSL and every SASL mechanism"],
    "mutual TLS": [
      "security: kcat with a client certificate is the principal ACLs name (mutual TLS)",
    ],
    GSSAPI: ["gssapi kdc: kcat (Cyrus SASL, mutual authentication) produces and consumes on Brook"],
  }),
  peerRow("KafkaJS", "Brook's broker"),
  peerRow("@platformatic/kafka", "Brook's broker"),
  peerRow("Brook's client", "Brook's broker", {
    "mixed group": [`${MIXED} Brook's broker*`],
    "KIP-848 group": [
      "consumer protocol: two members share partitions the coordinator assigns; one leaves",
      `${KIP848} Brook's broker > brook *`,
      `${KIP848} Brook's broker > java server-range, then brook server-range`,
    ],
    "share group": [`${SHARE_BROOK} Brook's broker*`],
    transactions: ["transactions: *"],
    "SASL & TLS": ["security: every mechanism over SASL_PLAINTEXT and SASL_SSL, and TLS alone"],
    "mutual TLS": ["mutual tls: a client certificate is the principal that ACLs name"],
    GSSAPI: [
      "gssapi: minted tickets of each enctype authenticate Brook's client, with and without mutual authentication",
      "gssapi: Brook's client logs in to a KDC (ETYPE-INFO2 salt, PA-ENC-TIMESTAMP) with a password or a keytab",
    ],
    ACLs: ["acls: the admin API manages ACLs that producers and consumers then meet"],
  }),
  peerRow("Brook's client", "franz-go's kfake"),
  peerRow("Brook's client", "a real Kafka 4.1.1", {
    "mixed group": [`${MIXED} a real Kafka 4.1.1*`],
    "KIP-848 group": [
      "consumer protocol: Brook's consumer in a KIP-848 group on a real Kafka 4.1.1",
      `${KIP848} a real Kafka 4.1.1 > brook *`,
      `${KIP848} a real Kafka 4.1.1 > java server-range, then brook server-range`,
    ],
    "share group": [`${SHARE_BROOK} a real Kafka 4.1.1*`],
    transactions: ["interop: Brook's transactions against a real Kafka 4.1.1"],
    "SASL & TLS": [
      "interop: Brook's client over SASL_SSL and SASL_PLAINTEXT to a real Kafka 4.1.1",
    ],
    "mutual TLS": [
      "interop: Brook's client shows a certificate to a real Kafka 4.1.1 that names it in ACLs",
    ],
    GSSAPI: [
      "gssapi kdc: Brook's broker answers as Kafka 4.1.1; Brook's client produces and consumes on both",
    ],
    ACLs: ["interop: Brook's client manages and meets ACLs on a real Kafka 4.1.1"],
  }),
];

function cell(patterns: string[] | undefined, outcomes: Map<string, Outcome>): string {
  if (!patterns) return "—";
  const found: Outcome[] = [];
  let note = "";
  for (const pattern of patterns) {
    const prefix = pattern.endsWith("*") ? pattern.slice(0, -1) : undefined;
    for (const [name, outcome] of outcomes) {
      if (prefix !== undefined ? name.startsWith(prefix) : name === pattern) {
        found.push(outcome);
        // A step that passed with a limit names it: "compression (without snappy, lz4, zstd)".
        note = name.match(/ \((without [^)]*)\)$/)?.[1] ?? note;
      }
    }
  }
  if (found.length === 0) return "—";
  if (found.includes("fail")) return "✘";
  if (found.every((o) => o === "skip")) return "n/a";
  return note === "" ? "✔" : `✔ ${note}`;
}

/** The matrix as a Markdown table. */
export function matrix(outcomes: Map<string, Outcome>): string {
  const columns = [...SCENARIO_COLUMNS, ...EXTRA_COLUMNS];
  const lines = [
    `| peer | ${columns.join(" | ")} |`,
    `| --- | ${columns.map(() => ":-:").join(" | ")} |`,
  ];
  for (const row of ROWS) {
    lines.push(`| ${row.peer} | ${columns.map((c) => cell(row.cells[c], outcomes)).join(" | ")} |`);
  }
  return lines.join("\n");
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    options: { write: { type: "string" } },
    allowPositionals: true,
  });
  const outcomes = readReports(await Promise.all(positionals.map((p) => Deno.readTextFile(p))));
  const table = matrix(outcomes);
  if (values.write === undefined) {
    console.log(table);
  } else {
    const readme = await Deno.readTextFile(values.write);
    const start = "<!-- matrix:start -->", end = "<!-- matrix:end -->";
    const i = readme.indexOf(start), j = readme.indexOf(end);
    if (i < 0 || j < i) throw new Error(`${values.write} has no ${start} ... ${end} markers`);
    const day = new Date().toISOString().slice(0, 10);
    const block =
      `${start}\n\nFrom the run of ${day} (\`deno task matrix\`):\n\n${table}\n\n${end}`;
    await Deno.writeTextFile(
      values.write,
      readme.slice(0, i) + block + readme.slice(j + end.length),
    );
  }
}

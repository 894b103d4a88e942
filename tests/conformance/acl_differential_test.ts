// ACLs, differentially: the scenarios of acl_scenarios.ts run against a real Kafka 4.1.1 with the
// standard authorizer and against Brook's broker set up alike; every answer must match field by
// field (BROOK_INTEROP=1). Kafka's answers are kept in acl_golden.json (BROOK_UPDATE_GOLDEN=1
// rewrites it from the real broker), so that the hermetic suite checks Brook against them too.
import { assertEquals } from "../assert.ts";
import { Broker } from "../../broker/mod.ts";
import { startKafka } from "../interop/kafka_server.ts";
import { differences, runScenario } from "./differential.ts";
import { ACL_SCENARIOS as SCENARIOS, SECURE_BROKER } from "./acl_scenarios.ts";
import { ACL_PRINCIPAL_SCENARIOS } from "./acl_principal_scenarios.ts";

const ACL_SCENARIOS = [...SCENARIOS, ...ACL_PRINCIPAL_SCENARIOS];

const interop = Deno.env.get("BROOK_INTEROP") === "1";
const golden = new URL("./acl_golden.json", import.meta.url);

type Answers = Record<string, unknown[]>;

/**
 * Differences with a reason, left on purpose: the real Kafka of these tests is formatted with
 * cluster-wide defaults (min.insync.replicas), so one topic config's source differs
 * (DYNAMIC_DEFAULT_BROKER_CONFIG there, DEFAULT_CONFIG here).
 */
const KNOWN = [".configSource: 5 vs 3"];

async function runAll(plaintext: string, sasl: string): Promise<Answers> {
  const answers: Answers = {};
  for (const s of ACL_SCENARIOS) answers[s.name] = await runScenario(s.login ? sasl : plaintext, s);
  return answers;
}

async function brookAnswers(): Promise<Answers> {
  await using brook = await Broker.start(SECURE_BROKER);
  return await runAll(
    brook.bootstrapServersFor("PLAINTEXT"),
    brook.bootstrapServersFor("SASL_PLAINTEXT"),
  );
}

function report(ours: Answers, real: Answers): string[] {
  const out: string[] = [];
  for (const s of ACL_SCENARIOS) {
    const theirs = real[s.name] ?? [];
    (ours[s.name] ?? []).forEach((answer, i) => {
      for (const d of differences(answer, theirs[i])) {
        if (!KNOWN.some((k) => d.includes(k))) out.push(`${s.name} #${i + 1} ${d}`);
      }
    });
  }
  return out;
}

Deno.test("conformance: Brook's ACL answers match those a real Kafka 4.1.1 gave (golden)", async () => {
  const real = JSON.parse(await Deno.readTextFile(golden)) as Answers;
  assertEquals(report(await brookAnswers(), real), []);
});

Deno.test({
  name: "conformance: Brook's broker authorizes as a real Kafka 4.1.1 with the standard authorizer",
  ignore: !interop,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using kafka = await startKafka({ secure: true });
    const real = await runAll(kafka.bootstrapServers, kafka.saslPlaintext!);
    if (Deno.env.get("BROOK_UPDATE_GOLDEN") === "1") {
      // Two-space indents, as deno fmt writes JSON.
      await Deno.writeTextFile(golden, JSON.stringify(real, null, 2) + "\n");
    }
    assertEquals(report(await brookAnswers(), real), []);
  },
});

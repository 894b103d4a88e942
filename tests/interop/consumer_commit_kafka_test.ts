// A group consumer commits exactly what the application was given, on a real Kafka 4.1.1: the
// scenarios tests/client/consumer_commit_test.ts runs on Brook's broker.
import { startKafka } from "./kafka_server.ts";
import { commitsCoverWhatWasTaken, survivesRestarts } from "../client/commit_scenarios.ts";

const interop = Deno.env.get("BROOK_INTEROP") === "1";

for (const protocol of ["classic", "consumer"] as const) {
  Deno.test({
    name: `consumer commits: ${protocol} members on a real Kafka 4.1.1 commit what they handed out`,
    ignore: !interop,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      await using kafka = await startKafka();
      await commitsCoverWhatWasTaken(kafka.bootstrapServers, protocol);
    },
  });
}

Deno.test({
  name:
    "consumer commits: a classic group on a real Kafka 4.1.1, members killed and restarted 12 times, leaves nothing unprocessed",
  ignore: !interop,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using kafka = await startKafka();
    for (const mode of ["manual", "auto"] as const) {
      const { duplicates } = await survivesRestarts(kafka.bootstrapServers, {
        protocol: "classic",
        mode,
        records: 60_000,
        restarts: 12,
        // Kafka's smallest session timeout (group.min.session.timeout.ms): a killed member's
        // partitions wait that long.
        kill: true,
        sessionTimeoutMs: 6000,
      });
      console.log(`classic/${mode}: 60000 records, ${duplicates} processed twice`);
    }
  },
});

Deno.test({
  name:
    "consumer commits: a KIP-848 group on a real Kafka 4.1.1, members stopped and restarted 12 times, leaves nothing unprocessed",
  ignore: !interop,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using kafka = await startKafka();
    // SIGTERM only: a killed member would hold its partitions for Kafka's 45 s session timeout.
    const { duplicates } = await survivesRestarts(kafka.bootstrapServers, {
      protocol: "consumer",
      mode: "auto",
      records: 60_000,
      restarts: 12,
      kill: false,
    });
    console.log(`consumer/auto: 60000 records, ${duplicates} processed twice`);
  },
});

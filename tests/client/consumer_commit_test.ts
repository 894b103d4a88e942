// A group consumer commits exactly what the application was given, on Brook's broker;
// tests/interop/consumer_commit_kafka_test.ts runs the same scenarios on a real Kafka 4.1.1.
import { Broker } from "../../broker/mod.ts";
import { commitsCoverWhatWasTaken, survivesRestarts } from "./commit_scenarios.ts";

const configs = {
  "group.min.session.timeout.ms": "1000",
  "group.consumer.min.session.timeout.ms": "1000",
  "group.consumer.session.timeout.ms": "2000",
  "group.consumer.min.heartbeat.interval.ms": "100",
  "group.consumer.heartbeat.interval.ms": "200",
};

for (const protocol of ["classic", "consumer"] as const) {
  Deno.test({
    name: `consumer commits: ${protocol} members commit what poll and the iterator handed out`,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      await using broker = await Broker.start({ configs });
      await commitsCoverWhatWasTaken(broker.bootstrapServers, protocol);
    },
  });

  // One commit mode each here (classic: manual, consumer: auto); the interop suite runs both on a
  // real Kafka.
  for (const mode of [protocol === "classic" ? "manual" : "auto"] as const) {
    Deno.test({
      name:
        `consumer commits: ${protocol} members killed and restarted (${mode} commits) leave nothing unprocessed`,
      sanitizeResources: false,
      sanitizeOps: false,
      async fn() {
        await using broker = await Broker.start({ configs });
        const { duplicates } = await survivesRestarts(broker.bootstrapServers, {
          protocol,
          mode,
          records: 30_000,
          restarts: 6,
          kill: true,
          sessionTimeoutMs: 2000,
        });
        console.log(`${protocol}/${mode}: ${duplicates} records processed twice`);
      },
    });
  }
}

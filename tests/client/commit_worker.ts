// A consumer group member for tests/client/commit_scenarios.ts, run as its own process:
//   commit_worker.ts BOOTSTRAP TOPIC GROUP PROTOCOL MODE SESSION_TIMEOUT_MS
// It prints "partition offset" on stdout for each record it processes, before that record can be
// committed (manually after each poll, or by auto-commit); SIGTERM makes it close (and so commit and
// leave), SIGKILL is a crash.
import { Consumer } from "../../client/mod.ts";

const [bootstrapServers, topic, groupId, protocol, mode, sessionTimeoutMs] = Deno.args;
const consumer = new Consumer({
  bootstrapServers,
  groupId,
  groupProtocol: protocol as "classic" | "consumer",
  autoOffsetReset: "earliest",
  autoCommit: mode === "auto",
  autoCommitIntervalMs: 100,
  fetchMaxWaitMs: 100,
  ...(protocol === "classic"
    ? { sessionTimeoutMs: Number(sessionTimeoutMs), heartbeatIntervalMs: 500 }
    : {}),
});
let stopping = false;
Deno.addSignalListener("SIGTERM", () => (stopping = true));
consumer.subscribe([topic]);
const encoder = new TextEncoder();
while (!stopping) {
  const records = await consumer.poll({ timeoutMs: 100, maxRecords: 50 });
  if (records.length === 0) continue;
  const text = records.map((r) => `${r.partition} ${r.offset}\n`).join("");
  // Processing: the lines are out before anything can commit them.
  const bytes = encoder.encode(text);
  for (let written = 0; written < bytes.length;) {
    written += Deno.stdout.writeSync(bytes.subarray(written));
  }
  // Processing takes a while, so that members are stopped with fetched records not yet processed.
  await new Promise((r) => setTimeout(r, 10));
  // A commit refused by a rebalance leaves those records to be processed again: at least once.
  if (mode === "manual") await consumer.commit().catch(() => {});
}
await consumer.close();
Deno.exit(0);

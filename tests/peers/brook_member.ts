// Brook's consumer as a group member driven over stdin/stdout, as the foreign members of
// group_peer.ts are (same arguments and events):
//   deno run -A brook_member.ts BOOTSTRAP TOPIC GROUP ASSIGNOR
// ASSIGNOR is range, roundrobin or cooperative-sticky (the classic protocol), or uniform or
// server-range (the consumer protocol of KIP-848, with that server-side assignor). Prints
//   {"event":"assigned","partitions":[...]}   the whole assignment, after every change
//   {"event":"done","records":["P:OFFSET:VALUE",...]}   once "stop" is read from stdin
// Offsets are committed after every poll that returned records.
import { Consumer, type ConsumerOptions } from "../../client/mod.ts";

const [bootstrapServers, topic, groupId, assignor] = Deno.args;
const serverSide = assignor === "uniform" || assignor === "server-range";
const assigned = new Set<number>();
const report = () =>
  console.log(JSON.stringify({
    event: "assigned",
    partitions: [...assigned].sort((a, b) => a - b),
  }));
const options: ConsumerOptions = {
  bootstrapServers,
  groupId,
  autoOffsetReset: "earliest",
  autoCommit: false,
  fetchMaxWaitMs: 100,
  rebalanceListener: {
    onPartitionsRevoked(parts) {
      for (const tp of parts) for (const p of tp.partitions) assigned.delete(p);
      report();
    },
    onPartitionsAssigned(parts) {
      for (const tp of parts) for (const p of tp.partitions) assigned.add(p);
      report();
    },
  },
  ...(serverSide
    ? {
      groupProtocol: "consumer",
      groupRemoteAssignor: assignor === "uniform" ? "uniform" : "range",
    }
    : {
      assignors: [assignor as "range" | "roundrobin" | "cooperative-sticky"],
      sessionTimeoutMs: 10_000,
      heartbeatIntervalMs: 500,
    }),
};

let stop = false;
(async () => {
  const decoder = new TextDecoder();
  let input = "";
  for await (const chunk of Deno.stdin.readable) {
    input += decoder.decode(chunk);
    if (input.split("\n").some((l) => l.trim() === "stop")) break;
  }
  stop = true;
})();

const records: string[] = [];
const consumer = new Consumer(options);
consumer.subscribe([topic]);
const deadline = Date.now() + 120_000;
while (!stop && Date.now() < deadline) {
  const batch = await consumer.poll({ timeoutMs: 100 });
  for (const r of batch) {
    records.push(`${r.partition}:${r.offset}:${new TextDecoder().decode(r.value!)}`);
  }
  if (batch.length > 0) await consumer.commit();
}
await consumer.close();
console.log(JSON.stringify({ event: "done", records }));
Deno.exit(0);

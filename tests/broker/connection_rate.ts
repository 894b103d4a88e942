// Connection creation rate quotas (KIP-612) as a client sees them, run against Brook's broker
// (tests/broker/connection_rate_test.ts) and a real Kafka 4.1.1 (tests/interop/quotas_kafka_test.ts):
// with connection_creation_rate 1 for 127.0.0.1, a fresh rate allows ten connections (the rate is
// counted over ten windows of a second while it is young); later ones are held unanswered and
// closed about a second later.
import { ApiKey } from "../../codec/mod.ts";
import { RawClient } from "./raw_client.ts";

type QuotaOp = { key: string; value: number; remove: boolean };

async function setIpQuota(client: RawClient, op: QuotaOp): Promise<void> {
  const entity = [{ entityType: "ip", entityName: "127.0.0.1" }];
  const res = await client.request(ApiKey.AlterClientQuotas, 1, {
    entries: [{ entity, ops: [op] }],
    validateOnly: false,
  });
  if (res.entries[0].errorCode !== 0) throw new Error(res.entries[0].errorMessage ?? "quota");
  // Kafka applies quotas a moment after answering: wait until they are described as set.
  for (let i = 0; i < 100; i++) {
    const d = await client.request(ApiKey.DescribeClientQuotas, 1, {
      components: [{ entityType: "ip", matchType: 0, match: "127.0.0.1" }],
      strict: true,
    });
    if ((d.entries?.length ?? 0) === (op.remove ? 0 : 1)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 500));
}

/** What became of each of `count` connections opened one after the other. */
export interface ConnectionOutcome {
  answered: boolean;
  /** For a connection closed unanswered: how long after its request it closed. */
  closedAfterMs?: number;
}

/**
 * Sets connection_creation_rate 1 on 127.0.0.1, opens `count` connections in a row, sending an
 * ApiVersions on each, and reports which were answered; the quota is removed again before returning.
 */
export async function connectionRateOutcomes(
  bootstrapServers: string,
  count: number,
): Promise<ConnectionOutcome[]> {
  await using admin = await RawClient.connect(bootstrapServers);
  await setIpQuota(admin, { key: "connection_creation_rate", value: 1, remove: false });
  const outcomes: ConnectionOutcome[] = [];
  const open: RawClient[] = [];
  try {
    const pending = [];
    for (let i = 0; i < count; i++) {
      const client = await RawClient.connect(bootstrapServers);
      open.push(client);
      const sent = Date.now();
      pending.push(
        client.request(ApiKey.ApiVersions, 3, {
          clientSoftwareName: "brook-test",
          clientSoftwareVersion: "1",
        }).then(
          (): ConnectionOutcome => ({ answered: true }),
          (): ConnectionOutcome => ({ answered: false, closedAfterMs: Date.now() - sent }),
        ),
      );
    }
    outcomes.push(...await Promise.all(pending));
  } finally {
    for (const c of open) c.close();
    await setIpQuota(admin, { key: "connection_creation_rate", value: 0, remove: true });
  }
  return outcomes;
}

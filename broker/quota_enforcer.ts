/**
 * Byte-rate quotas enforced as Kafka's brokers enforce them (KIP-13, KIP-219): Produce request
 * bytes and Fetch response bytes are counted per client over `quota.window.num` windows of
 * `quota.window.size.seconds`; a request that takes a client past its producer_byte_rate or
 * consumer_byte_rate is answered with the throttle time Kafka computes, and its connection reads
 * nothing more until that time has passed. A throttled Fetch is answered without data.
 *
 * @module
 */

import type { BrokerConfigs } from "./broker_configs.ts";
import type { ClientQuotas, QuotaEntityPart } from "./client_quotas.ts";

/** The byte-rate quota keys that Brook enforces. */
export type ByteRateKey = "producer_byte_rate" | "consumer_byte_rate";

interface Sample {
  start: number;
  total: number;
}

/**
 * The entities whose quota applies to a user and client id, most specific first, with the user and
 * client id tags the quota's rate is counted under (Kafka's default quota callback).
 */
function candidates(user: string, clientId: string): [QuotaEntityPart[], string, string][] {
  const u = (name: string | null): QuotaEntityPart => ({ entityType: "user", entityName: name });
  const c = (name: string | null): QuotaEntityPart => ({
    entityType: "client-id",
    entityName: name,
  });
  return [
    [[u(user), c(clientId)], user, clientId],
    [[u(user), c(null)], user, clientId],
    [[u(user)], user, ""],
    [[u(null), c(clientId)], user, clientId],
    [[u(null), c(null)], user, clientId],
    [[u(null)], user, ""],
    [[c(clientId)], "", clientId],
    [[c(null)], "", clientId],
  ];
}

/** Counts client bytes against their byte-rate quotas. */
export class ByteRateQuotas {
  readonly #quotas: ClientQuotas;
  readonly #configs: BrokerConfigs;
  readonly #sensors = new Map<string, Sample[]>();

  constructor(quotas: ClientQuotas, configs: BrokerConfigs) {
    this.#quotas = quotas;
    this.#configs = configs;
  }

  /**
   * Records `bytes` for a client (its principal's name and client id); returns the throttle time in
   * ms Kafka would answer with, 0 when the client is within its quota or has none.
   */
  record(key: ByteRateKey, user: string, clientId: string, bytes: number, now: number): number {
    const quota = this.#quotaOf(key, user, clientId);
    if (!quota) return 0;
    const samples = this.#samples(quota.sensor, now);
    const window = this.#configs.staticNumber("quota.window.size.seconds") * 1000;
    const count = this.#configs.staticNumber("quota.window.num");
    let current = samples[samples.length - 1];
    if (!current || now >= current.start + window) {
      current = { start: now, total: 0 };
      samples.push(current);
      if (samples.length > count) samples.shift();
    }
    current.total += bytes;
    // The rate over the samples; a young sensor counts as if all but one window had passed.
    let elapsed = now - samples[0].start;
    const full = Math.floor(elapsed / window);
    if (full < count - 1) elapsed += (count - 1 - full) * window;
    const windowMs = Math.max(elapsed, 1);
    const rate = samples.reduce((n, s) => n + s.total, 0) / (windowMs / 1000);
    if (rate <= quota.bound) return 0;
    return Math.round((rate - quota.bound) / quota.bound * windowMs);
  }

  /** Takes back bytes recorded for a Fetch that was answered without data. */
  unrecord(key: ByteRateKey, user: string, clientId: string, bytes: number, now: number): void {
    const quota = this.#quotaOf(key, user, clientId);
    if (!quota) return;
    const samples = this.#samples(quota.sensor, now);
    const current = samples[samples.length - 1];
    if (current) current.total -= bytes;
  }

  /** The samples of a sensor, without those older than every window. */
  #samples(sensor: string, now: number): Sample[] {
    const window = this.#configs.staticNumber("quota.window.size.seconds") * 1000;
    const count = this.#configs.staticNumber("quota.window.num");
    let samples = this.#sensors.get(sensor);
    if (!samples) {
      if (this.#sensors.size > 10_000) this.#sensors.clear();
      this.#sensors.set(sensor, samples = []);
    }
    while (samples.length > 0 && samples[0].start + count * window < now) samples.shift();
    return samples;
  }

  #quotaOf(
    key: ByteRateKey,
    user: string,
    clientId: string,
  ): { bound: number; sensor: string } | undefined {
    if (this.#quotas.isEmpty) return undefined;
    for (const [entity, userTag, clientTag] of candidates(user, clientId)) {
      const bound = this.#quotas.valueOf(entity, key);
      if (bound !== undefined) return { bound, sensor: `${key}\0${userTag}\0${clientTag}` };
    }
    return undefined;
  }
}

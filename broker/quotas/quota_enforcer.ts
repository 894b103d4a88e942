/**
 * Quotas enforced as Kafka's brokers enforce them:
 *
 * - byte rates (KIP-13, KIP-219): Produce request bytes and Fetch response bytes are counted per
 *   client over `quota.window.num` windows of `quota.window.size.seconds`; a request that takes a
 *   client past its producer_byte_rate or consumer_byte_rate is answered with the throttle time
 *   Kafka computes, and its connection reads nothing more until that time has passed. A throttled
 *   Fetch is answered without data.
 * - connection creation rates (KIP-612): a connection from an address past its
 *   connection_creation_rate is accepted, served nothing and closed once its throttle time has
 *   passed; max.connection.creation.rate (and its listener-prefixed form) makes the listener wait
 *   before accepting the next connection.
 * - controller mutations (KIP-599): partitions created or deleted by CreateTopics,
 *   CreatePartitions and DeleteTopics take tokens from a bucket of controller_mutation_rate per
 *   second (a burst of `controller.quota.window.num` × `controller.quota.window.size.seconds`
 *   seconds' worth); once it is empty, requests of the strict versions are refused topic by topic
 *   with THROTTLING_QUOTA_EXCEEDED, older ones only throttled.
 *
 * @module
 */

import type { BrokerConfigs } from "../configs/broker_configs.ts";
import type { ClientQuotas, QuotaEntityPart } from "./client_quotas.ts";

/** The user a principal names ("User:alice" is alice), as quotas know users. */
export function quotaUser(principal: string): string {
  return principal.startsWith("User:") ? principal.slice(5) : principal;
}

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

/** One request's controller mutation quota: take permits, then the throttle time to answer. */
export interface MutationQuota {
  /** Takes permits (partitions); false when a strict quota refuses them. */
  record(permits: number): boolean;
  /** The throttle time the request's answer carries. */
  throttleTimeMs(): number;
}

const UNBOUNDED: MutationQuota = { record: () => true, throttleTimeMs: () => 0 };

/** Counts client usage against their quotas. */
export class QuotaEnforcer {
  readonly #quotas: ClientQuotas;
  readonly #configs: BrokerConfigs;
  readonly #sensors = new Map<string, Sample[]>();
  readonly #buckets = new Map<string, { tokens: number; lastMs: number }>();

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
    return this.#recordRate(quota.sensor, quota.bound, bytes, now);
  }

  /**
   * Records a new connection from `address` against its connection_creation_rate (the address's
   * quota, else the default IP quota), as Kafka's connection quotas do; returns how long Kafka holds
   * such a connection before closing it unserved, 0 when it may be served. A throttled connection is
   * taken back from the rate.
   */
  connectionFromAddress(address: string, now: number): number {
    if (this.#quotas.isEmpty) return 0;
    const key = "connection_creation_rate";
    const bound = this.#quotas.valueOf([{ entityType: "ip", entityName: address }], key) ??
      this.#quotas.valueOf([{ entityType: "ip", entityName: null }], key);
    if (bound === undefined) return 0;
    return this.#recordConnection(`${key}\0ip\0${address}`, bound, now);
  }

  /**
   * Records a new connection on a node's listener against max.connection.creation.rate (the
   * node's, unless `exempt`: Kafka exempts the inter-broker listener when there are several) and
   * listener.name.LISTENER.max.connection.creation.rate; returns how long Kafka's acceptor waits
   * before taking it (the longer of the two, at most one quota window).
   */
  connectionOnListener(nodeId: number, listener: string, exempt: boolean, now: number): number {
    const rate = (name: string) => Number(this.#configs.value(nodeId, name) ?? Infinity);
    const unlimited = 2 ** 31 - 1;
    let delay = 0;
    const broker = rate("max.connection.creation.rate");
    if (!exempt && broker < unlimited) {
      delay = this.#recordConnection(`connections\0${nodeId}`, broker, now, false);
    }
    const own = rate(`listener.name.${listener.toLowerCase()}.max.connection.creation.rate`);
    if (own < unlimited) {
      delay = Math.max(
        delay,
        this.#recordConnection(`connections\0${nodeId}\0${listener}`, own, now, false),
      );
    }
    return delay;
  }

  /** Takes back a connection counted by {@linkcode connectionOnListener} (its address was throttled). */
  unrecordOnListener(nodeId: number, listener: string, exempt: boolean, now: number): void {
    if (!exempt) this.#unrecord(`connections\0${nodeId}`, 1, now);
    this.#unrecord(`connections\0${nodeId}\0${listener}`, 1, now);
  }

  /** A connection recorded on a rate sensor: the throttle time, bounded by one quota window. */
  #recordConnection(sensor: string, bound: number, now: number, takeBack = true): number {
    const throttle = this.#recordRate(sensor, bound, 1, now);
    if (throttle <= 0) return 0;
    if (takeBack) this.#unrecord(sensor, 1, now);
    return Math.min(throttle, this.#configs.staticNumber("quota.window.size.seconds") * 1000);
  }

  /** Records `amount` on a rate sensor; the throttle time Kafka computes when past `bound`, else 0. */
  #recordRate(sensor: string, bound: number, amount: number, now: number): number {
    const samples = this.#samples(sensor, now);
    const window = this.#configs.staticNumber("quota.window.size.seconds") * 1000;
    const count = this.#configs.staticNumber("quota.window.num");
    let current = samples[samples.length - 1];
    if (!current || now >= current.start + window) {
      current = { start: now, total: 0 };
      samples.push(current);
      if (samples.length > count) samples.shift();
    }
    current.total += amount;
    // The rate over the samples; a young sensor counts as if all but one window had passed.
    let elapsed = now - samples[0].start;
    const full = Math.floor(elapsed / window);
    if (full < count - 1) elapsed += (count - 1 - full) * window;
    const windowMs = Math.max(elapsed, 1);
    const rate = samples.reduce((n, s) => n + s.total, 0) / (windowMs / 1000);
    if (rate <= bound) return 0;
    return Math.round((rate - bound) / bound * windowMs);
  }

  #unrecord(sensor: string, amount: number, now: number): void {
    const samples = this.#samples(sensor, now);
    const current = samples[samples.length - 1];
    if (current) current.total -= amount;
  }

  /** Takes back bytes recorded for a Fetch that was answered without data. */
  unrecord(key: ByteRateKey, user: string, clientId: string, bytes: number, now: number): void {
    const quota = this.#quotaOf(key, user, clientId);
    if (quota) this.#unrecord(quota.sensor, bytes, now);
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

  /**
   * The controller mutation quota of one request; `strict` for the versions that refuse once the
   * bucket is empty (CreateTopics v6+, CreatePartitions v3+, DeleteTopics v5+).
   */
  mutationQuota(user: string, clientId: string, strict: boolean): MutationQuota {
    const quota = this.#quotaOf("controller_mutation_rate", user, clientId);
    if (!quota) return UNBOUNDED;
    const { bound, sensor } = quota;
    const burst = this.#configs.staticNumber("controller.quota.window.num") *
      this.#configs.staticNumber("controller.quota.window.size.seconds") * bound;
    let bucket = this.#buckets.get(sensor);
    if (!bucket) this.#buckets.set(sensor, bucket = { tokens: burst, lastMs: Date.now() });
    const b = bucket;
    let lastThrottleMs = 0, lastRecordedMs = 0;
    const refill = (now: number) => {
      b.tokens = Math.min(burst, b.tokens + bound * (now - b.lastMs) / 1000);
      b.lastMs = now;
    };
    const throttled = (now: number) => {
      lastThrottleMs = Math.round(-b.tokens / bound * 1000);
      lastRecordedMs = now;
    };
    return {
      record(permits: number): boolean {
        const now = Date.now();
        refill(now);
        if (strict && b.tokens < 0) {
          throttled(now);
          return false;
        }
        b.tokens = Math.min(burst, b.tokens - permits);
        if (!strict && b.tokens < 0) throttled(now);
        return true;
      },
      throttleTimeMs: () => Math.max(0, lastThrottleMs - (Date.now() - lastRecordedMs)),
    };
  }

  #quotaOf(
    key: ByteRateKey | "controller_mutation_rate",
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

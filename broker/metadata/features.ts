/**
 * The cluster's features (KIP-584) as a new Kafka 4.1 cluster has them: the levels each node
 * supports, the levels finalized for the cluster (ApiVersions tells clients both), and
 * UpdateFeatures' checks with Kafka's controller's messages. group.version 0 turns the consumer
 * rebalance protocol (KIP-848) off, as in Kafka; streams.version (Kafka 4.4's streams groups,
 * KIP-1071) is finalized at 1 as in a new Kafka 4.4 cluster, and 0 turns streams groups off.
 *
 * @module
 */

/** Supported levels, in the order Kafka 4.1 lists them. */
const SUPPORTED: readonly [name: string, min: number, max: number][] = [
  ["group.version", 0, 1],
  ["kraft.version", 0, 1],
  ["metadata.version", 7, 27],
  // 2 is Kafka 4.4's (share groups generally available); a new 4.4 cluster finalizes it.
  ["share.version", 0, 2],
  // Kafka 4.4's streams groups (KIP-1071), on in a new 4.4 cluster.
  ["streams.version", 0, 1],
  ["transaction.version", 0, 2],
  ["eligible.leader.replicas.version", 0, 1],
];

/** The order Kafka 4.1 lists finalized features in. */
const FINALIZED_ORDER = [
  "group.version",
  "share.version",
  "streams.version",
  "transaction.version",
  "eligible.leader.replicas.version",
  "kraft.version",
  "metadata.version",
];

/** Kafka's upgrade types (UpdateFeatures v1+). */
const UPGRADE = 1, SAFE_DOWNGRADE = 2, UNSAFE_DOWNGRADE = 3;

/** The cluster's finalized feature levels. */
export class Features {
  readonly #levels = new Map<string, number>([
    ["group.version", 1],
    ["streams.version", 1],
    ["transaction.version", 2],
    ["eligible.leader.replicas.version", 1],
    ["kraft.version", 1],
    ["metadata.version", 27],
  ]);
  /** Moves with every change, as Kafka's finalized-features epoch does. */
  epoch = 1n;

  /** A feature's finalized level (0 when not finalized). */
  level(name: string): number {
    return this.#levels.get(name) ?? 0;
  }

  /** The supported levels, as ApiVersions lists them. */
  supported(): { name: string; minVersion: number; maxVersion: number }[] {
    return SUPPORTED.map(([name, minVersion, maxVersion]) => ({ name, minVersion, maxVersion }));
  }

  /** The finalized levels, as ApiVersions lists them. */
  finalized(): { name: string; maxVersionLevel: number; minVersionLevel: number }[] {
    return FINALIZED_ORDER.filter((n) => this.#levels.has(n)).map((name) => ({
      name,
      maxVersionLevel: this.#levels.get(name)!,
      minVersionLevel: this.#levels.get(name)!,
    }));
  }

  /**
   * Applies UpdateFeatures' changes unless `validateOnly`, all or none; returns Kafka's refusal of
   * the first change it cannot make, or null.
   */
  update(
    updates: readonly { feature: string; maxVersionLevel: number; upgradeType: number }[],
    options: { controllerId: number; validateOnly: boolean },
  ): string | null {
    const { controllerId, validateOnly } = options;
    for (const u of updates) {
      const problem = this.#check(u, controllerId);
      if (problem) {
        return `The update failed for all features since the following feature had an error: Invalid update version ${u.maxVersionLevel} for feature ${u.feature}. ${problem}`;
      }
    }
    if (validateOnly) return null;
    for (const u of updates) {
      if (u.maxVersionLevel === 0) this.#levels.delete(u.feature);
      else this.#levels.set(u.feature, u.maxVersionLevel);
    }
    if (updates.length > 0) this.epoch++;
    return null;
  }

  #check(
    u: { feature: string; maxVersionLevel: number; upgradeType: number },
    controllerId: number,
  ): string | null {
    if (
      u.upgradeType !== UPGRADE && u.upgradeType !== SAFE_DOWNGRADE &&
      u.upgradeType !== UNSAFE_DOWNGRADE
    ) {
      return "The controller does not support the given upgrade type.";
    }
    const supported = SUPPORTED.find(([name]) => name === u.feature);
    if (!supported) return `Local controller ${controllerId} does not support this feature.`;
    const [, min, max] = supported;
    if (u.maxVersionLevel !== 0 && (u.maxVersionLevel < min || u.maxVersionLevel > max)) {
      return `Local controller ${controllerId} only supports versions ${min}-${max}`;
    }
    if (u.maxVersionLevel < this.level(u.feature) && u.upgradeType === UPGRADE) {
      return "Can't downgrade the version of this feature without setting the upgrade type to either safe or unsafe downgrade.";
    }
    return null;
  }
}

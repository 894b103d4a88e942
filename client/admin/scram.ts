/**
 * Admin calls about SCRAM users: DescribeUserScramCredentials and AlterUserScramCredentials. The
 * password never leaves the client: it sends a random salt and the salted password, as Kafka's
 * admin client does.
 *
 * @module
 */

import {
  ApiKey,
  ErrorCode,
  KafkaProtocolError,
  saltedPassword,
  SCRAM_MECHANISM_TYPES,
  SCRAM_MIN_ITERATIONS,
  type ScramMechanism,
} from "../../codec/mod.ts";
import type { KafkaClient } from "../kafka_client.ts";

/** A user's SCRAM credentials as the broker describes them. */
export interface ScramUserDescription {
  /** The user's name. */
  user: string;
  /** The user's credentials: the mechanism and iteration count of each. */
  credentials: { mechanism: ScramMechanism; iterations: number }[];
}

/** One change to a user's SCRAM credentials. */
export type ScramCredentialAlteration =
  | { op: "upsert"; user: string; mechanism: ScramMechanism; password: string; iterations?: number }
  | { op: "delete"; user: string; mechanism: ScramMechanism };

function mechanismName(type: number): ScramMechanism | undefined {
  return (Object.keys(SCRAM_MECHANISM_TYPES) as ScramMechanism[])
    .find((m) => SCRAM_MECHANISM_TYPES[m] === type);
}

/** DescribeUserScramCredentials for `users` (all users with credentials when none are named). */
export async function describeUserScramCredentials(
  client: KafkaClient,
  users: string[] | undefined,
  signal?: AbortSignal,
): Promise<ScramUserDescription[]> {
  const res = await client.requestAny(ApiKey.DescribeUserScramCredentials, {
    users: users && users.length > 0 ? users.map((name) => ({ name })) : null,
  }, { signal });
  if (res.errorCode !== ErrorCode.NONE) {
    throw new KafkaProtocolError(res.errorCode, { detail: res.errorMessage ?? undefined });
  }
  return res.results.map((r) => {
    if (r.errorCode !== ErrorCode.NONE) {
      throw new KafkaProtocolError(r.errorCode, { detail: r.errorMessage ?? r.user });
    }
    return {
      user: r.user,
      credentials: r.credentialInfos.map((c) => ({
        mechanism: mechanismName(c.mechanism) ?? `unknown(${c.mechanism})` as ScramMechanism,
        iterations: c.iterations,
      })),
    };
  });
}

/** AlterUserScramCredentials; throws the first user's error, if any. */
export async function alterUserScramCredentials(
  client: KafkaClient,
  alterations: ScramCredentialAlteration[],
  signal?: AbortSignal,
): Promise<void> {
  const upsertions = [];
  for (const a of alterations) {
    if (a.op !== "upsert") continue;
    const iterations = a.iterations ?? SCRAM_MIN_ITERATIONS;
    const salt = crypto.getRandomValues(new Uint8Array(32));
    upsertions.push({
      name: a.user,
      mechanism: SCRAM_MECHANISM_TYPES[a.mechanism] ?? 0,
      iterations,
      salt,
      saltedPassword: await saltedPassword(a.mechanism, a.password, { salt, iterations }),
    });
  }
  const res = await client.requestAny(ApiKey.AlterUserScramCredentials, {
    deletions: alterations.filter((a) => a.op === "delete").map((a) => ({
      name: a.user,
      mechanism: SCRAM_MECHANISM_TYPES[a.mechanism] ?? 0,
    })),
    upsertions,
  }, { signal });
  const failed = res.results.find((r) => r.errorCode !== ErrorCode.NONE);
  if (failed) {
    throw new KafkaProtocolError(failed.errorCode, {
      detail: `${failed.user}: ${failed.errorMessage ?? ""}`,
    });
  }
}

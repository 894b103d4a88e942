/**
 * AlterUserScramCredentials (key 51): deletes and upserts users' SCRAM credentials. The client
 * sends the salted password; the broker keeps the stored key and server key derived from it. A user
 * may be altered once per request; iteration counts must be within 4096..16384, as Kafka's.
 *
 * @module
 */

import {
  AclOperation,
  ApiKey,
  ErrorCode,
  SCRAM_MAX_ITERATIONS,
  SCRAM_MECHANISM_TYPES,
  SCRAM_MIN_ITERATIONS,
  scramCredential,
  type ScramMechanism,
} from "../../codec/mod.ts";
import type { CredentialStore } from "../security/credentials.ts";
import { defineHandler } from "../server/handler.ts";
import { canOnCluster, CLUSTER_REFUSED } from "../security/access.ts";

interface ApiError {
  code: number;
  message: string;
}

const DUPLICATE: ApiError = {
  code: ErrorCode.DUPLICATE_RESOURCE,
  message: "A user credential cannot be altered twice in the same request",
};

function mechanismOf(type: number): ScramMechanism | undefined {
  return (Object.keys(SCRAM_MECHANISM_TYPES) as ScramMechanism[]).find((m) =>
    SCRAM_MECHANISM_TYPES[m] === type
  );
}

function validate(name: string, type: number): ApiError | undefined {
  if (name === "") {
    return { code: ErrorCode.UNACCEPTABLE_CREDENTIAL, message: "Username must not be empty" };
  }
  if (!mechanismOf(type)) {
    return { code: ErrorCode.UNSUPPORTED_SASL_MECHANISM, message: "Unknown SCRAM mechanism" };
  }
  return undefined;
}

export default defineHandler({
  apiKey: ApiKey.AlterUserScramCredentials,
  minVersion: 0,
  maxVersion: 0,
  async handle(request, ctx) {
    if (!canOnCluster(ctx, AclOperation.ALTER)) {
      // As Kafka: every user named, once and sorted, gets the error.
      const users = new Set([...request.deletions, ...request.upsertions].map((c) => c.name));
      return {
        results: [...users].sort().map((user) => ({
          user,
          errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
          errorMessage: CLUSTER_REFUSED,
        })),
      };
    }
    const store: CredentialStore = ctx.credentials;
    const errors = new Map<string, ApiError>();
    const deletions = new Map<string, (typeof request.deletions)[number]>();
    const upsertions = new Map<string, (typeof request.upsertions)[number]>();
    for (const d of request.deletions) {
      if (errors.has(d.name)) continue;
      if (deletions.delete(d.name)) {
        errors.set(d.name, DUPLICATE);
        continue;
      }
      const error = validate(d.name, d.mechanism) ??
        (store.scramCredential(d.name, mechanismOf(d.mechanism)!) ? undefined : {
          code: ErrorCode.RESOURCE_NOT_FOUND,
          message: "Attempt to delete a user credential that does not exist",
        });
      if (error) errors.set(d.name, error);
      else deletions.set(d.name, d);
    }
    for (const u of request.upsertions) {
      if (errors.has(u.name)) continue;
      if (deletions.delete(u.name) || upsertions.delete(u.name)) {
        errors.set(u.name, DUPLICATE);
        continue;
      }
      let error = validate(u.name, u.mechanism);
      if (!error && u.iterations < SCRAM_MIN_ITERATIONS) {
        error = { code: ErrorCode.UNACCEPTABLE_CREDENTIAL, message: "Too few iterations" };
      } else if (!error && u.iterations > SCRAM_MAX_ITERATIONS) {
        error = { code: ErrorCode.UNACCEPTABLE_CREDENTIAL, message: "Too many iterations" };
      }
      if (error) errors.set(u.name, error);
      else upsertions.set(u.name, u);
    }
    const results = [];
    for (const d of deletions.values()) {
      store.deleteScram(d.name, mechanismOf(d.mechanism)!);
      results.push({ user: d.name, errorCode: ErrorCode.NONE, errorMessage: null });
    }
    for (const u of upsertions.values()) {
      const mechanism = mechanismOf(u.mechanism)!;
      store.setScram(
        u.name,
        mechanism,
        await scramCredential(mechanism, {
          saltedPassword: u.saltedPassword.slice(),
          salt: u.salt.slice(),
          iterations: u.iterations,
        }),
      );
      results.push({ user: u.name, errorCode: ErrorCode.NONE, errorMessage: null });
    }
    for (const [user, e] of errors) {
      results.push({ user, errorCode: e.code, errorMessage: e.message });
    }
    return { results };
  },
});

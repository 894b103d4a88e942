/**
 * Brook: a Deno-native Apache Kafka toolkit. This entry point re-exports the protocol codec; the
 * embedded broker and the client join it as they land.
 *
 * @example
 * ```ts
 * import { ApiKey, API_INFO } from "@brook/kafka";
 * console.log(API_INFO[ApiKey.Produce].maxVersion); // 13
 * ```
 *
 * @module
 */

export * from "./codec/mod.ts";

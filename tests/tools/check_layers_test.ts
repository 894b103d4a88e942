import { assertEquals } from "../assert.ts";
import { layerViolations } from "../../tools/check_layers.ts";

Deno.test("layers: imports against the direction of the layers are found, others pass", () => {
  const graph = new Map([
    ["codec/mod.ts", ["codec/errors.ts"]],
    ["client/kafka_client.ts", ["codec/mod.ts", "client/metrics.ts"]],
    ["broker/broker.ts", ["codec/mod.ts", "client/metrics.ts"]],
    ["codec/errors.ts", ["broker/server/metrics.ts"]],
    ["cli/main.ts", ["broker/mod.ts", "client/mod.ts", "codec/mod.ts"]],
    ["tests/x_test.ts", ["broker/mod.ts", "client/mod.ts"]],
  ]);
  assertEquals(layerViolations(graph), [
    "broker/broker.ts imports client/metrics.ts",
    "codec/errors.ts imports broker/server/metrics.ts",
  ]);
});

import { assertEquals } from "../assert.ts";
import { cyclesOf } from "../../tools/check_cycles.ts";

Deno.test("cycles: each strongly connected group of modules is found once, chains are not", () => {
  const graph = new Map([
    ["broker/metadata/cluster.ts", ["broker/groups/coordinator.ts", "codec/mod.ts"]],
    ["broker/groups/coordinator.ts", ["broker/groups/classic_members.ts"]],
    ["broker/groups/classic_members.ts", ["broker/groups/coordinator.ts"]],
    ["broker/server/handler.ts", ["broker/metadata/cluster.ts"]],
    ["broker/a.ts", ["broker/b.ts"]],
    ["broker/b.ts", ["broker/c.ts"]],
    ["broker/c.ts", ["broker/a.ts", "codec/mod.ts"]],
    ["codec/mod.ts", []],
  ]);
  assertEquals(cyclesOf(graph), [
    ["broker/groups/classic_members.ts", "broker/groups/coordinator.ts"],
    ["broker/a.ts", "broker/b.ts", "broker/c.ts"],
  ]);
});

Deno.test("cycles: a graph without cycles has none", () => {
  const graph = new Map([
    ["broker/metadata/cluster.ts", ["broker/groups/coordinator.ts"]],
    ["broker/groups/coordinator.ts", ["broker/metadata/topic_catalog.ts"]],
    ["broker/metadata/topic_catalog.ts", []],
  ]);
  assertEquals(cyclesOf(graph), []);
});

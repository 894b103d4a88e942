import { clusterOf } from "../../broker/broker_internals.ts";
import { assertEquals, assertRejects } from "../assert.ts";
import { ApiKey, ErrorCode } from "../../codec/mod.ts";
import { Broker } from "../../broker/mod.ts";
import { BrokerConfigs, checkConfigValue } from "../../broker/configs/broker_configs.ts";
import { Admin, Producer } from "../../client/mod.ts";
import { RawClient } from "./raw_client.ts";

Deno.test("broker configs: static configs are what topics fall back on", async () => {
  await using broker = await Broker.start({
    configs: { "log.retention.minutes": "5", "message.max.bytes": "2000000" },
    topics: { t: {} },
  });
  await using admin = new Admin({ bootstrapServers: broker.bootstrapServers });
  const [topic] = await admin.describeConfigs([{ type: "topic", name: "t" }], {
    includeSynonyms: true,
  });
  const retention = topic.entries.find((e) => e.name === "retention.ms")!;
  // retention.ms follows log.retention.minutes; log.retention.ms (the first synonym) is unset.
  assertEquals([retention.value, retention.source, retention.synonyms], [
    "300000",
    "DEFAULT_CONFIG",
    [],
  ]);
  const max = topic.entries.find((e) => e.name === "max.message.bytes")!;
  assertEquals([max.value, max.source], ["2000000", "STATIC_BROKER_CONFIG"]);
  const [node] = await admin.describeConfigs([{ type: "broker", name: "1" }]);
  assertEquals(node.entries.length > 300, true);
  const mmb = node.entries.find((e) => e.name === "message.max.bytes")!;
  assertEquals([mmb.value, mmb.source, mmb.readOnly], ["2000000", "STATIC_BROKER_CONFIG", false]);
  const partitions = node.entries.find((e) => e.name === "num.partitions")!;
  assertEquals([partitions.value, partitions.readOnly], ["1", true]);
  const password = node.entries.find((e) => e.name === "ssl.keystore.password")!;
  assertEquals([password.value, password.isSensitive], [null, true]);
});

Deno.test("broker configs: unknown names and invalid values are refused at start", async () => {
  await assertRejects(() => Broker.start({ configs: { "log.retention.msx": "1" } }), RangeError);
  await assertRejects(
    () => Broker.start({ configs: { "message.max.bytes": "big" } }),
    RangeError,
    /Not a number of type INT/,
  );
  assertEquals(
    checkConfigValue("log.cleanup.policy", "compact,bogus"),
    // Kafka names the refused item of a list.
    "Invalid value bogus for configuration log.cleanup.policy: String must be one of: " +
      "compact, delete",
  );
  assertEquals(checkConfigValue("log.cleanup.policy", "compact, delete"), null);
});

Deno.test("broker configs: a cluster-wide change reaches every topic without an override", async () => {
  await using broker = await Broker.start({ nodes: 2, topics: { t: {}, own: {} } });
  await using admin = new Admin({ bootstrapServers: broker.bootstrapServers });
  await admin.incrementalAlterConfigs([
    {
      resource: { type: "topic", name: "own" },
      ops: [{ name: "max.message.bytes", op: "set", value: "500" }],
    },
    {
      resource: { type: "broker", name: "" },
      ops: [{ name: "message.max.bytes", op: "set", value: "3000000" }],
    },
  ]);
  await using producer = new Producer({ bootstrapServers: broker.bootstrapServers, lingerMs: 0 });
  // 2 MB exceeds Kafka's default of 1 MB; the cluster now allows 3 MB.
  await producer.send({ topic: "t", value: new Uint8Array(2_000_000) });
  await assertRejects(
    () => producer.send({ topic: "own", value: new Uint8Array(1000) }),
    Error,
    /MESSAGE_TOO_LARGE|too large/i,
  );
  const [cluster] = await admin.describeConfigs([{ type: "broker", name: "" }]);
  assertEquals(
    cluster.entries.map((e) => [e.name, e.value, e.source]).sort(),
    [
      ["message.max.bytes", "3000000", "DYNAMIC_DEFAULT_BROKER_CONFIG"],
      ["min.insync.replicas", "1", "DYNAMIC_DEFAULT_BROKER_CONFIG"],
    ],
  );
  // A node's own value wins over the cluster's, on that node only.
  await admin.incrementalAlterConfigs([{
    resource: { type: "broker", name: "2" },
    ops: [{ name: "log.retention.ms", op: "set", value: "1000" }],
  }]);
  assertEquals(clusterOf(broker).configs.value(2, "log.retention.ms"), "1000");
  assertEquals(clusterOf(broker).configs.value(1, "log.retention.ms"), null);
  const topic = clusterOf(broker).topics.get("t")!;
  assertEquals(clusterOf(broker).topicConfig(topic, "retention.ms", 2), "1000");
  assertEquals(clusterOf(broker).topicConfig(topic, "retention.ms", 1), "604800000");
});

Deno.test("broker configs: Kafka's refusals of dynamic changes", async () => {
  await using broker = await Broker.start();
  await using c = await RawClient.connect(broker.bootstrapServers);
  const alter = async (name: string, config: string, value: string | null, op = 0) => {
    const r = await c.request(ApiKey.IncrementalAlterConfigs, 1, {
      resources: [{
        resourceType: 4,
        resourceName: name,
        configs: [{ name: config, configOperation: op, value }],
      }],
      validateOnly: false,
    });
    return [r.responses[0].errorCode, r.responses[0].errorMessage];
  };
  assertEquals(await alter("", "num.partitions", "3"), [
    ErrorCode.INVALID_REQUEST,
    "Cannot update these configs dynamically: Set(num.partitions)",
  ]);
  assertEquals(await alter("", "listeners", "PLAINTEXT://:1"), [
    ErrorCode.INVALID_REQUEST,
    "Cannot update these configs at default cluster level, broker id must be specified: Set(listeners)",
  ]);
  assertEquals((await alter("1", "listeners", "PLAINTEXT://:1"))[0], ErrorCode.INVALID_REQUEST);
  assertEquals(await alter("2", "message.max.bytes", "1"), [
    ErrorCode.INVALID_REQUEST,
    "Unexpected broker id, expected 1, but received 2",
  ]);
  assertEquals(await alter("", "message.max.bytes", "5", 2), [
    ErrorCode.INVALID_CONFIG,
    "Config value append is not allowed for config key: message.max.bytes",
  ]);
  assertEquals(await alter("", "log.cleanup.policy", "compact", 2), [ErrorCode.NONE, null]);
  assertEquals(clusterOf(broker).configs.value(1, "log.cleanup.policy"), "delete,compact");
});

Deno.test("broker configs: synonyms hide each other as Kafka's do", () => {
  const configs = new BrokerConfigs({
    shared: { "log.roll.ms": "1000" },
    ofNode: (id) => ({ "node.id": String(id) }),
  });
  const overrides = new Map<string, string>();
  assertEquals(configs.topicValue(overrides, "segment.ms", 1), "1000");
  // A dynamic log.roll.hours replaces the static log.roll.ms, though .ms ranks first.
  configs.setDynamic(null, new Map([["log.roll.hours", "2"]]));
  assertEquals(configs.topicValue(overrides, "segment.ms", 1), "7200000");
  assertEquals(configs.topicValue(new Map([["segment.ms", "5"]]), "segment.ms", 1), "5");
});

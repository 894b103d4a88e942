import { assertEquals, assertOk } from "../assert.ts";
import {
  ErrorCode,
  errorInfo,
  ERRORS,
  KafkaCodecError,
  KafkaProtocolError,
  UnsupportedVersionError,
} from "../../codec/mod.ts";
import { readKafkaErrors } from "../../tools/kafka/error_table.ts";

Deno.test("errors: the table is contiguous from -1 with unique names", () => {
  ERRORS.forEach((e, i) => assertEquals(e.code, i - 1));
  assertEquals(new Set(ERRORS.map((e) => e.name)).size, ERRORS.length);
  assertOk(ERRORS.length >= 135);
});

const kafka = await readKafkaErrors();

Deno.test({
  name: "errors: the table is Kafka's own, message texts included",
  ignore: typeof kafka === "string",
  fn() {
    if (typeof kafka === "string") return;
    assertEquals(ERRORS.map((e) => [e.code, e.name, e.retriable, e.message]), kafka);
  },
});
if (typeof kafka === "string") console.log(`Kafka's error table not compared: ${kafka}`);

Deno.test("errors: Kafka's default messages, as its brokers send them", () => {
  assertEquals(errorInfo(ErrorCode.NONE).message, "NONE");
  assertEquals(
    errorInfo(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION).message,
    "This server does not host this topic-partition.",
  );
  assertEquals(
    errorInfo(ErrorCode.NOT_COORDINATOR).message,
    "This is not the correct coordinator.",
  );
});

Deno.test("errors: codes and retriable flags agree with Kafka", () => {
  const facts: [keyof typeof ErrorCode, number, boolean][] = [
    ["NONE", 0, false],
    ["UNKNOWN_SERVER_ERROR", -1, false],
    ["OFFSET_OUT_OF_RANGE", 1, false],
    ["UNKNOWN_TOPIC_OR_PARTITION", 3, true],
    ["LEADER_NOT_AVAILABLE", 5, true],
    ["NOT_LEADER_OR_FOLLOWER", 6, true],
    ["COORDINATOR_NOT_AVAILABLE", 15, true],
    ["NOT_COORDINATOR", 16, true],
    ["REBALANCE_IN_PROGRESS", 27, false],
    ["UNSUPPORTED_VERSION", 35, false],
    ["FENCED_LEADER_EPOCH", 74, true],
    ["INVALID_RECORD", 87, false],
    ["UNKNOWN_TOPIC_ID", 100, true],
  ];
  for (const [name, code, retriable] of facts) {
    assertEquals(ErrorCode[name], code, name);
    assertEquals(errorInfo(code).retriable, retriable, name);
  }
  assertEquals(errorInfo(9999).name, "UNKNOWN_ERROR_CODE_9999");
});

Deno.test("errors: classes carry code, name and context", () => {
  const e = new KafkaProtocolError(6, { detail: "topic t partition 0" });
  assertEquals([e.code, e.errorName, e.retriable, e.name], [
    6,
    "NOT_LEADER_OR_FOLLOWER",
    true,
    "KafkaProtocolError",
  ]);
  assertOk(e.message.endsWith("(NOT_LEADER_OR_FOLLOWER, code 6): topic t partition 0"), e.message);
  const u = new UnsupportedVersionError("MetadataRequest has no version 14");
  assertOk(u instanceof KafkaProtocolError && u.code === 35);
  const c = KafkaCodecError.withSegment(
    KafkaCodecError.withSegment(
      new KafkaCodecError("Cannot decode: x", { path: "name", offset: 3 }),
      "topics",
    ),
    "MetadataRequest",
  );
  assertEquals([c.path, c.offset], ["MetadataRequest.topics.name", 3]);
  assertEquals(c.message, "Cannot decode: x (at MetadataRequest.topics.name, byte 3)");
});

Deno.test("errors: every error Brook raises about Kafka is a KafkaError that says if a retry may help", async () => {
  const { KafkaError, KafkaProtocolError, KafkaCodecError } = await import("../../codec/mod.ts");
  const client = await import("../../client/mod.ts");
  const cases: [Error, boolean][] = [
    [new KafkaProtocolError(6), true],
    [new KafkaProtocolError(87), false],
    [new KafkaCodecError("bad bytes"), false],
    [new client.KafkaConnectionError("lost"), true],
    [new client.KafkaTimeoutError("late"), true],
    [new client.KafkaClosedError("closed"), false],
    [new client.KafkaAuthenticationError(58, "refused"), false],
    [new client.TransactionStateError("no transaction"), false],
  ];
  for (const [e, retriable] of cases) {
    assertEquals([e instanceof KafkaError, (e as InstanceType<typeof KafkaError>).retriable], [
      true,
      retriable,
    ], e.name);
  }
});

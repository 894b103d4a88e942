import fc from "fast-check";
import { assertEquals, assertOk, assertThrows } from "../assert.ts";
import {
  ApiKey,
  decodeApiVersionsRequest,
  decodeMetadataRequest,
  decodeMetadataResponse,
  decodeProduceRequest,
  decodeRequestBody,
  encodeFetchResponse,
  encodeMetadataRequest,
  KafkaCodecError,
  Reader,
  readRequestHeader,
  UnsupportedVersionError,
  Writer,
} from "../../codec/mod.ts";
import {
  decodeBytes,
  encodeToBytes,
  messageArbitrary,
  SPECS,
  versionsOf,
} from "./message_model.ts";

function reader(...bytes: number[]): Reader {
  return new Reader(new Uint8Array(bytes));
}

Deno.test("malformed: every truncation of every message version is a KafkaCodecError", () => {
  let checked = 0;
  for (const spec of SPECS.values()) {
    for (const version of versionsOf(spec)) {
      const [value] = fc.sample(messageArbitrary(spec, version, { unknownTags: true }), {
        numRuns: 1,
        seed: version + 7,
      });
      const bytes = encodeToBytes(spec, value, version);
      for (let cut = 0; cut < bytes.length; cut++) {
        const e = assertThrows(
          () => decodeBytes(spec, bytes.subarray(0, cut), version),
          KafkaCodecError,
        );
        assertOk(e.path.startsWith(spec.name), `${e.path} should start with ${spec.name}`);
        checked++;
      }
    }
  }
  assertOk(checked > 1000);
});

Deno.test("malformed: random bytes never escape as anything but a KafkaCodecError", () => {
  const specs = [...SPECS.values()];
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: specs.length - 1 }),
      fc.integer({ min: 0, max: 20 }),
      fc.uint8Array({ maxLength: 64 }),
      (i, v, bytes) => {
        const spec = specs[i];
        const version = Math.min(spec.validVersions.lo + v, spec.validVersions.hi);
        try {
          decodeBytes(spec, bytes, version);
        } catch (e) {
          if (
            !(e instanceof KafkaCodecError) &&
            !(e instanceof Error && /bytes left over/.test(e.message))
          ) {
            throw e;
          }
        }
      },
    ),
    { numRuns: 20000, seed: 1 },
  );
});

Deno.test("malformed: truncated int32 names field, offset and need", () => {
  // MetadataRequest v4: topics array (int32 count) cut after two bytes.
  const e = assertThrows(() => decodeMetadataRequest(reader(0, 0), 4), KafkaCodecError);
  assertEquals(e.path, "MetadataRequest.topics");
  assertEquals(e.offset, 0);
  assertOk(/needed 4 bytes, 2 remain/.test(e.message), e.message);
});

Deno.test("malformed: negative lengths other than null are refused", () => {
  // topics count -2 (classic array).
  assertThrows(
    () => decodeMetadataRequest(reader(0xff, 0xff, 0xff, 0xfe), 4),
    KafkaCodecError,
    /negative length -2/,
  );
  // topic name length -2 (classic string) inside one topic.
  assertThrows(
    () => decodeMetadataRequest(reader(0, 0, 0, 1, 0xff, 0xfe, 1), 4),
    KafkaCodecError,
    /negative length -2/,
  );
  // A null (-1) topic name where the name is not nullable (v4 topics[].name).
  const e = assertThrows(
    () => decodeMetadataRequest(reader(0, 0, 0, 1, 0xff, 0xff, 1), 4),
    KafkaCodecError,
  );
  assertEquals(e.path, "MetadataRequest.topics.name");
  assertOk(/not nullable/.test(e.message));
});

Deno.test("malformed: huge lengths are refused before allocation", () => {
  // 2^31-1 topics in 4 bytes of input.
  assertThrows(
    () => decodeMetadataRequest(reader(0x7f, 0xff, 0xff, 0xff), 4),
    KafkaCodecError,
    /array of 2147483647 elements cannot fit/,
  );
  // Compact array of 2^32-2 elements (v12 topics).
  assertThrows(
    () => decodeMetadataRequest(reader(0xff, 0xff, 0xff, 0xff, 0x0f), 12),
    KafkaCodecError,
    /cannot fit/,
  );
  // ProduceRequest v3: transactionalId null, acks, timeout, one topic "t", one partition, records of 1 GiB.
  const bytes = [
    0xff,
    0xff,
    0,
    1,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    1,
    0,
    1,
    0x74,
    0,
    0,
    0,
    1,
    0,
    0,
    0,
    0,
    0x40,
    0,
    0,
    0,
  ];
  const e = assertThrows(
    () => decodeProduceRequest(reader(...bytes), 3),
    KafkaCodecError,
    /needed 1073741824 bytes/,
  );
  assertEquals(e.path, "ProduceRequest.topicData.partitionData.records");
  // A compact string over Kafka's 32767-byte limit.
  assertThrows(
    () => decodeApiVersionsRequest(reader(0x81, 0x80, 0x02), 3),
    KafkaCodecError,
    /over the 32767 bytes/,
  );
});

Deno.test("malformed: varints longer than 5 bytes", () => {
  assertThrows(
    () => decodeMetadataRequest(reader(0x80, 0x80, 0x80, 0x80, 0x80, 0x01), 12),
    KafkaCodecError,
    /varint is longer than 5 bytes/,
  );
  // A 5-byte varint whose value does not fit in 32 bits.
  assertThrows(
    () => reader(0xff, 0xff, 0xff, 0xff, 0x7f).uvarint(),
    KafkaCodecError,
    /exceeds 32 bits/,
  );
  assertThrows(
    () => reader(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01).varlong(),
    KafkaCodecError,
  );
  assertEquals(reader(0xff, 0xff, 0xff, 0xff, 0x0f).uvarint(), 0xffffffff);
  assertEquals(
    reader(0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01).varlong(),
    9223372036854775807n,
  );
});

Deno.test("malformed: invalid UTF-8 is refused with its place", () => {
  // MetadataRequest v4 with one topic whose name is 0xff 0xfe.
  const e = assertThrows(
    () => decodeMetadataRequest(reader(0, 0, 0, 1, 0, 2, 0xff, 0xfe, 1), 4),
    KafkaCodecError,
    /not valid UTF-8/,
  );
  assertEquals(e.path, "MetadataRequest.topics.name");
  assertEquals(e.offset, 6);
});

Deno.test("malformed: unknown API keys and versions", () => {
  assertThrows(() => decodeMetadataRequest(reader(), 14), UnsupportedVersionError);
  assertThrows(() => decodeMetadataResponse(reader(), -1), UnsupportedVersionError);
  assertThrows(
    () => decodeRequestBody(reader(), 999 as typeof ApiKey.Produce, 0),
    KafkaCodecError,
    /unknown API key 999/,
  );
  assertThrows(() => decodeRequestBody(reader(), ApiKey.Produce, 2), UnsupportedVersionError);
  // A header that ends early.
  assertThrows(() => readRequestHeader(reader(0, 3, 0)), KafkaCodecError);
});

Deno.test("malformed: a tagged field whose size disagrees with its value", () => {
  // FetchResponse v12 partition with tag 0 (divergingEpoch) declared as 2 bytes while it needs 13.
  const w = new Writer();
  w.int32(0); // throttle
  w.int16(0); // error
  w.int32(0); // session id
  w.uvarint(2); // one topic
  w.compactString("t");
  w.uvarint(2); // one partition
  w.int32(0);
  w.int16(0);
  w.int64(0n);
  w.int64(0n);
  w.int64(0n);
  w.uvarint(1); // no aborted transactions
  w.int32(-1); // preferred read replica
  w.uvarint(0); // records null
  w.uvarint(1); // one tagged field
  w.uvarint(0);
  w.uvarint(2);
  w.raw(new Uint8Array(13));
  w.uvarint(0);
  w.uvarint(0);
  const e = assertThrows(
    () => decodeBytes(SPECS.get("FetchResponse")!, w.toUint8Array(), 12),
    KafkaCodecError,
    /tagged field 0 is 2 bytes/,
  );
  assertEquals(e.path, "FetchResponse.responses.partitions.divergingEpoch");
});

Deno.test("malformed: writer refuses values it cannot encode", () => {
  const w = new Writer();
  assertThrows(
    () => encodeMetadataRequest(w, { topics: [{ name: null }] }, 9),
    KafkaCodecError,
    /null is not allowed/,
  );
  assertThrows(() => w.int16(40000), KafkaCodecError, /not a valid int16/);
  assertThrows(() => w.int32(1.5), KafkaCodecError, /not a valid int32/);
  assertThrows(() => w.int64(2n ** 63n), KafkaCodecError, /not a valid int64/);
  assertThrows(() => w.string("x".repeat(40000)), KafkaCodecError, /longer than the 32767/);
  assertThrows(() => w.uuid("not-a-uuid"), KafkaCodecError, /Kafka UUID/);
  // A non-ignorable field with a non-default value in a version that lacks it (Kafka's UnsupportedVersion).
  // MetadataRequest.topicId is ignorable: dropped silently in v9.
  encodeMetadataRequest(w, { topics: [{ name: "t", topicId: "AAAAAAAAAAAAAAAAAAAAAQ" }] }, 9);
  assertThrows(
    () =>
      encodeFetchResponse(w, { responses: [{ partitions: [{ preferredReadReplica: 3 }] }] }, 10),
    UnsupportedVersionError,
    /preferredReadReplica/,
  );
});

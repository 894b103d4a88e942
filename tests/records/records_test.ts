import fc from "fast-check";
import { assertEquals, assertOk, assertThrows } from "../assert.ts";
import {
  CompressionCodec,
  ControlType,
  crc32,
  crc32c,
  decodeRecordBatches,
  encodeControlBatch,
  encodeRecordBatch,
  KafkaCodecError,
  type RecordBatch,
  type RecordInit,
} from "../../codec/mod.ts";

const te = new TextEncoder();
const fixtures = new URL("./fixtures/", import.meta.url);

/** A batch's records as Kafka's Java reader prints them (see fixtures/make.sh). */
export function render(batches: RecordBatch[]): string {
  const text = (b: Uint8Array | null) => (b === null ? "null" : new TextDecoder().decode(b));
  let out = "";
  for (const batch of batches) {
    for (const r of batch.records) {
      out += `${r.offset}\t${r.timestamp}\t${text(r.key)}\t${text(r.value)}`;
      for (const h of r.headers) out += `\t${h.key}=${text(h.value)}`;
      out += "\n";
    }
  }
  return out;
}

Deno.test("records: CRC-32C and CRC-32 check values, whole and in pieces", () => {
  const data = te.encode("123456789");
  assertEquals(crc32c(data), 0xe3069283);
  assertEquals(crc32(data), 0xcbf43926);
  const big = new Uint8Array(100_003).map((_, i) => (i * 31) & 255);
  for (const cut of [0, 1, 63, 64, 5000, 100_002]) {
    assertEquals(crc32c(big.subarray(cut), crc32c(big.subarray(0, cut))), crc32c(big));
    assertEquals(crc32(big.subarray(cut), crc32(big.subarray(0, cut))), crc32(big));
  }
  // Unaligned views take the byte path at the start.
  assertEquals(crc32c(big.subarray(3, 999)), crc32c(big.slice(3, 999)));
});

Deno.test("records: batches written by Kafka's Java client decode to what Java reads", async () => {
  let n = 0;
  for await (const e of Deno.readDir(fixtures)) {
    if (!e.name.endsWith(".bin")) continue;
    const bytes = await Deno.readFile(new URL(e.name, fixtures));
    const expected = await Deno.readTextFile(new URL(e.name.replace(".bin", ".txt"), fixtures));
    assertEquals(render(decodeRecordBatches(bytes)), expected, e.name);
    n++;
  }
  assertOk(n >= 16, `${n} fixtures`);
  const [marker] = decodeRecordBatches(
    await Deno.readFile(new URL("v2_commit_marker.bin", fixtures)),
  );
  assertEquals([marker.isControl, marker.isTransactional, marker.controlType], [
    true,
    true,
    ControlType.Commit,
  ]);
  const [tx] = decodeRecordBatches(await Deno.readFile(new URL("v2_transactional.bin", fixtures)));
  assertEquals([tx.header.producerId, tx.header.producerEpoch, tx.isTransactional], [9n, 1, true]);
});

const recordArb = fc.record({
  key: fc.option(fc.uint8Array({ maxLength: 20 }), { nil: null }),
  value: fc.option(fc.uint8Array({ maxLength: 300 }), { nil: null }),
  headers: fc.array(
    fc.record({
      key: fc.string({ unit: "grapheme", maxLength: 8 }),
      value: fc.option(fc.uint8Array({ maxLength: 8 }), { nil: null }),
    }, { noNullPrototype: true }),
    { maxLength: 3 },
  ),
  timestamp: fc.integer({ min: 0, max: 2 ** 45 }),
}, { noNullPrototype: true });

Deno.test("records: encode/decode round trip, every compression", () => {
  for (const codec of Object.values(CompressionCodec)) {
    fc.assert(
      fc.property(
        fc.array(recordArb, { minLength: 1, maxLength: 40 }),
        fc.boolean(),
        (records: RecordInit[], tx) => {
          const bytes = encodeRecordBatch({
            records,
            compression: codec,
            isTransactional: tx,
            producerId: 5n,
            producerEpoch: 1,
            baseSequence: 3,
            baseOffset: 1000n,
          });
          const [batch] = decodeRecordBatches(bytes);
          assertEquals(batch.compression, codec);
          assertEquals(batch.isTransactional, tx);
          assertEquals(batch.records.length, records.length);
          batch.records.forEach((r, i) => {
            assertEquals(r.offset, 1000n + BigInt(i));
            assertEquals(r.timestamp, BigInt(records[i].timestamp!));
            assertEquals(r.key, records[i].key);
            assertEquals(r.value, records[i].value);
            assertEquals(r.headers, records[i].headers);
          });
        },
      ),
      { numRuns: 40, seed: codec },
    );
  }
});

Deno.test("records: many records and large values", () => {
  const records = Array.from(
    { length: 5000 },
    (_, i) => ({ key: te.encode(`k${i}`), value: new Uint8Array(i % 7 === 0 ? 70_000 : 10) }),
  );
  const [batch] = decodeRecordBatches(
    encodeRecordBatch({ records, compression: CompressionCodec.Lz4 }),
  );
  assertEquals(batch.records.length, 5000);
  assertEquals(batch.records[4998].value!.length, 70_000);
});

Deno.test("records: control batches are written and read", () => {
  const bytes = encodeControlBatch({
    type: ControlType.Abort,
    producerId: 9n,
    producerEpoch: 2,
    coordinatorEpoch: 17,
  });
  const [b] = decodeRecordBatches(bytes);
  assertEquals([b.isControl, b.controlType, b.header.producerId], [true, ControlType.Abort, 9n]);
  assertEquals(
    new DataView(b.records[0].value!.buffer, b.records[0].value!.byteOffset).getInt32(2),
    17,
  );
});

Deno.test("records: a trailing partial batch is skipped, not an error", () => {
  const one = encodeRecordBatch({ records: [{ value: te.encode("a") }] });
  const two = encodeRecordBatch({
    records: [{ value: te.encode("b") }, { value: te.encode("c") }],
    baseOffset: 1n,
  });
  const both = new Uint8Array([...one, ...two]);
  for (let cut = one.length; cut < both.length; cut++) {
    assertEquals(decodeRecordBatches(both.subarray(0, cut)).length, 1);
  }
  assertEquals(decodeRecordBatches(both).length, 2);
  for (let cut = 0; cut < one.length; cut++) {
    assertEquals(decodeRecordBatches(one.subarray(0, cut)).length, 0);
  }
});

/** A copy of `bytes` changed by `edit`, with the CRC made right again so that only the edit is wrong. */
function tampered(bytes: Uint8Array, edit: (v: DataView) => void): Uint8Array {
  const copy = bytes.slice();
  const v = new DataView(copy.buffer);
  edit(v);
  v.setUint32(17, crc32c(copy.subarray(21)));
  return copy;
}

Deno.test("records: malformed batches give KafkaCodecError", () => {
  const records = [{
    key: te.encode("key"),
    value: te.encode("value"),
    headers: [{ key: "h", value: te.encode("v") }],
  }, { value: te.encode("x") }];
  const bytes = encodeRecordBatch({ records });
  // A flipped byte anywhere under the CRC.
  for (let i = 21; i < bytes.length; i++) {
    const copy = bytes.slice();
    copy[i] ^= 0x40;
    assertThrows(() => decodeRecordBatches(copy), KafkaCodecError, /CRC mismatch/);
  }
  // Record counts that lie, both ways.
  assertThrows(
    () => decodeRecordBatches(tampered(bytes, (v) => v.setInt32(57, 3))),
    KafkaCodecError,
    /declares 3 records but holds 2/,
  );
  assertThrows(
    () => decodeRecordBatches(tampered(bytes, (v) => v.setInt32(57, 1))),
    KafkaCodecError,
    /holds more bytes/,
  );
  assertThrows(
    () => decodeRecordBatches(tampered(bytes, (v) => v.setInt32(57, 2_000_000_000))),
    KafkaCodecError,
    /cannot fit/,
  );
  assertThrows(
    () => decodeRecordBatches(tampered(bytes, (v) => v.setInt32(57, -1))),
    KafkaCodecError,
    /negative record count/,
  );
  // A record length that overruns the batch (first record's length varint, zigzag 100).
  assertThrows(
    () => decodeRecordBatches(tampered(bytes, (v) => v.setUint8(61, 200))),
    KafkaCodecError,
    /overruns/,
  );
  // A key length below -1 (zigzag 3 = -2).
  assertThrows(
    () => decodeRecordBatches(tampered(bytes, (v) => v.setUint8(65, 3))),
    KafkaCodecError,
  );
  // Unknown magic, negative batch length, a length shorter than a header.
  assertThrows(
    () => decodeRecordBatches(tampered(bytes, (v) => v.setInt8(16, 3))),
    KafkaCodecError,
    /unknown magic 3/,
  );
  assertThrows(
    () => decodeRecordBatches(tampered(bytes, (v) => v.setInt32(8, -5))),
    KafkaCodecError,
    /negative batch length/,
  );
  assertThrows(
    () => decodeRecordBatches(tampered(bytes, (v) => v.setInt32(8, 20))),
    KafkaCodecError,
    /shorter than a batch header/,
  );
  // A compressed batch whose records are not valid compressed data.
  const gz = encodeRecordBatch({ records, compression: CompressionCodec.Gzip });
  assertThrows(
    () =>
      decodeRecordBatches(
        tampered(gz, (v) => v.setUint8(gz.length - 6, v.getUint8(gz.length - 6) ^ 0xff)),
      ),
    KafkaCodecError,
  );
  // Random garbage never escapes as anything else.
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 0, maxLength: 200 }),
      fc.boolean(),
      (junk, keepHeader) => {
        const input = keepHeader ? new Uint8Array([...bytes.subarray(0, 61), ...junk]) : junk;
        if (keepHeader) new DataView(input.buffer).setInt32(8, input.length - 12);
        try {
          decodeRecordBatches(input, { verifyCrc: false });
        } catch (e) {
          if (!(e instanceof KafkaCodecError)) throw e;
        }
      },
    ),
    { numRuns: 3000, seed: 3 },
  );
});

Deno.test({
  name: "records: Kafka's Java client reads Brook's batches (BROOK_INTEROP=1)",
  ignore: Deno.env.get("BROOK_INTEROP") !== "1",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "brook-records-" });
    const expected: string[] = [];
    const files: string[] = [];
    for (const codec of Object.values(CompressionCodec)) {
      const records = Array.from({ length: 30 }, (_, i) => ({
        key: i % 3 ? te.encode(`key-${i}`) : null,
        value: te.encode(`value ${i} ☃ ${"y".repeat(i)}`),
        headers: i % 2 ? [{ key: `h${i}`, value: te.encode("v") }] : [],
        timestamp: 1700000000000 + i,
      }));
      const bytes = encodeRecordBatch({ records, compression: codec, baseOffset: 500n });
      const file = `${dir}/brook_${codec}.bin`;
      await Deno.writeFile(file, bytes);
      files.push(file);
      expected.push(render(decodeRecordBatches(bytes)));
    }
    const tool = new URL("../vectors/java/run.sh", import.meta.url).pathname;
    const out = await new Deno.Command("bash", {
      args: [tool, "RecordFixtures", "read", ...files],
      stderr: "inherit",
    }).output();
    assertOk(out.success, "Java could not read Brook's batches");
    assertEquals(new TextDecoder().decode(out.stdout), expected.join(""));
    await Deno.remove(dir, { recursive: true });
  },
});

// Foreign bytes: payloads compressed by Apache Kafka's Java client (kafka-clients 4.1.1 with
// snappy-java, lz4-java, zstd-jni) and by Python libraries (python-lz4, zstandard,
// python-snappy, kafka-python), checked in under fixtures/data by fixtures/make_fixtures.sh.
// Brook must decode every one to the payload it was made from.
//
// The reverse direction (foreign implementations decoding Brook's output) needs Java, Maven and
// Python: it runs here when BROOK_INTEROP=1, and always through make_fixtures.sh.

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { compress, CompressionCodec, decompress } from "../../codec/compression/mod.ts";
import { FIXTURE_PAYLOADS } from "./payloads.ts";

const DATA = new URL("./fixtures/data/", import.meta.url);
const CODEC_IDS: Record<string, CompressionCodec> = {
  gzip: CompressionCodec.Gzip,
  snappy: CompressionCodec.Snappy,
  lz4: CompressionCodec.Lz4,
  zstd: CompressionCodec.Zstd,
};

interface Fixture {
  file: string;
  payload: string;
  codec: string;
  producer: string;
}

function readManifests(): Fixture[] {
  const fixtures: Fixture[] = [];
  for (const entry of Deno.readDirSync(DATA)) {
    if (!/^manifest-.*\.tsv$/.test(entry.name)) continue;
    const text = Deno.readTextFileSync(new URL(entry.name, DATA));
    for (const line of text.split("\n")) {
      if (line.trim() === "") continue;
      const [file, payload, codec, producer] = line.split("\t");
      fixtures.push({ file, payload, codec, producer });
    }
  }
  return fixtures.sort((a, b) => a.file.localeCompare(b.file));
}

const fixtures = readManifests();
const payloads = Object.fromEntries(
  Object.entries(FIXTURE_PAYLOADS).map(([name, make]) => [name, make()]),
);

Deno.test("fixture manifests cover every codec from Java and Python", () => {
  const producers = (codec: string) =>
    new Set(fixtures.filter((f) => f.codec === codec).map((f) => f.producer.split(" ")[0]));
  for (const codec of Object.keys(CODEC_IDS)) {
    assert.ok(producers(codec).has("kafka-clients"), `no Java fixture for ${codec}`);
  }
  for (const codec of ["snappy", "lz4", "zstd"]) {
    assert.ok(producers(codec).size >= 2, `no second implementation for ${codec}`);
  }
});

for (const fixture of fixtures) {
  Deno.test(`decodes ${fixture.file} (${fixture.producer})`, () => {
    const expected = payloads[fixture.payload];
    assert.ok(expected, `unknown payload ${fixture.payload}`);
    const packed = Deno.readFileSync(new URL(fixture.file, DATA));
    const out = decompress(CODEC_IDS[fixture.codec], packed, {
      maxOutputBytes: expected.length,
    });
    assert.equal(out.length, expected.length);
    assert.ok(out.every((b, i) => b === expected[i]), "decoded bytes differ from the payload");
  });
}

Deno.test("Brook's snappy and lz4 framing matches the Java client's (header bytes, block layout)", () => {
  for (const payload of ["text", "records"]) {
    const snappy = Deno.readFileSync(new URL(`${payload}.java.snappy`, DATA));
    const lz4 = Deno.readFileSync(new URL(`${payload}.java.lz4`, DATA));
    const ours = {
      snappy: compress(CompressionCodec.Snappy, payloads[payload]),
      lz4: compress(CompressionCodec.Lz4, payloads[payload]),
    };
    // Same 16-byte xerial header and same block structure (32 KiB of input per block).
    assert.deepEqual(ours.snappy.subarray(0, 16), snappy.subarray(0, 16));
    assert.equal(xerialBlockCount(ours.snappy), xerialBlockCount(snappy));
    // Same 7-byte LZ4 frame header and the same number of 64 KiB blocks.
    assert.deepEqual(ours.lz4.subarray(0, 7), lz4.subarray(0, 7));
    assert.equal(lz4BlockCount(ours.lz4), lz4BlockCount(lz4));
  }
});

function xerialBlockCount(stream: Uint8Array): number {
  const view = new DataView(stream.buffer, stream.byteOffset, stream.byteLength);
  let n = 0;
  for (let pos = 16; pos < stream.length; pos += 4 + view.getInt32(pos)) n++;
  return n;
}

function lz4BlockCount(frame: Uint8Array): number {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  let n = 0;
  for (let pos = 7;; n++) {
    const word = view.getUint32(pos, true);
    if (word === 0) return n;
    pos += 4 + (word & 0x7fffffff);
  }
}

Deno.test({
  name: "Java (kafka-clients 4.1.1) and Python decode Brook's output (BROOK_INTEROP=1)",
  ignore: Deno.env.get("BROOK_INTEROP") !== "1",
  async fn() {
    const script = fileURLToPath(new URL("./fixtures/make_fixtures.sh", import.meta.url));
    const result = await new Deno.Command("bash", { args: [script, "--verify"] }).output();
    const output = new TextDecoder().decode(result.stdout) +
      new TextDecoder().decode(result.stderr);
    assert.equal(result.code, 0, output);
    assert.match(output, /java: \d+ passed, 0 failed/);
    assert.match(output, /python: \d+ passed, 0 failed/);
  },
});

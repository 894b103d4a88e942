// Compression codec throughput on a 1 MiB JSON-lines payload, both ways, per codec.
// Run: deno bench -A bench/compression_bench.ts  (MB/s = 1.048576 / (time per iteration in ms)).

import { compress, CompressionCodec, decompress } from "../codec/compression/mod.ts";
import { recordsPayload } from "../tests/compression/payloads.ts";

const payload = recordsPayload(1024 * 1024);

const codecs = [
  ["gzip", CompressionCodec.Gzip],
  ["snappy", CompressionCodec.Snappy],
  ["lz4", CompressionCodec.Lz4],
  ["zstd", CompressionCodec.Zstd],
] as const;

for (const [name, codec] of codecs) {
  const packed = compress(codec, payload);
  Deno.bench({
    name: `brook ${name} compress 1 MiB records`,
    group: name,
    baseline: true,
    n: 50,
    fn() {
      compress(codec, payload);
    },
  });
  Deno.bench({
    name: `brook ${name} decompress 1 MiB records (ratio ${
      (payload.length / packed.length).toFixed(2)
    })`,
    group: name,
    n: 50,
    fn() {
      decompress(codec, packed);
    },
  });
}

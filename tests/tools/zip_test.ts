// tools/kafka/zip.ts reads the entries `deno task specs` copies out of kafka-clients jars: stored and
// deflated entries, found through the central directory, whatever precedes or follows them.
import { assertEquals, assertRejects } from "../assert.ts";
import { unzipEntries } from "../../tools/kafka/zip.ts";

const text = (s: string) => new TextEncoder().encode(s);

async function deflate(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes.slice()]).stream().pipeThrough(
    new CompressionStream("deflate-raw"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** A zip of `entries` (method 0 stored, 8 deflated), with a comment after the end record. */
async function zip(entries: { name: string; data: Uint8Array; method: 0 | 8 }[]) {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const body = e.method === 8 ? await deflate(e.data) : e.data;
    const name = text(e.name);
    const local = new DataView(new ArrayBuffer(30));
    local.setUint32(0, 0x04034b50, true);
    local.setUint16(8, e.method, true);
    local.setUint32(18, body.length, true);
    local.setUint32(22, e.data.length, true);
    local.setUint16(26, name.length, true);
    parts.push(new Uint8Array(local.buffer), name, body);
    const dir = new DataView(new ArrayBuffer(46));
    dir.setUint32(0, 0x02014b50, true);
    dir.setUint16(10, e.method, true);
    dir.setUint32(20, body.length, true);
    dir.setUint32(24, e.data.length, true);
    dir.setUint16(28, name.length, true);
    dir.setUint32(42, offset, true);
    central.push(new Uint8Array(dir.buffer), name);
    offset += 30 + name.length + body.length;
  }
  const size = central.reduce((n, p) => n + p.length, 0);
  const comment = text("a comment");
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, entries.length, true);
  end.setUint16(10, entries.length, true);
  end.setUint32(12, size, true);
  end.setUint32(16, offset, true);
  end.setUint16(20, comment.length, true);
  const all = [...parts, ...central, new Uint8Array(end.buffer), comment];
  const out = new Uint8Array(all.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of all) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

Deno.test("zip: stored and deflated entries are read back, others left out", async () => {
  const json = text(JSON.stringify({ name: "ProduceRequest", fields: [] }).repeat(50));
  const archive = await zip([
    { name: "META-INF/MANIFEST.MF", data: text("Manifest-Version: 1.0\n"), method: 8 },
    { name: "common/message/ProduceRequest.json", data: json, method: 8 },
    { name: "LICENSE", data: text("Apache License"), method: 0 },
  ]);
  const entries = await unzipEntries(archive, (n) => !n.startsWith("META-INF/"));
  assertEquals(entries.map((e) => e.name), ["common/message/ProduceRequest.json", "LICENSE"]);
  assertEquals(entries[0].data, json);
  assertEquals(new TextDecoder().decode(entries[1].data), "Apache License");
});

Deno.test("zip: something that is not a zip is refused", async () => {
  await assertRejects(
    () => unzipEntries(text("not a zip at all, not even close"), () => true),
    Error,
    /no end of central directory/,
  );
});

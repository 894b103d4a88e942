/**
 * Reads entries out of a zip file (a jar) in memory: stored and deflated entries, found through the
 * central directory, as PKWARE's APPNOTE describes them (no zip64, no encryption: jars need neither).
 *
 * @module
 */

/** One entry's name and uncompressed bytes. */
export interface ZipEntry {
  name: string;
  data: Uint8Array;
}

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_FILE_HEADER = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;

/**
 * The entries of `zip` whose names `wanted` accepts, in the central directory's order.
 *
 * @example
 * ```ts
 * import { unzipEntries } from "./zip.ts";
 * const jar = await Deno.readFile("kafka-clients-4.4.0.jar");
 * const specs = await unzipEntries(jar, (name) => name.startsWith("common/message/"));
 * ```
 */
export async function unzipEntries(
  zip: Uint8Array,
  wanted: (name: string) => boolean,
): Promise<ZipEntry[]> {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  // The end record is last, followed by a comment of at most 65535 bytes.
  let end = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 65535); i--) {
    if (view.getUint32(i, true) === END_OF_CENTRAL_DIRECTORY) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new Error("not a zip file: no end of central directory");
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  const decoder = new TextDecoder();
  const entries: ZipEntry[] = [];
  for (let n = 0; n < count; n++) {
    if (view.getUint32(at, true) !== CENTRAL_FILE_HEADER) {
      throw new Error("corrupt central directory");
    }
    const method = view.getUint16(at + 10, true);
    const compressedSize = view.getUint32(at + 20, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const local = view.getUint32(at + 42, true);
    const name = decoder.decode(zip.subarray(at + 46, at + 46 + nameLength));
    at += 46 + nameLength + extraLength + commentLength;
    if (!wanted(name)) continue;
    if (view.getUint32(local, true) !== LOCAL_FILE_HEADER) throw new Error(`corrupt entry ${name}`);
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    const raw = zip.subarray(start, start + compressedSize);
    if (method === 0) entries.push({ name, data: raw.slice() });
    else if (method === 8) entries.push({ name, data: await inflate(raw) });
    else throw new Error(`${name}: compression method ${method} is not supported`);
  }
  return entries;
}

async function inflate(raw: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([raw.slice()]).stream().pipeThrough(
    new DecompressionStream("deflate-raw"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

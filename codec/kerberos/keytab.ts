/**
 * MIT keytab files (format 0x502, as `kadmin ktadd` and `ktutil` write them): the long-term keys of
 * service principals, several key versions and enctypes each.
 *
 * @module
 */

/** One key of a keytab. */
export interface KeytabEntry {
  /** The principal's components, e.g. ["kafka", "localhost"]. */
  names: string[];
  realm: string;
  nameType: number;
  /** When the key was written, epoch seconds. */
  timestamp: number;
  /** The key version number. */
  kvno: number;
  enctype: number;
  key: Uint8Array;
}

/**
 * The text form of an entry's principal, "kafka/localhost@BROOK.TEST".
 *
 * @example
 * ```ts
 * import { entryPrincipal } from "./keytab.ts";
 * console.log(entryPrincipal({
 *   names: ["kafka", "localhost"], realm: "BROOK.TEST", nameType: 1, timestamp: 0, kvno: 1,
 *   enctype: 18, key: new Uint8Array(32),
 * })); // "kafka/localhost@BROOK.TEST"
 * ```
 */
export function entryPrincipal(entry: KeytabEntry): string {
  return `${entry.names.join("/")}@${entry.realm}`;
}

/**
 * Reads a keytab file's bytes (format 0x502; 0x501 too, whose component count includes the
 * realm and which has no name type).
 *
 * @example
 * ```ts
 * import { encodeKeytab, parseKeytab } from "./keytab.ts";
 * const bytes = encodeKeytab([{
 *   names: ["kafka", "localhost"], realm: "BROOK.TEST", nameType: 1, timestamp: 0, kvno: 2,
 *   enctype: 18, key: new Uint8Array(32),
 * }]);
 * console.log(parseKeytab(bytes)[0].kvno); // 2
 * ```
 */
export function parseKeytab(bytes: Uint8Array): KeytabEntry[] {
  if (bytes.length < 2 || bytes[0] !== 5 || (bytes[1] !== 2 && bytes[1] !== 1)) {
    throw new RangeError("Not an MIT keytab (format 0x501 or 0x502)");
  }
  const v1 = bytes[1] === 1;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decoder = new TextDecoder();
  const entries: KeytabEntry[] = [];
  let at = 2;
  while (at + 4 <= bytes.length) {
    const size = view.getInt32(at);
    at += 4;
    if (size < 0) {
      // A hole left by a removed entry.
      at += -size;
      continue;
    }
    if (size === 0) break;
    const end = at + size;
    if (end > bytes.length) throw new RangeError("Keytab entry truncated");
    let p = at;
    const u16 = () => {
      const v = view.getUint16(p);
      p += 2;
      return v;
    };
    const text = () => {
      const n = u16();
      const s = decoder.decode(bytes.subarray(p, p + n));
      p += n;
      return s;
    };
    let count = u16();
    if (v1) count--;
    const realm = text();
    const names = Array.from({ length: count }, text);
    const nameType = v1 ? 1 : view.getUint32(p);
    if (!v1) p += 4;
    const timestamp = view.getUint32(p);
    p += 4;
    let kvno = bytes[p++];
    const enctype = u16();
    const keyLength = u16();
    const key = bytes.slice(p, p + keyLength);
    p += keyLength;
    // A 32-bit version number follows when the entry has room for it; 0 means "use the 8-bit one".
    if (p + 4 <= end) {
      const kvno32 = view.getUint32(p);
      if (kvno32 !== 0) kvno = kvno32;
    }
    entries.push({ names, realm, nameType, timestamp, kvno, enctype, key });
    at = end;
  }
  return entries;
}

/**
 * Writes entries as a keytab file (format 0x502, with 32-bit key version numbers).
 *
 * @example
 * ```ts
 * import { encodeKeytab } from "./keytab.ts";
 * const bytes = encodeKeytab([]);
 * console.log(bytes.length); // 2
 * ```
 */
export function encodeKeytab(entries: KeytabEntry[]): Uint8Array {
  const encoder = new TextEncoder();
  const parts: number[] = [5, 2];
  for (const e of entries) {
    const body: number[] = [];
    const u16 = (n: number) => body.push(n >> 8 & 0xff, n & 0xff);
    const u32 = (n: number) =>
      body.push(n >>> 24 & 0xff, n >>> 16 & 0xff, n >>> 8 & 0xff, n & 0xff);
    const text = (s: string) => {
      const b = encoder.encode(s);
      u16(b.length);
      body.push(...b);
    };
    u16(e.names.length);
    text(e.realm);
    e.names.forEach(text);
    u32(e.nameType);
    u32(e.timestamp);
    body.push(e.kvno & 0xff);
    u16(e.enctype);
    u16(e.key.length);
    body.push(...e.key);
    u32(e.kvno);
    const size = body.length;
    parts.push(size >>> 24 & 0xff, size >>> 16 & 0xff, size >>> 8 & 0xff, size & 0xff, ...body);
  }
  return new Uint8Array(parts);
}

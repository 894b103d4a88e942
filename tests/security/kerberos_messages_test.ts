// Kerberos messages of codec/kerberos: keytabs (MIT 0x502, holes, 32-bit key versions), DER
// integers and times, and RFC 4121 wrap and MIC tokens (integrity only, sealed, rotated, tampered).
import { assertEquals, assertRejects } from "../assert.ts";
import {
  derInteger,
  derTime,
  encodeInteger,
  encodeKeytab,
  encodeTime,
  enctype,
  KerberosCryptoError,
  type KeytabEntry,
  micToken,
  parseKeytab,
  readDer,
  unwrapToken,
  verifyMicToken,
  wrapToken,
} from "../../codec/kerberos/mod.ts";

Deno.test("keytab: entries round-trip; holes are skipped; the 32-bit version wins", () => {
  const entry = (kvno: number, id: number): KeytabEntry => ({
    names: ["kafka", "broker1.example.com"],
    realm: "EXAMPLE.COM",
    nameType: 1,
    timestamp: 1_700_000_000,
    kvno,
    enctype: id,
    key: enctype(id).randomKey(),
  });
  const entries = [entry(3, 18), entry(300, 20), entry(4, 17)];
  const bytes = encodeKeytab(entries);
  assertEquals(parseKeytab(bytes), entries);
  // A hole (negative size) where an entry was removed, between two entries.
  const one = encodeKeytab([entries[0]]).subarray(2);
  const two = encodeKeytab([entries[2]]).subarray(2);
  const withHole = new Uint8Array([
    5,
    2,
    ...one,
    0xff,
    0xff,
    0xff,
    0xf8,
    ...new Uint8Array(8),
    ...two,
  ]);
  assertEquals(parseKeytab(withHole), [entries[0], entries[2]]);
});

Deno.test("DER: integers of every sign and size, and KerberosTime", () => {
  for (
    const n of [0, 1, 127, 128, 255, 256, -1, -128, -129, 2 ** 31 - 1, 2 ** 32 - 1, -(2 ** 31)]
  ) {
    assertEquals(derInteger(readDer(encodeInteger(n))), n, String(n));
  }
  assertEquals(encodeInteger(128), new Uint8Array([2, 2, 0, 128]));
  assertEquals(encodeInteger(-129), new Uint8Array([2, 2, 0xff, 0x7f]));
  const t = Date.UTC(2026, 11, 8, 1, 2, 3);
  assertEquals(new TextDecoder().decode(encodeTime(t + 456).subarray(2)), "20261208010203Z");
  assertEquals(derTime(readDer(encodeTime(t + 456))), t);
});

const rotate = (token: Uint8Array, rrc: number) => {
  const out = token.slice();
  new DataView(out.buffer).setUint16(6, rrc);
  const body = token.subarray(16);
  const r = rrc % body.length;
  out.set(body.subarray(body.length - r), 16);
  out.set(body.subarray(0, body.length - r), 16 + r);
  return out;
};

Deno.test("wrap tokens: integrity only and sealed, rotated, from the right side only", async () => {
  for (const id of [17, 18, 19, 20]) {
    const key = { keyType: id, keyValue: enctype(id).randomKey() };
    const payload = new Uint8Array([1, 0, 0, 0, 65, 66]);
    for (const confidential of [false, true]) {
      const options = { sentByAcceptor: false, acceptorSubkey: true, sequence: 7n, confidential };
      const token = await wrapToken(key, payload, options);
      const expect = { sentByAcceptor: false, acceptorSubkey: true };
      const got = await unwrapToken(key, token, expect);
      assertEquals([got.payload, got.sequence], [payload, 7n]);
      // The same token rotated right by RRC bytes, as some initiators send it.
      assertEquals((await unwrapToken(key, rotate(token, 16), expect)).payload, payload);
      await assertRejects(
        () => unwrapToken(key, token, { sentByAcceptor: true, acceptorSubkey: true }),
        KerberosCryptoError,
      );
      await assertRejects(
        () => unwrapToken(key, token, { sentByAcceptor: false, acceptorSubkey: false }),
        KerberosCryptoError,
      );
      const tampered = token.slice();
      tampered[token.length - 3] ^= 1;
      await assertRejects(() => unwrapToken(key, tampered, expect), KerberosCryptoError);
      const header = token.slice();
      header[15] ^= 1; // another sequence number than the one checksummed or sealed
      await assertRejects(() => unwrapToken(key, header, expect), KerberosCryptoError);
    }
  }
});

Deno.test("MIC tokens verify, and not over other data or from the other side", async () => {
  const key = { keyType: 20, keyValue: enctype(20).randomKey() };
  const message = new TextEncoder().encode("message");
  const options = { sentByAcceptor: true, acceptorSubkey: false, sequence: 3n };
  const mic = await micToken(key, message, options);
  assertEquals(await verifyMicToken(key, message, mic, options), 3n);
  await assertRejects(
    () => verifyMicToken(key, new Uint8Array(7), mic, options),
    KerberosCryptoError,
  );
  await assertRejects(
    () => verifyMicToken(key, message, mic, { sentByAcceptor: false, acceptorSubkey: false }),
    KerberosCryptoError,
  );
});

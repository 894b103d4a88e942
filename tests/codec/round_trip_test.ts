import { assertEquals } from "../assert.ts";
import fc from "fast-check";
import {
  decodeBytes,
  encodeToBytes,
  messageArbitrary,
  SPECS,
  toHex,
  versionsOf,
} from "./message_model.ts";
import { Writer } from "../../codec/mod.ts";
import { codecOf } from "./message_model.ts";

const RUNS = Number(Deno.env.get("BROOK_PROPERTY_RUNS") ?? 25);

// One test per message: every version, random complete messages (nulls, empty arrays, unicode, unknown
// tagged fields), encode -> decode -> equal, and encoding the decoded value gives the same bytes.
for (const spec of SPECS.values()) {
  Deno.test(`round trip: ${spec.name} v${versionsOf(spec).join(",")}`, () => {
    for (const version of versionsOf(spec)) {
      fc.assert(
        fc.property(messageArbitrary(spec, version), (value) => {
          const bytes = encodeToBytes(spec, value, version);
          const decoded = decodeBytes(spec, bytes, version);
          assertEquals(decoded, value, `${spec.name} v${version}`);
          assertEquals(toHex(encodeToBytes(spec, decoded, version)), toHex(bytes));
        }),
        { numRuns: RUNS, seed: 0x6b61666b + version },
      );
    }
  });
}

Deno.test("round trip: large arrays", () => {
  for (
    const name of ["MetadataResponse", "FetchResponse", "ProduceRequest", "OffsetCommitRequest"]
  ) {
    const spec = SPECS.get(name)!;
    for (const version of versionsOf(spec)) {
      fc.assert(
        fc.property(
          messageArbitrary(spec, version, { maxArray: 300, unknownTags: false }),
          (value) => {
            const bytes = encodeToBytes(spec, value, version);
            assertEquals(decodeBytes(spec, bytes, version), value);
          },
        ),
        { numRuns: 3, seed: 42 },
      );
    }
  }
});

Deno.test("every message encodes from an empty init at every version", () => {
  const w = new Writer();
  let count = 0;
  for (const spec of SPECS.values()) {
    for (const version of versionsOf(spec)) {
      w.reset();
      codecOf(spec).encode(w, {}, version);
      const decoded = decodeBytes(spec, w.toUint8Array(), version);
      assertEquals(toHex(encodeToBytes(spec, decoded, version)), toHex(w.bytes()));
      count++;
    }
  }
  assertEquals(count > 580, true, `only ${count} message versions`);
});

import { assertEquals, assertOk } from "../assert.ts";
import { readSpecs, snakeCase, type StructSpec } from "../../gen/spec.ts";
import { codecSpecs } from "../../gen/emit_tables.ts";
import { KAFKA_VERSION } from "../../gen/version.ts";

const root = new URL("../../", import.meta.url).pathname;

/** A module's comment text as prose: comment markup gone, whitespace collapsed. */
function prose(source: string): string {
  return source.replace(/^\s*(\/\*\*|\*\/|\* ?)/gm, "").replace(/\*\//g, "").replace(/\s+/g, " ");
}

Deno.test("generated codec: each field's JSDoc carries Kafka's about text", async () => {
  const specs = codecSpecs(await readSpecs(`${root}codec/specs/${KAFKA_VERSION}`));
  let checked = 0;
  const missing: string[] = [];
  for (const spec of specs) {
    const path = `${root}codec/generated/messages/${snakeCase(spec.name)}.ts`;
    const text = prose(await Deno.readTextFile(path));
    const structs: StructSpec[] = [spec.root, ...spec.structs];
    for (const s of structs) {
      for (const f of s.fields) {
        if (f.about === "") continue;
        checked++;
        if (!text.includes(f.about.replace(/\s+/g, " "))) missing.push(`${spec.name}.${f.name}`);
      }
    }
  }
  assertEquals(missing, []);
  assertOk(checked > 1000, `${checked} fields checked`);
});

Deno.test("generated codec: the group id of JoinGroup is documented as Kafka documents it", async () => {
  const text = prose(
    await Deno.readTextFile(`${root}codec/generated/messages/join_group_request.ts`),
  );
  assertOk(text.includes("The group identifier. GroupId: string, versions 0-9; a groupId."));
});

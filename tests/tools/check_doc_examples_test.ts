import { assertEquals } from "../assert.ts";
import { withoutExamples } from "../../tools/check_doc_examples.ts";

const at = (line: number) => ({ filename: "file:///repo/client/x.ts", line });

Deno.test("doc examples: classes and functions without an @example are found, once each", () => {
  const example = { tags: [{ kind: "example" }] };
  const symbols = [
    { name: "shown", declarations: [{ kind: "function", location: at(1), jsDoc: example }] },
    { name: "bare", declarations: [{ kind: "function", location: at(5), jsDoc: { tags: [] } }] },
    { name: "Undocumented", declarations: [{ kind: "class", location: at(9) }] },
    { name: "Options", declarations: [{ kind: "interface", location: at(12) }] },
  ];
  const doc = {
    nodes: {
      "file:///repo/mod.ts": { symbols },
      "file:///repo/client/mod.ts": { symbols: [symbols[1]] },
    },
  };
  assertEquals(withoutExamples(doc, "file:///repo/"), [
    "client/x.ts:5 function bare",
    "client/x.ts:9 class Undocumented",
  ]);
});

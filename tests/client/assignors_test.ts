import fc from "fast-check";
import { assertEquals, assertOk } from "../assert.ts";
import {
  type Assignor,
  cooperativeStickyAssignor,
  type MemberSubscription,
  rangeAssignor,
  roundRobinAssignor,
  type TopicPartitions,
} from "../../client/consumer/assignors.ts";

const COUNTS = new Map([["a", 3], ["b", 5], ["c", 1]]);

function member(
  memberId: string,
  groupInstanceId: string | null,
  topics: string[],
  owned: TopicPartitions[] = [],
): MemberSubscription {
  return {
    memberId,
    groupInstanceId,
    topics,
    ownedPartitions: owned,
    generationId: owned.length ? 1 : -1,
    rackId: null,
    userData: null,
  };
}

/** The assignment in the form Kafka's Java assignors were printed in: "m1=a0,b0, m2=...". */
function show(a: Assignor, members: MemberSubscription[]): string {
  const result = a.assign(members, COUNTS);
  return [...result.keys()].sort().map((m) =>
    `${m}=${result.get(m)!.flatMap((tp) => tp.partitions.map((p) => `${tp.topic}${p},`)).join("")}`
  ).join(" ");
}

const DYNAMIC = [
  member("m1", null, ["a", "b"]),
  member("m2", null, ["a", "b"]),
  member("m3", null, ["a", "b", "c"]),
];
const STATIC = [
  member("zz", null, ["a", "b", "c"]),
  member("m2", "i2", ["a", "b"]),
  member("m1", "i9", ["b", "c"]),
];

// Expected values are the output of Kafka's Java RangeAssignor and RoundRobinAssignor (kafka-clients 4.1.1)
// for the same members and topics.
Deno.test("assignors: range equals Kafka's RangeAssignor", () => {
  assertEquals(show(rangeAssignor, DYNAMIC), "m1=a0,b0,b1, m2=a1,b2,b3, m3=a2,b4,c0,");
  assertEquals(show(rangeAssignor, STATIC), "m1=b2,b3,c0, m2=a0,a1,b0,b1, zz=a2,b4,");
});

Deno.test("assignors: roundrobin equals Kafka's RoundRobinAssignor", () => {
  assertEquals(show(roundRobinAssignor, DYNAMIC), "m1=a0,b0,b3, m2=a1,b1,b4, m3=a2,b2,c0,");
  assertEquals(show(roundRobinAssignor, STATIC), "m1=b0,b3,c0, m2=a0,a2,b2, zz=a1,b1,b4,");
});

Deno.test("assignors: cooperative-sticky is balanced, sticky, and never moves a partition in one step", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 6 }),
      fc.integer({ min: 1, max: 30 }),
      fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 30 }),
      (memberCount, partitions, previousOwners) => {
        const counts = new Map([["t", partitions]]);
        // Members own partitions from an earlier generation (possibly unbalanced, some unowned).
        const owned = new Map<string, number[]>();
        previousOwners.forEach((o, p) => {
          if (p >= partitions || o >= memberCount) return;
          owned.set(`m${o}`, [...(owned.get(`m${o}`) ?? []), p]);
        });
        const members = Array.from(
          { length: memberCount },
          (_, i) =>
            member(
              `m${i}`,
              null,
              ["t"],
              owned.has(`m${i}`) ? [{ topic: "t", partitions: owned.get(`m${i}`)! }] : [],
            ),
        );
        const result = cooperativeStickyAssignor.assign(members, counts);
        const assignedTo = new Map<number, string>();
        for (const [m, tps] of result) {
          for (const tp of tps) {
            for (const p of tp.partitions) {
              assertOk(!assignedTo.has(p), `partition ${p} assigned twice`);
              assignedTo.set(p, m);
            }
          }
        }
        const ownerOf = new Map<number, string>();
        for (const [m, ps] of owned) for (const p of ps) ownerOf.set(p, m);
        for (const [p, m] of assignedTo) {
          // Cooperative rule: a partition goes to a new member only once nobody owns it.
          assertOk(
            !ownerOf.has(p) || ownerOf.get(p) === m,
            `partition ${p} moved from ${ownerOf.get(p)} to ${m} in one step`,
          );
        }
        // Unowned partitions are all assigned; after the owners revoke, a second round is balanced.
        for (let p = 0; p < partitions; p++) if (!ownerOf.has(p)) assertOk(assignedTo.has(p));
        const second = cooperativeStickyAssignor.assign(
          members.map((m) => ({ ...m, ownedPartitions: result.get(m.memberId)!, generationId: 2 })),
          counts,
        );
        const sizes = [...second.values()].map((tps) =>
          tps.reduce((n, tp) => n + tp.partitions.length, 0)
        );
        assertEquals(sizes.reduce((a, b) => a + b, 0), partitions);
        assertOk(Math.max(...sizes) - Math.min(...sizes) <= 1, `unbalanced: ${sizes}`);
      },
    ),
    { numRuns: 300, seed: 7 },
  );
});

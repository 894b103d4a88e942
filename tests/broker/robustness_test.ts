import { clusterOf } from "../../broker/broker_internals.ts";
import { assertEquals, assertOk } from "../assert.ts";
import {
  API_INFO,
  ApiKey,
  decodeRecordBatches,
  encodeRecordBatch,
  encodeRequestFrame,
  ErrorCode,
  Writer,
} from "../../codec/mod.ts";
import { Broker } from "../../broker/mod.ts";
import { RawClient } from "./raw_client.ts";
import { concat, random } from "../fuzz/frames.ts";

function randomBytes(next: () => number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(next() * 256);
  return out;
}

function int32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, n);
  return b;
}

const enc = new TextEncoder();

function produceFrame(correlationId: number, partition: number, value: string): Uint8Array {
  return encodeRequestFrame(new Writer(), {
    apiKey: ApiKey.Produce,
    apiVersion: 9,
    correlationId,
    clientId: "good",
    body: {
      acks: -1,
      timeoutMs: 1000,
      topicData: [{
        name: "t",
        partitionData: [{
          index: partition,
          records: encodeRecordBatch({
            records: [{ key: enc.encode(value), value: enc.encode(value) }],
          }),
        }],
      }],
    },
  });
}

/** Writes the bytes, then waits (bounded) for the broker to close the connection. */
async function attack(address: string, bytes: Uint8Array, close: boolean): Promise<boolean> {
  await using client = await RawClient.connect(address);
  try {
    await client.send(bytes);
  } catch {
    return true; // The broker closed while we were writing.
  }
  if (close) return true;
  return await client.closedWithin(3000);
}

/** Frames that every broker must refuse by closing the connection. */
function hostileInputs(
  seed: number,
  maxRequestBytes: number,
): { name: string; bytes: Uint8Array }[] {
  const next = random(seed);
  const valid = produceFrame(1, 0, "x");
  const inputs = [
    { name: "negative size", bytes: int32(-1) },
    { name: "most negative size", bytes: int32(-0x80000000) },
    { name: "size over socket.request.max.bytes", bytes: int32(maxRequestBytes + 1) },
    { name: "size 2^31-1", bytes: int32(0x7fffffff) },
    { name: "empty frame", bytes: int32(0) },
    { name: "frame shorter than a header", bytes: concat(int32(3), new Uint8Array([0, 0, 0])) },
    {
      name: "unknown API key",
      bytes: concat(int32(10), new Uint8Array([0x40, 0, 0, 0, 0, 0, 0, 1, 0xff, 0xff])),
    },
    {
      name: "valid header, body cut short inside the frame",
      bytes: concat(int32(valid.length - 4 - 20), valid.subarray(4, valid.length - 20)),
    },
    {
      name: "valid header, random body",
      bytes: (() => {
        const body = randomBytes(next, 200);
        const header = valid.subarray(4, 4 + 2 + 2 + 4 + 2 + 4); // key, version, correlation, "good"
        return concat(int32(header.length + body.length), header, body);
      })(),
    },
  ];
  // Random frames of every served API key: a real header, then noise.
  for (const info of API_INFO.filter((i) => i !== undefined && i.key <= 75)) {
    const body = randomBytes(next, Math.floor(next() * 64));
    const header = new Uint8Array(10);
    const v = new DataView(header.buffer);
    v.setInt16(0, info.key);
    v.setInt16(2, info.minVersion + Math.floor(next() * (info.maxVersion - info.minVersion + 1)));
    v.setInt32(4, 99);
    v.setInt16(8, -1); // null client id
    inputs.push({
      name: `${info.name} with noise`,
      bytes: concat(int32(10 + body.length), header, body),
    });
  }
  return inputs;
}

Deno.test("robustness: hostile frames from many connections leave a good client unharmed", async () => {
  const maxRequestBytes = 1 << 20;
  await using broker = await Broker.start({
    nodes: 1,
    maxRequestBytes,
    topics: { t: { partitions: 2 } },
  });
  const address = broker.bootstrapServers;
  const errors: unknown[] = [];
  const consoleError = console.error;
  console.error = (...args: unknown[]) => errors.push(args);
  const next = random(42);
  try {
    const good = (async () => {
      await using client = await RawClient.connect(address);
      const values: string[] = [];
      for (let i = 0; i < 40; i++) {
        const value = `good-${i}`;
        values.push(value);
        const payload = await client.sendRaw(produceFrame(1000 + i, i % 2, value));
        assertOk(payload !== null, "the good connection was closed");
      }
      return values;
    })();

    const attacks: Promise<unknown>[] = [];
    for (const input of hostileInputs(7, maxRequestBytes)) {
      attacks.push(
        attack(address, input.bytes, false).then((closed) => {
          // Frames whose body is noise may happen to decode; those must still get an answer or a close.
          if (!closed && !input.name.endsWith("with noise")) {
            throw new Error(`${input.name}: the connection stayed open`);
          }
        }),
      );
    }
    for (let i = 0; i < 20; i++) {
      // Pure noise, sometimes with a plausible small size in front.
      const noise = randomBytes(next, 1 + Math.floor(next() * 2000));
      if (i % 2 === 0) noise.set(int32(Math.floor(next() * 100)), 0);
      attacks.push(attack(address, noise, i % 3 === 0));
    }
    // Truncated frames: a real Produce cut anywhere, then the peer leaves.
    const valid = produceFrame(5, 0, "never");
    for (let i = 0; i < 10; i++) {
      const cut = 1 + Math.floor(next() * (valid.length - 1));
      attacks.push(attack(address, valid.subarray(0, cut), true));
    }
    await Promise.all(attacks);
    const values = await good;

    // The good client's data is all there, in order, and nothing else is.
    await using reader = await RawClient.connect(address);
    const fetched = await reader.request(ApiKey.Fetch, 12, {
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 1 << 20,
      topics: [{
        topic: "t",
        partitions: [0, 1].map((partition) => ({
          partition,
          fetchOffset: 0n,
          partitionMaxBytes: 1 << 20,
        })),
      }],
    });
    const byPartition = fetched.responses[0].partitions
      .toSorted((a, b) => a.partitionIndex - b.partitionIndex)
      .map((p) => {
        assertEquals(p.errorCode, ErrorCode.NONE);
        return decodeRecordBatches(p.records!).flatMap((b) =>
          b.records.map((r) => [r.offset, new TextDecoder().decode(r.value!)] as const)
        );
      });
    for (const partition of [0, 1]) {
      const expected = values.filter((_, i) => i % 2 === partition).map((v, i) => [BigInt(i), v]);
      assertEquals(byPartition[partition], expected);
    }
    assertOk(broker.metrics().refusedFrames > 20, `${broker.metrics().refusedFrames} refused`);
  } finally {
    console.error = consoleError;
  }
  assertEquals(errors, [], "a handler failed on hostile input");
});

Deno.test("robustness: frames announcing 100 MiB cost only the bytes that arrive", async () => {
  await using broker = await Broker.start({ topics: { t: {} } });
  const address = broker.bootstrapServers;
  const before = Deno.memoryUsage().external;
  const clients: RawClient[] = [];
  try {
    for (let i = 0; i < 8; i++) {
      const client = await RawClient.connect(address);
      clients.push(client);
      // 100 MiB is exactly socket.request.max.bytes: allowed, so the broker starts reading it.
      await client.send(concat(int32(100 * 1024 * 1024), new Uint8Array(64 * 1024)));
    }
    // The good client's round trips let the broker read what the others sent meanwhile.
    await using good = await RawClient.connect(address);
    for (let i = 0; i < 5; i++) {
      const payload = await good.sendRaw(produceFrame(i, 0, `v${i}`));
      assertOk(payload !== null);
    }
    await new Promise((r) => setTimeout(r, 50));
    const grown = Deno.memoryUsage().external - before;
    // Announced: 800 MiB. Allowed: what arrived and buffer doubling, far below one announced frame.
    assertOk(grown < 64 * 1024 * 1024, `external memory grew by ${grown} bytes`);
  } finally {
    for (const c of clients) c.close();
  }
  await using check = await RawClient.connect(address);
  const res = await check.request(ApiKey.ListOffsets, 7, {
    replicaId: -1,
    topics: [{ name: "t", partitions: [{ partitionIndex: 0, timestamp: -1n }] }],
  });
  assertEquals(res.topics[0].partitions[0].offset, 5n);
});

Deno.test("robustness: a slow partial frame does not hold other connections", async () => {
  await using broker = await Broker.start({ topics: { t: {} } });
  const address = broker.bootstrapServers;
  await using slow = await RawClient.connect(address);
  const frame = produceFrame(1, 0, "slow");
  await slow.send(frame.subarray(0, 10)); // and then nothing for a while
  await using good = await RawClient.connect(address);
  const meta = await good.request(ApiKey.Metadata, 12, { topics: null });
  assertEquals(meta.topics.map((t) => t.name), ["t"]);
  // The slow client finishes its frame and gets its answer.
  const payload = await slow.sendRaw(frame.subarray(10));
  assertOk(payload !== null);
  assertEquals(clusterOf(broker).partition("t", 0)!.log.logEndOffset, 1n);
});

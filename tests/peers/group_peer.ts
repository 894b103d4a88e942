// Foreign consumer-group members for the interop tests: Java kafka-clients, librdkafka (through
// confluent-kafka) and franz-go, each in its own process, driven over stdin and stdout; and Java's
// share consumer ("java-share", a share-group member of KIP-932).
const installScript = new URL("../../tools/kafka/install.sh", import.meta.url).pathname;
let libs = "";

/** Installs kafka-clients from Maven Central on first use (the Java peer needs it). */
export async function installJavaLibs(): Promise<void> {
  if (libs) return;
  const out = await new Deno.Command("bash", { args: [installScript], stderr: "inherit" }).output();
  if (!out.success) throw new Error("Installing Kafka's Java libraries failed");
  libs = new TextDecoder().decode(out.stdout).trim();
}

/** Where installJavaLibs put kafka-clients and its dependencies. */
export function javaLibsDir(): string {
  if (!libs) throw new Error("installJavaLibs() first");
  return libs;
}

/** The foreign clients a group member can be. */
export type PeerName = "java" | "java-share" | "librdkafka" | "franz-go" | "brook";

/** A foreign group member in its own process, reporting its assignment and, at the end, its records. */
export class PeerMember {
  readonly #child: Deno.ChildProcess;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array>;
  readonly #done: Promise<string[]>;
  assigned: number[] = [];
  /** How many records a share member has accepted so far. */
  received = 0;

  constructor(peer: PeerName, args: string[]) {
    const command = peer === "java" || peer === "java-share"
      ? new Deno.Command("java", {
        args: [
          "-Xmx256m",
          "-XX:+UseSerialGC",
          "-XX:TieredStopAtLevel=1",
          "-cp",
          `${libs}/*`,
          new URL(
            peer === "java" ? "./java/GroupMember.java" : "./java/ShareMember.java",
            import.meta.url,
          ).pathname,
          ...args,
        ],
        stdin: "piped",
        stdout: "piped",
        stderr: "inherit",
      })
      : peer === "brook"
      ? new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", new URL("./brook_member.ts", import.meta.url).pathname, ...args],
        stdin: "piped",
        stdout: "piped",
        stderr: "inherit",
      })
      : peer === "franz-go"
      ? new Deno.Command("go", {
        args: ["run", ".", "member", ...args],
        cwd: new URL("./franzgo/", import.meta.url).pathname,
        stdin: "piped",
        stdout: "piped",
        stderr: "inherit",
      })
      : new Deno.Command("python3", {
        args: [new URL("./group_member.py", import.meta.url).pathname, ...args],
        stdin: "piped",
        stdout: "piped",
        stderr: "inherit",
      });
    this.#child = command.spawn();
    this.#stdin = this.#child.stdin.getWriter();
    this.#done = this.#read();
  }

  async #read(): Promise<string[]> {
    let buffered = "";
    for await (const chunk of this.#child.stdout.pipeThrough(new TextDecoderStream())) {
      buffered += chunk;
      let newline;
      while ((newline = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        const event = JSON.parse(line);
        if (event.event === "assigned") this.assigned = event.partitions;
        if (event.event === "received") this.received = event.count;
        if (event.event === "done") return event.records;
      }
    }
    throw new Error("The peer member ended without reporting its records");
  }

  /** Asks the member to leave the group; resolves with the records it read. */
  async stop(): Promise<string[]> {
    await this.#stdin.write(new TextEncoder().encode("stop\n")).catch(() => {});
    await this.#stdin.close().catch(() => {});
    const timer = setTimeout(() => this.#child.kill(), 30_000);
    try {
      return await this.#done;
    } finally {
      clearTimeout(timer);
      await this.#child.status;
    }
  }
}

/** Runs `step` until `check` holds, for at most a minute. */
export async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  step: () => unknown,
) {
  const deadline = Date.now() + 60_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}`);
    await step();
  }
}

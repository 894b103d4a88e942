// Views of the broker's data: topics and partitions, the message browser, groups with lag,
// transactions and producers, ACLs and SCRAM users.
import { api, fmtBytes, fmtTime, h, show, table } from "./app.js";
import { latestMetrics } from "./live_views.js";

let pickedTopic = null;

export async function renderTopics() {
  const { topics } = await api("/topics?internal=true");
  // Offsets and sizes of every partition come with the metrics the page samples each second;
  // only the picked topic is read in full.
  const parts = latestMetrics()?.partitions ?? [];
  const sum = (name, f) => {
    const mine = parts.filter((p) => p.topic === name);
    return mine.length ? mine.reduce((n, p) => n + f(p), 0) : null;
  };
  show(
    "topics",
    h("h2", {}, `Topics (${topics.length})`),
    table(
      [
        ["Name", (t) => t.name],
        ["Partitions", (t) => t.partitions, "num"],
        ["Replicas", (t) => t.replicationFactor, "num"],
        [
          "Records (end − start)",
          (t) => sum(t.name, (p) => p.highWatermark - p.logStartOffset) ?? "-",
          "num",
        ],
        ["Size", (t) => {
          const bytes = sum(t.name, (p) => p.sizeBytes);
          return bytes === null ? "-" : fmtBytes(bytes);
        }, "num"],
        ["Internal", (t) => t.internal ? "yes" : ""],
      ],
      topics,
      (t) => ({
        class: `pick${t.name === pickedTopic ? " picked" : ""}`,
        dataset: { topic: t.name },
        onclick: () => {
          pickedTopic = t.name;
          renderTopics();
        },
      }),
    ),
  );
  const picked = topics.some((t) => t.name === pickedTopic);
  const details = picked ? [await api(`/topics/${encodeURIComponent(pickedTopic)}`)] : [];
  const t = details.find((d) => d.name === pickedTopic);
  if (!t) {
    return show(
      "topic-detail",
      h("p", { class: "hint" }, "Pick a topic to see its partitions and configs."),
    );
  }
  show(
    "topic-detail",
    h("h2", {}, `${t.name} · id ${t.id}`),
    table(
      [
        ["Partition", (p) => p.partition, "num"],
        ["Leader", (p) => p.leader, "num"],
        ["Epoch", (p) => p.leaderEpoch, "num"],
        ["Replicas", (p) => p.replicas.join(", ")],
        ["ISR", (p) => p.isr.join(", ")],
        ["Start offset", (p) => p.logStartOffset, "num"],
        ["High watermark", (p) => p.highWatermark, "num"],
        ["Size", (p) => fmtBytes(p.sizeBytes), "num"],
      ],
      t.partitions,
    ),
    h("h2", {}, "Configs set on the topic"),
    table([["Name", ([k]) => k], ["Value", ([, v]) => v]], Object.entries(t.configs)),
  );
}

const decoder = new TextDecoder();

function bytesOf(b64) {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Bytes (base64 from the API) as text, indented JSON (or text when not JSON) or hex. */
function asFormat(b64, format) {
  if (b64 === null) return h("span", { class: "hint" }, "null");
  const bytes = bytesOf(b64);
  if (format === "hex") {
    return h("pre", {}, [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(" "));
  }
  const text = decoder.decode(bytes);
  if (format === "json") {
    try {
      return h("pre", {}, JSON.stringify(JSON.parse(text), null, 2));
    } catch {
      return h("pre", { title: "not JSON" }, text);
    }
  }
  return h("pre", {}, text);
}

async function messageTopics() {
  const select = document.getElementById("msg-topic");
  const { topics } = await api("/topics");
  const names = topics.map((t) => t.name);
  if (names.join() !== [...select.options].map((o) => o.value).join()) {
    const keep = select.value;
    select.replaceChildren(...names.map((n) => h("option", { value: n }, n)));
    if (names.includes(keep)) select.value = keep;
  }
  const t = topics.find((x) => x.name === select.value);
  const parts = document.getElementById("msg-partition");
  if (t && parts.options.length !== t.partitions + 1) {
    const keep = parts.value;
    parts.replaceChildren(
      h("option", { value: "" }, "all"),
      ...Array.from({ length: t.partitions }, (_, i) => h("option", { value: i }, i)),
    );
    if (Number(keep) < t.partitions) parts.value = keep;
  }
  return select.value;
}

export async function renderMessages() {
  const topic = await messageTopics();
  if (!topic) return show("messages", h("p", { class: "hint" }, "No topics yet."));
  const v = (id) => document.getElementById(id).value;
  const q = new URLSearchParams({ limit: v("msg-limit") || "100", in: v("msg-in") });
  if (v("msg-partition") !== "") q.set("partition", v("msg-partition"));
  if (v("msg-offset") !== "") {
    if (v("msg-partition") === "") throw new Error("Pick a partition to browse by offset");
    q.set("offset", v("msg-offset"));
  }
  if (v("msg-time") !== "") q.set("timestamp", String(new Date(v("msg-time")).getTime()));
  if (v("msg-search") !== "") q.set("search", v("msg-search"));
  const { records, scanned } = await api(`/topics/${encodeURIComponent(topic)}/messages?${q}`);
  const format = v("msg-format");
  show(
    "messages",
    h("p", { class: "hint" }, `${records.length} records, newest first (${scanned} read)`),
    table(
      [
        ["Partition", (r) => r.partition, "num"],
        ["Offset", (r) => r.offset, "num"],
        ["Timestamp", (r) => fmtTime(r.timestamp)],
        ["Key", (r) => asFormat(r.key, format)],
        ["Value", (r) => asFormat(r.value, format)],
        [
          "Headers",
          (r) => r.headers.map((x) => h("div", {}, `${x.key}: `, asFormat(x.value, "text"))),
        ],
      ],
      records,
      (r) => ({ class: "record", dataset: { partition: r.partition, offset: r.offset } }),
    ),
  );
}

export async function renderGroups() {
  const { groups } = await api("/groups");
  const assignment = (a) => a.map((t) => `${t.topic}: ${t.partitions.join(", ")}`).join("; ");
  show(
    "groups",
    h("h2", {}, `Groups (${groups.length})`),
    groups.length === 0 ? h("p", { class: "hint" }, "No groups yet.") : null,
    groups.map((g) =>
      h(
        "div",
        { class: "group", dataset: { group: g.groupId } },
        h(
          "h3",
          {},
          g.groupId,
          h("span", { class: "tag" }, g.type === "consumer" ? "consumer (KIP-848)" : g.type),
          h("span", { class: "tag" }, g.state),
          g.protocol ? h("span", { class: "tag" }, g.protocol) : null,
          h("span", { class: "tag" }, `lag ${g.offsets.reduce((n, o) => n + (o.lag ?? 0), 0)}`),
        ),
        table(
          [
            ["Member", (m) => m.memberId],
            ["Client", (m) => `${m.clientId} ${m.clientHost}`],
            ["Instance", (m) => m.instanceId ?? ""],
            ["Assignment", (m) => assignment(m.assignment)],
          ],
          g.members,
        ),
        g.type === "share" ? null : table(
          [
            ["Topic", (o) => o.topic],
            ["Partition", (o) => o.partition, "num"],
            ["Committed", (o) => o.committed ?? "-", "num"],
            ["Log end", (o) => o.logEndOffset ?? "-", "num"],
            ["Lag", (o) => o.lag ?? "-", "num lag"],
          ],
          g.offsets,
          (o) => ({ dataset: { topic: o.topic, partition: o.partition, lag: o.lag ?? "" } }),
        ),
      )
    ),
  );
}

export async function renderTransactions() {
  const { transactions, producers } = await api("/transactions");
  show(
    "transactions",
    h("h2", {}, "Transactions"),
    table(
      [
        ["Transactional id", (t) => t.transactionalId],
        ["Producer", (t) => `${t.producerId} (epoch ${t.producerEpoch})`],
        ["State", (t) => t.state],
        ["Timeout", (t) => `${t.timeoutMs} ms`, "num"],
        ["Partitions", (t) => t.partitions.map((p) => `${p.topic}-${p.partition}`).join(", ")],
        ["Groups", (t) => t.groups.join(", ")],
        ["Started", (t) => fmtTime(t.startTimestamp)],
        ["Updated", (t) => fmtTime(t.lastUpdateTimestamp)],
      ],
      transactions,
    ),
    h("h2", {}, "Producers by partition"),
    table(
      [
        ["Partition", (p) => `${p.topic}-${p.partition}`],
        ["Producer id", (p) => p.producerId, "num"],
        ["Epoch", (p) => p.producerEpoch, "num"],
        ["Last sequence", (p) => p.lastSequence, "num"],
        ["Last write", (p) => fmtTime(p.lastTimestamp)],
      ],
      producers,
    ),
  );
}

export async function renderSecurity() {
  const s = await api("/security");
  show(
    "security",
    h("h2", {}, "ACLs"),
    s.authorizer ? null : h("p", { class: "hint" }, "No authorizer: every request is allowed."),
    table(
      [
        ["Principal", (a) => a.principal],
        ["Host", (a) => a.host],
        ["Permission", (a) => a.permission],
        ["Operation", (a) => a.operation],
        ["Resource", (a) => `${a.resourceType} ${a.patternType} ${a.resourceName}`],
      ],
      s.acls,
    ),
    h("h2", {}, "SCRAM users"),
    table(
      [
        ["User", (u) => u.user],
        [
          "Credentials",
          (u) => u.credentials.map((c) => `${c.mechanism} (${c.iterations})`).join(", "),
        ],
      ],
      s.scramUsers,
    ),
  );
}

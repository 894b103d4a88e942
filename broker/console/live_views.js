// Live views: per-API request rates and latency percentiles plotted from one-second samples of
// the broker's metrics, and the fault controls (faults, nodes, leaders).
import { api, h, refresh, show, table } from "./app.js";
import { linePlot } from "./plot.js";

const SPAN_MS = 60_000;
const ms = (v) => v === null || v === undefined ? "-" : v < 10 ? v.toFixed(2) : v.toFixed(1);
/** [timeMs, metrics snapshot] for the last minute. */
const samples = [];

/** The last metrics sample, or undefined before the first. */
export function latestMetrics() {
  return samples[samples.length - 1]?.[1];
}

export async function sampleMetrics() {
  const m = await api("/metrics");
  const now = Date.now();
  samples.push([now, m]);
  while (samples.length > 2 && samples[0][0] < now - SPAN_MS - 2000) samples.shift();
  const names = document.getElementById("api-names");
  if (names.options.length === 0 || names.options.length < Object.keys(m.apis).length) {
    names.replaceChildren(...Object.keys(m.apis).sort().map((n) => h("option", { value: n })));
  }
}

/** The percentile `q` of the observations between two cumulative histograms: a bucket bound. */
function percentile(before, after, q) {
  const count = after.count - (before?.count ?? 0);
  if (count <= 0) return null;
  const target = Math.ceil(count * q);
  for (let i = 0; i < after.buckets.length; i++) {
    const n = after.buckets[i].count - (before?.buckets[i]?.count ?? 0);
    if (n >= target) {
      return after.buckets[i].leMs === null
        ? after.maxMs
        : Math.min(after.buckets[i].leMs, after.maxMs);
    }
  }
  return after.maxMs;
}

/** Per API: rate and p50/p99 series over consecutive samples. */
function seriesByApi() {
  const out = new Map();
  for (let i = 1; i < samples.length; i++) {
    const [t0, m0] = samples[i - 1];
    const [t1, m1] = samples[i];
    for (const [name, a] of Object.entries(m1.apis)) {
      const b = m0.apis[name];
      const s = out.get(name) ?? { rate: [], p50: [], p99: [] };
      s.rate.push([t1, (a.requests - (b?.requests ?? 0)) / ((t1 - t0) / 1000)]);
      s.p50.push([t1, percentile(b?.totalMs, a.totalMs, 0.5) ?? 0]);
      s.p99.push([t1, percentile(b?.totalMs, a.totalMs, 0.99) ?? 0]);
      out.set(name, s);
    }
  }
  return out;
}

export function renderRequests() {
  if (samples.length === 0) return;
  const now = samples[samples.length - 1][0];
  const first = samples[0][1];
  const last = samples[samples.length - 1][1];
  const byApi = [...seriesByApi()].sort((
    a,
    b,
  ) => (last.apis[b[0]].requests - last.apis[a[0]].requests));
  const top = byApi.slice(0, 8);
  const plot = (title, key, unit) =>
    h(
      "div",
      { class: "plot" },
      h("h3", {}, title),
      linePlot(top.map(([name, s]) => ({ name, points: s[key] })), { now, spanMs: SPAN_MS, unit }),
    );
  show(
    "plots",
    plot("Requests per second", "rate", "req/s"),
    plot("Latency p50 (ms)", "p50", "ms"),
    plot("Latency p99 (ms)", "p99", "ms"),
  );
  show(
    "api-table",
    table(
      [
        ["API", ([n]) => n],
        ["Requests", ([, a]) => a.requests, "num"],
        ["Errors", ([, a]) => a.errors, "num"],
        [
          "Error codes",
          ([, a]) => Object.entries(a.errorCodes).map(([c, n]) => `${c} ×${n}`).join(", "),
        ],
        [
          "p50 last min",
          ([n, a]) => ms(percentile(first.apis[n]?.totalMs, a.totalMs, 0.5)),
          "num",
        ],
        [
          "p95 last min",
          ([n, a]) => ms(percentile(first.apis[n]?.totalMs, a.totalMs, 0.95)),
          "num",
        ],
        [
          "p99 last min",
          ([n, a]) => ms(percentile(first.apis[n]?.totalMs, a.totalMs, 0.99)),
          "num",
        ],
        ["Max ms", ([, a]) => ms(a.totalMs.maxMs), "num"],
        ["Bytes in", ([, a]) => a.bytesIn, "num"],
        ["Bytes out", ([, a]) => a.bytesOut, "num"],
      ],
      Object.entries(last.apis).sort((a, b) => b[1].requests - a[1].requests),
    ),
  );
}

async function act(what) {
  const out = document.getElementById("fault-result");
  try {
    const r = await what();
    out.textContent = r;
    out.className = "good";
  } catch (e) {
    out.textContent = e.message;
    out.className = "bad";
  }
  await refresh("faults");
}

export function setUpFaults() {
  const v = (id) => document.getElementById(id).value.trim();
  document.getElementById("fault-form").addEventListener("submit", (e) => {
    e.preventDefault();
    act(async () => {
      const kind = v("fault-kind");
      const spec = { kind };
      if (v("fault-api")) spec.apiKey = v("fault-api");
      if (v("fault-topic")) spec.topic = v("fault-topic");
      if (v("fault-node")) spec.nodeId = Number(v("fault-node"));
      if (v("fault-count")) spec.count = Number(v("fault-count"));
      if (kind === "error") {
        spec.errorCode = /^-?\d+$/.test(v("fault-error"))
          ? Number(v("fault-error"))
          : v("fault-error");
      }
      if (kind === "latency") spec.ms = Number(v("fault-latency"));
      const f = await api("/faults", { method: "POST", body: JSON.stringify(spec) });
      return `Fault ${f.id} injected`;
    });
  });
  document.getElementById("fault-clear").addEventListener(
    "click",
    () => act(async () => `Cleared ${(await api("/faults", { method: "DELETE" })).cleared} faults`),
  );
  document.getElementById("leader-form").addEventListener("submit", (e) => {
    e.preventDefault();
    act(async () => {
      const path = `/topics/${encodeURIComponent(v("leader-topic"))}/partitions/${
        v("leader-partition")
      }/leader`;
      const p = await api(path, {
        method: "POST",
        body: JSON.stringify({ nodeId: Number(v("leader-node")) }),
      });
      return `${p.topic}-${p.partition} led by node ${p.leader} (epoch ${p.leaderEpoch})`;
    });
  });
}

export async function renderFaults() {
  const [{ faults }, { nodes }] = await Promise.all([api("/faults"), api("/nodes")]);
  const scope = (f) =>
    ["apiKey", "topic", "partition", "nodeId", "clientId"].filter((k) => f[k] !== undefined)
      .map((k) => `${k}=${f[k]}`).join(" ") || "every request";
  const detail = (f) => f.kind === "error" ? f.errorCode : f.kind === "latency" ? `${f.ms} ms` : "";
  show(
    "faults",
    table(
      [
        ["Id", (f) => f.id, "num"],
        ["Kind", (f) => `${f.kind} ${detail(f)}`],
        ["Scope", scope],
        ["Hits", (f) => f.hits, "num"],
        ["Remaining", (f) => f.remaining, "num"],
        [
          "",
          (f) =>
            f.active
              ? h("button", {
                onclick: () =>
                  act(
                    async () => (await api(`/faults/${f.id}`, { method: "DELETE" }),
                      `Fault ${f.id} cancelled`),
                  ),
              }, "Cancel")
              : "done",
        ],
      ],
      faults,
      (f) => ({ dataset: { fault: f.id } }),
    ),
  );
  show(
    "nodes",
    table(
      [
        ["Node", (n) => n.nodeId, "num"],
        ["Address", (n) => `${n.host}:${n.port}`],
        [
          "State",
          (n) =>
            h("span", { class: n.running ? "good" : "bad" }, n.running ? "running" : "stopped"),
        ],
        ["Controller", (n) => n.controller ? "yes" : ""],
        ["", (n) =>
          h("button", {
            onclick: () =>
              act(async () => {
                const r = await api(`/nodes/${n.nodeId}/${n.running ? "stop" : "restart"}`, {
                  method: "POST",
                });
                return `Node ${r.nodeId} ${r.running ? "restarted" : "stopped"}`;
              }),
          }, n.running ? "Stop" : "Restart")],
      ],
      nodes,
    ),
  );
}

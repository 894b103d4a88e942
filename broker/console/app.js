// The Brook console: tabs over the control API's JSON routes, refreshed once a second.
import {
  renderGroups,
  renderMessages,
  renderSecurity,
  renderTopics,
  renderTransactions,
} from "./data_views.js";
import { renderFaults, renderRequests, sampleMetrics, setUpFaults } from "./live_views.js";

/** GETs or sends JSON to the control API; throws with the API's one-line error. */
export async function api(path, init = {}) {
  const res = await fetch(path, {
    ...init,
    headers: init.body ? { "content-type": "application/json" } : undefined,
  });
  const text = await res.text();
  const body = text ? JSON.parse(text) : null;
  if (!res.ok) throw new Error(body?.error ?? `${res.status} ${res.statusText}`);
  return body;
}

/** An element with attributes (on* are listeners) and children (strings become text). */
export function h(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(e.dataset, v);
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : String(c));
  }
  return e;
}

/** A table of rows; a column is [heading, row => cell, "num" for numbers]. */
export function table(columns, rows, rowAttrs = () => ({})) {
  return h(
    "table",
    {},
    h("thead", {}, h("tr", {}, columns.map(([title]) => h("th", {}, title)))),
    h(
      "tbody",
      {},
      rows.length === 0
        ? h("tr", {}, h("td", { colspan: columns.length, class: "hint" }, "none"))
        : rows.map((r) =>
          h("tr", rowAttrs(r), columns.map(([, cell, cls]) => h("td", { class: cls }, cell(r))))
        ),
    ),
  );
}

/** Replaces a container's content. */
export function show(id, ...nodes) {
  document.getElementById(id).replaceChildren(...nodes.flat().filter((n) => n != null));
}

export const fmtBytes = (n) =>
  n < 1024
    ? `${n} B`
    : n < 1 << 20
    ? `${(n / 1024).toFixed(1)} KiB`
    : `${(n / (1 << 20)).toFixed(1)} MiB`;
export const fmtTime = (ms) =>
  ms > 0 ? new Date(ms).toISOString().replace("T", " ").slice(0, 23) : "";

const VIEWS = {
  topics: renderTopics,
  messages: renderMessages,
  groups: renderGroups,
  transactions: renderTransactions,
  security: renderSecurity,
  requests: renderRequests,
  faults: renderFaults,
};
let current = "topics";

function setStatus(error) {
  const s = document.getElementById("status");
  s.textContent = error ? `⚠ ${error.message}` : "";
  s.className = error ? "bad" : "";
}

/** Redraws the current tab; errors go to the header rather than the console. */
export async function refresh(view = current) {
  try {
    await VIEWS[view]();
    setStatus(null);
  } catch (e) {
    setStatus(e);
  }
}

async function tick() {
  try {
    await sampleMetrics();
    const c = await api("/cluster");
    const up = c.nodes.filter((n) => n.running).length;
    document.getElementById("cluster").textContent =
      `${c.bootstrapServers} · cluster ${c.clusterId} · ${up}/${c.nodes.length} nodes up`;
  } catch (e) {
    setStatus(e);
  }
  const live = current !== "messages" || document.getElementById("msg-live").checked;
  if (live) await refresh();
}

for (const b of document.querySelectorAll("#tabs button")) {
  b.addEventListener("click", () => {
    current = b.dataset.tab;
    for (const o of document.querySelectorAll("#tabs button")) {
      o.classList.toggle("active", o === b);
    }
    for (const s of document.querySelectorAll(".tab")) {
      s.classList.toggle("active", s.id === `tab-${current}`);
    }
    refresh();
  });
}
document.getElementById("msg-form").addEventListener("submit", (e) => {
  e.preventDefault();
  refresh("messages");
});
setUpFaults();
await tick();
// One poll at a time, one second apart, so a slow broker is not asked twice at once.
(async function loop() {
  await new Promise((r) => setTimeout(r, 1000));
  await tick();
  loop();
})();

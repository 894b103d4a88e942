// Line plots drawn as SVG by the page: time on x, one line per series, a legend.
const NS = "http://www.w3.org/2000/svg";
const COLORS = [
  "#2b6cb0",
  "#c05621",
  "#2f855a",
  "#9b2c2c",
  "#6b46c1",
  "#b7791f",
  "#2c7a7b",
  "#97266d",
];

function svg(tag, attrs, text) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A round upper bound for the y axis. */
function niceMax(v) {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 5, 10].map((m) => m * p).find((m) => m >= v);
}

/**
 * An SVG plot of `series` ({name, points: [[timeMs, value]]}) over the last `spanMs` to `now`.
 */
export function linePlot(series, { now, spanMs, unit }) {
  const W = 420, H = 140, L = 44, R = 110, T = 8, B = 18;
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img" });
  const max = niceMax(Math.max(0, ...series.flatMap((s) => s.points.map(([, v]) => v))));
  const x = (t) => L + (W - L - R) * (1 - (now - t) / spanMs);
  const y = (v) => T + (H - T - B) * (1 - v / max);
  for (const f of [0, 0.5, 1]) {
    root.append(
      svg("line", { x1: L, x2: W - R, y1: y(max * f), y2: y(max * f), stroke: "#e2e8f0" }),
    );
    root.append(
      svg(
        "text",
        { x: L - 4, y: y(max * f) + 3, "text-anchor": "end" },
        `${+(max * f).toPrecision(3)}`,
      ),
    );
  }
  root.append(svg("text", { x: L, y: H - 4 }, `-${spanMs / 1000} s`));
  root.append(svg("text", { x: W - R, y: H - 4, "text-anchor": "end" }, `now (${unit})`));
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    if (s.points.length > 1) {
      const d = s.points.map(([t, v], j) =>
        `${j ? "L" : "M"}${x(t).toFixed(1)},${y(v).toFixed(1)}`
      );
      root.append(svg("path", { d: d.join(""), fill: "none", stroke: color, "stroke-width": 1.5 }));
    }
    root.append(svg("rect", { x: W - R + 8, y: T + i * 13, width: 8, height: 8, fill: color }));
    root.append(svg("text", { x: W - R + 20, y: T + i * 13 + 8 }, s.name));
  });
  return root;
}

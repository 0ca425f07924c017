/**
 * Small SVG charts for the live views of the re-run and the playground: they redraw on every snapshot, so they are
 * plain DOM (no Vega compile per frame). Curves are drawn against log2(step), as the site's checkpoint charts are.
 */
const SVG = "http://www.w3.org/2000/svg";

export interface Series {
  name: string;
  points: { x: number; y: number }[];
  color: string;
  dashed?: boolean;
}

function el<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

const short = (v: number) => (Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(1) : String(+v.toPrecision(3)));

/** A line chart of several series; `logY` plots log10(y) (non-positive values are dropped). */
export function lineChart(
  series: Series[],
  o: { title: string; xLabel: string; width?: number; height?: number; logY?: boolean },
): SVGSVGElement {
  const width = o.width ?? 300;
  const height = o.height ?? 180;
  const m = { l: 46, r: 8, t: 18, b: 30 };
  const ty = (y: number) => (o.logY ? Math.log10(y) : y);
  const usable = series.map((s) => ({ ...s, points: s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(ty(p.y))) }));
  const all = usable.flatMap((s) => s.points);
  const svg = el("svg", { width, height, viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": o.title, class: "live-chart" });
  svg.append(el("text", { x: m.l, y: 12, "font-size": 11, "font-weight": "bold" }, o.title));
  if (all.length === 0) {
    svg.append(el("text", { x: m.l, y: height / 2, "font-size": 11, fill: "#888" }, "waiting for the first snapshot"));
    return svg;
  }
  let [x0, x1] = [Math.min(...all.map((p) => p.x)), Math.max(...all.map((p) => p.x))];
  let [y0, y1] = [Math.min(...all.map((p) => ty(p.y))), Math.max(...all.map((p) => ty(p.y)))];
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) [y0, y1] = [y0 - 0.5, y1 + 0.5];
  const sx = (x: number) => m.l + ((x - x0) / (x1 - x0)) * (width - m.l - m.r);
  const sy = (y: number) => height - m.b - ((ty(y) - y0) / (y1 - y0)) * (height - m.t - m.b);
  svg.append(el("line", { x1: m.l, x2: width - m.r, y1: height - m.b, y2: height - m.b, stroke: "#999" }));
  svg.append(el("line", { x1: m.l, x2: m.l, y1: m.t, y2: height - m.b, stroke: "#999" }));
  for (const v of [x0, (x0 + x1) / 2, x1])
    svg.append(el("text", { x: sx(v), y: height - m.b + 12, "font-size": 10, "text-anchor": "middle" }, short(v)));
  for (const v of [y0, (y0 + y1) / 2, y1])
    svg.append(
      el(
        "text",
        { x: m.l - 4, y: height - m.b - ((v - y0) / (y1 - y0)) * (height - m.t - m.b) + 3, "font-size": 10, "text-anchor": "end" },
        short(o.logY ? 10 ** v : v),
      ),
    );
  svg.append(el("text", { x: (m.l + width - m.r) / 2, y: height - 4, "font-size": 10, "text-anchor": "middle" }, o.xLabel));
  usable.forEach((s, i) => {
    if (s.points.length === 0) return;
    const d = s.points.map((p, j) => `${j ? "L" : "M"}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join("");
    svg.append(
      el("path", {
        d,
        fill: "none",
        stroke: s.color,
        "stroke-width": s.dashed ? 3 : 1.5,
        "stroke-dasharray": s.dashed ? "5 3" : "none",
        opacity: s.dashed ? 0.6 : 1,
        "data-series": s.name,
      }),
    );
    svg.append(el("text", { x: width - m.r - 2, y: m.t + 10 + 11 * i, "font-size": 10, "text-anchor": "end", fill: s.color }, s.name));
  });
  return svg;
}

/** The sorted final biases as a bar strip: one bar per neuron, lowest first. */
export function sortedBiases(bias: Float32Array, o: { width?: number; height?: number; title: string }): SVGSVGElement {
  const sorted = Array.from(bias).sort((a, b) => a - b);
  return lineChart([{ name: "bias", color: "#4269d0", points: sorted.map((y, x) => ({ x, y })) }], {
    title: o.title,
    xLabel: "neuron (sorted by bias)",
    width: o.width,
    height: o.height,
  });
}

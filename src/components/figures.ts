/**
 * Figure builders shared by the pages: each shapes rows prepared at build time (runs.json, figures/<ID>.json: no
 * DuckDB-WASM) and renders a pure spec from ./specs.ts as a numbered figure.
 */
import { runsJson as runs } from "./runs-json.js";
import type { Row } from "./db.js";
import { curveRowsOf, runFigures } from "./figure-data.js";
import { gridForSide, gridPixels, HEATMAP_MAX_SIDE, pixelsToDataUrl } from "./heatmap.js";
import type { NumericField } from "./sql.js";
import { biasSpec, curvesSpec, heatmapSpec, label, sweepSpec, type SweepPoint } from "./specs.js";
import { chartFigure, figure, sweepCommand } from "./ui.js";
import { AXIS_FIELDS } from "./urlstate.js";
import { CATEGORY_VALUES } from "./sql.js";
const EXPLORER_EXPERIMENTS = CATEGORY_VALUES.experiment;
import { meanInterval } from "./verdicts.js";
import { claimVerdict } from "./claims.js";
import { html } from "htl";

/** The preset the site was built with (from the data). */
export async function sitePreset(): Promise<string> {
  const rows = await runs();
  return String(rows[0]?.preset ?? "quick");
}

export function commandFor(experiments: string[], preset: string): string {
  return sweepCommand(experiments.join(","), preset);
}

/** "6 runs of LR1 (quick preset, 4096 steps × batch 16, 1 seed per setting)": the seeds counted per plotted setting,
 * so a figure that mixes 3-seed and 1-seed experiments says so, and every scale it mixes is named. */
export function describeRuns(rows: Row[], experiments: string[], preset: string, points?: SweepPoint[]): string {
  const counts = points?.length ? points.map((p) => p.n) : [new Set(rows.map((r) => r.seed)).size];
  const lo = Math.min(...counts);
  const hi = Math.max(...counts);
  const seeds = lo === hi ? `${lo} seed${lo === 1 ? "" : "s"} per setting` : `${lo} to ${hi} seeds per setting`;
  const scales = [...new Set(rows.map(scaleOf))];
  return `${rows.length} runs of ${experiments.join(", ")} (${preset} preset, ${scales.join("; ")}, ${seeds})`;
}

/** The one value all of these take (to display precision), or null when they differ; NaN-only or empty → 0 points. */
export function flatValue(values: number[]): number | null {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return values.length === 0 ? Number.NaN : null;
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  return hi - lo <= 1e-9 * Math.max(1, Math.abs(hi)) ? lo : null;
}

/** The Explorer view of some experiments' runs, on these axes when the Explorer has them. */
export function exploreQuery(experiments: string[], x?: string, y?: string): string {
  const params = new URLSearchParams({ experiment: experiments.filter((e) => EXPLORER_EXPERIMENTS.includes(e)).join(",") });
  if (x && AXIS_FIELDS.includes(x)) params.set("x", x);
  if (y && AXIS_FIELDS.includes(y)) params.set("y", y);
  return `?${params.toString().replace(/%2C/g, ",")}`;
}

/** A run's training scale, for captions and line styles. */
export const scaleOf = (r: Row) => `${r.steps} steps × batch ${r.batch}`;

/** Mean and 95% interval over seeds of y for each (series, x). */
export function aggregate(
  rows: Row[],
  x: string,
  y: string,
  series: (r: Row) => string = (r) => String(r.experiment),
  used?: ReadonlySet<string>,
): SweepPoint[] {
  const groups = new Map<string, { x: number; series: string; scale: string; ys: number[]; collapsed: number; used: number }>();
  for (const r of rows) {
    if (r.status !== "ok") continue;
    const s = series(r);
    // Runs at different scales are different points (and lines), never averaged together.
    const key = `${s}|${scaleOf(r)}|${r[x]}`;
    const g = groups.get(key) ?? { x: Number(r[x]), series: s, scale: scaleOf(r), ys: [], collapsed: 0, used: 0 };
    g.ys.push(Number(r[y]));
    if (r.collapsed === true) g.collapsed++;
    if (used?.has(String(r.run_id))) g.used++;
    groups.set(key, g);
  }
  return [...groups.values()]
    .map((g) => {
      const ci = meanInterval(g.ys);
      return {
        x: g.x,
        series: g.series,
        scale: g.scale,
        mean: ci.mean ?? Number.NaN,
        lo: ci.lo,
        hi: ci.hi,
        n: ci.n,
        collapsed: g.collapsed,
        ...(used ? { used: g.used === g.ys.length } : {}),
      };
    })
    .filter((p) => Number.isFinite(p.mean))
    .sort((a, b) => a.series.localeCompare(b.series) || a.x - b.x);
}

export interface SweepFigureOptions {
  number: number;
  experiments: string[];
  x: NumericField;
  y: NumericField;
  width: number;
  caption: string;
  rule?: { x: number; label: string };
  series?: (r: Row) => string;
  /** The claims whose verdicts this figure shows: their runs get filled markers, every other run hollow ones. */
  claims?: number[];
}

/** A final metric against the swept value for some experiments. */
export async function sweepFigure(o: SweepFigureOptions): Promise<HTMLElement> {
  const [all, preset] = await Promise.all([runs(), sitePreset()]);
  const rows = all.filter((r) => o.experiments.includes(String(r.experiment)));
  const verdicts = o.claims ? await Promise.all(o.claims.map(claimVerdict)) : [];
  const used = o.claims ? new Set(verdicts.flatMap((v) => v.used_run_ids)) : undefined;
  const points = aggregate(rows, o.x, o.y, o.series, used);
  const flat = flatValue(points.map((p) => p.mean));
  if (flat !== null) {
    // A chart with one tick says nothing a sentence cannot: say it.
    return figure(
      html`<p class="chart-sentence">
        ${points.length === 0 ? `No run of ${o.experiments.join(", ")} finished without diverging: there is nothing to plot.` : `Every setting gives ${label(o.y)} = ${+flat.toPrecision(4)} (${points.length} points over ${label(o.x)}), so there is no curve to draw.`}
      </p>` as HTMLElement,
      {
        number: o.number,
        caption: o.caption,
        runs: describeRuns(rows, o.experiments, preset, points),
        command: commandFor(o.experiments, preset),
      },
    );
  }
  const collapsed = points.reduce((sum, p) => sum + (p.collapsed ?? 0), 0);
  return chartFigure(sweepSpec(points, { x: o.x, y: o.y, width: o.width, rule: o.rule }), {
    number: o.number,
    caption: `${o.caption}${o.claims ? ` Filled markers: settings whose runs the verdict${o.claims.length > 1 ? "s" : ""} of claim${o.claims.length > 1 ? "s" : ""} ${o.claims.join(" and ")} used; hollow: runs ${o.claims.length > 1 ? "they" : "it"} did not use (outside the premise, or not what the claim speaks about).` : ""}${collapsed ? ` A red × marks the settings where runs collapsed (${collapsed} run${collapsed === 1 ? "" : "s"}: at least 99% of neurons dead, or a loss no better than predicting zero); their values are in the means.` : ""}`,
    runs: describeRuns(rows, o.experiments, preset, points),
    command: commandFor(o.experiments, preset),
    explore: exploreQuery(o.experiments, o.x, o.y),
    ariaLabel: `Figure ${o.number}: ${label(o.y)} against ${label(o.x)} for ${o.experiments.join(", ")}.`,
  });
}

/** Checkpoint curves of one experiment: metric against log2(step), one line per swept value. */
export function curveRows(experiment: string, series: NumericField): Promise<Row[]> {
  return curveRowsOf(experiment, series);
}

export async function curvesFigure(
  rows: Row[],
  o: { number: number; experiment: string; series: string; y: string; width: number; caption: string; logY?: boolean },
): Promise<HTMLElement> {
  const preset = await sitePreset();
  const runIds = new Set(rows.map((r) => r.run_id));
  return chartFigure(curvesSpec(rows, { y: o.y, series: o.series, width: o.width, logY: o.logY }), {
    number: o.number,
    caption: o.caption,
    runs: `${runIds.size} runs of ${o.experiment} (${preset} preset), every snapshot`,
    command: commandFor([o.experiment], preset),
    explore: exploreQuery([o.experiment]),
  });
}

/** The heatmap of one run and, optionally, its biases in the same neuron order. */
export async function heatmapFigures(o: {
  experiment: string;
  run: string;
  number: number;
  width: number;
  nFeatures?: number;
  withBias?: boolean;
  caption?: string;
}): Promise<HTMLElement> {
  const preset = await sitePreset();
  const { data, grid: base } = await runFigures(o.experiment, o.run);
  const nFeatures = o.nFeatures ?? data.n_features;
  const started = performance.now();
  const { k, mono, dead } = data;
  const command = `${commandFor([o.experiment], preset)} (then filter run_id = ${o.run})`;
  if (dead === k) {
    // An all-dead run draws as an empty square: say it instead.
    return figure(
      html`<p class="chart-sentence" data-all-dead="true">
        All ${k} neurons of run <code>${o.run}</code> are dead: none responds to any single feature at amplitude 1, so there is no heatmap
        to draw (the run has collapsed).
      </p>` as HTMLElement,
      {
        number: o.number,
        caption: `Single-feature activations of run ${o.run}: nothing to show.`,
        runs: o.run,
        command,
      },
    );
  }
  const side = Math.max(240, Math.min(o.width - 150, HEATMAP_MAX_SIDE));
  // Max-pooled (at build time for the widest figure, here further for this one) so that every drawn cell gets at
  // least 2 screen pixels: 1024 × 512 cells squeezed into ~400 px would drop rows, and with them the diagonal.
  const grid = gridForSide(base, side);
  const pool = grid.pool;
  const image = gridPixels(grid);
  const url = pixelsToDataUrl(image);
  const note = `${dead} of ${k} neurons dead (no single-feature activation: blank rows), ${mono} monosemantic`;
  const heat = await chartFigure(
    heatmapSpec({ image: url, neurons: k, features: nFeatures, max: image.max, width: side, height: side, note, pool }),
    {
      number: o.number,
      caption:
        o.caption ??
        `Single-feature activations of run ${o.run}: ${k} neurons (rows, sorted by monosemanticity) × ${nFeatures} features (columns, sorted by the neuron they drive most); ${mono} mono neurons, ${dead} dead. A monosemantic model shows a diagonal. Blank cells are exactly 0${pool.x > 1 || pool.y > 1 ? `; each pixel is the maximum over ${pool.y} neurons × ${pool.x} features` : ""}.`,
      runs: o.run,
      command,
      explore: `${exploreQuery([o.experiment])}&run=${encodeURIComponent(o.run)}`,
      ariaLabel: `Heatmap of single-feature activations for run ${o.run}, ${mono} of ${k} neurons monosemantic.`,
    },
  );
  // Time from the run's data to a drawn heatmap (pooling, image, Vega view), checked by the browser tests.
  heat.dataset.renderMs = String(Math.round(performance.now() - started));
  if (!o.withBias) return heat;
  const rows = data.bias.map((bias, rank) => ({ order: rank, bias, kind: data.is_mono[rank] === "1" ? "mono" : "poly" }));
  const bias = await chartFigure(biasSpec(rows, { width: Math.min(o.width, 720) - 130, height: 220 }), {
    number: o.number + 1,
    caption: `Final bias of each neuron of run ${o.run}, in the order of Figure ${o.number} (mono neurons first).`,
    runs: o.run,
    command: commandFor([o.experiment], preset),
  });
  return html`<div>${heat}${bias}</div>` as HTMLElement;
}

/** Pick the runs at the low, middle and high end of a sweep (seed 1), for heatmaps. */
export function threeRuns(rows: Row[], experiment: string, x: string): Row[] {
  const list = rows
    .filter(
      (r) =>
        r.experiment === experiment &&
        Number(r.seed) === Math.min(...rows.filter((q) => q.experiment === experiment).map((q) => Number(q.seed))) &&
        r.status === "ok",
    )
    .sort((a, b) => Number(a[x]) - Number(b[x]));
  if (list.length <= 3) return list;
  return [list[0], list[Math.floor((list.length - 1) / 2)], list[list.length - 1]];
}

export { figure };

/**
 * The main column's width, read once. Pages use it instead of Framework's reactive `width`, so that a cell does not
 * re-run (and draw its figures twice) when a scrollbar appears while it is still loading.
 */
export function pageWidth(): number {
  const main = document.querySelector("#observablehq-main") as HTMLElement | null;
  if (!main) return 640;
  // clientWidth includes the padding that leaves room for the table of contents.
  const style = getComputedStyle(main);
  const content = main.clientWidth - parseFloat(style.paddingLeft || "0") - parseFloat(style.paddingRight || "0");
  return Math.max(320, Math.min(1100, content));
}

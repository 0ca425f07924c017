/**
 * Pure Vega-Lite spec builders: (data, options) => spec. No DOM, no I/O; unit-tested in tests/site.
 * Palettes are colour-blind safe: Okabe-Ito for categories, viridis for ordered values.
 * Here the figures of runs: one point per run (scatter, brush, convergence), curves over steps, and sweeps. A model's
 * heatmap, biases and distributions are in ./model-specs.ts; labels, scales and colours in ./spec-base.ts.
 */
import { EXPERIMENT_ORDER, OKABE_ITO, experimentChannels } from "./encodings.js";
import { axisFor, base, colourChannels, label, scaleFor, type Datum, type SizeOptions, type Spec } from "./spec-base.js";
export { OKABE_ITO };
// Also exported from here for figures.ts and the Explorer and Regime pages, which import them from this module.
export { label } from "./spec-base.js";
export { biasSpec, distributionSpec, heatmapSpec, linesSpec } from "./model-specs.js";

export interface ScatterOptions extends SizeOptions {
  x: string;
  y: string;
  color?: string;
  /** Fields shown on hover. */
  tooltip?: string[];
  /** Name of a point-selection parameter (click) that the page can read back. */
  selectParam?: string;
  /** Name of an interval-selection parameter (drag a rectangle over x and y; double-click clears) that the page
   * reads back to filter its other views: brushing. Points outside the brush fade. */
  brushParam?: string;
  /** The brush to draw at first (field → [min, max] on the x and y fields), restored from a permalink. */
  brushValue?: Record<string, [number, number]> | null;
  /** Legends under the plot (narrow screens). */
  legendBelow?: boolean;
}

/** One point per run: e.g. final loss against mono per feature, coloured by experiment. */
export function scatterSpec(rows: Datum[], o: ScatterOptions): Spec {
  const xs = rows.map((r) => Number(r[o.x]));
  const ys = rows.map((r) => Number(r[o.y]));
  const spec: Spec = {
    ...base(o, rows),
    mark: { type: "point", filled: true, size: 60, opacity: 0.85 },
    encoding: {
      x: { field: o.x, type: "quantitative", title: label(o.x), scale: scaleFor(o.x, xs), ...axisFor(o.x, xs) },
      y: { field: o.y, type: "quantitative", title: label(o.y), scale: scaleFor(o.y, ys), ...axisFor(o.y, ys) },
      ...(o.color ? colourChannels(o.color, rows, o.legendBelow) : {}),
      tooltip: (o.tooltip ?? ["run_id", o.x, o.y]).map((field) => ({ field, title: label(field) })),
    },
  };
  const params: Spec[] = [];
  if (o.selectParam) {
    params.push({ name: o.selectParam, select: { type: "point", fields: ["run_id"], on: "click", clear: "dblclick" } });
    (spec.encoding as Spec).opacity = { condition: { param: o.selectParam, value: 1, empty: true }, value: 0.25 };
  }
  if (o.brushParam) {
    const b = o.brushValue;
    const init = b && b[o.x] && b[o.y] ? { value: { x: b[o.x], y: b[o.y] } } : {};
    params.push({ name: o.brushParam, ...init, select: { type: "interval", encodings: ["x", "y"], clear: "dblclick" } });
    (spec.encoding as Spec).opacity = { condition: { param: o.brushParam, value: 1, empty: true }, value: 0.2 };
  }
  if (params.length) spec.params = params;
  return spec;
}

/** The rows inside a brush, given as Vega-Lite reports an interval selection: field -> [from, to] (either order).
 * An empty brush (cleared) keeps every row. */
export function rowsInBrush<T extends Datum>(rows: T[], brush: Record<string, unknown[]> | null | undefined): T[] {
  const ranges = Object.entries(brush ?? {}).filter(([, r]) => Array.isArray(r) && r.length === 2);
  if (ranges.length === 0) return rows;
  return rows.filter((row) =>
    ranges.every(([field, [a, b]]) => {
      const v = Number(row[field]);
      return v >= Math.min(Number(a), Number(b)) && v <= Math.max(Number(a), Number(b));
    }),
  );
}

export interface CurveOptions extends SizeOptions {
  /** Metric on the y axis (a checkpoints column). */
  y: string;
  /** Field that tells the runs apart (the swept value). */
  series: string;
  /** Log y axis (losses). */
  logY?: boolean;
}

/** Metric against log2(step), one line per run. */
export function curvesSpec(rows: Datum[], o: CurveOptions): Spec {
  return {
    ...base(
      o,
      rows.filter((r) => Number(r.step) > 0),
    ),
    mark: { type: "line", point: { size: 18 }, strokeWidth: 1.6 },
    encoding: {
      x: {
        field: "step",
        type: "quantitative",
        title: "step (log2)",
        scale: { type: "log", base: 2 },
        axis: { labelExpr: "'2^' + format(log(datum.value)/log(2), '.0f')", tickCount: 10 },
      },
      y: { field: o.y, type: "quantitative", title: label(o.y), scale: o.logY ? { type: "log" } : { zero: false } },
      color: { field: o.series, type: "ordinal", title: label(o.series), scale: { scheme: "viridis" } },
      detail: { field: "run_id" },
      tooltip: [{ field: "run_id" }, { field: "step" }, { field: o.y, title: label(o.y), format: ".4g" }],
    },
  };
}

export interface SweepPoint {
  x: number;
  series: string;
  mean: number;
  lo: number | null;
  hi: number | null;
  n: number;
  /** The runs' scale, "steps × batch" (one line style each when a figure mixes scales). */
  scale?: string;
  /** Runs at this setting that collapsed (all or nearly all neurons dead, or no better than predicting zero). */
  collapsed?: number;
  /** When the figure names claims: whether every run at this setting was used by their verdicts (filled marker), or
   * not (hollow marker). */
  used?: boolean;
}

export interface SweepOptions extends SizeOptions {
  x: string;
  y: string;
  /** Vertical reference line, e.g. k = N. */
  rule?: { x: number; label: string };
  /** Legend title of the series (default "experiment"). */
  seriesTitle?: string;
}

/** A final metric against the swept value, one line per series, with 95% intervals over seeds when there are any. */
export function sweepSpec(points: SweepPoint[], o: SweepOptions): Spec {
  const xs = points.map((p) => p.x);
  const x = { field: "x", type: "quantitative", title: label(o.x), scale: scaleFor(o.x, xs), ...axisFor(o.x, xs) };
  // Series that are experiment ids take the site-wide colours; other series (eps = ..., lr = ...) the palette in order.
  const series = [...new Set(points.map((p) => p.series))];
  const byExperiment = series.length > 0 && series.every((s) => EXPERIMENT_ORDER.includes(s));
  const color = byExperiment
    ? { ...experimentChannels("series", o.seriesTitle ?? "experiment").color }
    : { field: "series", type: "nominal", title: o.seriesTitle ?? "experiment", scale: { range: OKABE_ITO } };
  const scales = [...new Set(points.map((p) => p.scale).filter(Boolean))];
  const dash = scales.length > 1 ? { strokeDash: { field: "scale", type: "nominal", title: "steps × batch", sort: scales } } : {};
  // Filled markers for the settings a verdict used, hollow for the rest, when the figure says which claims it serves.
  const marks = points.some((p) => p.used !== undefined);
  const layers: Spec[] = [
    {
      mark: { type: "line", point: marks ? false : { size: 50, filled: true } },
      encoding: {
        x,
        y: { field: "mean", type: "quantitative", title: label(o.y), scale: { zero: false } },
        color,
        ...dash,
        tooltip: [
          { field: "series" },
          { field: "x", title: label(o.x) },
          { field: "mean", title: label(o.y), format: ".4g" },
          { field: "lo", title: "95% low", format: ".4g" },
          { field: "hi", title: "95% high", format: ".4g" },
          { field: "n", title: "seeds" },
          ...(scales.length ? [{ field: "scale", title: "steps × batch" }] : []),
        ],
      },
    },
  ];
  if (marks) {
    layers.push({
      mark: { type: "point", size: 60, strokeWidth: 1.5, filled: false },
      encoding: {
        x,
        y: { field: "mean", type: "quantitative", title: label(o.y) },
        color,
        fill: { condition: { test: "datum.used", ...color, legend: null }, value: "white" },
        tooltip: [
          { field: "series" },
          { field: "x", title: label(o.x) },
          { field: "mean", title: label(o.y), format: ".4g" },
          { field: "n", title: "seeds" },
          { field: "used", title: "used by the verdict" },
        ],
      },
    });
  }
  if (points.some((p) => p.lo !== null && p.hi !== null)) {
    layers.push({
      transform: [{ filter: "datum.lo !== null && datum.hi !== null" }],
      mark: { type: "errorbar", ticks: true },
      // The same title as the line's y, so that Vega-Lite does not merge the two into "…, lo".
      encoding: { x, y: { field: "lo", type: "quantitative", title: label(o.y) }, y2: { field: "hi" }, color },
    });
  }
  if (points.some((p) => (p.collapsed ?? 0) > 0)) {
    // Collapsed runs are marked, so that a low mean there does not pass for a trained model's.
    layers.push({
      transform: [{ filter: "datum.collapsed > 0" }],
      mark: { type: "point", shape: "cross", size: 160, strokeWidth: 2, color: "#d55e00", filled: false },
      encoding: {
        x,
        y: { field: "mean", type: "quantitative", title: label(o.y) },
        tooltip: [
          { field: "series" },
          { field: "x", title: label(o.x) },
          { field: "collapsed", title: "collapsed runs" },
          { field: "n", title: "runs" },
        ],
      },
    });
  }
  if (o.rule) {
    layers.push({
      data: { values: [o.rule] },
      mark: { type: "rule", strokeDash: [4, 4], color: "#888" },
      encoding: { x: { field: "x", type: "quantitative" } },
    });
    layers.push({
      data: { values: [o.rule] },
      mark: { type: "text", align: "left", dx: 4, dy: -4, baseline: "bottom", color: "#888" },
      encoding: { x: { field: "x", type: "quantitative" }, y: { value: 0 }, text: { field: "label" } },
    });
  }
  return { ...base(o, points as unknown as Datum[]), layer: layers };
}

/**
 * Convergence against training progress: one point per run, x = lr × steps (log), y = the loss's relative
 * improvement over the last quarter, with the 2% line below which a run counts as converged.
 */
export function convergenceSpec(rows: Datum[], o: SizeOptions & { threshold: number }): Spec {
  const values = rows.map((r) => ({ ...r, lr_x_steps: Number(r.lr) * Number(r.steps) }));
  return {
    ...base(o, values),
    layer: [
      {
        mark: { type: "point", filled: true, size: 50, opacity: 0.8 },
        encoding: {
          x: { field: "lr_x_steps", type: "quantitative", title: "learning rate × steps", scale: { type: "log" } },
          y: {
            field: "last_quarter_improvement",
            type: "quantitative",
            title: "loss improvement over the last quarter",
            axis: { format: "%" },
          },
          color: experimentChannels().color,
          shape: { field: "converged", type: "nominal", title: "converged" },
          tooltip: [
            { field: "run_id" },
            { field: "lr_x_steps", title: "lr × steps", format: ".3g" },
            { field: "last_quarter_improvement", title: "last-quarter improvement", format: ".2%" },
            { field: "final_loss", title: "final loss", format: ".4g" },
            { field: "mono_per_feature", title: "mono/features", format: ".3g" },
          ],
        },
      },
      {
        data: { values: [{ y: o.threshold }] },
        mark: { type: "rule", strokeDash: [4, 4], color: "#888" },
        encoding: { y: { field: "y", type: "quantitative" } },
      },
    ],
  };
}

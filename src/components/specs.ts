/**
 * Pure Vega-Lite spec builders: (data, options) => spec. No DOM, no I/O; unit-tested in tests/site.
 * Palettes are colour-blind safe: Okabe-Ito for categories, viridis for ordered values.
 */
export type Spec = Record<string, unknown>;
export type Datum = Record<string, unknown>;

import { EXPERIMENT_ORDER, OKABE_ITO, experimentChannels, familyChannels } from "./encodings.js";
export { OKABE_ITO };

const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";

export interface SizeOptions {
  width: number;
  height?: number;
  title?: string;
}

/** Human labels for columns used on axes. */
export const LABELS: Record<string, string> = {
  final_loss: "final loss",
  relative_loss: "final loss / loss of predicting 0",
  loss: "loss",
  mono_per_feature: "mono neurons / features",
  mono_per_neuron: "mono neurons / neurons",
  mono_neurons: "mono neurons",
  features_covered: "features covered",
  mean_bias: "mean bias",
  dead_neurons: "dead neurons",
  lr: "learning rate",
  init_bias: "initial bias",
  eps: "eps (feature probability)",
  k: "k (neurons)",
  l1: "L1 penalty",
  decay: "bias decay (trained)",
  decay_nominal: "bias decay (Table 1)",
  wall_s: "wall time (s)",
  flop: "training FLOP",
  step: "step",
  seed: "seed",
  experiment: "experiment",
};
export const label = (field: string) => LABELS[field] ?? field;

/** Swept fields whose grids are log-spaced. */
export const LOG_FIELDS = new Set(["lr", "eps", "k", "l1", "decay", "decay_nominal", "wall_s", "flop", "final_loss", "relative_loss"]);

function base(options: SizeOptions, values: Datum[]): Spec {
  const spec: Spec = {
    $schema: SCHEMA,
    width: options.width,
    height: options.height ?? Math.round(options.width * 0.55),
    data: { values },
  };
  if (options.title) spec.title = options.title;
  return spec;
}

/** A scale for a swept/metric field: log (base 2 for k) for log-spaced grids with positive values, symlog when 0 occurs. */
export function scaleFor(field: string, values: number[]): Spec {
  if (!LOG_FIELDS.has(field)) return { zero: false };
  const positive = values.filter((v) => Number.isFinite(v));
  if (positive.some((v) => v <= 0)) return { type: "symlog", constant: Math.max(1e-9, Math.min(...positive.filter((v) => v > 0)) || 1e-9) };
  return field === "k" ? { type: "log", base: 2 } : { type: "log" };
}

/** Axis options to go with scaleFor: a symlog axis gets a labelled tick at every value the data has (Vega would
 * otherwise leave the small powers of ten unlabelled), at most 12 of them. */
export function axisFor(field: string, values: number[]): Spec {
  const scale = scaleFor(field, values);
  if (scale.type !== "symlog") return {};
  const ticks = [...new Set(values.filter(Number.isFinite))].sort((a, b) => a - b);
  const step = Math.ceil(ticks.length / 12);
  return {
    axis: { values: ticks.filter((_, i) => i % step === 0), format: "~g", labelOverlap: false, labelAngle: -40, labelAlign: "right" },
  };
}

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

/** Fields coloured on a continuous scale (anything else is a category). */
const NUMERIC_COLOUR = new Set([
  "lr",
  "eps",
  "k",
  "init_bias",
  "steps",
  "seed",
  "batch",
  "final_loss",
  "mono_per_feature",
  "mono_per_neuron",
  "mean_bias",
  "dead_neurons",
  "wall_s",
  "l1",
  "decay",
  "decay_nominal",
]);

/** Colour (and shape, for categories) by a field: the site-wide map for experiments and families, viridis for numbers. */
export function colourChannels(field: string, rows: Datum[], legendBelow = false): Spec {
  // Two columns: long family names in four would outgrow a 420 px screen.
  const legend = legendBelow ? { legend: { orient: "bottom", direction: "horizontal", columns: 2, labelLimit: 160 } } : {};
  if (field === "experiment" || field === "family") {
    const ch = field === "experiment" ? experimentChannels(field, label(field)) : familyChannels(field, label(field));
    return { color: { ...ch.color, ...legend }, shape: { ...ch.shape, ...legend } };
  }
  if (NUMERIC_COLOUR.has(field)) {
    const values = rows.map((r) => Number(r[field])).filter(Number.isFinite);
    return {
      color: { field, type: "quantitative", title: label(field), scale: { ...scaleFor(field, values), scheme: "viridis" }, ...legend },
    };
  }
  return {
    color: { field, type: "nominal", title: label(field), scale: { range: OKABE_ITO }, ...legend },
    shape: { field, type: "nominal", title: label(field), ...legend },
  };
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

export interface HeatmapOptions extends SizeOptions {
  /** Data URL (or blob URL) of the pre-rendered image: one pixel per (feature, neuron) cell. */
  image: string;
  neurons: number;
  features: number;
  /** Colour legend: the value range the image's colours encode. */
  max: number;
  /** Written on the chart, e.g. "37 of 1024 neurons dead (no single-feature activation)". */
  note?: string;
  /** Cells per pixel, when the image is max-pooled (said in the axis titles). */
  pool?: { x: number; y: number };
}

/**
 * A k x N single-feature-activation heatmap as ONE image mark over two linear axes: half a million cells draw in
 * milliseconds (rect marks would take seconds). The image itself comes from ./heatmap.ts.
 */
export function heatmapSpec(o: HeatmapOptions): Spec {
  return {
    $schema: SCHEMA,
    width: o.width,
    height: o.height ?? o.width,
    // Vega draws no subtitle under an empty title: the note is the title when there is no other.
    ...(o.title || o.note
      ? {
          title: o.title
            ? { text: o.title, ...(o.note ? { subtitle: o.note } : {}), anchor: "start" }
            : { text: o.note, anchor: "start", fontSize: 12, fontWeight: "normal" },
        }
      : {}),
    data: { values: [{ x: 0, y: 0, x2: o.features, y2: o.neurons, url: o.image }] },
    layer: [
      {
        mark: { type: "image", aspect: false, align: "left", baseline: "top", smooth: false, aria: false },
        encoding: {
          x: {
            field: "x",
            type: "quantitative",
            title: [
              "feature (sorted by the neuron it drives most)",
              ...(o.pool && o.pool.x > 1 ? [`max over ${o.pool.x} features per pixel`] : []),
            ],
            scale: { domain: [0, o.features], nice: false },
          },
          x2: { field: "x2" },
          // Two lines, so that a small heatmap's height never cuts the title.
          y: {
            field: "y",
            type: "quantitative",
            title: ["neuron", "(sorted by monosemanticity)", ...(o.pool && o.pool.y > 1 ? [`max over ${o.pool.y} per pixel`] : [])],
            scale: { domain: [0, o.neurons], nice: false, reverse: true },
          },
          y2: { field: "y2" },
          url: { field: "url", type: "nominal" },
        },
      },
      {
        data: { values: [{ v: 0 }, { v: o.max }] },
        mark: { type: "point", opacity: 0 },
        encoding: { color: { field: "v", type: "quantitative", title: "activation", scale: { scheme: "viridis", domain: [0, o.max] } } },
      },
    ],
  };
}

export interface BiasOptions extends SizeOptions {}

/** Each neuron's final bias, neurons in the heatmap's order, coloured mono / poly. */
export function biasSpec(rows: { order: number; bias: number; kind: string }[], o: BiasOptions): Spec {
  return {
    ...base(o, rows),
    mark: { type: "point", filled: true, size: 10 },
    encoding: {
      x: { field: "order", type: "quantitative", title: "neuron (sorted by monosemanticity)", scale: { nice: false } },
      y: { field: "bias", type: "quantitative", title: "final bias" },
      color: { field: "kind", type: "nominal", title: "neuron", scale: { domain: ["mono", "poly"], range: [OKABE_ITO[0], OKABE_ITO[3]] } },
      tooltip: [{ field: "order" }, { field: "bias", format: ".4f" }, { field: "kind" }],
    },
  };
}

/** Distribution of a value per group (e.g. bias of mono vs poly neurons), as overlaid step histograms. */
export function histogramSpec(rows: Datum[], o: SizeOptions & { field: string; group: string; bins?: number }): Spec {
  return {
    ...base(o, rows),
    mark: { type: "bar", opacity: 0.6, binSpacing: 0 },
    encoding: {
      x: { field: o.field, type: "quantitative", title: label(o.field), bin: { maxbins: o.bins ?? 40 } },
      y: { aggregate: "count", type: "quantitative", title: "count", stack: null },
      color: { field: o.group, type: "nominal", title: label(o.group), scale: { range: OKABE_ITO } },
    },
  };
}

/** Lines of y against x, one per series (amplitude responses, singular values...). */
export function linesSpec(
  rows: Datum[],
  o: SizeOptions & {
    x: string;
    y: string;
    series: string;
    xTitle?: string;
    yTitle?: string;
    logX?: boolean;
    logY?: boolean;
    points?: boolean;
  },
): Spec {
  return {
    ...base(o, rows),
    mark: { type: "line", point: o.points ?? false, strokeWidth: 2 },
    encoding: {
      x: { field: o.x, type: "quantitative", title: o.xTitle ?? label(o.x), ...(o.logX ? { scale: { type: "log", base: 2 } } : {}) },
      y: { field: o.y, type: "quantitative", title: o.yTitle ?? label(o.y), scale: o.logY ? { type: "log" } : { zero: false } },
      color: { field: o.series, type: "nominal", title: label(o.series), scale: { range: OKABE_ITO } },
      strokeDash: { field: o.series, type: "nominal", title: label(o.series) },
      tooltip: [{ field: o.series }, { field: o.x, format: ".3g" }, { field: o.y, format: ".4g" }],
    },
  };
}

/** Count of runs per value of a field (Explorer distributions). */
export function distributionSpec(rows: Datum[], o: SizeOptions & { field: string }): Spec {
  return {
    ...base(o, rows),
    mark: { type: "bar", color: OKABE_ITO[0] },
    encoding: {
      x: { field: o.field, type: "quantitative", title: label(o.field), bin: { maxbins: 30 } },
      y: { aggregate: "count", type: "quantitative", title: "runs" },
    },
  };
}

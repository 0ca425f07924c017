/**
 * Pure Vega-Lite spec builders for one model and for distributions: the single-feature-activation heatmap (one image
 * mark), each neuron's bias, histograms per group, lines per series, and the Explorer's counts of runs per value.
 */
import { OKABE_ITO } from "./encodings.js";
import { base, label, SCHEMA, type Datum, type SizeOptions, type Spec } from "./spec-base.js";

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
        // The legend goes under the plot: on the right it would push the figure past a narrow column and cut its title.
        encoding: {
          color: {
            field: "v",
            type: "quantitative",
            title: "single-feature activation",
            scale: { scheme: "viridis", domain: [0, o.max] },
            legend: { orient: "bottom", direction: "horizontal", gradientLength: Math.min(240, o.width), titleOrient: "left" },
          },
        },
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

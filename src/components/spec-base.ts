/**
 * What the Vega-Lite spec builders (./specs.ts, ./model-specs.ts) share: the spec types and skeleton (schema, size,
 * data), axis labels, log and symlog scales for log-spaced fields, and colour channels by field. Pure.
 */
import { CONFIG_FIELDS, METRIC_FIELDS } from "./sql.js";
import { OKABE_ITO, experimentChannels, familyChannels } from "./encodings.js";

export type Spec = Record<string, unknown>;
export type Datum = Record<string, unknown>;

export const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";

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

/** A spec's skeleton: the schema, the size (height 0.55 of the width unless given), the title and the data. */
export function base(options: SizeOptions, values: Datum[]): Spec {
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

/** Fields coloured on a continuous scale: the runs table's numbers (anything else is a category). */
const NUMERIC_COLOUR = new Set<string>([...CONFIG_FIELDS, ...METRIC_FIELDS]);

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

/**
 * One experiment's per-run figure data, prepared at build time so that the narrative pages draw heatmaps, bias
 * charts and training curves without DuckDB-WASM (src/data/figures.zip.ts writes it; the browser reads
 * it through src/components/figure-data.ts). The full-precision values stay in the Parquet tables.
 */
import { deflateRawSync } from "node:zlib";
import { HEATMAP_MAX_SIDE, heatmapGrid, heatmapOrder, poolFactor, type NeuronRow, type SfaRow } from "../analysis/heatmap.js";
import { tableJsonRows } from "./parquet.js";
import type { RunRecord } from "./record.js";
import { SNAPSHOT_METRICS } from "./tables.js";

/** The checkpoint columns the training-curve figures read (the checkpoints table's, in its order). */
export const CURVE_COLUMNS = ["run_id", "step", "loss", ...SNAPSHOT_METRICS] as const;

export interface RunFigureData {
  run_id: string;
  k: number;
  n_features: number;
  mono: number;
  /** Neurons with no positive single-feature activation (blank heatmap rows). */
  dead: number;
  /** The heatmap grid pooled for HEATMAP_MAX_SIDE px; `levels` is deflate-raw compressed, then base64. */
  grid: { width: number; height: number; pool: { x: number; y: number }; max: number; levels: string };
  /** Final biases in heatmap row order (5 significant digits), and "1"/"0" per row for mono/poly. */
  bias: number[];
  is_mono: string;
}

export interface ExperimentFigureData {
  experiment: string;
  max_side: number;
  runs: RunFigureData[];
  curves: Record<string, string | number | boolean | null>[];
}

const round5 = (x: number) => Number(x.toPrecision(5));

export function runFigureData(record: RunRecord): RunFigureData {
  const { bias, fracMono, topFeature, topActivation, isMono } = record.neurons;
  const k = bias.length;
  const nFeatures = Number(record.run.n_features);
  const neurons: NeuronRow[] = Array.from({ length: k }, (_, j) => ({
    neuron: j,
    frac_mono: fracMono[j],
    top_feature: topFeature[j],
    top_activation: topActivation[j],
  }));
  const sfa: SfaRow[] = Array.from(record.sfa.neuron, (neuron, i) => ({
    neuron,
    feature: record.sfa.feature[i],
    activation: record.sfa.activation[i],
  }));
  const order = heatmapOrder(neurons, sfa, nFeatures);
  const grid = heatmapGrid(sfa, order, { x: poolFactor(nFeatures, HEATMAP_MAX_SIDE), y: poolFactor(k, HEATMAP_MAX_SIDE) });
  const byRank = new Int32Array(k);
  order.neuronRank.forEach((rank, j) => (byRank[rank] = j));
  const live = new Set(sfa.filter((s) => s.activation > 0).map((s) => s.neuron));
  return {
    run_id: String(record.run.run_id),
    k,
    n_features: nFeatures,
    mono: isMono.reduce((n, v) => n + (v ? 1 : 0), 0),
    dead: k - live.size,
    grid: { ...grid, levels: deflateRawSync(grid.levels).toString("base64") },
    bias: Array.from(byRank, (j) => round5(bias[j])),
    is_mono: Array.from(byRank, (j) => (isMono[j] ? "1" : "0")).join(""),
  };
}

/** Mean final bias of a run's mono and poly neurons (the kinds it has), as the neurons table gives it (biasByKindQuery):
 * src/data/bias-by-kind.json.ts writes these rows for every run, a few KB for the claim-2 histogram. */
export function biasByKind(record: RunRecord): { run_id: string; is_mono: boolean; mean_bias: number; neurons: number }[] {
  const { bias, isMono } = record.neurons;
  return [true, false].flatMap((mono) => {
    let sum = 0;
    let count = 0;
    for (let j = 0; j < bias.length; j++)
      if (Boolean(isMono[j]) === mono) {
        sum += bias[j];
        count++;
      }
    return count ? [{ run_id: String(record.run.run_id), is_mono: mono, mean_bias: sum / count, neurons: count }] : [];
  });
}

export function experimentFigureData(experiment: string, records: RunRecord[]): ExperimentFigureData {
  const curves = tableJsonRows(records, "checkpoints").map((row) => Object.fromEntries(CURVE_COLUMNS.map((c) => [c, row[c] ?? null])));
  const runs = records.map(runFigureData).sort((a, b) => a.run_id.localeCompare(b.run_id));
  return { experiment, max_side: HEATMAP_MAX_SIDE, runs, curves };
}

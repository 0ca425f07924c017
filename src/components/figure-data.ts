/**
 * Each experiment's per-run figure data (heatmap grid, biases in heatmap order, training curves), prepared at build
 * time by src/data/figures.zip.ts: one small JSON file per experiment, fetched when a page first draws one of its runs,
 * so the narrative pages need no DuckDB-WASM; and claim 2's mean bias per kind (data/bias-by-kind.json).
 * FileAttachment needs literal paths.
 */
import { FileAttachment } from "observablehq:stdlib";
import type { HeatmapGrid } from "../lib/analysis/heatmap.js";
import type { ExperimentFigureData, RunFigureData } from "../lib/runner/figure-data.js";
import type { Row } from "./db.js";
import { runsJson } from "./runs-json.js";

const FIGURE_FILES: Record<string, () => Promise<unknown>> = {
  LR1: () => FileAttachment("../data/figures/LR1.json").json(),
  LR2: () => FileAttachment("../data/figures/LR2.json").json(),
  LR3: () => FileAttachment("../data/figures/LR3.json").json(),
  LR4: () => FileAttachment("../data/figures/LR4.json").json(),
  LR5: () => FileAttachment("../data/figures/LR5.json").json(),
  B1: () => FileAttachment("../data/figures/B1.json").json(),
  B2: () => FileAttachment("../data/figures/B2.json").json(),
  B3: () => FileAttachment("../data/figures/B3.json").json(),
  B4: () => FileAttachment("../data/figures/B4.json").json(),
  B5: () => FileAttachment("../data/figures/B5.json").json(),
  "B3-GeLU": () => FileAttachment("../data/figures/B3-GeLU.json").json(),
  E1: () => FileAttachment("../data/figures/E1.json").json(),
  E2: () => FileAttachment("../data/figures/E2.json").json(),
  E3: () => FileAttachment("../data/figures/E3.json").json(),
  E4: () => FileAttachment("../data/figures/E4.json").json(),
  K0: () => FileAttachment("../data/figures/K0.json").json(),
  K1: () => FileAttachment("../data/figures/K1.json").json(),
  K2: () => FileAttachment("../data/figures/K2.json").json(),
  RG1: () => FileAttachment("../data/figures/RG1.json").json(),
  RP1: () => FileAttachment("../data/figures/RP1.json").json(),
  D1: () => FileAttachment("../data/figures/D1.json").json(),
};

/** True when the build prepares figure data for this experiment (Table 1's). */
export const hasFigureData = (experiment: string) => experiment in FIGURE_FILES;

const files = new Map<string, Promise<ExperimentFigureData>>();

/** An experiment's figure data (fetched once per page). */
export function experimentFigures(experiment: string): Promise<ExperimentFigureData> {
  const load = FIGURE_FILES[experiment];
  if (!load) return Promise.reject(new Error(`no figure data for experiment ${JSON.stringify(experiment)}`));
  if (!files.has(experiment)) files.set(experiment, load() as Promise<ExperimentFigureData>);
  return files.get(experiment)!;
}

/** One run's figure data, with its heatmap grid decompressed. */
export async function runFigures(experiment: string, run: string): Promise<{ data: RunFigureData; grid: HeatmapGrid }> {
  const data = (await experimentFigures(experiment)).runs.find((r) => r.run_id === run);
  if (!data) throw new Error(`experiment ${experiment} has no run ${JSON.stringify(run)} in this build`);
  const packed = Uint8Array.from(atob(data.grid.levels), (c) => c.charCodeAt(0));
  const stream = new Blob([packed]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  const levels = new Uint8Array(await new Response(stream).arrayBuffer());
  if (levels.length !== data.grid.width * data.grid.height)
    throw new Error(`run ${run}: heatmap grid has ${levels.length} cells, expected ${data.grid.width * data.grid.height}`);
  return { data, grid: { ...data.grid, levels } };
}

/** Training curves of an experiment: its checkpoints joined with the runs' experiment, seed and `series` field (the
 * rows curvesQuery gives from DuckDB). */
export async function curveRowsOf(experiment: string, series: string): Promise<Row[]> {
  const [data, runs] = await Promise.all([experimentFigures(experiment), runsJson()]);
  const byId = new Map(runs.map((r) => [String(r.run_id), r]));
  return data.curves.flatMap((c) => {
    const r = byId.get(String(c.run_id));
    return r ? [{ ...c, experiment: r.experiment, [series]: r[series], seed: r.seed }] : [];
  });
}

/** Per run and kind, the mean final bias of its mono and poly neurons, for runs of some experiments that did not
 * diverge (the rows of biasByKindQuery), from data/bias-by-kind.json. */
export async function biasByKindRows(experiments: string[]): Promise<Row[]> {
  const [kinds, runs] = await Promise.all([FileAttachment("../data/bias-by-kind.json").json() as Promise<Row[]>, runsJson()]);
  const byId = new Map(runs.map((r) => [String(r.run_id), r]));
  return kinds.flatMap((kind) => {
    const r = byId.get(String(kind.run_id));
    return r && r.status === "ok" && experiments.includes(String(r.experiment))
      ? [{ ...kind, experiment: r.experiment, seed: r.seed }]
      : [];
  });
}

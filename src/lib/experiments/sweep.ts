import { RunConfigSchema, type RunConfig } from "../protocol/config.js";
import { PRESETS, scaledDecay, type Preset } from "./presets.js";
import { EXPERIMENTS, experimentById, type Experiment, type SweptField } from "./table1.js";

/** One run of a sweep: its identity and the exact config it trains. */
export interface RunSpec {
  run_id: string;
  experiment: string;
  preset: Preset["id"];
  /** The Table 1 decay before any preset rescaling (config.decay is what trains). */
  decay_nominal: number;
  config: RunConfig;
}

export interface SweepOptions {
  preset?: Preset["id"];
  seeds?: number;
  /** Overrides of any config field. Setting a swept field collapses that sweep to the one value. */
  overrides?: Partial<RunConfig>;
}

function product(grids: [SweptField, readonly number[]][]): Partial<Record<SweptField, number>>[] {
  return grids.reduce<Partial<Record<SweptField, number>>[]>(
    (points, [field, values]) => points.flatMap((point) => values.map((value) => ({ ...point, [field]: value }))),
    [{}],
  );
}

function thin(values: readonly number[], stride: number): readonly number[] {
  if (stride <= 1) return values;
  const kept = values.filter((_, i) => i % stride === 0);
  // Always keep the last value, so a thinned grid still spans the whole range.
  return kept[kept.length - 1] === values[values.length - 1] ? kept : [...kept, values[values.length - 1]];
}

function formatValue(value: number): string {
  return Number.isInteger(value) ? String(value) : String(+value.toPrecision(6));
}

/** Every run of an experiment under a preset, in a stable order (grid order, then seed). */
export function expandExperiment(experiment: Experiment, options: SweepOptions = {}): RunSpec[] {
  const preset = PRESETS[options.preset ?? "quick"];
  const overrides = options.overrides ?? {};
  const grids = (Object.entries(experiment.sweep) as [SweptField, readonly number[]][])
    .filter(([field]) => overrides[field] === undefined)
    .map(([field, values]): [SweptField, readonly number[]] => [field, thin(values, preset.gridStride)]);
  const seeds = overrides.seed !== undefined ? [overrides.seed] : Array.from({ length: options.seeds ?? preset.seeds }, (_, i) => i + 1);
  const runs: RunSpec[] = [];
  for (const point of product(grids)) {
    for (const seed of seeds) {
      const nominal = { ...experiment.base, steps: preset.steps, batch: preset.batch, ...point, ...overrides, seed };
      const decay = preset.scaleDecay && overrides.decay === undefined ? scaledDecay(nominal.decay, nominal.lr, nominal.steps) : nominal.decay;
      const config = RunConfigSchema.parse({ ...nominal, decay });
      const label = Object.entries(point).map(([field, value]) => `${field}=${formatValue(value)}`);
      runs.push({
        run_id: [experiment.id, preset.id, ...label, `seed=${seed}`].join("_"),
        experiment: experiment.id,
        preset: preset.id,
        decay_nominal: nominal.decay,
        config,
      });
    }
  }
  if (Object.keys(overrides).some((key) => key !== "seed")) {
    // A run with overrides is a different run: make its id say so, so it never collides with the plain sweep's.
    const tag = Object.entries(overrides).filter(([key]) => key !== "seed").map(([key, value]) => `${key}=${value}`).join(",");
    for (const run of runs) run.run_id += `_set(${tag})`;
  }
  return runs;
}

export function expandExperiments(ids: string[] | "all", options: SweepOptions = {}): RunSpec[] {
  const experiments = ids === "all" ? EXPERIMENTS : ids.map((id) => {
    const found = experimentById(id);
    if (!found) throw new Error(`unknown experiment "${id}" (known: ${EXPERIMENTS.map((e) => e.id).join(", ")})`);
    return found;
  });
  return experiments.flatMap((e) => expandExperiment(e, options));
}

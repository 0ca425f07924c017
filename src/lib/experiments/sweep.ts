/**
 * Expands an experiment under a preset into its runs: the product of variants, swept grid (thinned by the preset)
 * and seeds, each with its run id and the exact config it trains (the bias decay rescaled to the preset's steps).
 */
import { RunConfigSchema, withGbaDefaults, type RunConfig } from "../protocol/config.js";
import { findExperiment } from "./beyond.js";
import { PAPER_BATCH_TIMES_WIDTH, PRESETS, scaledDecay, type Preset } from "./presets.js";
import { expandRegime1, REGIME1_ID } from "./regime1.js";
import { EXPERIMENTS, type Experiment, type SweptField } from "./table1.js";

/** One run of a sweep: its identity and the exact config it trains. */
export interface RunSpec {
  run_id: string;
  experiment: string;
  preset: Preset["id"];
  /** The Table 1 decay before any preset rescaling (config.decay is what trains). */
  decay_nominal: number;
  /** The experiment's named variant (GBA1's LR1, LR3, gba-...); absent for Table 1 rows. */
  variant?: string;
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
  const focused = preset.focus?.experiments.includes(experiment.id) ?? false;
  const stride = preset.strideFor?.[experiment.id] ?? (focused ? 1 : preset.gridStride);
  const grids = (Object.entries(experiment.sweep) as [SweptField, readonly number[]][])
    .filter(([field]) => overrides[field] === undefined)
    .map(([field, values]): [SweptField, readonly number[]] => {
      const grid = (focused ? preset.focus!.grids?.[field] : undefined) ?? preset.grids?.[field] ?? values;
      return [field, thin(grid, stride)];
    });
  const scale = focused ? preset.focus! : preset;
  const presetSeeds = focused ? preset.focus!.seeds : preset.seeds;
  const seedCount = options.seeds ?? Math.max(presetSeeds, experiment.minSeeds ?? 1);
  const firstSeed = focused ? (preset.focus!.firstSeed ?? 1) : 1;
  const seeds = overrides.seed !== undefined ? [overrides.seed] : Array.from({ length: seedCount }, (_, i) => i + firstSeed);
  const runs: RunSpec[] = [];
  // Table 1 rows have no variants: one unnamed pass, so their configs and run ids are exactly as before.
  const variants = experiment.variants ?? [null];
  for (const variant of variants) {
    for (const point of product(grids)) {
      for (const seed of seeds) {
        const widthBatch = preset.batchFromWidth
          ? { batch: PAPER_BATCH_TIMES_WIDTH / ({ ...experiment.base, ...variant?.overrides, ...point, ...overrides }.k as number) }
          : {};
        const nominal = {
          ...experiment.base,
          ...variant?.overrides,
          steps: scale.steps,
          batch: scale.batch,
          ...point,
          ...widthBatch,
          ...overrides,
          seed,
        };
        // The rescaling belongs to the preset's step count: `--set steps=...` or `--set decay=...` asks for the
        // paper's decay as given (e.g. "the paper's LR3 protocol, cut short").
        // The focus scale has its own, measured rule (Preset.focus.decayTimes) where it gives one.
        const rescale =
          preset.scaleDecay && overrides.decay === undefined && overrides.steps === undefined && variant?.scaleDecay !== false;
        const times = focused ? preset.focus!.decayTimes : undefined;
        const decay = !rescale
          ? nominal.decay
          : times !== undefined
            ? nominal.decay * times
            : scaledDecay(nominal.decay, nominal.lr, nominal.steps);
        const config = withGbaDefaults(RunConfigSchema.parse({ ...nominal, decay }));
        const label = Object.entries(point).map(([field, value]) => `${field}=${formatValue(value)}`);
        runs.push({
          run_id: [experiment.id, preset.id, ...(variant ? [variant.name] : []), ...label, `seed=${seed}`].join("_"),
          experiment: experiment.id,
          preset: preset.id,
          decay_nominal: nominal.decay,
          ...(variant ? { variant: variant.name } : {}),
          config,
        });
      }
    }
  }
  if (Object.keys(overrides).some((key) => key !== "seed")) {
    // A run with overrides is a different run: make its id say so, so it never collides with the plain sweep's.
    const tag = Object.entries(overrides)
      .filter(([key]) => key !== "seed")
      .map(([key, value]) => `${key}=${value}`)
      .join(",");
    for (const run of runs) run.run_id += `_set(${tag})`;
  }
  return runs;
}

/** Every run of the named experiments ("all": Table 1's), in order. REGIME1, the batch ladder, expands its own rungs. */
export function expandExperiments(ids: string[] | "all", options: SweepOptions = {}): RunSpec[] {
  if (ids === "all") return EXPERIMENTS.flatMap((e) => expandExperiment(e, options));
  return ids.flatMap((id) => {
    if (id === REGIME1_ID) return expandRegime1(options);
    const found = findExperiment(id);
    if (!found) throw new Error(`unknown experiment "${id}" (known: ${EXPERIMENTS.map((e) => e.id).join(", ")}, GBA1, ${REGIME1_ID})`);
    return expandExperiment(found, options);
  });
}

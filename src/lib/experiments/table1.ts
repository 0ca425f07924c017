/**
 * The paper's Table 1: 21 experiments, N = 512 features embedded in m = 64 dimensions in every row. Each row fixes
 * a base config and sweeps one knob (B3-GeLU sweeps two). Grids the paper states: learning rate and k. The others
 * are not known and are chosen here (see GRIDS).
 */
import type { RunConfig } from "../protocol/config.js";

export type SweptField = "lr" | "init_bias" | "eps" | "k" | "l1" | "decay";

/** The protocol fields an experiment fixes; batch, steps and seed come from the preset. */
export type ExperimentBase = Omit<RunConfig, "batch" | "steps" | "seed">;

export interface Experiment {
  id: string;
  title: string;
  base: ExperimentBase;
  /** Swept fields and their values; runs are the Cartesian product. */
  sweep: Partial<Record<SweptField, readonly number[]>>;
  /**
   * Named config overrides (beyond the paper: experiments that compare recipes, e.g. GBA1). Runs are the product of
   * variants, swept grid and seeds; a variant's name goes into the run id. Table 1 rows have none.
   */
  variants?: readonly ExperimentVariant[];
  /** Minimum number of seeds, whatever the preset's (e.g. 3 for experiments that report a spread). */
  minSeeds?: number;
}

export interface ExperimentVariant {
  /** Short id, letters, digits, '-' and '.' only (it is part of the run id). */
  name: string;
  overrides: Partial<ExperimentBase>;
  /** false: train with the variant's decay as given, even when the preset rescales decays (see Preset.scaleDecay). */
  scaleDecay?: boolean;
}

export const GRIDS = {
  /** The paper's learning rates. */
  lr: [0.001, 0.003, 0.005, 0.007, 0.01, 0.03],
  /** Unknown in the paper: -2 to 1, denser where the notes expect the optimum (moderately negative). */
  init_bias: [-2, -1.5, -1, -0.75, -0.5, -0.25, 0, 0.5, 1],
  /** Unknown in the paper: 2^-1 ... 2^-8. */
  eps: [1 / 2, 1 / 4, 1 / 8, 1 / 16, 1 / 32, 1 / 64, 1 / 128, 1 / 256],
  /** The paper's widths: 16 ... 2048 in powers of two. */
  k: [16, 32, 64, 128, 256, 512, 1024, 2048],
  /** Unknown in the paper: 1e-7 ... 1e-1, log-spaced, plus 0 as the reference. */
  l1: [0, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1],
  /** Unknown in the paper: 1e-7 ... 1e-1, log-spaced, plus 0. */
  decay: [0, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 3e-2, 1e-1],
} as const satisfies Record<SweptField, readonly number[]>;

const WORLD = { n_features: 512, m: 64 } as const;

interface Row {
  id: string;
  title: string;
  task: RunConfig["task"];
  activation: RunConfig["activation"];
  sampler: RunConfig["sampler"];
  k: number | "swept";
  eps: number | "swept";
  lr: number | "swept";
  decay: number | "swept";
  init_bias: number | "swept";
  l1: number | "swept";
}

/** Placeholder for a swept field in the base config; replaced by each grid value. */
const SWEPT_PLACEHOLDER = { k: 1024, eps: 1 / 64, lr: 0.003, decay: 0, init_bias: 0, l1: 0 };

// prettier-ignore
const ROWS: Row[] = [
  { id: "LR1", title: "Learning rate, no engineering", task: "decoder", activation: "relu", sampler: "equal", k: 1024, eps: 1 / 64, lr: "swept", decay: 0, init_bias: 0, l1: 0 },
  { id: "LR2", title: "Learning rate, power-law features", task: "decoder", activation: "relu", sampler: "power_law", k: 1024, eps: 1 / 64, lr: "swept", decay: 0, init_bias: 0, l1: 0 },
  { id: "LR3", title: "Learning rate, engineered bias", task: "decoder", activation: "relu", sampler: "equal", k: 1024, eps: 1 / 64, lr: "swept", decay: 0.03, init_bias: -1, l1: 0 },
  { id: "LR4", title: "Learning rate, engineered bias, power law", task: "decoder", activation: "relu", sampler: "power_law", k: 1024, eps: 1 / 64, lr: "swept", decay: 0.03, init_bias: -1, l1: 0 },
  { id: "LR5", title: "Learning rate, absolute-value task", task: "abs", activation: "relu", sampler: "equal", k: 2048, eps: 1 / 64, lr: "swept", decay: 0.03, init_bias: -1, l1: 0 },
  { id: "B1", title: "Initial bias at eps = 1/16", task: "decoder", activation: "relu", sampler: "equal", k: 1024, eps: 1 / 16, lr: 0.003, decay: 0.03, init_bias: "swept", l1: 0 },
  { id: "B2", title: "Initial bias at eps = 1/32", task: "decoder", activation: "relu", sampler: "equal", k: 1024, eps: 1 / 32, lr: 0.003, decay: 0.003, init_bias: "swept", l1: 0 },
  { id: "B3", title: "Initial bias at eps = 1/64", task: "decoder", activation: "relu", sampler: "equal", k: 1024, eps: 1 / 64, lr: 0.003, decay: 0.003, init_bias: "swept", l1: 0 },
  { id: "B4", title: "Initial bias at eps = 1/128", task: "decoder", activation: "relu", sampler: "equal", k: 1024, eps: 1 / 128, lr: 0.003, decay: 0.003, init_bias: "swept", l1: 0 },
  { id: "B5", title: "Initial bias at eps = 1/256", task: "decoder", activation: "relu", sampler: "equal", k: 1024, eps: 1 / 256, lr: 0.003, decay: 0.003, init_bias: "swept", l1: 0 },
  { id: "B3-GeLU", title: "Learning rate and initial bias, GeLU", task: "decoder", activation: "gelu", sampler: "equal", k: 1024, eps: 1 / 64, lr: "swept", decay: 0.03, init_bias: "swept", l1: 0 },
  { id: "E1", title: "Sparsity at decay 0.03", task: "decoder", activation: "relu", sampler: "equal", k: 1024, eps: "swept", lr: 0.003, decay: 0.03, init_bias: -1, l1: 0 },
  { id: "E2", title: "Sparsity at decay 0.01", task: "decoder", activation: "relu", sampler: "equal", k: 1024, eps: "swept", lr: 0.003, decay: 0.01, init_bias: -1, l1: 0 },
  { id: "E3", title: "Sparsity at decay 0.003", task: "decoder", activation: "relu", sampler: "equal", k: 1024, eps: "swept", lr: 0.003, decay: 0.003, init_bias: -1, l1: 0 },
  { id: "E4", title: "Sparsity at decay 0.001", task: "decoder", activation: "relu", sampler: "equal", k: 1024, eps: "swept", lr: 0.003, decay: 0.001, init_bias: -1, l1: 0 },
  { id: "K0", title: "Width, no engineering", task: "decoder", activation: "relu", sampler: "equal", k: "swept", eps: 1 / 64, lr: 0.007, decay: 0, init_bias: 0, l1: 0 },
  { id: "K1", title: "Width, engineered bias", task: "decoder", activation: "relu", sampler: "equal", k: "swept", eps: 1 / 64, lr: 0.007, decay: 0.03, init_bias: -1, l1: 0 },
  { id: "K2", title: "Width, engineered bias, power law", task: "decoder", activation: "relu", sampler: "power_law", k: "swept", eps: 1 / 64, lr: 0.007, decay: 0.03, init_bias: -1, l1: 0 },
  { id: "RG1", title: "L1 penalty on activations", task: "decoder", activation: "relu", sampler: "equal", k: 1024, eps: 1 / 64, lr: 0.005, decay: 0.03, init_bias: -1, l1: "swept" },
  { id: "RP1", title: "Learning rate, random re-projector", task: "reprojector", activation: "relu", sampler: "equal", k: 1024, eps: 1 / 64, lr: "swept", decay: 0.03, init_bias: -1, l1: 0 },
  { id: "D1", title: "Bias decay, absolute-value task", task: "abs", activation: "relu", sampler: "equal", k: 2048, eps: 1 / 64, lr: 0.007, decay: "swept", init_bias: -1, l1: 0 },
];

const SWEPT_FIELDS: SweptField[] = ["lr", "init_bias", "eps", "k", "l1", "decay"];

function toExperiment(row: Row): Experiment {
  const sweep: Experiment["sweep"] = {};
  const base = { ...WORLD, task: row.task, activation: row.activation, sampler: row.sampler } as ExperimentBase;
  for (const field of SWEPT_FIELDS) {
    const value = row[field];
    if (value === "swept") {
      sweep[field] = GRIDS[field];
      base[field] = SWEPT_PLACEHOLDER[field];
    } else base[field] = value;
  }
  return { id: row.id, title: row.title, base, sweep };
}

export const EXPERIMENTS: readonly Experiment[] = ROWS.map(toExperiment);

export function experimentById(id: string): Experiment | undefined {
  return EXPERIMENTS.find((e) => e.id === id);
}

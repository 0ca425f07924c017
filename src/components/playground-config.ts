/**
 * The playground's config: defaults, the URL form (parsed with every value checked, and encoded), and the nearest
 * Table 1 row. Pure, so it is unit-tested in Node.
 */
import { ACTIVATIONS, SAMPLERS, TASKS, type RunConfig } from "../lib/protocol/config.js";
import { EXPERIMENTS, type Experiment } from "../lib/experiments/table1.js";

export type Field = Exclude<keyof RunConfig, "n_features" | "m" | "bias_rule" | "metric_form" | `gba_${string}`>;
/** A small config that trains in a few seconds and learns something (LR1-like: no engineered bias; measured: with
 * init_bias -1 and decay 0.03 every neuron dies within 2048 steps at k = 256): k = 256, batch 16, 2048 steps. */
export const DEFAULTS: Pick<RunConfig, Field> = {
  task: "decoder",
  activation: "relu",
  sampler: "equal",
  k: 256,
  eps: 1 / 64,
  lr: 0.01,
  init_bias: 0,
  decay: 0,
  l1: 0,
  batch: 16,
  steps: 2048,
  seed: 1,
};
export const CHOICES: Partial<Record<Field, readonly string[]>> = { task: TASKS, activation: ACTIVATIONS, sampler: SAMPLERS };
const INTEGER: Field[] = ["k", "batch", "steps", "seed"];
/** Limits that keep a tab alive (the wasm engine allocates k × N single-feature activations per snapshot). */
const LIMITS: Partial<Record<Field, [number, number]>> = {
  k: [1, 4096],
  batch: [1, 8192],
  steps: [1, 1 << 20],
  seed: [0, 0xffffffff],
  eps: [1e-6, 1],
  lr: [1e-7, 1],
  l1: [0, 10],
  decay: [0, 1e3],
  init_bias: [-10, 10],
};
/** Runs estimated at or below this many seconds retrain by themselves. */
export const AUTO_MAX_S = 8;

/** The config in a URL query, every value checked; bad values fall back to the default, with a notice. */
export function parseConfig(search: string): { config: RunConfig; notices: string[] } {
  const params = new URLSearchParams(search);
  const config: Record<string, unknown> = { ...DEFAULTS, n_features: 512, m: 64 };
  const notices: string[] = [];
  for (const field of Object.keys(DEFAULTS) as Field[]) {
    const raw = params.get(field);
    if (raw === null) continue;
    const choices = CHOICES[field];
    if (choices) {
      if (choices.includes(raw)) config[field] = raw;
      else notices.push(`${field} = ${raw} is not one of ${choices.join(", ")}`);
      continue;
    }
    const value = Number(raw);
    const [lo, hi] = LIMITS[field] ?? [-Infinity, Infinity];
    if (!Number.isFinite(value) || value < lo || value > hi || (INTEGER.includes(field) && !Number.isInteger(value)))
      notices.push(`${field} = ${raw} must be ${INTEGER.includes(field) ? "an integer" : "a number"} in [${lo}, ${hi}]`);
    else config[field] = value;
  }
  if ((config.decay as number) * (config.lr as number) >= 1) {
    notices.push("decay × lr must be below 1");
    config.decay = DEFAULTS.decay;
  }
  return { config: config as RunConfig, notices };
}

export function encodeConfig(config: RunConfig): string {
  return "?" + new URLSearchParams((Object.keys(DEFAULTS) as Field[]).map((f) => [f, String(config[f])])).toString();
}

const distance = (a: number, b: number) => Math.abs(Math.log2((Math.abs(a) + 1e-4) / (Math.abs(b) + 1e-4)));

/** The Table 1 row closest to a config: same task, activation and sampler first, then the nearest fixed values
 * (a swept field counts as matched anywhere inside its grid). */
export function nearestRow(config: RunConfig): Experiment {
  let best = EXPERIMENTS[0];
  let bestScore = Infinity;
  for (const e of EXPERIMENTS) {
    let score = 0;
    for (const f of ["task", "activation", "sampler"] as const) if (e.base[f] !== config[f]) score += 100;
    for (const f of ["k", "eps", "lr", "decay", "l1"] as const) {
      const grid = e.sweep[f];
      if (grid)
        score +=
          config[f] >= Math.min(...grid) && config[f] <= Math.max(...grid)
            ? 0
            : distance(config[f], config[f] < Math.min(...grid) ? Math.min(...grid) : Math.max(...grid));
      else score += distance(config[f], e.base[f]);
    }
    const g = e.sweep.init_bias;
    score += g
      ? config.init_bias >= Math.min(...g) && config.init_bias <= Math.max(...g)
        ? 0
        : 1
      : Math.abs(config.init_bias - e.base.init_bias);
    if (score < bestScore) [best, bestScore] = [e, score];
  }
  return best;
}

/** Which of the paper's claims speaks about a Table 1 row (rows the paper shows only in figures have none). */
export const CLAIM_OF: Record<string, number> = {
  LR1: 1,
  LR3: 3,
  B1: 4,
  B2: 4,
  B3: 4,
  B4: 4,
  B5: 4,
  K0: 5,
  K1: 5,
  K2: 5,
  LR2: 6,
  LR4: 6,
  LR5: 6,
  RP1: 6,
  D1: 6,
  RG1: 7,
};

// REGIME1, the batch ladder (beyond the paper, not a Table 1 row): LR1 and LR3 over batches, (a) at a fixed noise
// scale lr / sqrt(batch), i.e. a paper-batch rate carried to each batch, and (b) at one fixed lr, to tell the effect
// of the noise scale from that of the lr. Every rung trains for the same lr x steps: under LAMB each step moves a
// tensor by about lr times its norm whatever the batch, so equal lr x steps is equal progress (and, with Table 1's
// per-step decay, equal total bias decay). Rungs then differ only in batch and noise, and their cost in samples.
// Batch is not a Table 1 sweep field, so the ladder is expanded here (through expandExperiment, so seeds and configs
// are built as everywhere).
import { PAPER_BATCH } from "../runner/record.js";
import { REGIME1_ID } from "./beyond.js";
import type { Preset } from "./presets.js";
import { expandExperiment, type RunSpec, type SweepOptions } from "./sweep.js";
import { experimentById, type Experiment } from "./table1.js";

export { REGIME1_ID };

/** One recipe's rungs: every batch at each paper-batch rate's noise scale, and (when set) at one fixed lr. */
export interface Regime1Leg {
  recipe: "LR1" | "LR3";
  paperLrs: readonly number[];
  fixedLr?: number;
  batches: readonly number[];
}

export interface Regime1Scale {
  legs: readonly Regime1Leg[];
  /** lr x steps of every rung: steps = round(lrSteps / lr). */
  lrSteps: number;
  /** Seeds 1..seeds (the shipped reference runs use seed 1, so rung and reference start from the same weights). */
  seeds: number;
}

/**
 * The lr x steps of the shipped reference run reference/lr3-lr0.015-s8192 (LR3, lr 0.015 = paper_lr 0.03 at batch
 * 2048, 8192 steps), which reaches the paper's loss and mono/features: the ladder's top rung, shipped.
 */
export const REGIME1_LR_STEPS = 0.015 * 8192;

/** The full ladder: both recipes, paper rates 0.01 and 0.03 and fixed lr 0.01, batches 16 to 2048. */
export const REGIME1_FULL: Regime1Scale = {
  legs: (["LR1", "LR3"] as const).map((recipe) => ({ recipe, paperLrs: [0.01, 0.03], fixedLr: 0.01, batches: [16, 64, 256, 1024, 2048] })),
  lrSteps: REGIME1_LR_STEPS,
  seeds: 1,
};

/**
 * The ladder each preset trains. `quick` (the default build) keeps what fits its 30 minutes: LR3 at paper_lr 0.03
 * and at lr 0.01 over batches 16 to 256 (about 5 core-minutes), and LR1 at paper_lr 0.03 at batch 16 (about 2);
 * the batch-2048 rungs are the shipped reference runs. `smoke` checks the chain in seconds.
 */
export const REGIME1_SCALES: Record<Preset["id"], Regime1Scale> = {
  smoke: { legs: [{ recipe: "LR3", paperLrs: [0.03], fixedLr: 0.01, batches: [16, 64] }], lrSteps: 0.5, seeds: 1 },
  quick: {
    legs: [
      { recipe: "LR3", paperLrs: [0.03], fixedLr: 0.01, batches: [16, 64, 256] },
      { recipe: "LR1", paperLrs: [0.03], batches: [16] },
    ],
    lrSteps: REGIME1_LR_STEPS,
    seeds: 1,
  },
  converged: REGIME1_FULL,
  paper: REGIME1_FULL,
};

export interface Regime1Rung {
  variant: string;
  recipe: "LR1" | "LR3";
  batch: number;
  lr: number;
  steps: number;
  /** The paper-batch rate whose noise scale the rung keeps; null on fixed-lr rungs. */
  paperLr: number | null;
}

const short = (x: number) => String(+x.toPrecision(4));

/** The rung's length: equal lr x steps on every rung, at least 64 steps. */
export const rungSteps = (lr: number, lrSteps: number) => Math.max(64, Math.round(lrSteps / lr));

/** Every rung of a ladder, in a stable order: leg, then mode (paper rates, then fixed lr), then batch. */
export function regime1Rungs(scale: Regime1Scale): Regime1Rung[] {
  const rungs: Regime1Rung[] = [];
  const rung = (recipe: Regime1Leg["recipe"], name: string, batch: number, lr: number, paperLr: number | null) =>
    rungs.push({ variant: `${recipe}-${name}-b${batch}`, recipe, batch, lr, steps: rungSteps(lr, scale.lrSteps), paperLr });
  for (const leg of scale.legs) {
    for (const paperLr of leg.paperLrs)
      for (const batch of leg.batches) rung(leg.recipe, `paper${short(paperLr)}`, batch, paperLr * Math.sqrt(batch / PAPER_BATCH), paperLr);
    if (leg.fixedLr !== undefined) for (const batch of leg.batches) rung(leg.recipe, `lr${short(leg.fixedLr)}`, batch, leg.fixedLr, null);
  }
  return rungs;
}

/** The ladder's runs under a preset. lr, batch and steps are the ladder's own and cannot be set. */
export function expandRegime1(options: SweepOptions = {}, scale: Regime1Scale = REGIME1_SCALES[options.preset ?? "quick"]): RunSpec[] {
  const overrides = options.overrides ?? {};
  for (const field of ["lr", "batch", "steps"] as const)
    if (overrides[field] !== undefined)
      throw new Error(`${REGIME1_ID} sets ${field} per rung of its ladder: no --set ${field}=... with it`);
  const tag = Object.entries(overrides)
    .filter(([key]) => key !== "seed")
    .map(([key, value]) => `${key}=${value}`)
    .join(",");
  return regime1Rungs(scale).flatMap((rung) => {
    const recipe = experimentById(rung.recipe)!;
    const experiment: Experiment = {
      ...recipe,
      id: REGIME1_ID,
      title: "Batch ladder",
      sweep: {},
      variants: [{ name: rung.variant, overrides: {} }],
    };
    // Setting steps keeps Table 1's per-step decay as given (no rescaling), as in the reference runs.
    const specs = expandExperiment(experiment, {
      ...options,
      seeds: options.seeds ?? scale.seeds,
      overrides: { ...overrides, lr: rung.lr, batch: rung.batch, steps: rung.steps },
    });
    return specs.map((spec) => ({
      ...spec,
      run_id: `${REGIME1_ID}_${spec.preset}_${rung.variant}_seed=${spec.config.seed}${tag ? `_set(${tag})` : ""}`,
    }));
  });
}

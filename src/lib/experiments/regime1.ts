// REGIME1, the batch ladder (beyond the paper, not a Table 1 row): LR1 and LR3 over batches 16 ... 2048, (a) at a
// fixed noise scale lr / sqrt(batch), i.e. the paper-batch rates 0.01 and 0.03 carried to each batch, and (b) at one
// fixed lr, to tell the effect of the noise scale from that of the lr. Batch is not a Table 1 sweep field, so the
// ladder is expanded here (through expandExperiment, so presets, decay rescaling and seeds work as everywhere).
import { PAPER_BATCH } from "../runner/record.js";
import { expandExperiment, type RunSpec, type SweepOptions } from "./sweep.js";
import { REGIME1_ID } from "./beyond.js";
import { experimentById, type Experiment } from "./table1.js";

export { REGIME1_ID };
/** The full ladder. */
export const REGIME1_BATCHES = [16, 64, 256, 1024, 2048] as const;
/** (a): paper-batch learning rates whose noise scale each rung keeps. */
export const REGIME1_PAPER_LRS = [0.01, 0.03] as const;
/** (b): the one lr every rung trains at. */
export const REGIME1_FIXED_LR = 0.01;

export interface Regime1Rung {
  variant: string;
  recipe: "LR1" | "LR3";
  batch: number;
  lr: number;
}

const short = (x: number) => String(+x.toPrecision(4));

/** Every rung of the ladder, in a stable order: recipe, then mode, then batch. */
export function regime1Rungs(batches: readonly number[] = REGIME1_BATCHES): Regime1Rung[] {
  const rungs: Regime1Rung[] = [];
  for (const recipe of ["LR1", "LR3"] as const) {
    for (const paperLr of REGIME1_PAPER_LRS)
      for (const batch of batches)
        rungs.push({ variant: `${recipe}-paper${short(paperLr)}-b${batch}`, recipe, batch, lr: paperLr * Math.sqrt(batch / PAPER_BATCH) });
    for (const batch of batches)
      rungs.push({ variant: `${recipe}-lr${short(REGIME1_FIXED_LR)}-b${batch}`, recipe, batch, lr: REGIME1_FIXED_LR });
  }
  return rungs;
}

/** The ladder's runs under a preset (its steps and seeds). lr and batch are the ladder's own and cannot be set. */
export function expandRegime1(options: SweepOptions = {}, batches: readonly number[] = REGIME1_BATCHES): RunSpec[] {
  const overrides = options.overrides ?? {};
  for (const field of ["lr", "batch"] as const)
    if (overrides[field] !== undefined)
      throw new Error(`${REGIME1_ID} sets ${field} per rung of its ladder: no --set ${field}=... with it`);
  const tag = Object.entries(overrides)
    .filter(([key]) => key !== "seed")
    .map(([key, value]) => `${key}=${value}`)
    .join(",");
  return regime1Rungs(batches).flatMap((rung) => {
    const recipe = experimentById(rung.recipe)!;
    const experiment: Experiment = {
      ...recipe,
      id: REGIME1_ID,
      title: "Batch ladder",
      sweep: {},
      variants: [{ name: rung.variant, overrides: {} }],
    };
    // The rung's batch and lr go in as the base-level choice; the run id is the ladder's, plus any user --set.
    const specs = expandExperiment(experiment, { ...options, overrides: { ...overrides, lr: rung.lr, batch: rung.batch } });
    return specs.map((spec) => ({
      ...spec,
      run_id: `${REGIME1_ID}_${spec.preset}_${rung.variant}_seed=${spec.config.seed}${tag ? `_set(${tag})` : ""}`,
    }));
  });
}

/**
 * Presets set the scale of a sweep: steps, batch, seeds and, for short runs, how the bias decay is rescaled.
 * `paper` is the exact protocol. The others are labelled departures from it, made to fit a laptop.
 */
export const PAPER_STEPS = 2 ** 17;

export interface Preset {
  id: "smoke" | "quick" | "paper";
  description: string;
  steps: number;
  batch: number;
  /** Seeds per run (seeds 1..n). */
  seeds: number;
  /**
   * When true, the per-step bias-decay factor (1 - decay*lr) is raised to the power PAPER_STEPS / steps, so that the
   * total decay over the first half of training equals the paper's. Without it, a short run barely moves its biases
   * and the decay experiments measure nothing. The effective decay is what the run records as `decay`.
   */
  scaleDecay: boolean;
  /** Keep every n-th value of each swept grid (1 = the full grid), to make a whole sweep fit in the preset's budget. */
  gridStride: number;
  /**
   * Experiments that get their full grids and more seeds than the rest: the ones behind the claims the preset must
   * reproduce with confidence intervals (claims 1, 3 and 5: LR1, LR3, K0, K1).
   */
  focus?: { experiments: readonly string[]; seeds: number };
  /** Per-experiment grid strides that override gridStride (B3-GeLU sweeps two knobs and GeLU is never sparse). */
  strideFor?: Readonly<Record<string, number>>;
}

export const PRESETS: Record<Preset["id"], Preset> = {
  smoke: {
    id: "smoke",
    description: "Seconds per experiment: checks the whole chain (tests, CI). Numbers are meaningless.",
    steps: 64,
    batch: 64,
    seeds: 1,
    scaleDecay: true,
    gridStride: 2,
  },
  quick: {
    id: "quick",
    description:
      "The site's default: every experiment, 2048 steps of batch 256, decay rescaled to the paper's total; full grids and 3 seeds for LR1, LR3, K0 and K1, every other grid value and 1 seed elsewhere.",
    steps: 2048,
    batch: 256,
    seeds: 1,
    scaleDecay: true,
    gridStride: 2,
    focus: { experiments: ["LR1", "LR3", "K0", "K1"], seeds: 3 },
    strideFor: { "B3-GeLU": 3 },
  },
  paper: {
    id: "paper",
    description: "The paper's protocol exactly: batch 8192, 2^17 steps, full grids.",
    steps: PAPER_STEPS,
    batch: 8192,
    seeds: 1,
    scaleDecay: false,
    gridStride: 1,
  },
};

export const PRESET_IDS = Object.keys(PRESETS) as Preset["id"][];

/** The decay that gives, over `steps`, the same total first-half decay as `decay` over the paper's 2^17 steps. */
export function scaledDecay(decay: number, lr: number, steps: number): number {
  if (decay === 0) return 0;
  const perStep = (1 - decay * lr) ** (PAPER_STEPS / steps);
  return (1 - perStep) / lr;
}

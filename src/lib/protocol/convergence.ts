/**
 * When is a run converged? The loss rule: the task loss improved by less than 2% over the last quarter of training.
 * Read two-sided: a loss that rose by 2% or more over the last quarter (a run going unstable, as LR1 at lr 0.03 does
 * with batch 16) is not converged either. Both ends are averages over 1/32 of the steps (as final_loss is), so one
 * noisy batch cannot decide it.
 */
export const CONVERGED_BELOW = 0.02;

/** Relative improvement of the loss from 3/4 of the run to its end: (L(3/4) - L(end)) / L(3/4). NaN when the log
 * does not reach both windows (a diverged or very short run). */
export function lastQuarterImprovement(lossLog: { step: number; loss: number }[], steps: number): number {
  const window = Math.max(1, Math.floor(steps / 32));
  const mean = (from: number, to: number) => {
    const inside = lossLog.filter((l) => l.step > from && l.step <= to);
    return inside.length === 0 ? Number.NaN : inside.reduce((sum, l) => sum + l.loss, 0) / inside.length;
  };
  const threeQuarters = Math.round((3 * steps) / 4);
  const before = mean(threeQuarters - window, threeQuarters);
  const after = mean(steps - window, steps);
  return (before - after) / before;
}

export function isConverged(improvement: number): boolean {
  return Number.isFinite(improvement) && Math.abs(improvement) < CONVERGED_BELOW;
}

/**
 * The stricter rule the verdicts use: a flat loss is not enough, because a run can keep losing neurons at a flat loss
 * (LR1 at lr 0.007, batch 8: 193 more neurons died from 49152 to 65536 steps while the loss moved from 1.033 to
 * 1.031). So the monosemantic and the dead-on-data counts must also have settled over the last quarter: each moved by
 * at most COUNTS_STABLE_WITHIN of the neurons (k) between 3/4 of the run and its end.
 */
export const COUNTS_STABLE_WITHIN = 0.02;

export interface QuarterCounts {
  mono_neurons: number;
  dead_on_data: number;
}

export function countsStable(atThreeQuarters: QuarterCounts | undefined, atEnd: QuarterCounts, k: number): boolean {
  if (!atThreeQuarters) return false;
  const allowed = COUNTS_STABLE_WITHIN * k;
  return (
    Math.abs(atEnd.mono_neurons - atThreeQuarters.mono_neurons) <= allowed &&
    Math.abs(atEnd.dead_on_data - atThreeQuarters.dead_on_data) <= allowed
  );
}

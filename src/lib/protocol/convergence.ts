/**
 * When is a run converged? Issue 3's rule: the task loss improved by less than 2% over the last quarter of training.
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

/** The paper's learning-rate schedule: PyTorch's CosineAnnealingLR with T_max = 512, eta_min = 0, stepped every step
 * and never restarted, so it oscillates with period 1024 steps. Step t (0-based) trains at this rate. */
export const COSINE_T_MAX = 512;

export function learningRate(baseLr: number, step: number, tMax = COSINE_T_MAX): number {
  return (baseLr * (1 + Math.cos((Math.PI * step) / tMax))) / 2;
}

/** Bias decay after optimiser step t: every first-layer bias is multiplied by this factor. It uses the BASE learning
 * rate and applies only in the first half of training (t < steps / 2); afterwards the factor is 1. */
export function biasDecayFactor(decay: number, baseLr: number, step: number, totalSteps: number): number {
  return step < totalSteps / 2 ? 1 - decay * baseLr : 1;
}

/** Steps after which a snapshot is taken: 1, 2, 4, ... up to the total, plus the last step if it is not a power of 2. */
export function snapshotSteps(totalSteps: number): number[] {
  const steps: number[] = [];
  for (let s = 1; s <= totalSteps; s *= 2) steps.push(s);
  if (steps[steps.length - 1] !== totalSteps) steps.push(totalSteps);
  return steps;
}

/** Task loss is logged every this many steps (after steps 16, 32, ...; counted from 1). */
export const LOSS_LOG_EVERY = 16;

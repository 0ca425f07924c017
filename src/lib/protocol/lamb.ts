/**
 * LAMB as the authors ran it (the cybertronai pytorch-lamb port): Adam moments with betas (0.9, 0.999), NO bias
 * correction, epsilon 1e-6 added to sqrt(v), no weight decay, and a per-tensor trust ratio
 * min(||w||, 10) / ||adam_step|| (1 when either norm is 0). This plain version is the specification that every
 * engine's fused or tensor version is tested against.
 */
export const LAMB = { beta1: 0.9, beta2: 0.999, epsilon: 1e-6, maxWeightNorm: 10 } as const;

export interface LambState {
  m: Float32Array;
  v: Float32Array;
}

export function lambState(size: number): LambState {
  return { m: new Float32Array(size), v: new Float32Array(size) };
}

/** Trust ratio from the two norms, with the paper's clamp and zero rule. */
export function trustRatio(weightNorm: number, stepNorm: number): number {
  const clamped = Math.min(weightNorm, LAMB.maxWeightNorm);
  return clamped === 0 || stepNorm === 0 ? 1 : clamped / stepNorm;
}

/** One LAMB update of one tensor, in place. Returns the trust ratio used. */
export function lambUpdate(weights: Float32Array, grad: Float32Array, state: LambState, lr: number): number {
  const { beta1, beta2, epsilon } = LAMB;
  const step = new Float64Array(weights.length);
  let weightSq = 0;
  let stepSq = 0;
  for (let i = 0; i < weights.length; i++) {
    state.m[i] = beta1 * state.m[i] + (1 - beta1) * grad[i];
    state.v[i] = beta2 * state.v[i] + (1 - beta2) * grad[i] * grad[i];
    step[i] = state.m[i] / (Math.sqrt(state.v[i]) + epsilon);
    weightSq += weights[i] * weights[i];
    stepSq += step[i] * step[i];
  }
  const trust = trustRatio(Math.sqrt(weightSq), Math.sqrt(stepSq));
  for (let i = 0; i < weights.length; i++) weights[i] -= lr * trust * step[i];
  return trust;
}

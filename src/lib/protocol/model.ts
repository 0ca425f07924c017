/**
 * The model's loss and gradients in plain loops: the specification every engine is tested against, slow but
 * obviously right. Loss = sum over batch and outputs of squared error / batch; the optional L1 term adds
 * l1 * sum|h| / batch to the objective (its gradient) but not to the reported task loss.
 */
import type { Activation } from "./config.js";
import { activationFunctions } from "./activations.js";
import type { Params } from "./params.js";
import type { SparseBatch } from "./samplers.js";
import { embed } from "./world.js";

export interface Gradients {
  w1: Float64Array;
  b: Float64Array;
  w2: Float64Array;
}

export interface LossAndGradients {
  /** Task loss (what is logged). */
  loss: number;
  /** What is minimised: task loss plus the L1 term. */
  objective: number;
  grads: Gradients;
}

export function referenceLossAndGradients(
  params: Params,
  batch: SparseBatch,
  target: Float32Array,
  embedder: Float32Array,
  activation: Activation,
  l1: number,
): LossAndGradients {
  const { k, m, outDim, w1, b, w2 } = params;
  const { f, df } = activationFunctions[activation];
  const x = embed(batch, embedder, m);
  const grads: Gradients = { w1: new Float64Array(k * m), b: new Float64Array(k), w2: new Float64Array(outDim * k) };
  const pre = new Float64Array(k);
  const h = new Float64Array(k);
  const dh = new Float64Array(k);
  let loss = 0;
  let activity = 0;
  for (let s = 0; s < batch.size; s++) {
    for (let j = 0; j < k; j++) {
      let z = b[j];
      for (let d = 0; d < m; d++) z += w1[j * m + d] * x[s * m + d];
      pre[j] = z;
      h[j] = f(z);
      activity += Math.abs(h[j]);
    }
    dh.fill(0);
    for (let o = 0; o < outDim; o++) {
      let y = 0;
      for (let j = 0; j < k; j++) y += w2[o * k + j] * h[j];
      const diff = y - target[s * outDim + o];
      loss += diff * diff;
      const dy = (2 * diff) / batch.size;
      for (let j = 0; j < k; j++) {
        grads.w2[o * k + j] += dy * h[j];
        dh[j] += dy * w2[o * k + j];
      }
    }
    for (let j = 0; j < k; j++) {
      const dpre = (dh[j] + (l1 * Math.sign(h[j])) / batch.size) * df(pre[j]);
      grads.b[j] += dpre;
      for (let d = 0; d < m; d++) grads.w1[j * m + d] += dpre * x[s * m + d];
    }
  }
  return { loss: loss / batch.size, objective: (loss + l1 * activity) / batch.size, grads };
}

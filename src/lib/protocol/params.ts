/** The model's trainable tensors (W1, b, W2): their layout, PyTorch's default initialisation with the paper's bias offset, copies. */
import type { RunConfig } from "./config.js";
import { outputDim } from "./config.js";
import type { Rng } from "./rng.js";

/** The model's trainable tensors in PyTorch's layout, row-major: h = act(W1 x + b), y = W2 h. */
export interface Params {
  k: number;
  m: number;
  outDim: number;
  /** k x m */
  w1: Float32Array;
  /** k */
  b: Float32Array;
  /** outDim x k */
  w2: Float32Array;
}

/** PyTorch's nn.Linear default (uniform in +-1/sqrt(fan_in) for weights and bias), then the paper's initial-bias
 * offset added to every bias. Draw order: W1, b, W2. */
export function initParams(config: Pick<RunConfig, "task" | "n_features" | "m" | "k" | "init_bias">, rng: Rng): Params {
  const { m, k } = config;
  const outDim = outputDim(config);
  const bound1 = 1 / Math.sqrt(m);
  const bound2 = 1 / Math.sqrt(k);
  const w1 = Float32Array.from({ length: k * m }, () => rng.uniformIn(-bound1, bound1));
  const b = Float32Array.from({ length: k }, () => rng.uniformIn(-bound1, bound1) + config.init_bias);
  const w2 = Float32Array.from({ length: outDim * k }, () => rng.uniformIn(-bound2, bound2));
  return { k, m, outDim, w1, b, w2 };
}

export function cloneParams(p: Params): Params {
  return { ...p, w1: p.w1.slice(), b: p.b.slice(), w2: p.w2.slice() };
}

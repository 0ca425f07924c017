/**
 * Tied-weight sparse autoencoders in plain TypeScript (Float32Array loops, no I/O), for experiment SAE1.
 *
 * Latent l has a unit direction w_l (d), an output scale s_l, an encoder bias c_l; the SAE has a pre-bias p (d):
 *   pre_l = w_l . (x - p) + c_l,   a = sparsify(pre),   x_hat = p + sum_l a_l s_l w_l
 * and minimises ||x_hat - x||^2 (summed over dimensions, mean over the batch) by Adam, with the directions
 * renormalised to unit length after every step. Three rules make the latents sparse:
 * - `gba`: a = ReLU(pre); the encoder biases get NO gradient: every `every` steps they are set by Group Bias
 *   Adaptation (protocol/gba.ts) from the firing statistics of the batches since the last update.
 * - `topk`: a keeps the K largest positive pre-activations of each sample, zero elsewhere; biases trained.
 * - `l1`: a = ReLU(pre), plus lambda * sum_l a_l |s_l| / batch in the objective; biases trained.
 */
import { GBA_DEFAULTS, GbaAccumulator, gbaUpdate, neuronTargets } from "./gba.js";
import { Rng } from "./rng.js";

export const SAE_METHODS = ["gba", "topk", "l1"] as const;
export type SaeMethod = (typeof SAE_METHODS)[number];

export interface SaeOptions {
  d: number;
  latents: number;
  method: SaeMethod;
  /** K for topk, lambda for l1; ignored for gba. */
  param: number;
  lr: number;
  /** Train the pre-bias by gradient (default: all rules but gba; under gba it stays at its initial value, the data
   * mean, because a trained pre-bias shifts every latent's effective bias w_l . p and so undoes the controller). */
  trainPreBias?: boolean;
  /** GBA: steps between bias updates, groups and target range. */
  gbaEvery?: number;
  gbaGroups?: number;
  gbaPHigh?: number;
  gbaPLow?: number;
  gbaGamma?: number;
}

export interface Sae {
  d: number;
  latents: number;
  /** latents x d, unit rows. */
  dirs: Float32Array;
  scale: Float32Array;
  bEnc: Float32Array;
  bPre: Float32Array;
}

/** Random unit directions, unit scales (or 2d/L for ReLU rules, so the initial reconstruction has about the input's
 * size), zero biases, pre-bias = the given mean (e.g. of a probe batch). */
export function initSae(options: Pick<SaeOptions, "d" | "latents" | "method">, rng: Rng, mean?: Float32Array): Sae {
  const { d, latents } = options;
  const dirs = new Float32Array(latents * d);
  for (let i = 0; i < dirs.length; i++) dirs[i] = rng.normal();
  normaliseRows(dirs, latents, d);
  const s0 = options.method === "topk" ? 1 : Math.min(1, (2 * d) / latents);
  return {
    d,
    latents,
    dirs,
    scale: new Float32Array(latents).fill(s0),
    bEnc: new Float32Array(latents),
    bPre: mean ? Float32Array.from(mean) : new Float32Array(d),
  };
}

export function normaliseRows(matrix: Float32Array, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    let norm = 0;
    for (let c = 0; c < cols; c++) norm += matrix[r * cols + c] ** 2;
    norm = Math.sqrt(norm);
    if (norm > 0) for (let c = 0; c < cols; c++) matrix[r * cols + c] /= norm;
  }
}

/** The K-th largest of values[0..n) (K >= 1), by quickselect on a scratch copy. */
function kthLargest(values: Float32Array, n: number, k: number, scratch: Float32Array): number {
  for (let i = 0; i < n; i++) scratch[i] = values[i];
  let lo = 0;
  let hi = n - 1;
  const target = k - 1; // index in descending order
  while (lo < hi) {
    const pivot = scratch[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (scratch[i] > pivot) i++;
      while (scratch[j] < pivot) j--;
      if (i <= j) {
        const t = scratch[i];
        scratch[i] = scratch[j];
        scratch[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else break;
  }
  return scratch[target];
}

/**
 * Encode a batch (size x d, row-major): pre-activations and sparse codes (size x latents). `active` gets, per
 * sample, the indices of its non-zero latents (and `counts` their number), so that decoding and the backward pass
 * touch only those.
 */
export interface Encoded {
  pre: Float32Array;
  codes: Float32Array;
  active: Int32Array;
  counts: Int32Array;
}

/**
 * The two loops that are most of a step, behind an interface so that Node can run them compiled natively
 * (runner/sae-kernels.ts: the same float64 operations in the same order, so the same bits). These are the
 * specification.
 */
export interface SaeKernels {
  /** pre[s * latents + l] = bEnc[l] + sum over c of dirs[l * d + c] * xc[s * d + c] (float64, in order over c). */
  preActivations(
    dirs: Float32Array,
    bEnc: Float32Array,
    xc: Float32Array,
    size: number,
    latents: number,
    d: number,
    pre: Float32Array,
  ): void;
  /** The reconstruction loss summed over the batch, and the gradients added into gDirs, gScale, gEnc and gPre. */
  backward(
    x: Float32Array,
    xhat: Float32Array,
    sae: Sae,
    enc: Encoded,
    size: number,
    lambda: number,
    grads: { dirs: Float32Array; scale: Float32Array; enc: Float32Array; pre: Float32Array },
  ): number;
}

export const plainSaeKernels: SaeKernels = {
  preActivations(dirs, bEnc, xc, size, latents, d, pre) {
    // Four samples per pass over a latent's direction (it is loaded once for four dot products: ~2-3x faster than
    // one sample at a time in V8).
    let s0 = 0;
    for (; s0 + 4 <= size; s0 += 4) {
      const a0 = s0 * d;
      const a1 = a0 + d;
      const a2 = a1 + d;
      const a3 = a2 + d;
      for (let l = 0; l < latents; l++) {
        let z0 = bEnc[l];
        let z1 = z0;
        let z2 = z0;
        let z3 = z0;
        const o = l * d;
        for (let c = 0; c < d; c++) {
          const w = dirs[o + c];
          z0 += w * xc[a0 + c];
          z1 += w * xc[a1 + c];
          z2 += w * xc[a2 + c];
          z3 += w * xc[a3 + c];
        }
        pre[s0 * latents + l] = z0;
        pre[(s0 + 1) * latents + l] = z1;
        pre[(s0 + 2) * latents + l] = z2;
        pre[(s0 + 3) * latents + l] = z3;
      }
    }
    for (; s0 < size; s0++)
      for (let l = 0; l < latents; l++) {
        let z = bEnc[l];
        const o = l * d;
        for (let c = 0; c < d; c++) z += dirs[o + c] * xc[s0 * d + c];
        pre[s0 * latents + l] = z;
      }
  },

  backward(x, xhat, sae, enc, size, lambda, grads) {
    const { d, latents, dirs, scale } = sae;
    const g = new Float32Array(d);
    let loss = 0;
    for (let s = 0; s < size; s++) {
      const o = s * d;
      for (let c = 0; c < d; c++) {
        const diff = xhat[o + c] - x[o + c];
        loss += diff * diff;
        g[c] = (2 * diff) / size;
        grads.pre[c] += g[c];
      }
      for (let e = 0; e < enc.counts[s]; e++) {
        const l = enc.active[s * latents + e];
        const a = enc.codes[s * latents + l];
        const w = l * d;
        let dot = 0;
        for (let c = 0; c < d; c++) dot += dirs[w + c] * g[c];
        const sl = scale[l];
        grads.scale[l] += a * dot + (lambda * a * Math.sign(sl)) / size;
        const dpre = sl * dot + (lambda * Math.abs(sl)) / size;
        grads.enc[l] += dpre;
        const as = a * sl;
        for (let c = 0; c < d; c++) {
          const xc = x[o + c] - sae.bPre[c];
          grads.dirs[w + c] += as * g[c] + dpre * xc;
          grads.pre[c] -= dpre * dirs[w + c];
        }
      }
    }
    return loss;
  },
};

export function encode(
  sae: Sae,
  x: Float32Array,
  size: number,
  method: SaeMethod,
  param: number,
  kernels: SaeKernels = plainSaeKernels,
): Encoded {
  const { d, latents, dirs, bEnc, bPre } = sae;
  const pre = new Float32Array(size * latents);
  const codes = new Float32Array(size * latents);
  const active = new Int32Array(size * latents);
  const counts = new Int32Array(size);
  const scratch = new Float32Array(latents);
  const k = Math.max(1, Math.min(latents, Math.round(param)));
  // Centred inputs, then all pre-activations.
  const xc = new Float32Array(size * d);
  for (let s = 0; s < size; s++) for (let c = 0; c < d; c++) xc[s * d + c] = x[s * d + c] - bPre[c];
  kernels.preActivations(dirs, bEnc, xc, size, latents, d, pre);
  for (let s = 0; s < size; s++) {
    const row = pre.subarray(s * latents, (s + 1) * latents);
    let threshold = 0;
    if (method === "topk") threshold = Math.max(0, kthLargest(row, latents, k, scratch));
    let n = 0;
    const base = s * latents;
    for (let l = 0; l < latents; l++) {
      const z = row[l];
      // topk: ties at the threshold could admit more than K; cap at K.
      if (z > 0 && (method !== "topk" || (z >= threshold && n < k))) {
        codes[base + l] = z;
        active[base + n++] = l;
      }
    }
    counts[s] = n;
  }
  return { pre, codes, active, counts };
}

/** x_hat for a batch from its codes. */
export function decode(sae: Sae, enc: Encoded, size: number): Float32Array {
  const { d, latents, dirs, scale, bPre } = sae;
  const out = new Float32Array(size * d);
  for (let s = 0; s < size; s++) {
    const o = s * d;
    for (let c = 0; c < d; c++) out[o + c] = bPre[c];
    for (let e = 0; e < enc.counts[s]; e++) {
      const l = enc.active[s * latents + e];
      const a = enc.codes[s * latents + l] * scale[l];
      const w = l * d;
      for (let c = 0; c < d; c++) out[o + c] += a * dirs[w + c];
    }
  }
  return out;
}

interface AdamState {
  m: Float32Array;
  v: Float32Array;
}
const adamState = (n: number): AdamState => ({ m: new Float32Array(n), v: new Float32Array(n) });

/** One Adam update (bias-corrected, betas 0.9 / 0.999, eps 1e-8). */
function adam(w: Float32Array, g: Float32Array, st: AdamState, lr: number, t: number): void {
  const b1 = 0.9;
  const b2 = 0.999;
  const c1 = 1 - b1 ** t;
  const c2 = 1 - b2 ** t;
  for (let i = 0; i < w.length; i++) {
    const gi = g[i];
    st.m[i] = b1 * st.m[i] + (1 - b1) * gi;
    st.v[i] = b2 * st.v[i] + (1 - b2) * gi * gi;
    w[i] -= (lr * (st.m[i] / c1)) / (Math.sqrt(st.v[i] / c2) + 1e-8);
  }
}

/** A trainer: owns the SAE, its Adam state and (for gba) the bias controller. */
export class SaeTrainer {
  readonly sae: Sae;
  private readonly states: { dirs: AdamState; scale: AdamState; bEnc: AdamState; bPre: AdamState };
  private t = 0;
  private readonly gba: { acc: GbaAccumulator; targets: Float64Array; groups: number; every: number; gamma: number } | null;

  constructor(
    sae: Sae,
    readonly options: SaeOptions,
    /** Where the step's two hottest loops run (the same bits either way). */
    private readonly kernels: SaeKernels = plainSaeKernels,
  ) {
    this.sae = sae;
    const { d, latents } = sae;
    this.states = { dirs: adamState(latents * d), scale: adamState(latents), bEnc: adamState(latents), bPre: adamState(d) };
    if (options.method === "gba") {
      const groups = options.gbaGroups ?? GBA_DEFAULTS.groups;
      this.gba = {
        acc: new GbaAccumulator(latents),
        targets: neuronTargets(latents, {
          groups,
          pHigh: options.gbaPHigh ?? GBA_DEFAULTS.pHigh,
          pLow: options.gbaPLow ?? GBA_DEFAULTS.pLow,
        }),
        groups,
        every: options.gbaEvery ?? 10,
        gamma: options.gbaGamma ?? GBA_DEFAULTS.gammaMinus,
      };
    } else this.gba = null;
  }

  /** One Adam step on a batch (size x d). Returns the reconstruction loss (sum over d, mean over the batch). */
  step(x: Float32Array, size: number): number {
    const { sae, options } = this;
    const { d, latents } = sae;
    const enc = encode(sae, x, size, options.method, options.param, this.kernels);
    const xhat = decode(sae, enc, size);
    const gDirs = new Float32Array(latents * d);
    const gScale = new Float32Array(latents);
    const gEnc = new Float32Array(latents);
    const gPre = new Float32Array(d);
    const lambda = options.method === "l1" ? options.param : 0;
    const loss = this.kernels.backward(x, xhat, sae, enc, size, lambda, { dirs: gDirs, scale: gScale, enc: gEnc, pre: gPre });
    if (this.gba) for (let s = 0; s < size; s++) this.gba.acc.add(enc.pre, s * latents);
    this.t++;
    adam(sae.dirs, gDirs, this.states.dirs, options.lr, this.t);
    adam(sae.scale, gScale, this.states.scale, options.lr, this.t);
    if (options.trainPreBias ?? options.method !== "gba") adam(sae.bPre, gPre, this.states.bPre, options.lr, this.t);
    if (!this.gba) adam(sae.bEnc, gEnc, this.states.bEnc, options.lr, this.t);
    normaliseRows(sae.dirs, latents, d);
    if (this.gba && this.t % this.gba.every === 0) {
      const { acc, targets, groups, gamma } = this.gba;
      sae.bEnc.set(gbaUpdate(sae.bEnc, acc.stats(), targets, groups, { gammaMinus: gamma, gammaPlus: gamma, deadThreshold: 1e-6 }));
      acc.reset();
    }
    return loss / size;
  }
}

export interface SaeEvaluation {
  /** sum ||x - x_hat||^2 / sum ||x - mean x||^2 over the batch. */
  fvu: number;
  /** Mean over samples of (active latents / latents). */
  fracActive: number;
  /** 1 for latents that fired on at least one sample. */
  alive: Uint8Array;
}

export function evaluateSae(
  sae: Sae,
  x: Float32Array,
  size: number,
  method: SaeMethod,
  param: number,
  kernels: SaeKernels = plainSaeKernels,
): SaeEvaluation {
  const { d, latents } = sae;
  const enc = encode(sae, x, size, method, param, kernels);
  const xhat = decode(sae, enc, size);
  const mean = new Float64Array(d);
  for (let s = 0; s < size; s++) for (let c = 0; c < d; c++) mean[c] += x[s * d + c] / size;
  let err = 0;
  let variance = 0;
  let active = 0;
  const alive = new Uint8Array(latents);
  for (let s = 0; s < size; s++) {
    for (let c = 0; c < d; c++) {
      err += (x[s * d + c] - xhat[s * d + c]) ** 2;
      variance += (x[s * d + c] - mean[c]) ** 2;
    }
    active += enc.counts[s];
    for (let e = 0; e < enc.counts[s]; e++) alive[enc.active[s * latents + e]] = 1;
  }
  return { fvu: variance > 0 ? err / variance : Number.NaN, fracActive: active / (size * latents), alive };
}

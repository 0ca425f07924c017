/**
 * Mechanism of the residual polysemantic neurons (claim 8 in the notes), as pure functions of a trained model:
 * - the output for feature i against its input amplitude a in [0, 1], for the full model and for the model with only
 *   its monosemantic or only its polysemantic neurons;
 * - how often each neuron fires on the training distribution;
 * - the singular values of the poly pathway W2_poly W1_poly E.
 * No I/O. Only meaningful for tasks whose output i is feature i (decoder, abs).
 */
import { activationFunctions } from "../protocol/activations.js";
import type { Activation } from "../protocol/config.js";
import { featureDirections as linalgFeatureDirections, singularValues } from "../protocol/linalg.js";
import type { Params } from "../protocol/params.js";
import type { SparseBatch } from "../protocol/samplers.js";

export interface MechanismInput {
  params: Params;
  /** m x N, row-major (embedder[d * N + i]). */
  embedder: Float32Array;
  nFeatures: number;
  activation: Activation;
  isMono: Uint8Array;
  /** Single-feature activation per neuron's best feature (NeuronStats.topActivation): with a bias <= 0, 0 marks a
   * dead neuron (it fires for no single feature at any amplitude in [0, 1]). */
  topActivation: Float32Array;
  /** Samples of the training distribution, for firing frequencies. */
  samples: SparseBatch;
  /** Features whose amplitude response is traced. */
  features: number[];
  amplitudes?: number[];
}

export interface MechanismResult {
  mono: number;
  poly: number;
  dead: number;
  response: { feature: number; amplitude: number; model: "full" | "mono only" | "poly only"; output: number }[];
  polyFrequency: number[];
  monoFrequency: number[];
  polySingular: number[];
  fits: { feature: number; polyR2: number; polySlope: number; monoOnset: number | null }[];
}

/** Pre-activations of every neuron for a unit input of each feature: P = W1 E (k x N), from protocol/linalg. */
export function featureDirections(params: Params, embedder: Float32Array, nFeatures: number): Float64Array {
  return linalgFeatureDirections(params.w1, params.k, params.m, embedder, nFeatures);
}

/** Least-squares line through (x, y): slope and R² (NaN when y has no variance). */
export function lineFit(xs: number[], ys: number[]): { slope: number; r2: number } {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
    syy += (ys[i] - my) ** 2;
  }
  const slope = sxx === 0 ? Number.NaN : sxy / sxx;
  const r2 = sxx === 0 || syy === 0 ? Number.NaN : (sxy * sxy) / (sxx * syy);
  return { slope, r2 };
}

/** Cholesky factor L (lower, row-major) of a symmetric positive semi-definite n x n matrix; tiny pivots clamp to 0. */
export function cholesky(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j];
      for (let t = 0; t < j; t++) sum -= l[i * n + t] * l[j * n + t];
      if (i === j) l[i * n + i] = sum > 1e-12 ? Math.sqrt(sum) : 0;
      else l[i * n + j] = l[j * n + j] > 0 ? sum / l[j * n + j] : 0;
    }
  return l;
}

/**
 * Singular values of W2_S W1_S E for a subset S of neurons, without forming the out x N matrix: with
 * C = W2_S W1_S (out x m) and E E^T = L L^T, the matrix has the singular values of C L (out x m).
 */
export function pathwaySingularValues(params: Params, embedder: Float32Array, nFeatures: number, subset: number[]): number[] {
  const { m, k, outDim, w1, w2 } = params;
  const c = new Float64Array(outDim * m);
  for (const j of subset)
    for (let o = 0; o < outDim; o++) {
      const w = w2[o * k + j];
      if (w === 0) continue;
      for (let d = 0; d < m; d++) c[o * m + d] += w * w1[j * m + d];
    }
  const g = new Float64Array(m * m);
  for (let a = 0; a < m; a++)
    for (let b = 0; b <= a; b++) {
      let sum = 0;
      for (let i = 0; i < nFeatures; i++) sum += embedder[a * nFeatures + i] * embedder[b * nFeatures + i];
      g[a * m + b] = sum;
      g[b * m + a] = sum;
    }
  const l = cholesky(g, m);
  const cl = new Float64Array(outDim * m);
  for (let o = 0; o < outDim; o++)
    for (let d = 0; d < m; d++) {
      let sum = 0;
      for (let t = d; t < m; t++) sum += c[o * m + t] * l[t * m + d];
      cl[o * m + d] = sum;
    }
  return Array.from(singularValues(cl, outDim, m));
}

export function analyseMechanism(input: MechanismInput): MechanismResult {
  const { params, embedder, nFeatures, samples, features } = input;
  const { k, b, w2 } = params;
  const f = activationFunctions[input.activation].f;
  const amplitudes = input.amplitudes ?? Array.from({ length: 21 }, (_, i) => i / 20);
  const p = featureDirections(params, embedder, nFeatures);
  const monoSet: number[] = [];
  const polySet: number[] = [];
  let dead = 0;
  for (let j = 0; j < k; j++) {
    if (input.isMono[j]) monoSet.push(j);
    else if (input.topActivation[j] > 0 || b[j] > 0) polySet.push(j);
    else dead++;
  }
  const isPoly = new Uint8Array(k);
  for (const j of polySet) isPoly[j] = 1;
  const response: MechanismResult["response"] = [];
  const fits: MechanismResult["fits"] = [];
  for (const i of features) {
    const polyOut: number[] = [];
    const monoOut: number[] = [];
    for (const a of amplitudes) {
      let mono = 0;
      let poly = 0;
      let other = 0;
      for (let j = 0; j < k; j++) {
        const h = f(a * p[j * nFeatures + i] + b[j]);
        if (h === 0) continue;
        const y = w2[i * k + j] * h;
        if (input.isMono[j]) mono += y;
        else if (isPoly[j]) poly += y;
        else other += y;
      }
      response.push({ feature: i, amplitude: a, model: "full", output: mono + poly + other });
      response.push({ feature: i, amplitude: a, model: "mono only", output: mono });
      response.push({ feature: i, amplitude: a, model: "poly only", output: poly });
      polyOut.push(poly);
      monoOut.push(mono);
    }
    const fit = lineFit(amplitudes, polyOut);
    const monoMax = Math.max(...monoOut.map(Math.abs));
    const onsetIndex = monoMax > 0 ? monoOut.findIndex((y) => Math.abs(y) > 0.01 * monoMax) : -1;
    fits.push({ feature: i, polyR2: fit.r2, polySlope: fit.slope, monoOnset: onsetIndex >= 0 ? amplitudes[onsetIndex] : null });
  }
  // Firing frequency on the training distribution: pre-activation = b + sum over active features v_f P[:, f].
  const fires = new Float64Array(k);
  for (let s = 0; s < samples.size; s++) {
    for (let j = 0; j < k; j++) {
      let pre = b[j];
      for (let e = samples.offsets[s]; e < samples.offsets[s + 1]; e++) pre += samples.values[e] * p[j * nFeatures + samples.indices[e]];
      if (f(pre) > 0) fires[j]++;
    }
  }
  const frequency = (set: number[]) => set.map((j) => fires[j] / Math.max(1, samples.size));
  return {
    mono: monoSet.length,
    poly: polySet.length,
    dead,
    response,
    polyFrequency: frequency(polySet),
    monoFrequency: frequency(monoSet),
    polySingular: polySet.length ? pathwaySingularValues(params, embedder, nFeatures, polySet) : [],
    fits,
  };
}

/**
 * Scoring sparse autoencoders against known features (experiment SAE1), as pure functions on row-major matrices.
 * Directions are compared by cosine similarity, signed: SAE codes are non-negative, so a latent pointing at -e_i
 * does not represent feature i.
 */

import { rowNorms } from "./linalg.js";

/**
 * For every row of `targets` (n x d), the largest cosine with any row of `candidates` (rows x d) among those with
 * `mask[row] = 1` (all when no mask). A zero target (a feature the model does not respond to) or no candidate
 * scores 0.
 */
export function maxCosines(
  targets: Float32Array,
  n: number,
  candidates: Float32Array,
  rows: number,
  d: number,
  mask?: Uint8Array,
): Float64Array {
  const tn = rowNorms(targets, n, d);
  const cn = rowNorms(candidates, rows, d);
  const best = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (tn[i] === 0) continue;
    let max = -Infinity;
    for (let r = 0; r < rows; r++) {
      if ((mask && !mask[r]) || cn[r] === 0) continue;
      let dot = 0;
      for (let c = 0; c < d; c++) dot += targets[i * d + c] * candidates[r * d + c];
      const cos = dot / (tn[i] * cn[r]);
      if (cos > max) max = cos;
    }
    best[i] = max === -Infinity ? 0 : max;
  }
  return best;
}

/** Fraction of true features whose best cosine with a (live) latent exceeds `threshold`. */
export function recoveryRate(bestCosines: Float64Array, threshold: number): number {
  if (bestCosines.length === 0) return Number.NaN;
  let hit = 0;
  for (const c of bestCosines) if (c > threshold) hit++;
  return hit / bestCosines.length;
}

export interface Recovery {
  recovery_080: number;
  recovery_090: number;
  mean_max_cos: number;
}

/** Recovery at cosine 0.8 and 0.9, and the mean best cosine, of true directions (n x d) by latent directions. */
export function scoreRecovery(
  truth: Float32Array,
  n: number,
  latents: Float32Array,
  rows: number,
  d: number,
  alive?: Uint8Array,
): Recovery {
  const best = maxCosines(truth, n, latents, rows, d, alive);
  let sum = 0;
  for (const c of best) sum += c;
  return { recovery_080: recoveryRate(best, 0.8), recovery_090: recoveryRate(best, 0.9), mean_max_cos: sum / n };
}

/**
 * Consistency of two SAEs trained with different seeds: the mean, over A's live latents, of the best cosine with a
 * live latent of B (the notes' "maximum cosine similarity"). 1 when B contains every direction of A.
 */
export function consistency(
  a: Float32Array,
  rowsA: number,
  aliveA: Uint8Array | undefined,
  b: Float32Array,
  rowsB: number,
  aliveB: Uint8Array | undefined,
  d: number,
): number {
  const keep: number[] = [];
  for (let r = 0; r < rowsA; r++) if (!aliveA || aliveA[r]) keep.push(r);
  if (keep.length === 0) return Number.NaN;
  const sub = new Float32Array(keep.length * d);
  keep.forEach((r, i) => sub.set(a.subarray(r * d, (r + 1) * d), i * d));
  const best = maxCosines(sub, keep.length, b, rowsB, d, aliveB);
  let sum = 0;
  for (const c of best) sum += c;
  return sum / keep.length;
}

/**
 * Claim 8 as the paper states it, measured on one trained model: its positive-bias neurons (bias > 0.05, the paper's
 * polysemantic ones) against d + 1, how often they fire on data, the singular values of their pathway
 * E → W1[poly] → W2[poly], their summed contribution to a single feature's output (onset at amplitude 0 and slope),
 * |b_poly · W2_poly|, and where the monosemantic neurons' output switches on. Pure; decoder and abs tasks only.
 */
import { activationFunctions } from "../protocol/activations.js";
import type { Activation } from "../protocol/config.js";
import { POSITIVE_BIAS_ABOVE, firingCounts } from "../protocol/metrics.js";
import type { Params } from "../protocol/params.js";
import type { SparseBatch } from "../protocol/samplers.js";
import type { MechanismSummary } from "./claims.js";
import { featureDirections, lineFit, pathwaySingularValues } from "./mechanism.js";
import { mean } from "./stats.js";

export interface PolyPathwayInput {
  run_id: string;
  seed: number;
  params: Params;
  embedder: Float32Array;
  nFeatures: number;
  activation: Activation;
  isMono: Uint8Array;
  /** Samples of the run's own distribution, for firing frequencies. */
  samples: SparseBatch;
  /** How many features to trace (evenly spaced). */
  traced?: number;
}

/** Amplitudes at which single-feature outputs are traced. */
const AMPLITUDES = Array.from({ length: 21 }, (_, i) => i / 20);

export function polyPathway(input: PolyPathwayInput): MechanismSummary {
  const { params, embedder, nFeatures } = input;
  const { k, m, b, w2 } = params;
  const f = activationFunctions[input.activation].f;
  const poly = Array.from({ length: k }, (_, j) => j).filter((j) => b[j] > POSITIVE_BIAS_ABOVE);
  const mono = Array.from({ length: k }, (_, j) => j).filter((j) => input.isMono[j]);
  const p = featureDirections(params, embedder, nFeatures);
  const fired = firingCounts(params, embedder, nFeatures, input.samples);
  const output = (set: number[], i: number, a: number) => set.reduce((y, j) => y + w2[i * k + j] * f(a * p[j * nFeatures + i] + b[j]), 0);
  const traced = Array.from({ length: Math.min(nFeatures, input.traced ?? 16) }, (_, t) =>
    Math.floor((t * nFeatures) / Math.min(nFeatures, input.traced ?? 16)),
  );
  const slopes = traced.map(
    (i) =>
      lineFit(
        AMPLITUDES,
        AMPLITUDES.map((a) => output(poly, i, a)),
      ).slope,
  );
  const onsets = traced.map((i) => Math.abs(output(poly, i, 0)));
  let biasDot = 0;
  for (let i = 0; i < nFeatures; i++) biasDot += Math.abs(poly.reduce((s, j) => s + b[j] * w2[i * k + j], 0));
  // Mono onset: the first amplitude at which the mono-only output of a feature that owns a mono neuron exceeds 1% of
  // its value at amplitude 1.
  const owned = [...new Set(mono.map((j) => argmax(p, j, nFeatures)))].slice(0, 16);
  const monoOnsets = owned
    .map((i) => {
      const ys = AMPLITUDES.map((a) => output(mono, i, a));
      const top = Math.max(...ys.map(Math.abs));
      const at = top > 0 ? ys.findIndex((y) => Math.abs(y) > 0.01 * top) : -1;
      return at >= 0 ? AMPLITUDES[at] : Number.NaN;
    })
    .filter(Number.isFinite);
  return {
    run_id: input.run_id,
    seed: input.seed,
    d: m,
    positiveBias: poly.length,
    polyFrequency: poly.length ? mean(poly.map((j) => fired[j] / input.samples.size)) : Number.NaN,
    singular: poly.length ? pathwaySingularValues(params, embedder, nFeatures, poly) : [],
    slope: mean(slopes.filter(Number.isFinite)),
    onset: mean(onsets),
    biasDot: biasDot / nFeatures,
    monoOnset: monoOnsets.length ? mean(monoOnsets) : null,
  };
}

function argmax(p: Float64Array, j: number, n: number): number {
  let best = 0;
  for (let i = 1; i < n; i++) if (p[j * n + i] > p[j * n + best]) best = i;
  return best;
}

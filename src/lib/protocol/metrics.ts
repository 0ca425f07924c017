import type { Activation } from "./config.js";
import { activationFunctions } from "./activations.js";
import type { Params } from "./params.js";

/** Monosemantic iff the neuron's largest single-feature activation is more than this share of their sum. */
export const MONO_THRESHOLD = 0.999;

/** Single-feature activations: neuron j's activation when feature i alone is present at amplitude 1 (x = e_i).
 * k x N, row-major (neuron-major). */
export function singleFeatureActivations(params: Params, embedder: Float32Array, nFeatures: number, activation: Activation): Float32Array {
  const { k, m, w1, b } = params;
  const { f } = activationFunctions[activation];
  const sfa = new Float32Array(k * nFeatures);
  const row = new Float64Array(nFeatures);
  for (let j = 0; j < k; j++) {
    row.fill(b[j]);
    for (let d = 0; d < m; d++) {
      const w = w1[j * m + d];
      const e = d * nFeatures;
      for (let i = 0; i < nFeatures; i++) row[i] += w * embedder[e + i];
    }
    for (let i = 0; i < nFeatures; i++) sfa[j * nFeatures + i] = f(row[i]);
  }
  return sfa;
}

export interface NeuronStats {
  /** max over features / (1e-10 + sum over features) */
  fracMono: Float32Array;
  topFeature: Int32Array;
  topActivation: Float32Array;
  isMono: Uint8Array;
  /** Fires for no single feature at any amplitude in [0, 1] (for a monotone activation: at neither 0 nor 1). */
  isDead: Uint8Array;
}

export function neuronStats(sfa: Float32Array, bias: Float32Array, k: number, nFeatures: number): NeuronStats {
  const stats: NeuronStats = {
    fracMono: new Float32Array(k),
    topFeature: new Int32Array(k),
    topActivation: new Float32Array(k),
    isMono: new Uint8Array(k),
    isDead: new Uint8Array(k),
  };
  for (let j = 0; j < k; j++) {
    let max = -Infinity;
    let arg = 0;
    let sum = 0;
    for (let i = 0; i < nFeatures; i++) {
      const a = sfa[j * nFeatures + i];
      sum += a;
      if (a > max) {
        max = a;
        arg = i;
      }
    }
    const frac = max / (1e-10 + sum);
    stats.fracMono[j] = frac;
    stats.topFeature[j] = arg;
    stats.topActivation[j] = max;
    stats.isMono[j] = frac > MONO_THRESHOLD ? 1 : 0;
    stats.isDead[j] = max <= 0 && bias[j] <= 0 ? 1 : 0;
  }
  return stats;
}

export interface ModelMetrics {
  mono_neurons: number;
  mono_per_feature: number;
  mono_per_neuron: number;
  /** Features that own at least one monosemantic neuron (the paper's metric counts neurons, not features). */
  features_covered: number;
  mean_bias: number;
  dead_neurons: number;
}

export function summarise(stats: NeuronStats, bias: Float32Array, nFeatures: number): ModelMetrics {
  const k = bias.length;
  const covered = new Set<number>();
  let mono = 0;
  let dead = 0;
  let biasSum = 0;
  for (let j = 0; j < k; j++) {
    if (stats.isMono[j]) {
      mono++;
      covered.add(stats.topFeature[j]);
    }
    dead += stats.isDead[j];
    biasSum += bias[j];
  }
  return {
    mono_neurons: mono,
    mono_per_feature: mono / nFeatures,
    mono_per_neuron: mono / k,
    features_covered: covered.size,
    mean_bias: biasSum / k,
    dead_neurons: dead,
  };
}

export function modelMetrics(params: Params, embedder: Float32Array, nFeatures: number, activation: Activation): { metrics: ModelMetrics; stats: NeuronStats; sfa: Float32Array } {
  const sfa = singleFeatureActivations(params, embedder, nFeatures, activation);
  const stats = neuronStats(sfa, params.b, params.k, nFeatures);
  return { metrics: summarise(stats, params.b, nFeatures), stats, sfa };
}

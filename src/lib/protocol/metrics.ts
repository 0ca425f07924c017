/**
 * What the runs measure on a model: single-feature activations, the paper's monosemanticity score per neuron, the
 * model's summary metrics, and the live/dead metrics measured on an evaluation batch.
 */
import type { Activation, MetricForm, Task } from "./config.js";
import { activationFunctions } from "./activations.js";
import type { Params } from "./params.js";
import { featureDirections } from "./linalg.js";
import type { SparseBatch } from "./samplers.js";

/** Monosemantic iff the neuron's largest single-feature activation is more than this share of their sum. */
export const MONO_THRESHOLD = 0.999;

/**
 * Which form of the paper's monosemanticity score to compute. `paper` (the default) is eq. 7 as the paper writes it:
 * the denominator sums only positive parts, max(0, h_i(F_j)), and on the absolute-value task a neuron's response to
 * feature j is h_i(F_j) + h_i(-F_j) (some neurons learn the negative side). `code` is the authors' published plotting
 * script: raw sums and h_i(F_j) alone. For ReLU on the decoder and re-projector tasks the two agree exactly.
 */
export const DEFAULT_METRIC_FORM: MetricForm = "paper";

/** A neuron whose final bias exceeds this is counted as polysemantic by the paper's proxy (LR3: d + 1 = 65 of them). */
export const POSITIVE_BIAS_ABOVE = 0.05;

/**
 * The loop that is most of a measurement: out[j N + i] = b_j + sum over d, in order, of W1[j, d] E[d, i], in float64
 * (the pre-activation of neuron j when feature i alone is present at amplitude 1). A parameter, so the runner can run
 * it natively with the same bits (runner/metric-kernels.ts); this is its specification.
 */
export type SingleFeaturePre = (
  w1: Float32Array,
  b: Float32Array,
  embedder: Float32Array,
  k: number,
  m: number,
  nFeatures: number,
  out: Float64Array,
) => void;

export const plainSingleFeaturePre: SingleFeaturePre = (w1, b, embedder, k, m, nFeatures, out) => {
  for (let j = 0; j < k; j++) {
    const o = j * nFeatures;
    out.fill(b[j], o, o + nFeatures);
    for (let d = 0; d < m; d++) {
      const w = w1[j * m + d];
      const e = d * nFeatures;
      for (let i = 0; i < nFeatures; i++) out[o + i] += w * embedder[e + i];
    }
  }
};

/** Single-feature activations: neuron j's activation when feature i alone is present at amplitude 1 (x = e_i).
 * k x N, row-major (neuron-major). */
export function singleFeatureActivations(
  params: Params,
  embedder: Float32Array,
  nFeatures: number,
  activation: Activation,
  pre: SingleFeaturePre = plainSingleFeaturePre,
): Float32Array {
  const { k, m, w1, b } = params;
  const { f } = activationFunctions[activation];
  const z = new Float64Array(k * nFeatures);
  pre(w1, b, embedder, k, m, nFeatures, z);
  const sfa = new Float32Array(k * nFeatures);
  for (let i = 0; i < sfa.length; i++) sfa[i] = f(z[i]);
  return sfa;
}

/** What the score is computed from, k x N: act(W1 e_i + b), plus act(-W1 e_i + b) on the abs task in the paper's
 * form (so a neuron that answers the negative side of a feature counts for that feature). */
export function featureResponses(
  params: Params,
  embedder: Float32Array,
  nFeatures: number,
  activation: Activation,
  task: Task = "decoder",
  form: MetricForm = DEFAULT_METRIC_FORM,
  pre: SingleFeaturePre = plainSingleFeaturePre,
): Float32Array {
  const sfa = singleFeatureActivations(params, embedder, nFeatures, activation, pre);
  if (task !== "abs" || form !== "paper") return sfa;
  const negated = singleFeatureActivations({ ...params, w1: params.w1.map((w) => -w) }, embedder, nFeatures, activation, pre);
  for (let i = 0; i < sfa.length; i++) sfa[i] += negated[i];
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

export function neuronStats(
  sfa: Float32Array,
  bias: Float32Array,
  k: number,
  nFeatures: number,
  form: MetricForm = DEFAULT_METRIC_FORM,
): NeuronStats {
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
      sum += form === "paper" ? Math.max(0, a) : a;
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

export function modelMetrics(
  params: Params,
  embedder: Float32Array,
  nFeatures: number,
  activation: Activation,
  options: { task?: Task; form?: MetricForm; pre?: SingleFeaturePre } = {},
): { metrics: ModelMetrics; stats: NeuronStats; sfa: Float32Array } {
  const form = options.form ?? DEFAULT_METRIC_FORM;
  const sfa = featureResponses(params, embedder, nFeatures, activation, options.task, form, options.pre);
  const stats = neuronStats(sfa, params.b, params.k, nFeatures, form);
  return { metrics: summarise(stats, params.b, nFeatures), stats, sfa };
}

/**
 * Metrics that tell dead neurons from polysemantic ones. A neuron that fires for no single feature may still fire on
 * data (several features at once), and one that never fires on data is dead whatever its single-feature responses:
 * - live_poly_neurons: fires for some single feature (at amplitude 1) and is not monosemantic;
 * - mono_share_of_live: mono / (mono + live poly), NaN when there are neither;
 * - dead_on_data: never fires (pre-activation > 0) on the evaluation batch (`firedOnData[j]` = 0);
 * - positive_bias_neurons: bias > POSITIVE_BIAS_ABOVE, the paper's proxy for the polysemantic neurons.
 */
export interface LiveMetrics {
  live_poly_neurons: number;
  mono_share_of_live: number;
  dead_on_data: number;
  positive_bias_neurons: number;
}

export function liveMetrics(stats: NeuronStats, bias: Float32Array, firedOnData: Int32Array): LiveMetrics {
  let mono = 0;
  let livePoly = 0;
  let dead = 0;
  let positive = 0;
  for (let j = 0; j < bias.length; j++) {
    if (stats.isMono[j]) mono++;
    else if (stats.topActivation[j] > 0) livePoly++;
    if (firedOnData[j] === 0) dead++;
    if (bias[j] > POSITIVE_BIAS_ABOVE) positive++;
  }
  return {
    live_poly_neurons: livePoly,
    mono_share_of_live: mono + livePoly === 0 ? Number.NaN : mono / (mono + livePoly),
    dead_on_data: dead,
    positive_bias_neurons: positive,
  };
}

/** Samples in the evaluation batch on which dead_on_data is measured: drawn once per run from its own distribution,
 * on a stream of its own ("eval"), so the training stream is untouched. */
export const EVAL_SAMPLES = 8192;

/** Per neuron: on how many samples of `batch` its pre-activation b + W1 E v is positive (plain TypeScript; an engine's
 * firingStats gives the same counts faster). Every activation here (ReLU, GeLU, x·exp(x)) is positive iff its input is. */
export function firingCounts(params: Params, embedder: Float32Array, nFeatures: number, batch: SparseBatch): Int32Array {
  const { k, m, w1, b } = params;
  const p = featureDirections(w1, k, m, embedder, nFeatures);
  const counts = new Int32Array(k);
  const pre = new Float64Array(k);
  for (let s = 0; s < batch.size; s++) {
    for (let j = 0; j < k; j++) pre[j] = b[j];
    for (let e = batch.offsets[s]; e < batch.offsets[s + 1]; e++) {
      const i = batch.indices[e];
      const v = batch.values[e];
      for (let j = 0; j < k; j++) pre[j] += v * p[j * nFeatures + i];
    }
    for (let j = 0; j < k; j++) if (pre[j] > 0) counts[j]++;
  }
  return counts;
}

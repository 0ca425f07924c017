/**
 * A finished run as the output tables see it (RunRecord): toRecord turns a training outcome into its runs row,
 * checkpoints, losses, neurons and sparse single-feature activations, with the convergence and collapse verdicts.
 */
import { countsStable, isConverged, lastQuarterImprovement } from "../protocol/convergence.js";
import { DEFAULT_METRIC_FORM } from "../protocol/metrics.js";
import { zeroPredictionLoss } from "../protocol/world.js";
import type { RunSpec } from "../experiments/sweep.js";
import { biasRule } from "../protocol/config.js";
import type { Checkpoint, RunOutcome } from "./train.js";

/** The paper's batch at k = 1024 (2^23 / k): `paper_lr` is the learning rate that has a run's noise scale
 * lr / sqrt(batch) at this batch. */
export const PAPER_BATCH = 8192;

/** A run with at least this share of its neurons dead on data has collapsed. */
export const COLLAPSED_DEAD_SHARE = 0.99;

/**
 * Everything a finished run contributes to the output tables, compact enough to cache: per-neuron arrays stay typed
 * arrays and the single-feature activations are kept sparse.
 */
export interface RunRecord {
  run: Record<string, string | number | boolean | null>;
  checkpoints: Checkpoint[];
  losses: { step: number; loss: number }[];
  neurons: {
    bias: Float32Array;
    fracMono: Float32Array;
    topFeature: Int32Array;
    topActivation: Float32Array;
    isMono: Uint8Array;
    /** Samples of the evaluation batch on which the neuron fired (0: dead on data). */
    firedOnData: Int32Array;
  };
  sfa: { neuron: Int32Array; feature: Int32Array; activation: Float32Array };
  /** The final model's weights (the biases are neurons.bias), so analyses of trained models (the mechanism of claim
   * 8) read them from the run cache instead of retraining. Not written to any table. */
  weights: { w1: Float32Array; w2: Float32Array };
}

export function toRecord(spec: RunSpec, outcome: RunOutcome): RunRecord {
  const { config } = spec;
  const k = outcome.params.k;
  const n = config.n_features;
  let nonzero = 0;
  for (let i = 0; i < outcome.sfa.length; i++) if (outcome.sfa[i] > 0) nonzero++;
  const sfa = { neuron: new Int32Array(nonzero), feature: new Int32Array(nonzero), activation: new Float32Array(nonzero) };
  let at = 0;
  for (let j = 0; j < k; j++)
    for (let i = 0; i < n; i++) {
      const a = outcome.sfa[j * n + i];
      if (a > 0) {
        sfa.neuron[at] = j;
        sfa.feature[at] = i;
        sfa.activation[at++] = a;
      }
    }
  const improvement = lastQuarterImprovement(outcome.lossLog, config.steps);
  const threeQuarters = outcome.threeQuarters ?? undefined;
  const lossConverged = isConverged(improvement);
  const stable = countsStable(threeQuarters, outcome.final, k);
  const zeroLoss = zeroPredictionLoss(config);
  // Collapsed: training failed without a NaN (every neuron dead on data, or a loss no better than predicting 0).
  const collapsed = outcome.status !== "ok" || outcome.final.dead_on_data >= COLLAPSED_DEAD_SHARE * k || !(outcome.final_loss < zeroLoss);
  return {
    run: {
      run_id: spec.run_id,
      experiment: spec.experiment,
      preset: spec.preset,
      ...config,
      decay_nominal: spec.decay_nominal,
      engine: outcome.engine,
      final_loss: outcome.final_loss,
      ...outcome.final,
      wall_s: outcome.wall_s,
      status: outcome.status,
      diverged_at: outcome.diverged_at,
      bias_rule: biasRule(config),
      variant: spec.variant ?? null,
      last_quarter_improvement: improvement,
      loss_converged: lossConverged,
      mono_change_last_quarter: threeQuarters ? outcome.final.mono_neurons - threeQuarters.mono_neurons : null,
      dead_change_last_quarter: threeQuarters ? outcome.final.dead_on_data - threeQuarters.dead_on_data : null,
      converged: lossConverged && stable && !collapsed,
      zero_loss: zeroLoss,
      collapsed,
      noise_scale: config.lr / Math.sqrt(config.batch),
      paper_lr: config.lr * Math.sqrt(PAPER_BATCH / config.batch),
      metric_form: config.metric_form ?? DEFAULT_METRIC_FORM,
    },
    checkpoints: outcome.checkpoints,
    losses: outcome.lossLog,
    neurons: {
      bias: outcome.params.b,
      fracMono: outcome.stats.fracMono,
      topFeature: outcome.stats.topFeature,
      topActivation: outcome.stats.topActivation,
      isMono: outcome.stats.isMono,
      firedOnData: outcome.firedOnData,
    },
    sfa,
    weights: { w1: outcome.params.w1, w2: outcome.params.w2 },
  };
}

/** NEURON_KINDS in one word: `mono`; `poly` (fires for some single feature, not monosemantic); `data-only` (fires on
 * data but for no single feature at amplitude 1); `dead` (never fires on the evaluation batch). Dead wins over the
 * others: a neuron that never fires on data contributes nothing, whatever its single-feature responses. */
export const NEURON_KINDS = ["mono", "poly", "data-only", "dead"] as const;
export type NeuronKind = (typeof NEURON_KINDS)[number];

export function neuronKind(n: RunRecord["neurons"], j: number): NeuronKind {
  if (n.firedOnData[j] === 0) return "dead";
  if (n.isMono[j]) return "mono";
  return n.topActivation[j] > 0 ? "poly" : "data-only";
}

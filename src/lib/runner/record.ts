import { isConverged, lastQuarterImprovement } from "../protocol/convergence.js";
import type { RunSpec } from "../experiments/sweep.js";
import { biasRule } from "../protocol/config.js";
import type { Checkpoint, RunOutcome } from "./train.js";

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
  };
  sfa: { neuron: Int32Array; feature: Int32Array; activation: Float32Array };
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
      converged: isConverged(improvement),
    },
    checkpoints: outcome.checkpoints,
    losses: outcome.lossLog,
    neurons: {
      bias: outcome.params.b,
      fracMono: outcome.stats.fracMono,
      topFeature: outcome.stats.topFeature,
      topActivation: outcome.stats.topActivation,
      isMono: outcome.stats.isMono,
    },
    sfa,
  };
}

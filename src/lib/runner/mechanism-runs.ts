/**
 * The trained models behind claim 8: the site preset's LR3 runs at the learning rate nearest 0.01 (every seed, at
 * d = m = 64), and one run each at d = 32 and d = 128 (where the paper counts 33 and 130 positive-bias neurons). They
 * come through the shared runner and run cache, which keeps final weights, so nothing is trained twice.
 */
import { polyPathway } from "../analysis/poly-pathway.js";
import type { MechanismSummary } from "../analysis/claims.js";
import { expandExperiments, type RunSpec } from "../experiments/sweep.js";
import type { Preset } from "../experiments/presets.js";
import { EVAL_SAMPLES } from "../protocol/metrics.js";
import { makeSampler, makeWorld } from "../protocol/world.js";
import type { RunRecord } from "./record.js";
import { runSweep } from "./sweep.js";

/** The embedding dimensions of the variants beside the paper's d = 64. */
export const MECHANISM_DIMS = [32, 128] as const;

export function mechanismSpecs(preset: Preset["id"]): RunSpec[] {
  const lr3 = expandExperiments(["LR3"], { preset });
  const lr = lr3.map((s) => s.config.lr).reduce((a, b) => (Math.abs(Math.log(b / 0.01)) < Math.abs(Math.log(a / 0.01)) ? b : a));
  const main = lr3.filter((s) => s.config.lr === lr);
  const firstSeed = Math.min(...main.map((s) => s.config.seed));
  const variants = MECHANISM_DIMS.flatMap((m) => expandExperiments(["LR3"], { preset, overrides: { lr, m, seed: firstSeed } }));
  return [...main, ...variants];
}

/** The claim-8 summary of one trained record. */
export function summariseRecord(spec: RunSpec, record: RunRecord): MechanismSummary {
  const { config } = spec;
  const world = makeWorld(config);
  return polyPathway({
    run_id: spec.run_id,
    seed: config.seed,
    params: { k: config.k, m: config.m, outDim: world.outDim, w1: record.weights.w1, b: record.neurons.bias, w2: record.weights.w2 },
    embedder: world.embedder,
    nFeatures: config.n_features,
    activation: config.activation,
    isMono: record.neurons.isMono,
    samples: makeSampler(config, "eval")(EVAL_SAMPLES),
  });
}

export async function mechanismModels(
  preset: Preset["id"],
  maxMinutes?: number,
): Promise<{ specs: RunSpec[]; records: RunRecord[]; summaries: MechanismSummary[] }> {
  const specs = mechanismSpecs(preset);
  const records = await runSweep(specs, { maxMinutes });
  const byId = new Map(records.map((r) => [String(r.run.run_id), r]));
  const summaries = specs.flatMap((s) => (byId.has(s.run_id) ? [summariseRecord(s, byId.get(s.run_id)!)] : []));
  return { specs, records, summaries };
}

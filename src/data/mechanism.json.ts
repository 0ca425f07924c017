// Mechanism of the residual polysemantic neurons (claim 8): the site preset's LR3 run at the learning rate nearest
// 0.01 (its first seed) analysed from the weights the run cache keeps (no retraining), plus the claim-8 summary of
// every model behind the verdict (all seeds at d = 64, one run each at d = 32 and 128).
import { analyseMechanism } from "../lib/analysis/mechanism.js";
import { mechanismModels } from "../lib/runner/mechanism-runs.js";
import { makeWorld } from "../lib/protocol/world.js";
import { loaderFailure, loaderSettings } from "../lib/runner/site-data.js";

try {
  const settings = loaderSettings();
  const { specs, records, summaries } = await mechanismModels(settings.preset, settings.timeoutMinutes);
  const spec = specs[0];
  const record = records.find((r) => r.run.run_id === spec.run_id)!;
  const world = makeWorld(spec.config);
  const n = spec.config.n_features;
  const { isMono, topActivation, topFeature, bias } = record.neurons;
  const params = { k: spec.config.k, m: spec.config.m, outDim: world.outDim, w1: record.weights.w1, b: bias, w2: record.weights.w2 };
  // Trace features that own a monosemantic neuron (up to 4, spread out), then fill up to 8 with evenly spaced ones.
  const owned = [...new Set(Array.from(topFeature).filter((_, j) => isMono[j]))].sort((a, b) => a - b);
  const features = Array.from(
    { length: Math.min(4, owned.length) },
    (_, i) => owned[Math.floor((i * owned.length) / Math.min(4, owned.length))],
  );
  for (let i = 0; features.length < 8 && i < n; i += Math.floor(n / 8)) if (!features.includes(i)) features.push(i);
  const result = analyseMechanism({
    params,
    embedder: world.embedder,
    nFeatures: n,
    activation: spec.config.activation,
    isMono,
    topActivation,
    samples: world.nextBatch(2048),
    features,
  });
  const final = Object.fromEntries(
    ["mono_neurons", "mono_per_feature", "dead_neurons", "dead_on_data", "positive_bias_neurons", "final_loss"].map((key) => [
      key,
      record.run[key],
    ]),
  );
  process.stdout.write(
    JSON.stringify({
      run_id: spec.run_id,
      experiment: spec.experiment,
      preset: settings.preset,
      config: spec.config,
      engine: record.run.engine,
      final,
      // The model's final biases by neuron (the page's bias histogram), so the page needs no DuckDB-WASM.
      biases: Array.from(bias, (value, j) => ({ bias: value, is_mono: Boolean(isMono[j]) })),
      ...result,
      models: summaries,
    }),
  );
} catch (error) {
  process.stderr.write(`error: ${loaderFailure("data loader mechanism", error)}\n`);
  process.exit(1);
}

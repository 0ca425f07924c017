// Mechanism of the residual polysemantic neurons (claim 8): retrains ONE run of the site's preset (LR3 at the
// learning rate closest to 0.01, seed 1; deterministic, so it is the same model as that run in runs.parquet),
// because the run cache keeps no weights, and analyses its weights. The result is cached under .cache/mechanism.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { analyseMechanism } from "../lib/analysis/mechanism.js";
import { engineById } from "../lib/engines/index.js";
import { expandExperiments } from "../lib/experiments/sweep.js";
import { makeWorld } from "../lib/protocol/world.js";
import { cacheKey } from "../lib/runner/cache.js";
import { sitePreset } from "../lib/runner/site-data.js";
import { train } from "../lib/runner/train.js";

const ANALYSIS_VERSION = 1;
const preset = sitePreset();
const specs = expandExperiments(["LR3"], { preset }).filter((s) => s.config.seed === 1);
const spec = specs.reduce((a, b) => (Math.abs(Math.log(b.config.lr / 0.01)) < Math.abs(Math.log(a.config.lr / 0.01)) ? b : a));
const engine = engineById(undefined);
const key = createHash("sha256").update(JSON.stringify({ v: ANALYSIS_VERSION, run: cacheKey(spec.config, engine) })).digest("hex");
const dir = join(process.env.MONO_CACHE_DIR ? join(process.env.MONO_CACHE_DIR, "..") : join(process.cwd(), ".cache"), "mechanism");
const file = join(dir, `${key}.json`);

let text: string;
try {
  text = readFileSync(file, "utf8");
  process.stderr.write(`mechanism: cached analysis of ${spec.run_id}\n`);
} catch {
  process.stderr.write(`mechanism: training ${spec.run_id} with ${engine.id} to analyse its weights\n`);
  const outcome = await train(spec.config, engine);
  const world = makeWorld(spec.config);
  const samples = world.nextBatch(2048);
  const n = spec.config.n_features;
  // Trace features that own a monosemantic neuron (up to 4, spread out), then fill up to 8 with evenly spaced ones.
  const owned = [...new Set(Array.from(outcome.stats.topFeature).filter((_, j) => outcome.stats.isMono[j]))].sort((a, b) => a - b);
  const features = Array.from({ length: Math.min(4, owned.length) }, (_, i) => owned[Math.floor((i * owned.length) / Math.min(4, owned.length))]);
  for (let i = 0; features.length < 8 && i < n; i += Math.floor(n / 8)) if (!features.includes(i)) features.push(i);
  const result = analyseMechanism({
    params: outcome.params,
    embedder: world.embedder,
    nFeatures: n,
    activation: spec.config.activation,
    isMono: outcome.stats.isMono,
    topActivation: outcome.stats.topActivation,
    samples,
    features,
  });
  text = JSON.stringify({ run_id: spec.run_id, experiment: spec.experiment, preset, config: spec.config, engine: outcome.engine, final: outcome.final, ...result });
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, text);
}
process.stdout.write(text);

/**
 * The bench's "awake engineered" regime needs the activity pattern of a real trained LR3 model, not a synthetic one:
 * this trains one in the paper's own regime (LR3's recipe: decoder, ReLU, init bias -1, decay 0.03 per step, lr 0.01,
 * the cosine schedule; batch 8192 and the bias decay of a 2^17-step run, the config of the shipped paper-scale run,
 * reference/paper-scale/) with the native engine, stops it after CHECKPOINT_STEPS, and caches its parameters under
 * .cache/bench/ so that later benches reuse it. The cache file records what it is (config, steps, seed, engine, final
 * loss and activity).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { RunConfig } from "../src/lib/protocol/config.js";
import { initParams, type Params } from "../src/lib/protocol/params.js";
import { Rng } from "../src/lib/protocol/rng.js";
import { biasDecayFactor, learningRate } from "../src/lib/protocol/schedule.js";
import { makeWorld } from "../src/lib/protocol/world.js";
import { PAPER_BATCH_TIMES_WIDTH, PAPER_STEPS } from "../src/lib/experiments/presets.js";
import { nativeEngineFactory } from "../src/lib/engines/native/index.js";

export interface Checkpoint {
  description: string;
  config: RunConfig;
  engine: string;
  final_loss: number;
  active_fraction: number;
  params: Params;
}

const CACHE_DIR = process.env.MONO_BENCH_CACHE ?? join(process.cwd(), ".cache", "bench");

/** The world every bench regime trains in: the paper's decoder task at N = 512, m = 64, eps = 1/64, seed 1. */
export const BENCH_WORLD = {
  task: "decoder",
  activation: "relu",
  sampler: "equal",
  n_features: 512,
  m: 64,
  eps: 1 / 64,
  l1: 0,
  seed: 1,
} as const;

/** LR3's paper-scale run at width k: the paper's batch rule (8192 at k = 1024) and its 2^17-step schedule. */
export function lr3Config(k: number): RunConfig {
  return {
    ...BENCH_WORLD,
    k,
    batch: PAPER_BATCH_TIMES_WIDTH / k,
    lr: 0.01,
    init_bias: -1,
    decay: 0.03,
    steps: PAPER_STEPS,
  };
}

const encode = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64");
const decode = (s: string) => {
  const bytes = Buffer.from(s, "base64");
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
};

/** The cached checkpoint for width k after `steps` of the paper-scale run, training (and caching) it first when it is
 * missing. */
export async function lr3Checkpoint(k: number, steps: number, log: (line: string) => void): Promise<Checkpoint> {
  const config = lr3Config(k);
  const path = join(CACHE_DIR, `lr3-paper-k${k}-batch${config.batch}-step${steps}-seed1.json`);
  if (existsSync(path)) {
    const raw = JSON.parse(readFileSync(path, "utf8"));
    return { ...raw, params: { ...raw.params, w1: decode(raw.params.w1), b: decode(raw.params.b), w2: decode(raw.params.w2) } };
  }
  const world = makeWorld(config);
  const engine = await nativeEngineFactory({ threads: 2 }).create({
    config,
    world,
    initial: initParams(config, new Rng(config.seed, "init")),
  });
  log(
    `training the awake checkpoint: LR3 paper-scale run, k=${k}, batch ${config.batch}, its first ${steps} of ${config.steps} steps, native engine (once; cached at ${path})`,
  );
  let loss = 0;
  const started = performance.now();
  for (let t = 0; t < steps; t++) {
    loss = engine.step(
      world.nextBatch(config.batch),
      learningRate(config.lr, t),
      biasDecayFactor(config.decay, config.lr, t, config.steps),
    );
    if ((t + 1) % 1024 === 0)
      log(
        `  step ${t + 1}/${steps}: loss ${loss.toFixed(4)}, active ${engine.activeFraction.toFixed(4)}, ${((performance.now() - started) / 1000).toFixed(0)} s`,
      );
  }
  const params = engine.params();
  const checkpoint: Checkpoint = {
    description: `LR3 paper-scale run (decoder, ReLU, init bias -1, decay 0.03, lr 0.01, cosine schedule, batch ${config.batch}, ${config.steps}-step decay), k=${k}, stopped after ${steps} steps, seed 1`,
    config,
    engine: engine.name,
    final_loss: loss,
    active_fraction: engine.activeFraction,
    params,
  };
  engine.dispose();
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(
    path,
    JSON.stringify({ ...checkpoint, params: { ...params, w1: encode(params.w1), b: encode(params.b), w2: encode(params.w2) } }),
  );
  return checkpoint;
}

// Shared by the engine and training-loop tests: a small config, its world and batch, a relative-error measure, and a
// scriptable fake engine.
import type { Engine, EngineFactory } from "../../../src/lib/engines/engine.js";
import type { RunConfig } from "../../../src/lib/protocol/config.js";
import { cloneParams, initParams, type Params } from "../../../src/lib/protocol/params.js";
import type { SparseBatch } from "../../../src/lib/protocol/samplers.js";
import { Rng } from "../../../src/lib/protocol/rng.js";
import { denseTarget, makeWorld } from "../../../src/lib/protocol/world.js";

/** A small run config for engine tests: every knob of the protocol, at a size that checks in milliseconds. */
export function smallConfig(overrides: Partial<RunConfig> = {}): RunConfig {
  return {
    task: "decoder",
    activation: "relu",
    sampler: "equal",
    n_features: 32,
    m: 8,
    k: 16,
    eps: 1 / 8,
    lr: 0.01,
    init_bias: 0,
    decay: 0,
    l1: 0,
    batch: 16,
    steps: 8,
    seed: 1,
    ...overrides,
  };
}

export function fixture(config: RunConfig) {
  const world = makeWorld(config);
  const initial = initParams(config, new Rng(config.seed, "init"));
  const batch = world.nextBatch(config.batch);
  return { world, initial, batch, target: denseTarget(batch, world) };
}

/** Norm-relative difference between two tensors: |a - b| / max(|b|, tiny). */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < b.length; i++) {
    diff += (a[i] - b[i]) ** 2;
    norm += b[i] ** 2;
  }
  return Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-12);
}

/**
 * A stand-in engine for testing the training loop: it holds the initial parameters and lets the test script what a
 * step does and returns (and, optionally, what setBiases does), so the protocol around the engine can be checked
 * without any numerics.
 */
export function fakeEngineFactory(behaviour: {
  step: (params: Params, batch: SparseBatch, lr: number, biasDecay: number) => number;
  setBiases?: (params: Params, b: Float32Array) => void;
}): EngineFactory {
  return {
    id: "fake",
    version: "0",
    async create({ initial }) {
      const params = cloneParams(initial);
      const engine: Engine = {
        name: "fake",
        step: (batch, lr, biasDecay) => behaviour.step(params, batch, lr, biasDecay),
        lossAndGradients: () => ({ loss: 0, w1: params.w1, b: params.b, w2: params.w2 }),
        params: () => cloneParams(params),
        dispose() {},
      };
      if (behaviour.setBiases) engine.setBiases = (b) => behaviour.setBiases!(params, b);
      return engine;
    },
  };
}

import type { RunConfig } from "../../../src/lib/protocol/config.js";
import { initParams } from "../../../src/lib/protocol/params.js";
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

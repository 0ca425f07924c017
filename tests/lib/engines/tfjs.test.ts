// The plain-loop reference model against finite differences, and the tfjs engine against it: gradients for every
// task x activation x sampler, one LAMB step with bias decay, no leaked tensors.
import { describe, expect, it } from "vitest";
import { tfjsEngine } from "../../../src/lib/engines/tfjs.js";
import { ACTIVATIONS, SAMPLERS, TASKS } from "../../../src/lib/protocol/config.js";
import { lambState, lambUpdate } from "../../../src/lib/protocol/lamb.js";
import { referenceLossAndGradients } from "../../../src/lib/protocol/model.js";
import { cloneParams, type Params } from "../../../src/lib/protocol/params.js";
import { fixture, relativeError, smallConfig } from "./fixtures.js";

describe("reference model", () => {
  it("has gradients that match finite differences of its own loss (with L1 through the objective)", () => {
    for (const activation of ACTIVATIONS) {
      const config = smallConfig({ activation, init_bias: 0.1, l1: 0.01 });
      const { initial, batch, target, world } = fixture(config);
      const objective = (p: Params) => referenceLossAndGradients(p, batch, target, world.embedder, activation, config.l1).objective;
      const { grads } = referenceLossAndGradients(initial, batch, target, world.embedder, activation, config.l1);
      for (const [name, index] of [
        ["w1", 3],
        ["w1", 17],
        ["b", 2],
        ["b", 9],
        ["w2", 5],
        ["w2", 40],
      ] as const) {
        const h = 1e-3;
        const plus = cloneParams(initial);
        const minus = cloneParams(initial);
        plus[name][index] += h;
        minus[name][index] -= h;
        const numeric = (objective(plus) - objective(minus)) / (2 * h);
        expect(Math.abs(grads[name][index] - numeric)).toBeLessThan(1e-3 * Math.abs(numeric) + 1e-6);
      }
    }
  });
});

describe("tfjs engine", () => {
  const cases = TASKS.flatMap((task) => ACTIVATIONS.flatMap((activation) => SAMPLERS.map((sampler) => ({ task, activation, sampler }))));

  it.each(cases)("matches the plain-loop gradients for $task / $activation / $sampler, dense and sparse regimes", async (c) => {
    for (const init_bias of [0, -0.3]) {
      const config = smallConfig({ ...c, init_bias, l1: 0.001 });
      const { world, initial, batch, target } = fixture(config);
      const engine = await tfjsEngine.create({ config, world, initial });
      try {
        const got = engine.lossAndGradients(batch);
        const want = referenceLossAndGradients(initial, batch, target, world.embedder, config.activation, config.l1);
        expect(got.loss).toBeCloseTo(want.loss, 4);
        expect(relativeError(got.w1, want.grads.w1)).toBeLessThan(1e-4);
        expect(relativeError(got.b, want.grads.b)).toBeLessThan(1e-4);
        expect(relativeError(got.w2, want.grads.w2)).toBeLessThan(1e-4);
      } finally {
        engine.dispose();
      }
    }
  });

  it("takes one LAMB step and a bias decay exactly as the plain specification", async () => {
    const config = smallConfig({ init_bias: 0.05 });
    const { world, initial, batch, target } = fixture(config);
    const engine = await tfjsEngine.create({ config, world, initial });
    try {
      const lr = 0.02;
      const decayFactor = 0.9;
      engine.step(batch, lr, decayFactor);
      const { grads } = referenceLossAndGradients(initial, batch, target, world.embedder, "relu", 0);
      const expected = cloneParams(initial);
      lambUpdate(expected.w1, Float32Array.from(grads.w1), lambState(expected.w1.length), lr);
      lambUpdate(expected.b, Float32Array.from(grads.b), lambState(expected.b.length), lr);
      lambUpdate(expected.w2, Float32Array.from(grads.w2), lambState(expected.w2.length), lr);
      expected.b.forEach((v, i) => (expected.b[i] = v * decayFactor));
      const got = engine.params();
      expect(relativeError(got.w1, expected.w1)).toBeLessThan(1e-5);
      expect(relativeError(got.b, expected.b)).toBeLessThan(1e-5);
      expect(relativeError(got.w2, expected.w2)).toBeLessThan(1e-5);
    } finally {
      engine.dispose();
    }
  });

  it("does not leak tensors over many steps", async () => {
    const tf = await import("@tensorflow/tfjs");
    const config = smallConfig();
    const { world, initial } = fixture(config);
    const engine = await tfjsEngine.create({ config, world, initial });
    engine.step(world.nextBatch(16), 0.01, 1);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) engine.step(world.nextBatch(16), 0.01, 0.99);
    engine.lossAndGradients(world.nextBatch(16));
    engine.params();
    expect(tf.memory().numTensors).toBe(before);
    engine.dispose();
  });
});

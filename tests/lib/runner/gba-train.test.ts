// Training with bias_rule = gba (the controller's biases in the loop, on a fake engine and tfjs), experiment GBA1's
// expansion and an end-to-end tiny sweep, and GBA in row-norm units.
import { PRESETS, scaledDecay } from "../../../src/lib/experiments/presets.js";
import { describe, expect, it } from "vitest";
import { tfjsEngine } from "../../../src/lib/engines/tfjs.js";
import { GBA1 } from "../../../src/lib/experiments/beyond.js";
import { expandExperiment, expandExperiments } from "../../../src/lib/experiments/sweep.js";
import { RunConfigSchema } from "../../../src/lib/protocol/config.js";
import { runSweep } from "../../../src/lib/runner/sweep.js";
import { train } from "../../../src/lib/runner/train.js";
import { fakeEngineFactory, smallConfig } from "../engines/fixtures.js";

const gbaConfig = (overrides = {}) =>
  RunConfigSchema.parse(
    smallConfig({
      bias_rule: "gba",
      steps: 24,
      gba_every: 4,
      gba_buffer: 256,
      gba_groups: 2,
      gba_p_high: 0.2,
      gba_p_low: 0.05,
      gba_gamma: 0.05,
      ...overrides,
    }),
  );

/** An engine that records setBiases calls; `withSetBiases: false` leaves the method out. */
function biasRecordingEngine(withSetBiases: boolean) {
  const calls: { afterStep: number; b: Float32Array }[] = [];
  let steps = 0;
  const factory = fakeEngineFactory({
    step(params) {
      steps++;
      params.b.fill(123); // what a gradient step might do to the biases: must be overwritten under GBA
      return 1;
    },
    setBiases: withSetBiases
      ? (params, b) => {
          calls.push({ afterStep: steps, b: b.slice() });
          params.b.set(b);
        }
      : undefined,
  });
  return { factory, calls };
}

describe("training with bias_rule = gba", () => {
  it("sets the controller's biases before the first step and after every step, in [-1, 0], updated every gba_every steps", async () => {
    const config = gbaConfig();
    const { factory, calls } = biasRecordingEngine(true);
    const outcome = await train(config, factory);
    expect(calls.map((c) => c.afterStep)).toEqual(Array.from({ length: 25 }, (_, i) => i));
    for (const c of calls) for (const x of c.b) expect(x >= -1 && x <= 0).toBe(true);
    // The biases change only at update steps (4, 8, ...), never in between.
    const changedAt = calls
      .slice(1)
      .filter((c, i) => c.b.some((x, j) => x !== calls[i].b[j]))
      .map((c) => c.afterStep);
    expect(changedAt.length).toBeGreaterThan(0);
    for (const step of changedAt) expect(step % 4).toBe(0);
    // The gradient's 123s never survive: the final model has the controller's biases.
    expect(Array.from(outcome.params.b)).toEqual(Array.from(calls[calls.length - 1].b));
  });

  it("does not touch the biases of a paper run", async () => {
    const { factory, calls } = biasRecordingEngine(true);
    await train(RunConfigSchema.parse(smallConfig({ steps: 8 })), factory);
    expect(calls).toHaveLength(0);
  });

  it("refuses a gba run on an engine without setBiases, naming it; paper runs still train on it", async () => {
    const { factory } = biasRecordingEngine(false);
    await expect(train(gbaConfig({ steps: 8 }), factory)).rejects.toThrow(/bias_rule=gba needs an engine with setBiases; fake has none/);
    const paper = await train(RunConfigSchema.parse(smallConfig({ steps: 8 })), factory);
    expect(paper.engine).toBe("fake");
  });

  it("with tfjs: lowers the biases of neurons that fire above target, trains W1, stays in [-1, 0]", async () => {
    const config = gbaConfig({ steps: 32, init_bias: 0 });
    const outcome = await train(config, tfjsEngine);
    expect(outcome.status).toBe("ok");
    for (const x of outcome.params.b) expect(x >= -1 && x <= 0).toBe(true);
    // At init bias 0 about half the neurons fire on every sample, far above the targets: biases must go down.
    const mean = outcome.params.b.reduce((s, x) => s + x, 0) / outcome.params.b.length;
    expect(mean).toBeLessThan(-0.05);
    const again = await train(config, tfjsEngine);
    expect(Array.from(again.params.b)).toEqual(Array.from(outcome.params.b));
  });
});

describe("experiment GBA1", () => {
  it("compares LR1, LR3 and GBA variants at the same lr, steps and batch, with at least 3 seeds", () => {
    const specs = expandExperiment(GBA1, { preset: "quick" });
    const variants = [...new Set(specs.map((s) => s.variant))];
    expect(variants.slice(0, 2)).toEqual(["LR1", "LR3"]);
    expect(variants.filter((v) => v?.startsWith("gba-")).length).toBeGreaterThanOrEqual(5);
    expect(specs.length).toBe(variants.length * 3);
    for (const s of specs) {
      expect(s.config.lr).toBe(GBA1.base.lr);
      expect(s.config.steps).toBe(PRESETS.quick.steps);
      expect(s.config.batch).toBe(PRESETS.quick.batch);
      expect(s.run_id).toContain(`_${s.variant}_`);
    }
    const lr3 = specs.find((s) => s.variant === "LR3")!;
    expect(lr3.config.init_bias).toBe(-1);
    expect(lr3.decay_nominal).toBe(0.03);
    expect(lr3.config.decay).toBeCloseTo(scaledDecay(0.03, GBA1.base.lr, PRESETS.quick.steps), 12); // rescaled by the quick preset
    expect(lr3.config.decay).toBeGreaterThan(0.1);
    const unscaled = specs.find((s) => s.variant === "LR3-unscaled")!;
    expect(unscaled.config.decay).toBe(0.03);
    const gba = specs.filter((s) => s.config.bias_rule === "gba");
    expect(gba.map((s) => s.config.gba_p_high)).toContain(1 / 64);
    for (const s of gba) expect(s.config.decay).toBe(0);
  });

  it("leaves Table 1 untouched: no variant, no bias_rule, no GBA field", () => {
    for (const s of expandExperiments("all", { preset: "quick" })) {
      expect(s.variant).toBeUndefined();
      expect(Object.keys(s.config).filter((k) => k.startsWith("gba") || k === "bias_rule")).toEqual([]);
    }
  });

  it("runs end to end through the sweep runner (tiny) and records bias_rule and variant", async () => {
    const specs = expandExperiments(["GBA1"], {
      preset: "smoke",
      seeds: 1,
      overrides: { n_features: 64, m: 16, k: 32, batch: 32, steps: 16 },
    });
    const records = await runSweep(specs, { engine: "tfjs", workers: 0, cache: null, log: () => {} });
    expect(records).toHaveLength(GBA1.variants!.length);
    const byVariant = Object.fromEntries(records.map((r) => [r.run.variant, r.run]));
    expect(byVariant.LR1.bias_rule).toBe("paper");
    expect(byVariant.LR3.bias_rule).toBe("paper");
    expect(byVariant["gba-p64"].bias_rule).toBe("gba");
    expect(byVariant["gba-p64"].gba_p_high).toBe(1 / 64);
    for (const r of records) expect(Number.isFinite(Number(r.run.final_loss))).toBe(true);
    for (const r of records.filter((r) => r.run.bias_rule === "gba")) for (const b of r.neurons.bias) expect(b >= -1 && b <= 0).toBe(true);
  });
});

describe("GBA in row-norm units", () => {
  it("keeps each bias within [-||w_j||, 0] and measures r in the same units", async () => {
    const config = gbaConfig({ gba_units: "row_norm", steps: 16 });
    const { factory, calls } = biasRecordingEngine(true);
    const outcome = await train(config, factory);
    const { k, m, w1 } = outcome.params; // the recording engine never changes W1
    for (const c of calls)
      for (let j = 0; j < k; j++) {
        let n = 0;
        for (let d = 0; d < m; d++) n += w1[j * m + d] ** 2;
        expect(c.b[j]).toBeLessThanOrEqual(0);
        expect(c.b[j]).toBeGreaterThanOrEqual(-Math.sqrt(n) - 1e-6);
      }
    expect(calls.slice(1).some((c, i) => c.b.some((x, j) => x !== calls[i].b[j]))).toBe(true);
    expect(() => RunConfigSchema.parse(smallConfig({ gba_units: "row_norm" }))).toThrow(/bias_rule=gba/);
  });
});

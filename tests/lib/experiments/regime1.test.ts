// The batch ladder's expansion: noise-matched rungs keep lr / sqrt(batch), fixed-lr rungs keep lr, and the preset
// still decides steps and decay.
import { describe, expect, it } from "vitest";
import { expandRegime1, REGIME1_BATCHES } from "../../../src/lib/experiments/regime1.js";
import { PRESETS, scaledDecay } from "../../../src/lib/experiments/presets.js";

describe("REGIME1", () => {
  const specs = expandRegime1({ preset: "quick", seeds: 1 });
  it("has every rung once: 2 recipes x (2 paper rates + fixed lr) x batches", () => {
    expect(specs.length).toBe(2 * 3 * REGIME1_BATCHES.length);
    expect(new Set(specs.map((s) => s.run_id)).size).toBe(specs.length);
    expect(specs.every((s) => s.experiment === "REGIME1" && s.variant !== undefined)).toBe(true);
  });
  it("keeps the paper's noise scale on the noise-matched rungs, lr on the fixed ones", () => {
    for (const s of specs.filter((s) => s.variant!.includes("-paper0.03-")))
      expect(s.config.lr * Math.sqrt(8192 / s.config.batch)).toBeCloseTo(0.03, 12);
    const fixed = specs.filter((s) => s.variant!.includes("-lr0.01-"));
    expect(new Set(fixed.map((s) => s.config.lr))).toEqual(new Set([0.01]));
    expect(new Set(fixed.map((s) => s.config.batch))).toEqual(new Set(REGIME1_BATCHES));
  });
  it("trains each recipe as its Table 1 row under the preset (LR3's bias and decay rule)", () => {
    // REGIME1 is not among the preset's focus experiments: it takes the preset's plain steps and decay rescaling.
    const lr3 = specs.find((s) => s.variant === "LR3-paper0.01-b16")!;
    expect(lr3.config).toMatchObject({
      init_bias: -1,
      batch: 16,
      steps: PRESETS.quick.steps,
      decay: scaledDecay(0.03, lr3.config.lr, PRESETS.quick.steps),
    });
    expect(lr3.decay_nominal).toBe(0.03);
    const lr1 = specs.find((s) => s.variant === "LR1-lr0.01-b2048")!;
    expect(lr1.config).toMatchObject({ init_bias: 0, decay: 0, lr: 0.01, batch: 2048 });
  });
  it("refuses --set lr and --set batch", () => {
    expect(() => expandRegime1({ overrides: { lr: 0.01 } })).toThrow(/sets lr per rung/);
    expect(() => expandRegime1({ overrides: { batch: 64 } })).toThrow(/sets batch per rung/);
  });
});

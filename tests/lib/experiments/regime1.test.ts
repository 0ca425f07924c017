// The batch ladder's expansion: noise-matched rungs keep lr / sqrt(batch), fixed-lr rungs keep lr, every rung trains
// for the same lr x steps with Table 1's per-step decay, and the CLI's expansion is the site's.
import { describe, expect, it } from "vitest";
import { expandRegime1, REGIME1_FULL, REGIME1_LR_STEPS, REGIME1_SCALES, regime1Rungs } from "../../../src/lib/experiments/regime1.js";
import { expandExperiments } from "../../../src/lib/experiments/sweep.js";

describe("REGIME1", () => {
  const full = expandRegime1({ preset: "converged" });
  it("the full ladder has every rung once: 2 recipes x (2 paper rates + fixed lr) x 5 batches", () => {
    expect(full.length).toBe(2 * 3 * 5);
    expect(new Set(full.map((s) => s.run_id)).size).toBe(full.length);
    expect(full.every((s) => s.experiment === "REGIME1" && s.variant !== undefined)).toBe(true);
  });
  it("keeps the paper's noise scale on the noise-matched rungs, lr on the fixed ones", () => {
    const matched = full.filter((s) => s.variant!.includes("-paper0.03-"));
    expect(matched.length).toBe(10);
    for (const s of matched) expect(s.config.lr * Math.sqrt(8192 / s.config.batch)).toBeCloseTo(0.03, 12);
    const fixed = full.filter((s) => s.variant!.includes("-lr0.01-"));
    expect(new Set(fixed.map((s) => s.config.lr))).toEqual(new Set([0.01]));
    expect(new Set(fixed.map((s) => s.config.batch))).toEqual(new Set(REGIME1_FULL.legs[0].batches));
  });
  it("gives every rung the same lr x steps, so the batch-2048 paper-0.03 rung is the shipped 8192-step reference run", () => {
    for (const s of full) expect(Math.abs(s.config.lr * s.config.steps - REGIME1_LR_STEPS) / REGIME1_LR_STEPS).toBeLessThan(0.001);
    const top = full.find((s) => s.variant === "LR3-paper0.03-b2048")!;
    expect(top.config).toMatchObject({ lr: 0.015, batch: 2048, steps: 8192, seed: 1 });
  });
  it("trains each recipe as its Table 1 row with the per-step decay as given (no rescaling)", () => {
    const lr3 = full.find((s) => s.variant === "LR3-paper0.01-b16")!;
    expect(lr3.config).toMatchObject({ init_bias: -1, batch: 16, decay: 0.03 });
    expect(lr3.decay_nominal).toBe(0.03);
    const lr1 = full.find((s) => s.variant === "LR1-lr0.01-b2048")!;
    expect(lr1.config).toMatchObject({ init_bias: 0, decay: 0, lr: 0.01, batch: 2048, steps: Math.round(REGIME1_LR_STEPS / 0.01) });
  });
  it("the default build's reduced ladder is a subset of the full one (same configs)", () => {
    const quick = expandRegime1({ preset: "quick" });
    expect(quick.length).toBe(regime1Rungs(REGIME1_SCALES.quick).length);
    const fullConfigs = new Set(full.map((s) => JSON.stringify(s.config)));
    for (const s of quick) expect(fullConfigs.has(JSON.stringify(s.config))).toBe(true);
  });
  it("is what expandExperiments gives for its id (one expansion for the CLI and the site)", () => {
    expect(expandExperiments(["REGIME1"], { preset: "quick" })).toEqual(expandRegime1({ preset: "quick" }));
    expect(expandExperiments("all", { preset: "quick" }).some((s) => s.experiment === "REGIME1")).toBe(false);
  });
  it("refuses --set lr, batch and steps, and takes --seeds", () => {
    expect(() => expandRegime1({ overrides: { lr: 0.01 } })).toThrow(/sets lr per rung/);
    expect(() => expandRegime1({ overrides: { batch: 64 } })).toThrow(/sets batch per rung/);
    expect(() => expandRegime1({ overrides: { steps: 64 } })).toThrow(/sets steps per rung/);
    const two = expandRegime1({ preset: "smoke", seeds: 2 });
    expect(two.length).toBe(2 * regime1Rungs(REGIME1_SCALES.smoke).length);
  });
});

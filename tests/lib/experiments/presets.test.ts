// The presets' expansions: quick's focus and survey scales, converged's steps and decay, tuning seeds kept out of the
// judged runs, and the paper preset's batch rule.
import { describe, expect, it } from "vitest";
import { PRESETS, scaledDecay } from "../../../src/lib/experiments/presets.js";
import { expandExperiments } from "../../../src/lib/experiments/sweep.js";
import { GRIDS } from "../../../src/lib/experiments/table1.js";

const quick = PRESETS.quick;
const focus = quick.focus!;

describe("the quick preset", () => {
  const specs = expandExperiments("all", { preset: "quick" });
  const of = (id: string) => specs.filter((s) => s.experiment === id);
  const values = (id: string, field: "lr" | "k" | "init_bias" | "seed") => [...new Set(of(id).map((s) => s.config[field]))];

  it("trains the claims' experiments at the focus scale with 3 seeds, the others at the survey scale with 1", () => {
    for (const id of focus.experiments) {
      expect(of(id).length).toBeGreaterThan(0);
      for (const s of of(id)) expect([s.config.steps, s.config.batch]).toEqual([focus.steps, focus.batch]);
      expect(values(id, "seed")).toEqual([2, 3, 4]);
    }
    for (const id of ["LR2", "B3", "E1", "RG1", "D1"]) {
      for (const s of of(id)) expect([s.config.steps, s.config.batch]).toEqual([quick.steps, quick.batch]);
      expect(values(id, "seed")).toEqual([1]);
    }
  });

  it("uses the focus grid for LR1 and LR3, thins the survey's grids, and stops the widths at 1024", () => {
    expect(values("LR1", "lr")).toEqual(focus.grids!.lr);
    expect(values("LR3", "lr")).toEqual(focus.grids!.lr);
    expect(values("LR2", "lr")).toEqual([0.001, 0.005, 0.01, 0.03]);
    expect(values("K1", "k")).toEqual(GRIDS.k.filter((k) => k <= 1024));
    expect(values("K0", "k")).toEqual([16, 64, 256, 1024]);
    expect(values("K2", "k")).toEqual([16, 64, 256, 1024]);
    expect(values("B3", "init_bias")).toEqual([-2, -1, -0.5, 0, 1]);
  });

  it("rescales each run's decay by its own number of steps, and records the Table 1 value", () => {
    const lr3 = of("LR3").find((s) => s.config.lr === 0.01)!;
    expect(lr3.decay_nominal).toBe(0.03);
    expect(lr3.config.decay).toBeCloseTo(scaledDecay(0.03, 0.01, focus.steps), 12);
    const e1 = of("E1")[0];
    expect(e1.config.decay).toBeCloseTo(scaledDecay(0.03, 0.003, quick.steps), 12);
    expect(scaledDecay(0.03, 0.01, focus.steps)).not.toBeCloseTo(scaledDecay(0.03, 0.01, quick.steps), 3);
  });

  it("has every run id once", () => {
    expect(new Set(specs.map((s) => s.run_id)).size).toBe(specs.length);
  });
});

describe("the converged preset", () => {
  const converged = PRESETS.converged;
  const specs = expandExperiments("all", { preset: "converged" });
  const quickSpecs = expandExperiments("all", { preset: "quick" });
  const of = (all: typeof specs, id: string) => all.filter((s) => s.experiment === id);

  it("trains the claims' experiments at 65536 steps of batch 8 with 3 seeds, at widths 64, 256 and 1024", () => {
    for (const id of converged.focus!.experiments) {
      for (const s of of(specs, id)) expect([s.config.steps, s.config.batch]).toEqual([65536, 8]);
      expect(new Set(of(specs, id).map((s) => s.config.seed))).toEqual(new Set([4, 5, 6]));
    }
    for (const id of ["K0", "K1", "K2"]) expect([...new Set(of(specs, id).map((s) => s.config.k))]).toEqual([64, 256, 1024]);
  });

  it("multiplies Table 1's decay by 4 per step instead of rescaling it to the paper's total", () => {
    for (const id of ["LR3", "K1", "K2"]) for (const s of of(specs, id)) expect(s.config.decay).toBeCloseTo(0.03 * 4, 12);
    for (const id of ["LR1", "K0"]) for (const s of of(specs, id)) expect(s.config.decay).toBe(0);
    // The rescaling would have given about half of it at this length.
    expect(scaledDecay(0.03, 0.007, 65536)).toBeLessThan(0.07);
  });

  it("trains every other experiment exactly as quick does", () => {
    const focus = new Set(converged.focus!.experiments);
    const configs = (all: typeof specs) => all.filter((s) => !focus.has(s.experiment)).map((s) => JSON.stringify(s.config));
    expect(configs(specs)).toEqual(configs(quickSpecs));
  });
});

describe("tuning seeds never judge", () => {
  it("no focus run of quick or converged uses a seed its knobs were tuned on", async () => {
    const { TUNING_SEEDS } = await import("../../../src/lib/experiments/presets.js");
    const { expandExperiments } = await import("../../../src/lib/experiments/sweep.js");
    for (const preset of ["quick", "converged"] as const) {
      const seeds = new Set(expandExperiments(["LR1", "LR3", "K0", "K1", "K2"], { preset }).map((s) => s.config.seed));
      for (const tuned of TUNING_SEEDS[preset]) expect(seeds.has(tuned)).toBe(false);
    }
  });
});

describe("the paper preset", () => {
  it("uses the paper's batch rule 2^23 / k, so the width sweeps change the batch with k", async () => {
    const { expandExperiments } = await import("../../../src/lib/experiments/sweep.js");
    const specs = expandExperiments(["K1", "LR1", "LR5"], { preset: "paper" });
    for (const s of specs) expect(s.config.batch * s.config.k).toBe(2 ** 23);
    expect(specs.find((s) => s.experiment === "K1" && s.config.k === 16)!.config.batch).toBe(2 ** 19);
    expect(specs.find((s) => s.experiment === "LR1")!.config.batch).toBe(8192);
    expect(specs.find((s) => s.experiment === "LR5")!.config.batch).toBe(4096);
  });
});

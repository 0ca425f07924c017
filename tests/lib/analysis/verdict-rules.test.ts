// The decision rule against the cases a sceptical reviewer would try: each must come out right.
import { describe, expect, it } from "vitest";
import { comparisonPart, combineOutcomes, labelFor, premisePart, regimeOf, trendPart } from "../../../src/lib/analysis/verdict-rules.js";
import { signFlipTest, spearman, trendTest } from "../../../src/lib/analysis/stats.js";
import { countsStable } from "../../../src/lib/protocol/convergence.js";

const grid = [0.001, 0.003, 0.005, 0.007, 0.01];

describe("trend parts", () => {
  it("two seeds with the same non-monotone pattern (Spearman 0.4 each) are not a reproduced trend", () => {
    const rho04 = [0.1, 0.5, 0.2, 0.3, 0.4];
    expect(spearman(grid, rho04)).toBeCloseTo(0.4, 6);
    const part = trendPart(
      [
        { x: grid, y: rho04 },
        { x: grid, y: rho04 },
      ],
      { what: "mono with lr", expect: 1, floor: 0.1 },
    );
    expect(part.test!.pUpper).toBeGreaterThan(0.05);
    expect(part.outcome).not.toBe("supports");
  });

  it("a monotone trend in three seeds over four grid points is significant and supports the claim", () => {
    const series = [1, 2, 3].map((s) => ({ x: grid.slice(0, 4), y: [0.1, 0.4, 0.7, 1.0].map((v) => v + s * 0.01) }));
    const part = trendPart(series, { what: "mono with lr", expect: 1, floor: 0.1 });
    expect(part.test!.pUpper).toBeCloseTo(1 / 24 ** 3, 10);
    expect(part.outcome).toBe("supports");
  });

  it("Spearman -1 in two seeds over three points contradicts a claimed rise (p = 1/36)", () => {
    const series = [0, 1].map(() => ({ x: [0.007, 0.01, 0.02], y: [1.3, 1.0, 0.5] }));
    const part = trendPart(series, { what: "mono with lr", expect: 1, floor: 0.1 });
    expect(part.test!.pLower).toBeCloseTo(1 / 36, 10);
    expect(part.outcome).toBe("contradicts");
  });

  it("one seed over three points cannot reach 5% and says so", () => {
    const part = trendPart([{ x: [16, 64, 256], y: [0.1, 0.5, 0.9] }], { what: "mono with k", expect: 1, floor: 0.1 });
    expect(part.test!.minP).toBeCloseTo(1 / 6, 10);
    expect(part.outcome).toBe("underpowered");
  });

  it("a significant trend whose size is below the floor is no effect", () => {
    const series = [1, 2, 3].map(() => ({ x: grid.slice(0, 4), y: [0.5, 0.501, 0.502, 0.503] }));
    expect(trendPart(series, { what: "mono with lr", expect: 1, floor: 0.1 }).outcome).toBe("no effect");
  });

  it("a flat metric is no effect, or a grid too coarse where the caller says so", () => {
    const flat = [{ x: [1, 2, 3], y: [0.5, 0.5, 0.5] }];
    expect(trendPart(flat, { what: "best bias", expect: 1, floor: 0.1 }).outcome).toBe("no effect");
    expect(trendPart(flat, { what: "best bias", expect: 1, floor: 0.1, flat: "grid too coarse" }).outcome).toBe("grid too coarse");
  });

  it("the exact trend null is symmetric: the two one-sided p-values of a zero statistic are equal", () => {
    const r = trendTest([
      { x: [1, 2, 3], y: [2, 1, 3] },
      { x: [1, 2, 3], y: [2, 3, 1] },
    ]);
    expect(r.pUpper).toBeCloseTo(r.pLower, 12);
  });
});

describe("comparison parts", () => {
  const strata = (means: number[], spread = 0.01) => means.map((m, i) => ({ label: `lr ${grid[i]}`, values: [m - spread, m, m + spread] }));

  it("a pooled effect carried by one stratum is not reproduced at every learning rate", () => {
    const part = comparisonPart(strata([0.04, 0.0, 0.5]), { what: "LR3 − LR1", floor: 0.1, decisive: 0.3, over: "learning rate" });
    const pooled = signFlipTest(strata([0.04, 0.0, 0.5]).map((s) => s.values));
    expect(pooled.pUpper).toBeLessThan(0.05);
    expect(part.outcome).toBe("no effect");
    expect(part.strata.map((s) => s.outcome)).toEqual(["below floor", "below floor", "holds"]);
  });

  it("an effect that is real but below its floor is no effect", () => {
    const part = comparisonPart(strata([0.03, 0.03, 0.03], 0.002), { what: "LR3 − LR1", floor: 0.1, decisive: 0.3, over: "learning rate" });
    expect(part.test!.pUpper).toBeLessThan(0.05);
    expect(part.outcome).toBe("no effect");
  });

  it("an effect above its floor at every stratum, with a significant test, supports", () => {
    expect(comparisonPart(strata([0.3, 0.4, 0.5]), { what: "LR3 − LR1", floor: 0.1, decisive: 0.3, over: "learning rate" }).outcome).toBe(
      "supports",
    );
  });

  it("one stratum clearly the other way contradicts", () => {
    expect(comparisonPart(strata([0.3, -0.4, 0.5]), { what: "LR3 − LR1", floor: 0.1, decisive: 0.3, over: "learning rate" }).outcome).toBe(
      "contradicts",
    );
  });

  it("single replicates decide only by a decisive margin", () => {
    const one = (v: number) => [
      { label: "lr 0.01", values: [v] },
      { label: "lr 0.03", values: [v] },
    ];
    expect(comparisonPart(one(0.5), { what: "d", floor: 0.1, decisive: 0.3, over: "lr" }).outcome).toBe("supports");
    expect(comparisonPart(one(0.2), { what: "d", floor: 0.1, decisive: 0.3, over: "lr" }).outcome).toBe("underpowered");
  });
});

describe("convergence, premise and regime", () => {
  it("a run still losing neurons at a flat loss is not converged", () => {
    // LR1 at lr 0.007, batch 8: 193 more neurons died over the last quarter while the loss moved by 0.2%.
    expect(countsStable({ mono_neurons: 1290, dead_on_data: 30 }, { mono_neurons: 1285, dead_on_data: 223 }, 1024)).toBe(false);
    expect(countsStable({ mono_neurons: 1290, dead_on_data: 220 }, { mono_neurons: 1285, dead_on_data: 223 }, 1024)).toBe(true);
  });

  it("a failed premise is outside the claim's premise, never a refutation", () => {
    const outcome = combineOutcomes([
      premisePart("same loss", false, "losses differ by 76%"),
      trendPart(
        [
          { x: [1, 2, 3], y: [3, 2, 1] },
          { x: [1, 2, 3], y: [3, 2, 1] },
        ],
        { what: "t", expect: 1, floor: 0.1 },
      ),
    ]);
    expect(outcome).toBe("outside premise");
    expect(labelFor(outcome, regimeOf([{ batch: 8192, lr: 0.01 }]))).toBe("outside the claim's premise");
  });

  it("a contradiction measured far outside the paper's noise scale is not a refutation of the paper", () => {
    const small = regimeOf([{ batch: 8, lr: 0.01 }]);
    expect(small.inPaperRegime).toBe(false);
    expect(labelFor("contradicts", small)).toBe("not tested in the paper's regime");
    const paper = regimeOf([
      { batch: 2048, lr: 0.005 },
      { batch: 2048, lr: 0.015 },
    ]);
    expect(paper.inPaperRegime).toBe(true);
    expect(labelFor("contradicts", paper)).toBe("not reproduced");
    expect(labelFor("supports", paper)).toBe("reproduced");
    expect(labelFor("underpowered", paper)).toBe("inconclusive");
  });
});

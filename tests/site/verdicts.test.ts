import { describe, expect, it } from "vitest";
import { combine, decidePart, meanInterval, pairedDifferences, spearman, spreadReplicates, t95, trendReplicates } from "../../src/components/verdicts.js";

describe("meanInterval", () => {
  it("gives the t interval", () => {
    const r = meanInterval([1, 2, 3]);
    expect(r.mean).toBe(2);
    expect(r.hi! - 2).toBeCloseTo(t95(2) * 1 / Math.sqrt(3), 10);
    expect(r.lo! + r.hi!).toBeCloseTo(4, 10);
  });
  it("has no interval with one value, nothing with none", () => {
    expect(meanInterval([5])).toEqual({ mean: 5, lo: null, hi: null, n: 1 });
    expect(meanInterval([NaN])).toEqual({ mean: null, lo: null, hi: null, n: 0 });
  });
});

describe("decidePart", () => {
  const o = { expect: 1 as const, decisive: 0.1, what: "effect" };
  it("uses the interval with two or more replicates", () => {
    expect(decidePart([0.5, 0.6, 0.55], o).verdict).toBe("reproduced");
    expect(decidePart([-0.5, -0.6, -0.55], o).verdict).toBe("not reproduced");
    expect(decidePart([-0.5, 0.6, 0.1], o).verdict).toBe("inconclusive");
    expect(decidePart([-0.5, -0.6, -0.55], { ...o, expect: -1 }).verdict).toBe("reproduced");
  });
  it("needs a decisive effect with one replicate, and says the interval is not available", () => {
    expect(decidePart([0.2], o).verdict).toBe("reproduced");
    expect(decidePart([0.05], o).verdict).toBe("inconclusive");
    expect(decidePart([-0.2], o).verdict).toBe("not reproduced");
    expect(decidePart([0.2], o).text).toMatch(/not available/);
  });
  it("is inconclusive with no data", () => {
    expect(decidePart([], o).verdict).toBe("inconclusive");
  });
});

describe("combine", () => {
  const e = (verdict: "reproduced" | "not reproduced" | "inconclusive") => ({ verdict, text: "", mean: 0, lo: null, hi: null, n: 1 });
  it("needs every part", () => {
    expect(combine([e("reproduced"), e("reproduced")]).verdict).toBe("reproduced");
    expect(combine([e("reproduced"), e("inconclusive")]).verdict).toBe("inconclusive");
    expect(combine([e("inconclusive"), e("not reproduced")]).verdict).toBe("not reproduced");
    expect(combine([]).verdict).toBe("inconclusive");
  });
});

describe("helpers", () => {
  it("spearman", () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 40])).toBeCloseTo(1);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1);
    expect(spearman([1, 2], [1, 2])).toBeNaN();
    expect(spearman([1, 2, 3], [1, 1, 1])).toBeNaN();
  });
  it("trend, paired and spread replicates", () => {
    const a = [1, 2, 3].flatMap((x) => [1, 2].map((seed) => ({ x, seed, y: x * seed })));
    expect(trendReplicates(a)).toEqual([1, 1]);
    const b = a.map((p) => ({ ...p, y: p.y + 1 }));
    expect(pairedDifferences(a, b)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(spreadReplicates([{ x: 1, seed: 1, y: 1 }, { x: 2, seed: 1, y: 3 }])).toEqual([1]);
  });
});

// The browser's verdict helpers: a page's own hypotheses are judged by the site's rule and worded as findings here.
import { describe, expect, it } from "vitest";
import { combine, decidePart, meanInterval } from "../../src/components/verdicts.js";
import { t95 } from "../../src/lib/analysis/stats.js";

describe("meanInterval", () => {
  it("gives the t interval", () => {
    const r = meanInterval([1, 2, 3]);
    expect(r.mean).toBe(2);
    expect(r.hi! - 2).toBeCloseTo((t95(2) * 1) / Math.sqrt(3), 10);
    expect(r.lo! + r.hi!).toBeCloseTo(4, 10);
  });
  it("has no interval with one value, nothing with none", () => {
    expect(meanInterval([5])).toEqual({ mean: 5, lo: null, hi: null, n: 1 });
    expect(meanInterval([NaN])).toEqual({ mean: null, lo: null, hi: null, n: 0 });
  });
});

describe("a page's own hypotheses", () => {
  const o = { expect: 1 as const, decisive: 0.1, what: "effect" };
  it("holds, does not hold, or is undecided here: never 'reproduced'", () => {
    expect(combine([decidePart([0.5, 0.6, 0.55], o)]).label).toBe("holds here");
    expect(combine([decidePart([-0.5, -0.6, -0.55], o)]).label).toBe("does not hold here");
    expect(combine([decidePart([-0.5, 0.6, 0.1], o)]).label).toBe("undecided here");
    expect(combine([decidePart([-0.5, -0.6, -0.55], { ...o, expect: -1 })]).label).toBe("holds here");
  });
  it("needs an effect above its floor, not just a sign", () => {
    expect(combine([decidePart([0.03, 0.031, 0.029], o)]).label).toBe("does not hold here");
    expect(combine([decidePart([0.03, 0.031, 0.029], o)]).category).toBe("no effect");
  });
  it("with one replicate, only a decisive margin counts", () => {
    expect(combine([decidePart([0.2], o)]).label).toBe("holds here");
    expect(combine([decidePart([0.05], o)]).label).toBe("undecided here");
  });
  it("needs every part, and says why in one sentence", () => {
    const v = combine([decidePart([0.5, 0.6, 0.55], o), decidePart([], o)]);
    expect(v.label).toBe("undecided here");
    expect(v.reason).toMatch(/no stratum has usable runs/);
  });
});

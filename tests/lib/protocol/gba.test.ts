// Group Bias Adaptation's pure rule: target frequencies and groups, the q/r accumulator, the bias update, and the
// bias_rule fields of the run config.
import { describe, expect, it } from "vitest";
import { clampBiases, GbaAccumulator, gbaUpdate, groupOf, neuronTargets, targetFrequencies } from "../../../src/lib/protocol/gba.js";
import { RunConfigSchema, withGbaDefaults } from "../../../src/lib/protocol/config.js";
import { smallConfig } from "../engines/fixtures.js";

const SETTINGS = { gammaMinus: 0.01, gammaPlus: 0.01, deadThreshold: 1e-6 };

describe("GBA target frequencies and groups", () => {
  it("are geometric from p_high to p_low", () => {
    const p = targetFrequencies(3, 0.1, 0.001);
    expect(p[0]).toBeCloseTo(0.1, 15);
    expect(p[1]).toBeCloseTo(0.01, 15);
    expect(p[2]).toBeCloseTo(0.001, 15);
    expect(Array.from(targetFrequencies(1, 0.25, 0.25))).toEqual([0.25]);
    expect(() => targetFrequencies(2, 0.01, 0.1)).toThrow();
  });

  it("split neurons into contiguous groups of near-equal size", () => {
    const sizes = new Array(3).fill(0);
    for (let j = 0; j < 10; j++) sizes[groupOf(j, 10, 3)]++;
    expect(sizes).toEqual([4, 3, 3]);
    const t = neuronTargets(4, { groups: 2, pHigh: 0.5, pLow: 0.05 });
    expect(Array.from(t)).toEqual([0.5, 0.5, 0.05, 0.05]);
  });
});

describe("GBA accumulator", () => {
  it("measures q as the firing fraction and r as the max positive pre-activation", () => {
    const acc = new GbaAccumulator(3);
    acc.add([1, -1, 0]);
    acc.add([0.5, -2, 0]);
    acc.add([-1, -3, 0]);
    acc.add([2, 0.25, 0]);
    const { q, r } = acc.stats();
    expect(Array.from(q)).toEqual([0.75, 0.25, 0]);
    expect(Array.from(r)).toEqual([2, 0.25, 0]);
  });
});

describe("GBA update", () => {
  it("lowers an over-active neuron by gamma * r, raises a dead one by gamma * its group's mean r, leaves others", () => {
    // Two groups of two neurons: targets 0.5 (neurons 0, 1) and 0.05 (neurons 2, 3).
    const targets = neuronTargets(4, { groups: 2, pHigh: 0.5, pLow: 0.05 });
    const b = new Float32Array([-0.5, -0.5, -0.5, -0.5]);
    const q = Float64Array.from([0.6, 0.3, 0.0, 0.04]);
    const r = Float64Array.from([2, 1, 0, 3]);
    const next = gbaUpdate(b, { q, r }, targets, 2, SETTINGS);
    expect(next[0]).toBeCloseTo(-0.5 - 0.01 * 2, 6); // q > 0.5
    expect(next[1]).toBeCloseTo(-0.5, 6); // 0 < q < target: unchanged
    expect(next[2]).toBeCloseTo(-0.5 + 0.01 * 3, 6); // dead: group 1's mean r over r > 0 neurons is 3
    expect(next[3]).toBeCloseTo(-0.5, 6);
    expect(Array.from(b)).toEqual([-0.5, -0.5, -0.5, -0.5]); // input untouched
  });

  it("keeps biases in [-1, 0]", () => {
    const targets = neuronTargets(2, { groups: 1, pHigh: 0.1, pLow: 0.1 });
    const next = gbaUpdate(
      new Float32Array([-0.999, -0.001]),
      { q: Float64Array.from([1, 0]), r: Float64Array.from([50, 0]) },
      targets,
      1,
      { ...SETTINGS, gammaPlus: 1 },
    );
    expect(next[0]).toBe(-1);
    // neuron 1 is dead and its group's mean r is 50: raised, but not above 0
    expect(next[1]).toBe(0);
    expect(Array.from(clampBiases(new Float32Array([-3, 0.5, -0.25])))).toEqual([-1, 0, -0.25]);
  });

  it("wakes a dead group with the layer's mean r, and a silent layer by gamma", () => {
    const targets = neuronTargets(4, { groups: 2, pHigh: 0.5, pLow: 0.05 });
    const b = new Float32Array([-0.5, -0.5, -0.5, -0.5]);
    const next = gbaUpdate(b, { q: Float64Array.from([0.1, 0.2, 0, 0]), r: Float64Array.from([1, 3, 0, 0]) }, targets, 2, SETTINGS);
    expect(next[2]).toBeCloseTo(-0.5 + 0.01 * 2, 6);
    const silent = gbaUpdate(b, { q: new Float64Array(4), r: new Float64Array(4) }, targets, 2, SETTINGS);
    for (const x of silent) expect(x).toBeCloseTo(-0.49, 6);
  });

  it("drives a neuron's firing rate to its target on a stationary stream", () => {
    // One neuron, pre-activation = u - 0.5 + b with u ~ U[0,1): it fires with probability 0.5 + b (b in [-0.5, 0]).
    // Target 0.1: the rule must bring b near -0.4 (it only lowers when q > target, and never raises a live neuron).
    let b: Float32Array = new Float32Array([0]);
    const targets = Float64Array.from([0.1]);
    let seed = 1;
    const u = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let round = 0; round < 400; round++) {
      const acc = new GbaAccumulator(1);
      for (let s = 0; s < 1000; s++) acc.add([u() - 0.5 + b[0]]);
      b = gbaUpdate(b, acc.stats(), targets, 1, { gammaMinus: 0.05, gammaPlus: 0.05, deadThreshold: 1e-6 });
    }
    expect(b[0]).toBeLessThan(-0.36);
    expect(b[0]).toBeGreaterThan(-0.45);
  });
});

describe("bias_rule in the run config", () => {
  it("is optional, so paper configs are unchanged, and refuses GBA fields or decay outside GBA", () => {
    const paper = RunConfigSchema.parse(smallConfig());
    expect("bias_rule" in paper).toBe(false);
    expect(withGbaDefaults(paper)).toBe(paper);
    expect(() => RunConfigSchema.parse(smallConfig({ gba_groups: 3 }))).toThrow(/gba_\* fields need bias_rule=gba/);
    expect(() => RunConfigSchema.parse(smallConfig({ bias_rule: "gba", decay: 0.1 }))).toThrow(/decay must be 0/);
    const gba = withGbaDefaults(RunConfigSchema.parse(smallConfig({ bias_rule: "gba", gba_p_high: 0.2 })));
    expect(gba.gba_p_high).toBe(0.2);
    expect(gba.gba_groups).toBe(10);
    expect(gba.gba_gamma).toBe(0.01);
    expect(withGbaDefaults(RunConfigSchema.parse(smallConfig({ bias_rule: "gba", gba_p_high: 1e-3 }))).gba_p_low).toBe(1e-3);
  });
});

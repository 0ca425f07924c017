// The monosemanticity metrics on constructed matrices: mono, covered, dead, mean bias, the 0.999 threshold, and the
// single-feature activations.
import { describe, expect, it } from "vitest";
import { modelMetrics, neuronStats, singleFeatureActivations, summarise } from "../../../src/lib/protocol/metrics.js";

describe("neuronStats and summarise", () => {
  it("counts monosemantic neurons, covered features, dead neurons and mean bias on a constructed matrix", () => {
    const k = 4;
    const N = 3;
    // neuron 0: only feature 2 -> mono; neuron 1: two features -> poly; neuron 2: silent -> dead;
    // neuron 3: feature 2 with a 0.0005 share elsewhere -> frac 0.9995 > 0.999 -> mono (same feature as neuron 0).
    const sfa = new Float32Array([0, 0, 1.5, 0.5, 0.5, 0, 0, 0, 0, 0.0005, 0, 0.9995]);
    const bias = new Float32Array([-0.5, 0.1, -2, -0.3]);
    const stats = neuronStats(sfa, bias, k, N);
    expect(Array.from(stats.isMono)).toEqual([1, 0, 0, 1]);
    expect(Array.from(stats.topFeature)).toEqual([2, 0, 0, 2]);
    expect(Array.from(stats.isDead)).toEqual([0, 0, 1, 0]);
    expect(stats.fracMono[1]).toBeCloseTo(0.5, 6);
    const m = summarise(stats, bias, N);
    expect(m).toEqual({
      mono_neurons: 2,
      mono_per_feature: 2 / 3,
      mono_per_neuron: 0.5,
      features_covered: 1,
      mean_bias: expect.closeTo((-0.5 + 0.1 - 2 - 0.3) / 4, 6),
      dead_neurons: 1,
    });
  });

  it("does not count a neuron at exactly 0.999 as monosemantic", () => {
    const stats = neuronStats(new Float32Array([0.999, 0.001]), new Float32Array([0]), 1, 2);
    expect(stats.isMono[0]).toBe(0);
  });
});

describe("singleFeatureActivations", () => {
  it("is act(W1 e_i + b) for each neuron and feature", () => {
    // m = 2, N = 2, E = identity; W1 = [[1, -1], [2, 0.5]], b = [0, -1]
    const params = { k: 2, m: 2, outDim: 2, w1: new Float32Array([1, -1, 2, 0.5]), b: new Float32Array([0, -1]), w2: new Float32Array(4) };
    const e = new Float32Array([1, 0, 0, 1]);
    expect(Array.from(singleFeatureActivations(params, e, 2, "relu"))).toEqual([1, 0, 1, 0]);
    const { metrics } = modelMetrics(params, e, 2, "relu");
    expect(metrics.mono_neurons).toBe(2);
    expect(metrics.features_covered).toBe(1);
  });
});

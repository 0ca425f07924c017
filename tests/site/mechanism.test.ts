// The claim 8 mechanism analysis on a hand-built model: mono and poly pathways, their singular values, and its helpers.
import { describe, expect, it } from "vitest";
import { analyseMechanism, cholesky, lineFit, pathwaySingularValues } from "../../src/lib/analysis/mechanism.js";
import { singularValues } from "../../src/lib/protocol/linalg.js";

const params = {
  k: 3,
  m: 2,
  outDim: 2,
  w1: Float32Array.from([1, 0, 0, 1, 1, 1]),
  b: Float32Array.from([-0.5, -0.5, 0.1]),
  w2: Float32Array.from([2, 0, 0.5, 0, 2, 0.5]),
};
const embedder = Float32Array.from([1, 0, 0, 1]);

describe("mechanism analysis", () => {
  it("splits the response into mono and poly pathways", () => {
    const samples = {
      size: 2,
      nFeatures: 2,
      offsets: Int32Array.from([0, 1, 1]),
      indices: Int32Array.from([0]),
      values: Float32Array.from([1]),
    };
    const r = analyseMechanism({
      params,
      embedder,
      nFeatures: 2,
      activation: "relu",
      isMono: Uint8Array.from([1, 1, 0]),
      topActivation: Float32Array.from([0.5, 0.5, 1.1]),
      samples,
      features: [0],
      amplitudes: [0, 0.25, 0.5, 0.75, 1],
    });
    expect([r.mono, r.poly, r.dead]).toEqual([2, 1, 0]);
    const at = (model: string, a: number) => r.response.find((p) => p.model === model && p.amplitude === a)!.output;
    expect(at("poly only", 1)).toBeCloseTo(0.5 * 1.1, 6);
    expect(at("mono only", 0.5)).toBe(0);
    expect(at("mono only", 1)).toBeCloseTo(2 * 0.5, 6);
    expect(at("full", 1)).toBeCloseTo(1 + 0.55, 6);
    expect(r.fits[0].polyR2).toBeCloseTo(1, 10);
    expect(r.fits[0].monoOnset).toBe(0.75);
    // poly neuron fires on both samples (bias 0.1 > 0), mono neuron 0 only on the one with feature 0 at 1.
    expect(r.polyFrequency).toEqual([1]);
    expect(r.monoFrequency).toEqual([0.5, 0]);
  });
  it("computes the pathway's singular values without forming it", () => {
    const sv = pathwaySingularValues(params, embedder, 2, [0, 1, 2]);
    // W2 W1 E = [[2.5, 0.5], [0.5, 2.5]]: singular values 3 and 2.
    expect(sv[0]).toBeCloseTo(3, 6);
    expect(sv[1]).toBeCloseTo(2, 6);
    const direct = singularValues(Float64Array.from([2.5, 0.5, 0.5, 2.5]), 2, 2);
    expect(sv[0]).toBeCloseTo(direct[0], 6);
  });
  it("helpers", () => {
    expect(lineFit([0, 1, 2], [1, 3, 5])).toEqual({ slope: 2, r2: 1 });
    expect(Array.from(cholesky(Float64Array.from([4, 2, 2, 5]), 2))).toEqual([2, 0, 1, 2]);
  });
});

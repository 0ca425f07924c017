// The feature samplers: equal and power-law probabilities, and sparse batches (rates, amplitudes, sorted indices, the
// abs task's signed values).
import { describe, expect, it } from "vitest";
import { Rng } from "../../../src/lib/protocol/rng.js";
import { featureProbabilities, sampleFeatures, sampleSignedFeatures, toDense } from "../../../src/lib/protocol/samplers.js";

const N = 512;
const EPS = 1 / 64;

describe("featureProbabilities", () => {
  it("gives every feature eps under the equal sampler", () => {
    const p = featureProbabilities("equal", N, EPS);
    expect(p.every((x) => x === EPS)).toBe(true);
  });

  it("follows i^-1.1 scaled to N*eps, clipped at 1 (feature 1 always on, ~7.47 active per sample)", () => {
    const p = featureProbabilities("power_law", N, EPS);
    expect(p[0]).toBe(1);
    expect(p[10] / p[20]).toBeCloseTo((21 / 11) ** 1.1, 10);
    const total = p.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(7.4);
    expect(total).toBeLessThan(7.55);
  });
});

describe("sampleFeatures", () => {
  it("activates each feature with its probability and draws amplitudes from U[0,1)", () => {
    const size = 8192;
    const batch = sampleFeatures(featureProbabilities("equal", N, EPS), size, new Rng(1));
    const nnz = batch.offsets[size];
    // Binomial(size*N, eps): mean 65536, sd ~254.
    expect(Math.abs(nnz - size * N * EPS)).toBeLessThan(5 * 254);
    const mean = batch.values.reduce((a, b) => a + b, 0) / nnz;
    expect(mean).toBeCloseTo(0.5, 2);
    expect(Math.min(...batch.values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...batch.values)).toBeLessThan(1);
  });

  it("keeps each sample's indices sorted and unique, and matches the power law per feature", () => {
    const size = 4096;
    const p = featureProbabilities("power_law", N, EPS);
    const batch = sampleFeatures(p, size, new Rng(2));
    const counts = new Float64Array(N);
    let unsorted = 0;
    for (let s = 0; s < size; s++)
      for (let e = batch.offsets[s]; e < batch.offsets[s + 1]; e++) {
        counts[batch.indices[e]]++;
        if (e > batch.offsets[s] && batch.indices[e] <= batch.indices[e - 1]) unsorted++;
      }
    expect(unsorted).toBe(0);
    expect(counts[0]).toBe(size);
    for (const i of [1, 5, 50]) {
      const sd = Math.sqrt(size * p[i] * (1 - p[i]));
      expect(Math.abs(counts[i] - size * p[i])).toBeLessThan(5 * sd + 1);
    }
  });

  it("gives the absolute-value task signed amplitudes in (-1, 1) at rate ~eps", () => {
    const size = 8192;
    const batch = sampleSignedFeatures(featureProbabilities("equal", N, EPS / 2), size, new Rng(3));
    const dense = toDense(batch);
    let negative = 0;
    let active = 0;
    let outside = 0;
    for (const v of dense) {
      if (v !== 0) active++;
      if (v < 0) negative++;
      if (!(v > -1 && v < 1)) outside++;
    }
    expect(outside).toBe(0);
    expect(active / dense.length).toBeGreaterThan(EPS * 0.95);
    expect(active / dense.length).toBeLessThan(EPS * 1.05);
    expect(negative / active).toBeGreaterThan(0.45);
    expect(negative / active).toBeLessThan(0.55);
  });
});

// A measurement's single-feature pre-activations compiled natively (engines/native/src/metrics_kernels.cc) against
// the TypeScript specification (protocol/metrics.ts plainSingleFeaturePre): the same float64 bits, with sizes that are
// not multiples of the vectors' widths, and the same metrics on every task and activation.
import { execFileSync } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import { ACTIVATIONS, TASKS } from "../../../src/lib/protocol/fields.js";
import { modelMetrics, plainSingleFeaturePre } from "../../../src/lib/protocol/metrics.js";
import { Rng } from "../../../src/lib/protocol/rng.js";
import type { nativeSingleFeaturePre as NativeSingleFeaturePre } from "../../../src/lib/runner/metric-kernels.js";

// Imported after the addon is compiled (the first import of the engines loads it).
let nativeSingleFeaturePre: typeof NativeSingleFeaturePre;
beforeAll(async () => {
  execFileSync(process.execPath, ["src/lib/engines/native/build.mjs"], { stdio: "inherit" });
  ({ nativeSingleFeaturePre } = await import("../../../src/lib/runner/metric-kernels.js"));
});

/** How many elements differ in their bits (a count, so that a failure does not print two long arrays). */
function differing(a: Float64Array, b: Float64Array): number {
  const x = new BigUint64Array(a.buffer, a.byteOffset, a.length);
  const y = new BigUint64Array(b.buffer, b.byteOffset, b.length);
  let count = Math.abs(a.length - b.length);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) count++;
  return count;
}

function model(k: number, m: number, n: number, seed: number) {
  const rng = new Rng(seed, "metric-kernels-test");
  const w1 = Float32Array.from({ length: k * m }, () => rng.normal() * 0.3);
  const b = Float32Array.from({ length: k }, () => rng.normal() * 0.1);
  const embedder = Float32Array.from({ length: m * n }, () => rng.normal() / Math.sqrt(m));
  return { w1, b, embedder };
}

describe("a measurement's single-feature pre-activations compiled natively", () => {
  it("are available on this kind of machine (x86-64 with AVX2)", () => {
    if (process.arch === "x64") expect(nativeSingleFeaturePre()).not.toBeNull();
  });

  it("is turned off by MONO_METRIC_KERNELS=ts and refuses other values", () => {
    expect(nativeSingleFeaturePre({ MONO_METRIC_KERNELS: "ts" })).toBeNull();
    expect(() => nativeSingleFeaturePre({ MONO_METRIC_KERNELS: "fast" })).toThrow(/MONO_METRIC_KERNELS must be "auto" or "ts", got "fast"/);
  });

  for (const [k, m, n] of [
    [1, 1, 1],
    [3, 5, 7],
    [17, 9, 33],
    [64, 64, 512],
    [40, 64, 531],
  ])
    it(`gives the specification's bits (k ${k}, m ${m}, N ${n})`, () => {
      const native = nativeSingleFeaturePre();
      if (!native) return;
      const { w1, b, embedder } = model(k, m, n, k * 1000 + n);
      const want = new Float64Array(k * n);
      const got = new Float64Array(k * n).fill(Number.NaN);
      plainSingleFeaturePre(w1, b, embedder, k, m, n, want);
      native(w1, b, embedder, k, m, n, got);
      expect(differing(got, want)).toBe(0);
    });

  it("gives the same metrics and responses for every task and activation", () => {
    const native = nativeSingleFeaturePre();
    if (!native) return;
    const [k, m, n] = [48, 8, 21];
    const { w1, b, embedder } = model(k, m, n, 5);
    const params = { k, m, outDim: n, w1, b, w2: new Float32Array(k * n) };
    for (const task of TASKS)
      for (const activation of ACTIVATIONS) {
        const plain = modelMetrics(params, embedder, n, activation, { task });
        const fast = modelMetrics(params, embedder, n, activation, { task, pre: native });
        expect(Array.from(fast.sfa), `${task} ${activation}`).toEqual(Array.from(plain.sfa));
        expect(fast.metrics).toEqual(plain.metrics);
      }
  });

  it("refuses arrays too short or of the wrong element type", () => {
    const native = nativeSingleFeaturePre();
    if (!native) return;
    const { w1, b, embedder } = model(4, 3, 5, 1);
    expect(() => native(w1, b, embedder, 4, 3, 5, new Float64Array(19))).toThrow(/out is too short/);
    expect(() => native(w1, b, embedder, 4, 3, 5, new Float32Array(20) as unknown as Float64Array)).toThrow(
      /out has the wrong element type/,
    );
    expect(() => native(w1, b, embedder, -1, 3, 5, new Float64Array(20))).toThrow(/negative size/);
  });
});

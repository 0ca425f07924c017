// The LAMB optimiser step against hand-worked numbers: moments without bias correction, the trust ratio and its clamps.
import { describe, expect, it } from "vitest";
import { lambState, lambUpdate, trustRatio } from "../../../src/lib/protocol/lamb.js";

describe("lambUpdate", () => {
  it("matches one step worked out by hand (no bias correction, eps 1e-6, trust = |w| / |step|)", () => {
    const w = new Float32Array([3, 4]); // |w| = 5
    const g = new Float32Array([1, -2]);
    const state = lambState(2);
    const trust = lambUpdate(w, g, state, 0.1);
    // m = 0.1 g = [0.1, -0.2]; v = 0.001 g^2 = [0.001, 0.004]; sqrt(v) = [0.0316228, 0.0632456]
    // step = m / (sqrt(v) + 1e-6) = [3.1621, -3.1622] (each ~ sqrt(10)); |step| = 4.47205
    const s0 = 0.1 / (Math.sqrt(0.001) + 1e-6);
    const s1 = -0.2 / (Math.sqrt(0.004) + 1e-6);
    const stepNorm = Math.hypot(s0, s1);
    expect(trust).toBeCloseTo(5 / stepNorm, 5);
    expect(w[0]).toBeCloseTo(3 - 0.1 * (5 / stepNorm) * s0, 5);
    expect(w[1]).toBeCloseTo(4 - 0.1 * (5 / stepNorm) * s1, 5);
    expect(state.m[1]).toBeCloseTo(-0.2, 7);
    expect(state.v[1]).toBeCloseTo(0.004, 7);
  });

  it("accumulates moments without bias correction on the second step", () => {
    const w = new Float32Array([1]);
    const state = lambState(1);
    lambUpdate(w, new Float32Array([1]), state, 0);
    lambUpdate(w, new Float32Array([1]), state, 0);
    expect(state.m[0]).toBeCloseTo(0.19, 7); // 0.9 * 0.1 + 0.1
    expect(state.v[0]).toBeCloseTo(0.001999, 7); // 0.999 * 0.001 + 0.001
  });

  it("clamps the weight norm at 10 and uses trust 1 when a norm is zero", () => {
    expect(trustRatio(50, 2)).toBe(5);
    expect(trustRatio(0, 2)).toBe(1);
    expect(trustRatio(3, 0)).toBe(1);
    const w = new Float32Array([0, 0]);
    lambUpdate(w, new Float32Array([1, 1]), lambState(2), 0.5);
    // Zero weights: trust 1, step = 0.1 / (sqrt(0.001) + 1e-6) per element.
    expect(w[0]).toBeCloseTo(-0.5 * (0.1 / (Math.sqrt(0.001) + 1e-6)), 5);
  });
});

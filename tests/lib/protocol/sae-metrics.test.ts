// Scoring SAEs against known features: recovery of true, random and opposite directions, its threshold, and consistency.
import { describe, expect, it } from "vitest";
import { makeEmbedder } from "../../../src/lib/protocol/embedder.js";
import { Rng } from "../../../src/lib/protocol/rng.js";
import { consistency, maxCosines, recoveryRate, scoreRecovery } from "../../../src/lib/protocol/sae-metrics.js";

/** The columns of E (m x N) as rows (N x m): the true feature directions of the input-space benchmark. */
function trueDirections(n: number, m: number, seed: number): Float32Array {
  const e = makeEmbedder(n, m, new Rng(seed, "embedder"));
  const rows = new Float32Array(n * m);
  for (let i = 0; i < n; i++) for (let d = 0; d < m; d++) rows[i * m + d] = e[d * n + i];
  return rows;
}

function randomDirections(rows: number, d: number, seed: number): Float32Array {
  const rng = new Rng(seed, "random");
  return Float32Array.from({ length: rows * d }, () => rng.normal());
}

describe("SAE recovery metrics", () => {
  const n = 512;
  const m = 64;
  const truth = trueDirections(n, m, 1);

  it("score an SAE whose latents are the true features (shuffled, rescaled) at recovery 1", () => {
    const order = Array.from({ length: n }, (_, i) => (i * 37) % n);
    const latents = new Float32Array(n * m);
    order.forEach((i, r) => {
      for (let d = 0; d < m; d++) latents[r * m + d] = 3 * truth[i * m + d];
    });
    const score = scoreRecovery(truth, n, latents, n, m);
    expect(score.recovery_080).toBe(1);
    expect(score.recovery_090).toBe(1);
    expect(score.mean_max_cos).toBeCloseTo(1, 5);
  });

  it("score random directions at about 0, even with twice as many latents as features", () => {
    const score = scoreRecovery(truth, n, randomDirections(2 * n, m, 7), 2 * n, m);
    expect(score.recovery_080).toBe(0);
    expect(score.recovery_090).toBe(0);
    expect(score.mean_max_cos).toBeLessThan(0.5);
  });

  it("count a feature only once its direction (not its opposite) is matched, and only by live latents", () => {
    const negated = truth.map((x) => -x);
    expect(scoreRecovery(truth, n, negated, n, m).recovery_090).toBe(0);
    const alive = new Uint8Array(n);
    for (let i = 0; i < n / 4; i++) alive[i] = 1;
    expect(scoreRecovery(truth, n, truth, n, m, alive).recovery_090).toBe(0.25);
  });

  it("recovery counts strictly above the threshold; a zero target scores 0", () => {
    expect(recoveryRate(Float64Array.from([0.95, 0.9, 0.85, 0.5]), 0.9)).toBe(0.25);
    expect(recoveryRate(Float64Array.from([0.95, 0.9, 0.85, 0.5]), 0.8)).toBe(0.75);
    // target 0 is the zero vector; target 1 is at 60 degrees from the only candidate
    const best = maxCosines(Float32Array.from([0, 0, 1, Math.sqrt(3)]), 2, Float32Array.from([1, 0]), 1, 2);
    expect(best[0]).toBe(0);
    expect(best[1]).toBeCloseTo(0.5, 6);
  });

  it("consistency is 1 for the same directions and low for unrelated ones", () => {
    const random = randomDirections(n, m, 3);
    expect(consistency(truth, n, undefined, truth, n, undefined, m)).toBeCloseTo(1, 5);
    expect(consistency(random, n, undefined, randomDirections(n, m, 4), n, undefined, m)).toBeLessThan(0.5);
  });
});

// The paper's schedule: the never-restarted cosine learning rate, the first-half bias decay, and the snapshot steps.
import { describe, expect, it } from "vitest";
import { biasDecayFactor, learningRate, snapshotSteps } from "../../../src/lib/protocol/schedule.js";

describe("learningRate", () => {
  it("follows the cosine from lr at step 0 to 0 at step 512 and back up, never restarting", () => {
    expect(learningRate(0.01, 0)).toBeCloseTo(0.01, 15);
    expect(learningRate(0.01, 256)).toBeCloseTo(0.005, 15);
    expect(learningRate(0.01, 512)).toBeCloseTo(0, 15);
    expect(learningRate(0.01, 768)).toBeCloseTo(0.005, 15);
    expect(learningRate(0.01, 1024)).toBeCloseTo(0.01, 15);
    expect(learningRate(0.01, 1024 + 100)).toBeCloseTo(learningRate(0.01, 100), 15);
    expect(learningRate(0.01, 128)).toBeCloseTo((0.01 * (1 + Math.SQRT1_2)) / 2, 15);
  });
});

describe("biasDecayFactor", () => {
  it("multiplies by 1 - decay * base lr in the first half only", () => {
    const steps = 100;
    expect(biasDecayFactor(0.03, 0.01, 0, steps)).toBeCloseTo(1 - 0.0003, 15);
    expect(biasDecayFactor(0.03, 0.01, 49, steps)).toBeCloseTo(1 - 0.0003, 15);
    expect(biasDecayFactor(0.03, 0.01, 50, steps)).toBe(1);
    expect(biasDecayFactor(0.03, 0.01, 99, steps)).toBe(1);
    expect(biasDecayFactor(0, 0.01, 0, steps)).toBe(1);
  });
});

describe("snapshotSteps", () => {
  it("takes 18 snapshots over 2^17 steps and adds the last step when it is not a power of two", () => {
    expect(snapshotSteps(2 ** 17)).toHaveLength(18);
    expect(snapshotSteps(16)).toEqual([1, 2, 4, 8, 16]);
    expect(snapshotSteps(20)).toEqual([1, 2, 4, 8, 16, 20]);
  });
});

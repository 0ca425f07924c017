// The loss rule for convergence: the last quarter's improvement on constructed loss logs, and what counts as converged.
import { describe, expect, it } from "vitest";
import { isConverged, lastQuarterImprovement } from "../../../src/lib/protocol/convergence.js";

const log = (steps: number, loss: (step: number) => number) =>
  Array.from({ length: steps / 16 }, (_, i) => ({ step: 16 * (i + 1), loss: loss(16 * (i + 1)) }));

describe("lastQuarterImprovement", () => {
  it("compares the mean loss just before 3/4 of the run with the mean over the last 1/32", () => {
    const steps = 1024;
    // Loss falls linearly from 2 to 1: at 3/4 the window [736, 768] averages ~1.26, the end [992, 1024] ~1.02.
    const improvement = lastQuarterImprovement(
      log(steps, (s) => 2 - s / steps),
      steps,
    );
    const before = (2 - 752 / 1024 + (2 - 768 / 1024)) / 2;
    const after = (2 - 1008 / 1024 + (2 - 1024 / 1024)) / 2;
    expect(improvement).toBeCloseTo((before - after) / before, 12);
    expect(isConverged(improvement)).toBe(false);
  });

  it("calls a flat loss converged and a run without a log not", () => {
    expect(
      isConverged(
        lastQuarterImprovement(
          log(1024, () => 1.5),
          1024,
        ),
      ),
    ).toBe(true);
    expect(
      isConverged(
        lastQuarterImprovement(
          log(1024, (s) => 1.5 - 0.0003 * s),
          1024,
        ),
      ),
    ).toBe(false);
    expect(Number.isNaN(lastQuarterImprovement([], 1024))).toBe(true);
    expect(isConverged(Number.NaN)).toBe(false);
    // A loss that rises over the last quarter is not converged either.
    expect(
      isConverged(
        lastQuarterImprovement(
          log(1024, (s) => 1.5 + 0.0003 * s),
          1024,
        ),
      ),
    ).toBe(false);
    expect(isConverged(-0.019)).toBe(true);
  });
});

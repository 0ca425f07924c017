import { describe, expect, it } from "vitest";
import { median } from "../../bench/regimes.js";

describe("median", () => {
  it("is the middle value of an odd count and the mean of the two middle ones of an even count", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([0.9, 1.1])).toBeCloseTo(1.0, 12);
    expect(median([7])).toBe(7);
  });

  it("leaves its input in place", () => {
    const xs = [3, 1, 2];
    median(xs);
    expect(xs).toEqual([3, 1, 2]);
  });
});

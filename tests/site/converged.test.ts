import { describe, expect, it } from "vitest";
import { convergenceNote, points } from "../../src/components/verdicts.js";

const run = (experiment: string, lr: number, seed: number, mono: number, converged: boolean | null, status = "ok") => ({ experiment, lr, seed, mono_per_feature: mono, converged, status });

describe("claims at converged loss", () => {
  const rows = [run("LR1", 0.003, 1, 0, false), run("LR1", 0.01, 1, 1.3, true), run("LR1", 0.03, 1, 1.1, true), run("LR1", 0.03, 2, 9, true, "diverged"), run("LR3", 0.01, 1, 1.2, null)];

  it("keeps only converged ok runs when asked, every ok run otherwise", () => {
    expect(points(rows, "LR1", "lr", "mono_per_feature", true).map((p) => p.x)).toEqual([0.01, 0.03]);
    expect(points(rows, "LR1", "lr", "mono_per_feature").map((p) => p.x)).toEqual([0.003, 0.01, 0.03]);
    expect(points(rows, "LR3", "lr", "mono_per_feature", true)).toEqual([]);
  });

  it("says how many runs the verdict leaves out", () => {
    expect(convergenceNote(rows, ["LR1", "LR3"])).toMatch(/^Judged at converged loss: 2 of 4 runs of LR1, LR3 converged/);
  });
});

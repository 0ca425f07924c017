// The ladder page's rows: legs are named from the rung's variant, and a shipped reference run joins a leg only when it
// is a rung of the same ladder (recipe, paper rate and lr x steps).
import { describe, expect, it } from "vitest";
import { ladderRows, legOf } from "../../src/components/ladder.js";

describe("ladder rows", () => {
  it("names legs by recipe and what they hold fixed", () => {
    expect(legOf("LR3-paper0.03-b16")).toBe("LR3 at paper_lr 0.03 (noise matched)");
    expect(legOf("LR1-lr0.01-b2048")).toBe("LR1 at lr 0.01");
  });
  it("adds only the reference runs of equal lr x steps on an existing leg, and counts samples", () => {
    const ladder = {
      scale: { lrSteps: 0.015 * 8192 },
      runs: [
        { variant: "LR3-paper0.03-b64", batch: 64, lr: 0.03 * Math.sqrt(64 / 8192), steps: 46341 },
        { variant: "LR3-paper0.03-b16", batch: 16, lr: 0.03 * Math.sqrt(16 / 8192), steps: 92682 },
      ],
    };
    const reference = {
      runs: [
        { run_id: "same ladder", experiment: "LR3", batch: 2048, lr: 0.015, steps: 8192, paper_lr: 0.03 },
        { run_id: "longer", experiment: "LR3", batch: 2048, lr: 0.015, steps: 32768, paper_lr: 0.03 },
        { run_id: "other leg", experiment: "LR1", batch: 2048, lr: 0.015, steps: 8192, paper_lr: 0.03 },
      ],
    };
    const rows = ladderRows(ladder, reference);
    expect(rows.map((r) => r.batch)).toEqual([16, 64, 2048]);
    expect(rows[2]).toMatchObject({ run_id: "same ladder", source: "shipped reference", samples: 2048 * 8192 });
    expect(rows[0]).toMatchObject({ source: "this build", samples: 16 * 92682 });
  });
});

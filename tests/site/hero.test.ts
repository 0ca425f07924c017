// The home page's overview: twins counted once, one scale, collapsed runs left out, loss relative to predicting zero.
import { describe, expect, it } from "vitest";
import { heroRows } from "../../src/components/hero.js";

const run = (o: Record<string, unknown>) => ({
  status: "ok",
  collapsed: false,
  task: "decoder",
  activation: "relu",
  sampler: "equal",
  n_features: 512,
  m: 64,
  k: 1024,
  eps: 1 / 64,
  lr: 0.01,
  init_bias: 0,
  decay: 0,
  l1: 0,
  batch: 16,
  steps: 4096,
  seed: 1,
  final_loss: 0.5,
  zero_loss: 2,
  experiment: "LR1",
  ...o,
});

describe("hero rows", () => {
  it("counts twins once, keeps one scale, drops collapsed runs and divides by the zero loss", () => {
    const all = [
      run({ run_id: "a" }),
      run({ run_id: "a-twin", experiment: "B1" }),
      run({ run_id: "long", steps: 32768 }),
      run({ run_id: "dead", lr: 0.03, collapsed: true }),
      run({ run_id: "b", lr: 0.001, final_loss: 1 }),
      run({ run_id: "nan", status: "diverged" }),
    ];
    const h = heroRows(all);
    expect(h.rows.map((r) => r.run_id)).toEqual(["a", "b"]);
    expect(h.rows.map((r) => r.relative_loss)).toEqual([0.25, 0.5]);
    expect(h.x).toBe("relative_loss");
    expect(h.leftOut).toContain("1 twin ");
    expect(h.leftOut).toContain("1 run at other scales");
    expect(h.leftOut).toContain("1 collapsed run");
    expect(h.scaleText).toBe("4096 steps × batch 16");
  });
  it("without zero_loss, keeps one task and density", () => {
    const all = [run({ run_id: "a", zero_loss: undefined }), run({ run_id: "e", eps: 0.5, zero_loss: undefined })];
    const h = heroRows(all);
    expect(h.rows.map((r) => r.run_id)).toEqual(["a"]);
    expect(h.x).toBe("final_loss");
  });
});

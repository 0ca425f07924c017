// The claims over constructed run rows: strata, premises and the paper's numbers beside ours.
import { describe, expect, it } from "vitest";
import { judgeClaims } from "../../../src/lib/analysis/claim-judges.js";
import { outsidePremise } from "../../../src/lib/analysis/claim-judging.js";
import type { RunRow } from "../../../src/lib/analysis/claims.js";

const run = (experiment: string, lr: number, seed: number, mono: number, loss: number, extra: Partial<RunRow> = {}): RunRow => ({
  run_id: `${experiment}_lr=${lr}_seed=${seed}`,
  experiment,
  lr,
  seed,
  batch: 2048,
  k: 1024,
  status: "ok",
  converged: true,
  loss_converged: true,
  collapsed: false,
  final_loss: loss,
  mono_per_feature: mono,
  positive_bias_neurons: 65,
  ...extra,
});

const verdict = (rows: RunRow[], id: number) => judgeClaims({ runs: rows, neurons: new Map(), mechanism: [] }).find((c) => c.id === id)!;
const rates = [0.005, 0.01, 0.015];

describe("claim 3: LR3 beats LR1 at each learning rate", () => {
  it("is not reproduced when one learning rate carries the pooled effect", () => {
    const rows = [2, 3, 4].flatMap((seed) =>
      rates.flatMap((lr, i) => [
        run("LR1", lr, seed, 1.0 + seed * 0.001, 0.9),
        run("LR3", lr, seed, 1.0 + [0.02, 0.0, 0.6][i] + seed * 0.002, 0.9),
      ]),
    );
    const v = verdict(rows, 3);
    expect(v.regime.inPaperRegime).toBe(true);
    expect(v.label).toBe("not reproduced");
    expect(v.category).toBe("no effect");
    expect(v.used_run_ids).toHaveLength(18);
  });

  it("drops a whole learning rate, never a seed, when one of its runs has not converged, and lists it", () => {
    const rows = [2, 3, 4].flatMap((seed) =>
      rates.flatMap((lr) => [run("LR1", lr, seed, 0.5 + seed * 0.01, 0.9), run("LR3", lr, seed, 1.2 + seed * 0.02, 0.9)]),
    );
    rows[0] = { ...rows[0], converged: false, loss_converged: true, mono_change_last_quarter: -193, dead_change_last_quarter: 193 };
    const v = verdict(rows, 3);
    expect(v.used_run_ids.some((id) => id.includes("lr=0.005"))).toBe(false);
    expect(v.outside_premise.map((o) => o.run_id).filter((id) => id.includes("lr=0.005"))).toHaveLength(6);
    expect(v.outside_premise.find((o) => o.run_id === rows[0].run_id)!.why).toMatch(/mono neurons -193, dead on data \+193/);
    expect(v.label).toBe("reproduced");
    expect(v.paper.find((p) => p.quantity.includes("bias > 0.05"))!.ours).toMatch(/^65 /);
  });
});

describe("claim 1: same loss, more monosemantic at higher learning rate", () => {
  it("is outside its premise when the losses are not about the same", () => {
    const rows = [2, 3, 4].flatMap((seed) => rates.map((lr, i) => run("LR1", lr, seed, 1.3 - 0.3 * i, [1.0, 1.2, 2.2][i])));
    const v = verdict(rows, 1);
    expect(v.label).toBe("outside the claim's premise");
    expect(v.reason).toMatch(/differ by/);
  });

  it("is not tested in the paper's regime at batch 8, whatever the data say there", () => {
    const rows = [4, 5, 6].flatMap((seed) =>
      [0.007, 0.01, 0.02].map((lr, i) => run("LR1", lr, seed, 1.3 - 0.3 * i, 1.0 + 0.01 * i, { batch: 8 })),
    );
    const v = verdict(rows, 1);
    expect(v.outcome).toBe("contradicts");
    expect(v.label).toBe("not tested in the paper's regime");
  });
});

describe("premise", () => {
  it("a collapsed run is outside every premise, converged or not", () => {
    expect(outsidePremise(run("LR1", 0.03, 2, 0, 10, { collapsed: true, dead_on_data: 1024, zero_loss: 2.67 }), false)).toMatch(
      /collapsed/,
    );
  });
});

/**
 * The judges of claims 1-7: each takes the build's runs inside its premise, forms its parts (paired comparisons within
 * strata, trends across grids) with their floors, and reports the paper's numbers beside ours. judgeClaims gives every
 * claim's verdict, claim 8's from ./claim8-judge.ts.
 */
import { B_EXPERIMENTS, CLAIMS, type Claim, type ClaimVerdict, type NeuronSummary, type RunRow, type VerdictInput } from "./claims.js";
import {
  finish,
  fmt,
  Ledger,
  lrLabel,
  matched,
  meanOf,
  num,
  outsidePremise,
  paperRow,
  seedsOf,
  series,
  strataOf,
} from "./claim-judging.js";
import { claim8 } from "./claim8-judge.js";
import { mean } from "./stats.js";
import { comparisonPart, premisePart, trendPart, type PartResult, type Stratum } from "./verdict-rules.js";

/** "About the same loss": the claim's premise, with the paper's own spread (0.85–0.95) inside it. */
export const SAME_LOSS_WITHIN = 0.15;

function claim1(c: Claim, rows: RunRow[]): ClaimVerdict {
  const ledger = new Ledger();
  const groups = ledger.note(strataOf(rows, "LR1", "lr", true));
  const losses = series(groups, "final_loss");
  const spreads = losses.filter((s) => s.y.length >= 2).map((s) => (Math.max(...s.y) - Math.min(...s.y)) / mean(s.y));
  const spread = spreads.length ? mean(spreads) : Number.NaN;
  const parts: PartResult[] = [];
  if (groups.length >= 2)
    parts.push(
      premisePart(
        "same final loss",
        spread <= SAME_LOSS_WITHIN,
        spread <= SAME_LOSS_WITHIN
          ? `LR1's final losses agree within ${fmt(100 * spread, 2)}% across learning rates (premise: within ${100 * SAME_LOSS_WITHIN}%).`
          : `LR1's final losses differ by ${fmt(100 * spread, 2)}% across learning rates, so "same loss" does not hold here (premise: within ${100 * SAME_LOSS_WITHIN}%).`,
      ),
    );
  parts.push(trendPart(series(groups, "mono_per_feature"), { what: "LR1's mono/features against learning rate", expect: 1, floor: 0.1 }));
  const top = groups.length ? groups[groups.length - 1] : null;
  return finish(c, ledger, parts, [
    paperRow(
      1,
      "topRateMono",
      top
        ? `${fmt(meanOf(top.members, "mono_per_feature"))} at lr ${top.x} (the highest rate inside the premise; ${top.members.length} seed(s))`
        : "no converged rate",
    ),
    paperRow(
      1,
      "finalLoss",
      groups.length
        ? `${fmt(Math.min(...groups.map((g) => meanOf(g.members, "final_loss"))))}–${fmt(Math.max(...groups.map((g) => meanOf(g.members, "final_loss"))))} over ${groups.length} converged rates`
        : "no converged rate",
    ),
  ]);
}

function claim2(c: Claim, rows: RunRow[], neurons: Map<string, NeuronSummary>): ClaimVerdict {
  const ledger = new Ledger();
  // LR1 and LR2 start at bias 0, where the sign of a final bias is learned; LR3-LR5 start at -1, where "mono bias
  // < 0" is built in. So the claim is judged on LR1 and LR2, and the engineered rows are shown for comparison only.
  const judged = ["LR1", "LR2"];
  const mono: Stratum[] = [];
  const poly: Stratum[] = [];
  for (const experiment of judged) {
    const runs = rows.filter((r) => r.experiment === experiment);
    const inside = runs.filter((r) => {
      const why =
        outsidePremise(r, false) ??
        (neurons.get(String(r.run_id))?.mono
          ? neurons.get(String(r.run_id))?.poly
            ? null
            : "no live polysemantic neuron"
          : "no monosemantic neuron");
      if (why) ledger.outside.set(String(r.run_id), why);
      else ledger.use(r);
      return why === null;
    });
    mono.push({ label: experiment, values: inside.map((r) => -neurons.get(String(r.run_id))!.monoBias) });
    poly.push({ label: experiment, values: inside.map((r) => neurons.get(String(r.run_id))!.polyBias) });
  }
  const parts = [
    comparisonPart(mono, { what: "Minus the mean final bias of mono neurons", floor: 0.02, decisive: 0.05, over: "experiment" }),
    comparisonPart(poly, { what: "The mean final bias of live poly neurons", floor: 0.01, decisive: 0.03, over: "experiment" }),
  ];
  const used = [...ledger.used].map((id) => neurons.get(id)!).filter(Boolean);
  return finish(c, ledger, parts, [
    paperRow(
      2,
      "signature",
      used.length
        ? `mono ${fmt(mean(used.map((n) => n.monoBias)))}, live poly ${fmt(mean(used.map((n) => n.polyBias)))}, ${fmt(mean(used.map((n) => n.dead)))} dead on data per run (LR1, LR2; ${used.length} runs)`
        : "no run with both kinds",
    ),
  ]);
}

function claim3(c: Claim, rows: RunRow[]): ClaimVerdict {
  const ledger = new Ledger();
  const lr1 = strataOf(rows, "LR1", "lr", true);
  const lr3 = strataOf(rows, "LR3", "lr", true);
  // A learning rate is compared only where both recipes are inside the premise in every seed.
  const both = new Set(
    lr1
      .filter((g) => g.usable)
      .map((g) => g.x)
      .filter((x) => lr3.some((g) => g.usable && g.x === x)),
  );
  const keep = (groups: typeof lr1) =>
    groups.map((g) => ({
      ...g,
      usable: g.usable && both.has(g.x),
      why:
        g.usable && !both.has(g.x)
          ? g.members.map((r) => ({ run_id: String(r.run_id), why: "the other recipe is outside the premise at this learning rate" }))
          : g.why,
    }));
  const a = ledger.note(keep(lr1));
  const b = ledger.note(keep(lr3));
  const parts = [
    comparisonPart(matched(a, b, "mono_per_feature", lrLabel), {
      what: "LR3 − LR1 mono/features",
      floor: 0.1,
      decisive: 0.3,
      over: "learning rate",
    }),
    // Non-inferiority: LR3's relative loss excess over LR1 must stay below 5%.
    comparisonPart(
      matched(a, b, "final_loss", lrLabel, (l3, l1) => 0.05 - (l3 - l1) / l1),
      { what: "5% minus LR3's relative loss excess over LR1", floor: 0, decisive: 0.05, over: "learning rate" },
    ),
  ];
  const lr3Used = b.flatMap((g) => g.members);
  return finish(c, ledger, parts, [
    paperRow(
      3,
      "positiveBias",
      lr3Used.length ? `${fmt(meanOf(lr3Used, "positive_bias_neurons"))} (mean over ${lr3Used.length} LR3 runs)` : "no converged LR3 run",
    ),
    paperRow(
      3,
      "loss",
      lr3Used.length
        ? `LR3 ${fmt(meanOf(lr3Used, "final_loss"))}, LR1 ${fmt(
            meanOf(
              a.flatMap((g) => g.members),
              "final_loss",
            ),
          )} (same learning rates)`
        : "no matched rates",
    ),
  ]);
}

function claim4(c: Claim, rows: RunRow[]): ClaimVerdict {
  const ledger = new Ledger();
  const margins: Stratum[] = [];
  const optima: { eps: number; best: number; seed: number; mono: number }[] = [];
  for (const e of B_EXPERIMENTS) {
    const groups = ledger.note(strataOf(rows, e, "init_bias", false));
    const values: number[] = [];
    for (const seed of [...new Set(groups.flatMap((g) => seedsOf(g.members)))]) {
      const s = groups.flatMap((g) =>
        g.members.filter((r) => num(r, "seed") === seed).map((r) => ({ x: g.x, y: num(r, "mono_per_feature"), eps: num(r, "eps") })),
      );
      if (s.length < 3) continue;
      const lowest = Math.min(...s.map((p) => p.x));
      const moderate = s.filter((p) => p.x < 0 && p.x > lowest);
      const extreme = s.filter((p) => p.x === lowest || p.x >= 0);
      if (moderate.length && extreme.length) values.push(Math.max(...moderate.map((p) => p.y)) - Math.max(...extreme.map((p) => p.y)));
      const best = s.reduce((p, q) => (q.y > p.y ? q : p));
      optima.push({ eps: best.eps, best: best.x, seed, mono: best.y });
    }
    margins.push({ label: e, values });
  }
  const seeds = [...new Set(optima.map((o) => o.seed))];
  const trend = seeds.map((seed) => {
    const os = optima.filter((o) => o.seed === seed).sort((p, q) => p.eps - q.eps);
    return { x: os.map((o) => o.eps), y: os.map((o) => Math.abs(o.best)) };
  });
  const bests = [...new Set(optima.map((o) => o.best))];
  const parts = [
    comparisonPart(margins, {
      what: "Best mono/features at a moderate negative bias minus the best at the extremes",
      floor: 0.05,
      decisive: 0.1,
      over: "eps",
    }),
    trendPart(trend, {
      what: `|best initial bias| against eps${bests.length === 1 ? ` (every sweep peaks at ${bests[0]})` : ""}`,
      expect: 1,
      floor: 0.1,
      flat: "grid too coarse",
    }),
  ];
  return finish(c, ledger, parts, [
    paperRow(
      4,
      "plateau",
      optima.length
        ? optima.map((o) => `eps ${fmt(o.eps, 2)}: best ${o.best} (−√eps = ${fmt(-Math.sqrt(o.eps), 2)}), ${fmt(o.mono)}`).join("; ")
        : "no usable sweep",
    ),
  ]);
}

function claim5(c: Claim, rows: RunRow[]): ClaimVerdict {
  const ledger = new Ledger();
  const k0 = ledger.note(strataOf(rows, "K0", "k", true));
  const k1 = ledger.note(strataOf(rows, "K1", "k", true));
  const k2 = ledger.note(strataOf(rows, "K2", "k", true));
  const parts = [
    trendPart(series(k1, "mono_per_feature"), { what: "K1's mono/features against width", expect: 1, floor: 0.1 }),
    trendPart(series(k2, "mono_per_feature"), { what: "K2's mono/features against width", expect: 1, floor: 0.1 }),
    comparisonPart(
      matched(k0, k1, "mono_per_feature", (x) => `k ${x}`),
      { what: "K1 − K0 mono/features", floor: 0.1, decisive: 0.3, over: "width" },
    ),
  ];
  const perNeuron = k1.map((g) => `${g.x}: ${fmt(meanOf(g.members, "mono_per_neuron"), 2)}`).join(", ");
  return finish(c, ledger, parts, [
    paperRow(5, "perNeuron", perNeuron ? `K1 mono/neurons by k: ${perNeuron}` : "no converged width"),
    paperRow(
      5,
      "k0k1",
      `compared at ${
        matched(k0, k1, "mono_per_feature", String)
          .filter((s) => s.values.length)
          .map((s) => `k = ${s.label}`)
          .join(", ") || "no width"
      }`,
    ),
  ]);
}

function claim6(c: Claim, rows: RunRow[]): ClaimVerdict {
  const ledger = new Ledger();
  const lr2 = ledger.note(strataOf(rows, "LR2", "lr", false));
  const lr4 = ledger.note(strataOf(rows, "LR4", "lr", false));
  const trend = (e: string, field: string, what: string) =>
    trendPart(series(ledger.note(strataOf(rows, e, field, false)), "mono_per_feature"), { what, expect: 1, floor: 0.1 });
  const parts = [
    comparisonPart(matched(lr2, lr4, "mono_per_feature", lrLabel), {
      what: "LR4 − LR2 mono/features (power law, engineered against not)",
      floor: 0.1,
      decisive: 0.3,
      over: "learning rate",
    }),
    trend("RP1", "lr", "RP1's (re-projector) mono/features against learning rate"),
    trend("LR5", "lr", "LR5's (absolute value) mono/features against learning rate"),
    trend("D1", "decay_nominal", "D1's (absolute value) mono/features against bias decay"),
  ];
  return finish(c, ledger, parts, [paperRow(6, "others", "see the parts")]);
}

function claim7(c: Claim, rows: RunRow[]): ClaimVerdict {
  const ledger = new Ledger();
  const groups = ledger.note(strataOf(rows, "RG1", "l1", false));
  const costs: number[] = [];
  for (const seed of [...new Set(groups.flatMap((g) => seedsOf(g.members)))]) {
    const zero = groups.find((g) => g.x === 0)?.members.find((r) => num(r, "seed") === seed);
    const top = groups[groups.length - 1]?.members.find((r) => num(r, "seed") === seed);
    if (zero && top && num(top, "l1") > 0) costs.push((num(top, "final_loss") - num(zero, "final_loss")) / num(zero, "final_loss"));
  }
  const parts = [
    trendPart(series(groups, "mono_per_feature"), { what: "RG1's mono/features against the L1 penalty", expect: 1, floor: 0.1 }),
    comparisonPart([{ label: "largest L1", values: costs }], {
      what: "The relative loss increase at the largest L1 over L1 = 0",
      floor: 0.05,
      decisive: 0.05,
      over: "seed",
    }),
  ];
  const losses = groups.flatMap((g) => g.members).map((r) => num(r, "final_loss"));
  return finish(c, ledger, parts, [
    paperRow(7, "l1Loss", losses.length ? `${fmt(Math.min(...losses))}–${fmt(Math.max(...losses))}` : "no runs"),
  ]);
}

/** Every claim's verdict from one build's data. */
export function judgeClaims(input: VerdictInput): ClaimVerdict[] {
  const rows = input.runs;
  return CLAIMS.map((c) => {
    switch (c.id) {
      case 1:
        return claim1(c, rows);
      case 2:
        return claim2(c, rows, input.neurons);
      case 3:
        return claim3(c, rows);
      case 4:
        return claim4(c, rows);
      case 5:
        return claim5(c, rows);
      case 6:
        return claim6(c, rows);
      case 7:
        return claim7(c, rows);
      default:
        return claim8(c, rows, input.mechanism);
    }
  });
}

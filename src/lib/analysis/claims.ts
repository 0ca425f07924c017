/**
 * The paper's eight claims as computations over the build's runs: each names its strata, its premise, its parts with
 * their floors, and the paper's numbers beside ours. Pure (the verdicts loader feeds it; tests feed it constructed
 * rows). The rule itself lives in ./verdict-rules.ts.
 */
import { PAPER_REPORTS, type PaperReport } from "../experiments/paper-reports.js";
import { mean } from "./stats.js";
import {
  CATEGORY,
  combineOutcomes,
  comparisonPart,
  labelFor,
  premisePart,
  regimeOf,
  trendPart,
  type Label,
  type Outcome,
  type PartResult,
  type Regime,
  type Stratum,
} from "./verdict-rules.js";

export interface Claim {
  id: number;
  title: string;
  page: string;
  experiments: string[];
  /** Whether the claim is about fully trained models: its runs must have converged by the strict rule. */
  needsConvergence: boolean;
}

export const CLAIMS: Claim[] = [
  {
    id: 1,
    title: "Same loss, different monosemanticity: higher learning rate is more monosemantic (LR1)",
    page: "./learning-rate",
    experiments: ["LR1"],
    needsConvergence: true,
  },
  {
    id: 2,
    title: "Bias signature: mono neurons end with negative biases, poly neurons with small positive ones",
    page: "./model",
    experiments: ["LR1", "LR2", "LR3", "LR4", "LR5"],
    needsConvergence: false,
  },
  {
    id: 3,
    title: "Engineering works: init bias −1 with decay (LR3) beats LR1 at matched lr, without a higher loss",
    page: "./learning-rate",
    experiments: ["LR1", "LR3"],
    needsConvergence: true,
  },
  {
    id: 4,
    title: "A moderate negative initial bias is best, and the best bias grows in magnitude with eps (B1–B5)",
    page: "./initial-bias",
    experiments: ["B1", "B2", "B3", "B4", "B5"],
    needsConvergence: false,
  },
  {
    id: 5,
    title: "Width helps (K1, K2), and K0 without engineering is less monosemantic at equal k",
    page: "./width",
    experiments: ["K0", "K1", "K2"],
    needsConvergence: true,
  },
  {
    id: 6,
    title: "The same holds for power-law features, the re-projector and the absolute-value task",
    page: "./other-tasks",
    experiments: ["LR2", "LR4", "RP1", "LR5", "D1"],
    needsConvergence: false,
  },
  {
    id: 7,
    title: "L1 on activations increases monosemanticity, at a loss cost when large (RG1)",
    page: "./other-tasks",
    experiments: ["RG1"],
    needsConvergence: false,
  },
  {
    id: 8,
    title: "Residual poly neurons: about d + 1, nearly always active, a shared low-rank identity; mono neurons add thresholded corrections",
    page: "./mechanism",
    experiments: ["LR3"],
    needsConvergence: true,
  },
];

/** A row of runs.parquet (as the runner's records hold it). */
export type RunRow = Record<string, unknown>;

/** Per run: mean final bias of its monosemantic and of its live polysemantic neurons (NaN when it has none). */
export interface NeuronSummary {
  monoBias: number;
  polyBias: number;
  mono: number;
  poly: number;
  dead: number;
}

/** Per analysed model (claim 8): the numbers the paper reports, measured on its positive-bias neurons. */
export interface MechanismSummary {
  run_id: string;
  seed: number;
  d: number;
  positiveBias: number;
  polyFrequency: number;
  singular: number[];
  slope: number;
  onset: number;
  biasDot: number;
  monoOnset: number | null;
}

export interface VerdictInput {
  runs: RunRow[];
  neurons: Map<string, NeuronSummary>;
  mechanism: MechanismSummary[];
}

export interface ClaimVerdict {
  id: number;
  title: string;
  page: string;
  experiments: string[];
  label: Label;
  outcome: Outcome;
  category: string;
  /** One plain sentence: why the verdict came out so. */
  reason: string;
  regime: Regime;
  parts: PartResult[];
  paper: (PaperReport & { ours: string })[];
  used_run_ids: string[];
  outside_premise: { run_id: string; why: string }[];
}

const num = (r: RunRow, field: string) => Number(r[field]);
const fmt = (v: number, digits = 3) => (Number.isFinite(v) ? String(+v.toPrecision(digits)) : "–");
const ok = (r: RunRow) => r.status === "ok";

/** Why a run is outside a claim's premise, or null when it is inside. */
export function outsidePremise(r: RunRow, needsConvergence: boolean): string | null {
  if (!ok(r)) return `diverged at step ${r.diverged_at}`;
  if (r.collapsed === true)
    return `collapsed (${num(r, "dead_on_data")} of ${num(r, "k")} neurons dead on data, loss ${fmt(num(r, "final_loss"))} against ${fmt(num(r, "zero_loss"))} for predicting 0)`;
  if (!needsConvergence || r.converged === true) return null;
  if (r.loss_converged !== true)
    return `not converged (loss changed by ${fmt(100 * num(r, "last_quarter_improvement"), 2)}% over the last quarter)`;
  return `not converged (over the last quarter: mono neurons ${num(r, "mono_change_last_quarter") >= 0 ? "+" : ""}${num(r, "mono_change_last_quarter")}, dead on data ${num(r, "dead_change_last_quarter") >= 0 ? "+" : ""}${num(r, "dead_change_last_quarter")})`;
}

/** The runs of experiments grouped by a swept field; a group (stratum) is used only if every run in it is inside the
 * premise, so no seed is kept or dropped for its result. */
function strataOf(rows: RunRow[], experiment: string, field: string, needsConvergence: boolean) {
  const runs = rows.filter((r) => r.experiment === experiment);
  const values = [...new Set(runs.map((r) => num(r, field)))].sort((a, b) => a - b);
  return values.map((x) => {
    const members = runs.filter((r) => num(r, field) === x);
    const why = members
      .map((r) => ({ run_id: String(r.run_id), why: outsidePremise(r, needsConvergence) }))
      .filter((w) => w.why !== null) as { run_id: string; why: string }[];
    return { x, members, usable: why.length === 0, why };
  });
}

/** A claim's bookkeeping: which runs it used, which it could not, and its regime. */
class Ledger {
  used = new Set<string>();
  outside = new Map<string, string>();
  regimeRuns: RunRow[] = [];
  note(groups: ReturnType<typeof strataOf>) {
    for (const g of groups) {
      if (g.usable) for (const r of g.members) this.use(r);
      else
        for (const r of g.members)
          this.outside.set(String(r.run_id), g.why.find((w) => w.run_id === r.run_id)?.why ?? "its stratum has runs outside the premise");
    }
    return groups.filter((g) => g.usable);
  }
  use(r: RunRow) {
    this.used.add(String(r.run_id));
    this.regimeRuns.push(r);
  }
}

const seedsOf = (members: RunRow[]) => [...new Set(members.map((r) => num(r, "seed")))].sort((a, b) => a - b);

/** Per seed, the (x, y) series over the usable strata. */
function series(groups: ReturnType<typeof strataOf>, y: string) {
  const seeds = [...new Set(groups.flatMap((g) => seedsOf(g.members)))];
  return seeds.map((seed) => {
    const points = groups.flatMap((g) => g.members.filter((r) => num(r, "seed") === seed).map((r) => [g.x, num(r, y)]));
    return { x: points.map((p) => p[0]), y: points.map((p) => p[1]) };
  });
}

/** Matched differences b − a per stratum value and seed, over strata usable in both experiments. */
function matched(
  a: ReturnType<typeof strataOf>,
  b: ReturnType<typeof strataOf>,
  y: string,
  label: (x: number) => string,
  transform = (vb: number, va: number) => vb - va,
): Stratum[] {
  return b
    .filter((gb) => a.some((ga) => ga.x === gb.x))
    .map((gb) => {
      const ga = a.find((g) => g.x === gb.x)!;
      const values = gb.members.flatMap((rb) => {
        const ra = ga.members.find((r) => num(r, "seed") === num(rb, "seed"));
        return ra ? [transform(num(rb, y), num(ra, y))] : [];
      });
      return { label: label(gb.x), values };
    });
}

function finish(claim: Claim, ledger: Ledger, parts: PartResult[], paper: (PaperReport & { ours: string })[]): ClaimVerdict {
  const regime = regimeOf(ledger.regimeRuns.map((r) => ({ batch: num(r, "batch"), lr: num(r, "lr") })));
  // With no run inside the premise there is nothing to judge: say which premise failed, not what empty parts say.
  const nothingInside = ledger.regimeRuns.length === 0 && ledger.outside.size > 0;
  const noRuns = ledger.regimeRuns.length === 0 && ledger.outside.size === 0;
  const outcome: Outcome = nothingInside ? "outside premise" : noRuns ? "underpowered" : combineOutcomes(parts);
  const label: Label = noRuns ? "inconclusive" : labelFor(outcome, regime);
  const deciding = parts.find((p) => p.outcome === outcome) ?? parts[0];
  const where =
    regime.inPaperRegime || nothingInside || noRuns
      ? ""
      : `Judged outside the paper's regime (${regime.text.split(" (paper")[0]}). There: `;
  const firstWhy = [...ledger.outside.values()][0];
  const headline = noRuns
    ? `No run of ${claim.experiments.join(", ")} in these data.`
    : nothingInside
      ? `None of the ${ledger.outside.size} runs is inside the claim's premise (e.g. ${firstWhy}).`
      : deciding
        ? deciding.headline
        : "No data.";
  const reason = `${where}${headline}`;
  return {
    id: claim.id,
    title: claim.title,
    page: claim.page,
    experiments: claim.experiments,
    label,
    outcome,
    category: CATEGORY[outcome],
    reason,
    regime,
    parts,
    paper,
    used_run_ids: [...ledger.used].sort(),
    outside_premise: [...ledger.outside].map(([run_id, why]) => ({ run_id, why })).sort((a, b) => a.run_id.localeCompare(b.run_id)),
  };
}

const lrLabel = (x: number) => `lr ${x}`;
const paperRow = (claim: number, key: string, ours: string) => ({ ...PAPER_REPORTS[claim][key], ours });
const meanOf = (rows: RunRow[], y: string) => mean(rows.map((r) => num(r, y)).filter(Number.isFinite));

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

export const B_EXPERIMENTS = ["B1", "B2", "B3", "B4", "B5"];

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

/** The band the paper calls "near 1" and "near 0" for singular values (0.99-1.03 and ~0, with room for noise). */
export const NEAR_ONE: [number, number] = [0.9, 1.1];
export const NEAR_ZERO = 0.1;

function claim8(c: Claim, rows: RunRow[], models: MechanismSummary[]): ClaimVerdict {
  const ledger = new Ledger();
  for (const m of models) {
    const row = rows.find((r) => r.run_id === m.run_id);
    if (row) ledger.use(row);
  }
  const byD = [...new Set(models.map((m) => m.d))].sort((a, b) => a - b);
  const strata = (f: (m: MechanismSummary) => number) =>
    byD.map((d) => ({ label: `d ${d}`, values: models.filter((m) => m.d === d).map(f) }));
  const between = (m: MechanismSummary) =>
    m.singular.filter((s) => s > NEAR_ZERO && s < NEAR_ONE[0]).length / Math.max(1, m.singular.length);
  const parts = [
    comparisonPart(
      strata((m) => 0.2 - Math.abs(m.positiveBias / (m.d + 1) - 1)),
      { what: "0.2 minus the relative distance of the positive-bias count from d + 1", floor: 0, decisive: 0.05, over: "d" },
    ),
    comparisonPart(
      strata((m) => m.polyFrequency - 0.9),
      { what: "Activation frequency of positive-bias neurons minus 0.9", floor: 0, decisive: 0.05, over: "d" },
    ),
    comparisonPart(
      strata((m) => 0.1 - between(m)),
      { what: "0.1 minus the share of the poly pathway's singular values between 0.1 and 0.9", floor: 0, decisive: 0.05, over: "d" },
    ),
    comparisonPart(
      strata((m) => 1 - Math.abs(Math.log2(m.slope / 0.125))),
      { what: "1 minus |log2(poly slope / 0.125)| (slope within a factor 2 of the paper's 0.09–0.16)", floor: 0, decisive: 0.2, over: "d" },
    ),
    comparisonPart(
      strata((m) => 0.01 - m.biasDot),
      { what: "0.01 minus the mean |b_poly · W2_poly| (twice the paper's bound)", floor: 0, decisive: 0.002, over: "d" },
    ),
    comparisonPart(
      strata((m) => 0.2 - Math.abs((m.monoOnset ?? Number.NaN) - 0.4)).filter((s) => s.label === "d 64"),
      { what: "0.2 minus the distance of the mono-only onset from 0.4", floor: 0, decisive: 0.05, over: "d" },
    ),
  ];
  const at = (d: number, f: (m: MechanismSummary) => number) => {
    const ms = models.filter((m) => m.d === d);
    return ms.length ? `${fmt(mean(ms.map(f)))} at d = ${d} (${ms.length} seed${ms.length > 1 ? "s" : ""})` : null;
  };
  const join = (f: (m: MechanismSummary) => number) =>
    byD
      .map((d) => at(d, f))
      .filter(Boolean)
      .join("; ") || "no model";
  return finish(c, ledger, parts, [
    paperRow(
      8,
      "positiveBias",
      join((m) => m.positiveBias),
    ),
    paperRow(8, "singular", join((m) => m.singular.filter((s) => s >= NEAR_ONE[0] && s <= NEAR_ONE[1]).length) + " singular values near 1"),
    paperRow(8, "onset", `onset ${join((m) => m.onset)}; slope ${join((m) => m.slope)}`),
    paperRow(
      8,
      "biasDot",
      join((m) => m.biasDot),
    ),
    paperRow(
      8,
      "monoOnset",
      join((m) => m.monoOnset ?? Number.NaN),
    ),
    paperRow(
      8,
      "frequency",
      join((m) => m.polyFrequency),
    ),
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

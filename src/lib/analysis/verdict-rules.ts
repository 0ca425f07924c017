/**
 * The decision rule behind every verdict: parts (paired comparisons within strata, trends across ordered grids),
 * their outcomes, and the label a claim gets from its parts and its regime. Pure; unit-tested with adversarial cases
 * (tests/lib/analysis/verdict-rules.test.ts). The rule's text, shown above the scoreboard, is DECISION_RULE.
 */
import { PAPER_REGIME, REGIME_TOLERANCE } from "../experiments/paper-reports.js";
import { meanInterval, signFlipTest, trendEffect, trendTest, type PermutationResult, type Series } from "./stats.js";

export const ALPHA = 0.05;

/** What the data say about one part, in the regime they were measured in. */
export type Outcome = "supports" | "contradicts" | "no effect" | "underpowered" | "grid too coarse" | "outside premise";

export const LABELS = [
  "reproduced",
  "not reproduced",
  "inconclusive",
  "outside the claim's premise",
  "not tested in the paper's regime",
] as const;
export type Label = (typeof LABELS)[number];

export const DECISION_RULE = [
  "Each claim is split into parts, and each part is judged in every stratum the claim speaks about (at each learning rate, at each width).",
  "Significance comes from exact permutation tests (sign flips of matched differences; shuffles of the grid within each seed for trends), one-sided at 5%; a design whose smallest attainable p-value is above 5% is underpowered and decides nothing by itself.",
  "Size comes from effect-size floors stated with each part: an effect must reach its floor in every stratum (by its 95% t-interval with two or more seeds, or by a decisive margin with one) to count, and one whose interval lies below the floor is no effect.",
  "Runs outside a claim's premise (not converged by the strict rule, collapsed, or losses not about the same where the claim assumes it) are counted and listed, never silently dropped; a stratum is used only if every one of its seeds is inside the premise, so no seed is chosen by its outcome.",
  "A claim is reproduced when every part supports it, not reproduced when a part contradicts it or shows no effect, inconclusive otherwise; outside the claim's premise when its premise fails; and not tested in the paper's regime when its runs' noise scale lr/√batch lies outside the paper's span (1.1e-5 to 3.3e-4, widened by √2), whatever the data say there.",
].join(" ");

export interface Stratum {
  /** e.g. "lr 0.01" */
  label: string;
  /** Replicate values of the effect, signed so that the claim expects them positive when `expect` is +1. */
  values: number[];
}

export type StratumOutcome = "holds" | "fails" | "below floor" | "undecided";

export interface StratumResult {
  label: string;
  n: number;
  mean: number | null;
  lo: number | null;
  hi: number | null;
  outcome: StratumOutcome;
}

export interface PartResult {
  what: string;
  outcome: Outcome;
  /** One plain sentence, without numbers. */
  headline: string;
  /** The sentence with the numbers behind it. */
  text: string;
  floor: number;
  strata: StratumResult[];
  test: Pick<PermutationResult, "statistic" | "pUpper" | "pLower" | "minP" | "exact"> | null;
  effect: number | null;
}

const fmt = (v: number | null | undefined, digits = 3) =>
  v === null || v === undefined || !Number.isFinite(v) ? "–" : String(+v.toPrecision(digits));
const pText = (p: number) => (p < 0.001 ? "p < 0.001" : `p = ${fmt(p, 2)}`);

/** Judge one stratum of a comparison against its floor (see DECISION_RULE). `values` are already signed. */
export function judgeStratum(s: Stratum, floor: number, decisive: number): StratumResult {
  const { mean, lo, hi, n } = meanInterval(s.values);
  let outcome: StratumOutcome = "undecided";
  if (mean !== null && n >= 2 && lo !== null && hi !== null) {
    if (lo > 0 && mean >= floor) outcome = "holds";
    else if (hi < 0 && mean <= -floor) outcome = "fails";
    else if (hi < floor) outcome = "below floor";
  } else if (mean !== null && n === 1) {
    if (mean >= decisive) outcome = "holds";
    else if (mean <= -decisive) outcome = "fails";
  }
  return { label: s.label, n, mean, lo, hi, outcome };
}

export interface ComparisonOptions {
  what: string;
  /** Smallest effect that counts, in the effect's units (after signing). */
  floor: number;
  /** Margin a single replicate must reach when a stratum has one. */
  decisive: number;
  /** How the strata are named in sentences, e.g. "learning rate". */
  over: string;
}

/**
 * A comparison judged within strata (matched differences, or one-sample values against 0). Every stratum must hold;
 * when the design can reach significance, the stratified sign-flip test must also reject "no effect".
 */
export function comparisonPart(strata: Stratum[], o: ComparisonOptions): PartResult {
  const used = strata.filter((s) => s.values.some(Number.isFinite));
  const results = used.map((s) => judgeStratum(s, o.floor, o.decisive));
  const test = used.length ? signFlipTest(used.map((s) => s.values)) : null;
  const list = (kind: StratumOutcome) => results.filter((r) => r.outcome === kind).map((r) => r.label);
  const summary = results
    .map((r) => `${r.label}: ${fmt(r.mean)}${r.lo !== null ? ` [${fmt(r.lo)}, ${fmt(r.hi)}]` : ""} (n = ${r.n})`)
    .join("; ");
  const testText = test ? `; sign-flip ${pText(test.pUpper)} (smallest attainable ${fmt(test.minP, 2)})` : "";
  let outcome: Outcome;
  let text: string;
  if (results.length === 0) {
    outcome = "underpowered";
    text = `${o.what}: no stratum has usable runs.`;
  } else if (list("fails").length) {
    outcome = "contradicts";
    text = `${o.what} goes the other way at ${list("fails").join(", ")} (floor ${fmt(o.floor)}).`;
  } else if (results.every((r) => r.outcome === "holds") && (test!.pUpper < ALPHA || test!.minP >= ALPHA)) {
    outcome = "supports";
    text = `${o.what} reaches the floor ${fmt(o.floor)} at every ${o.over}${test!.minP >= ALPHA ? " (the sign-flip test cannot reach 5% with so few replicates: each stratum decided by its interval or, with one seed, its decisive margin)" : ""}.`;
  } else if (list("below floor").length) {
    outcome = "no effect";
    text = `${o.what} stays below its floor ${fmt(o.floor)} at ${list("below floor").join(", ")}.`;
  } else {
    outcome = "underpowered";
    text = `${o.what}: too few or too noisy replicates to decide at ${[...list("undecided"), ...list("holds")].join(", ")}.`;
  }
  return {
    what: o.what,
    outcome,
    headline: text,
    text: `${text} (${summary}${testText})`,
    floor: o.floor,
    strata: results,
    test,
    effect: test?.statistic ?? null,
  };
}

export interface TrendOptions {
  what: string;
  expect: 1 | -1;
  /** Smallest change, upper half of the grid minus lower half, in the metric's units. */
  floor: number;
  /** What a flat series (a metric that does not vary over the grid) means here. */
  flat?: "no effect" | "grid too coarse";
}

/** A trend across an ordered grid, seeds as replicates: the exact trend test and the effect against its floor. */
export function trendPart(series: Series[], o: TrendOptions): PartResult {
  const withGrid = series.filter((s) => s.x.length >= 3);
  const signed = withGrid.map((s) => ({ x: s.x, y: s.y.map((y) => o.expect * y) }));
  const test = trendTest(signed);
  const effect = trendEffect(signed);
  const base = { what: o.what, floor: o.floor, strata: [], effect: Number.isFinite(effect) ? o.expect * effect : null };
  const detail = `mean Spearman ${fmt(o.expect * test.statistic, 2)} over ${withGrid.length} seed(s), change ${fmt(o.expect * effect)} (floor ${fmt(o.floor)}); ${pText(test.pUpper)}, smallest attainable ${fmt(test.minP, 2)}`;
  const result = (outcome: Outcome, text: string): PartResult => ({
    ...base,
    outcome,
    headline: `${text}.`,
    text: `${text} (${detail}).`,
    test,
  });
  if (withGrid.length === 0) {
    const headline = `${o.what}: fewer than 3 grid points inside the premise.`;
    return { ...base, outcome: "grid too coarse", headline, text: headline, test: null };
  }
  if (!Number.isFinite(test.statistic)) return result(o.flat ?? "no effect", `${o.what}: the metric does not vary over the grid`);
  if (test.minP >= ALPHA) return result("underpowered", `${o.what}: too few seeds and grid points for the test to reach 5%`);
  if (test.pUpper < ALPHA)
    return result(
      effect >= o.floor ? "supports" : "no effect",
      effect >= o.floor ? `${o.what} goes the claimed way` : `${o.what} goes the claimed way, but below its floor`,
    );
  if (test.pLower < ALPHA)
    return result(
      -effect >= o.floor ? "contradicts" : "no effect",
      -effect >= o.floor ? `${o.what} goes the other way` : `${o.what} goes slightly the other way, below the floor`,
    );
  return result(
    Math.abs(effect) < o.floor / 2 ? "no effect" : "underpowered",
    Math.abs(effect) < o.floor / 2 ? `${o.what}: no trend` : `${o.what}: not significant`,
  );
}

/** A part that could not be computed because its premise fails (e.g. losses not about the same). */
export function premisePart(what: string, holds: boolean, text: string): PartResult {
  return { what, outcome: holds ? "supports" : "outside premise", headline: text, text, floor: 0, strata: [], test: null, effect: null };
}

/** The outcome of a claim from its parts: premise first, then contradiction, then all-support, then no effect. */
export function combineOutcomes(parts: PartResult[]): Outcome {
  const has = (o: Outcome) => parts.some((p) => p.outcome === o);
  if (parts.length === 0) return "underpowered";
  if (has("outside premise")) return "outside premise";
  if (has("contradicts")) return "contradicts";
  if (parts.every((p) => p.outcome === "supports")) return "supports";
  if (has("no effect")) return "no effect";
  if (has("grid too coarse")) return "grid too coarse";
  return "underpowered";
}

export interface Regime {
  batches: number[];
  noiseMin: number;
  noiseMax: number;
  inPaperRegime: boolean;
  text: string;
}

/** The regime of a claim's runs: their batches and noise scales against the paper's span. */
export function regimeOf(runs: { batch: number; lr: number }[]): Regime {
  const noise = runs.map((r) => r.lr / Math.sqrt(r.batch)).filter(Number.isFinite);
  const batches = [...new Set(runs.map((r) => r.batch))].sort((a, b) => a - b);
  if (noise.length === 0) return { batches, noiseMin: Number.NaN, noiseMax: Number.NaN, inPaperRegime: false, text: "no runs" };
  const noiseMin = Math.min(...noise);
  const noiseMax = Math.max(...noise);
  const inPaperRegime = noiseMin >= PAPER_REGIME.noiseMin / REGIME_TOLERANCE && noiseMax <= PAPER_REGIME.noiseMax * REGIME_TOLERANCE;
  const hot = noiseMax / PAPER_REGIME.noiseMax;
  const text =
    `batch ${batches.join(", ")}; noise scale lr/√batch ${fmt(noiseMin, 2)}–${fmt(noiseMax, 2)}` +
    (inPaperRegime
      ? ", inside the paper's span"
      : hot > 1
        ? `, up to ${fmt(hot, 2)}× the paper's hottest run (${fmt(PAPER_REGIME.noiseMax, 2)})`
        : ", below the paper's span") +
    ` (paper: batch ${PAPER_REGIME.batch}, ${fmt(PAPER_REGIME.noiseMin, 2)}–${fmt(PAPER_REGIME.noiseMax, 2)})`;
  return { batches, noiseMin, noiseMax, inPaperRegime, text };
}

/** The label from what the data say and where they were measured. */
export function labelFor(outcome: Outcome, regime: Regime): Label {
  if (outcome === "outside premise") return "outside the claim's premise";
  if (!regime.inPaperRegime) return "not tested in the paper's regime";
  if (outcome === "supports") return "reproduced";
  if (outcome === "contradicts" || outcome === "no effect") return "not reproduced";
  return "inconclusive";
}

/** The reader's category of a verdict (why it came out so), in the site's words. */
export const CATEGORY: Record<Outcome, string> = {
  supports: "effect found",
  contradicts: "contradicted",
  "no effect": "no effect",
  underpowered: "underpowered",
  "grid too coarse": "grid too coarse",
  "outside premise": "outside the claim's premise",
};

/** For beyond-the-paper findings: their own words, never "reproduced". */
export function beyondLabel(outcome: Outcome): "holds here" | "does not hold here" | "undecided here" {
  if (outcome === "supports") return "holds here";
  if (outcome === "contradicts" || outcome === "no effect") return "does not hold here";
  return "undecided here";
}

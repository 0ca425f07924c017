/**
 * The decision rule behind every verdict on the site. Pure functions, unit-tested (tests/site/verdicts.test.ts).
 *
 * A claim is broken into parts. Each part is an effect with an expected sign, measured by n replicate estimates
 * d_1..d_n (seeds, or matched runs as the part says):
 * - n >= 2: the 95% t-interval of the mean of d. Entirely on the expected side of 0: "reproduced"; entirely on
 *   the other side: "not reproduced"; otherwise "inconclusive".
 * - n = 1: no interval is available. The effect counts only when it is decisive: d at least the part's decisive
 *   margin in the expected direction gives "reproduced", at least that margin the other way "not reproduced",
 *   anything in between "inconclusive".
 * - n = 0: "inconclusive" (no data).
 * A claim is "reproduced" when every part is, "not reproduced" when any part is, and "inconclusive" otherwise.
 */
import { CONVERGED_BELOW } from "../lib/protocol/convergence.js";

export type VerdictLabel = "reproduced" | "not reproduced" | "inconclusive";

export interface Evidence {
  text: string;
  verdict: VerdictLabel;
  mean: number | null;
  lo: number | null;
  hi: number | null;
  n: number;
}

export interface Verdict {
  verdict: VerdictLabel;
  evidence: Evidence[];
  /** What the evidence was drawn from, when not every run (e.g. converged runs only). */
  note?: string;
}

export const DECISION_RULE =
  "Each claim is split into parts; each part is an effect with an expected sign, estimated by n replicates (seeds, or matched runs where stated). " +
  "With n ≥ 2, the part is reproduced when the 95% t-interval of the mean lies entirely on the expected side of zero, not reproduced when it lies entirely on the other side, and inconclusive otherwise. " +
  "With n = 1 no interval is available: the part is reproduced only if the effect reaches its decisive margin in the expected direction, not reproduced if it reaches that margin the other way, and inconclusive otherwise. " +
  "A claim is reproduced when all its parts are, not reproduced when any part is not, and inconclusive otherwise.";

/** Two-sided 95% Student t quantiles for df = 1..30; above that, 1.96 is within 2%. */
const T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];
export function t95(df: number): number {
  if (df < 1) return Number.NaN;
  return df <= 30 ? T95[df - 1] : 1.96;
}

/** Mean and 95% t-interval (null bounds with fewer than two finite values). */
export function meanInterval(values: number[]): { mean: number | null; lo: number | null; hi: number | null; n: number } {
  const xs = values.filter((v) => Number.isFinite(v));
  const n = xs.length;
  if (n === 0) return { mean: null, lo: null, hi: null, n };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, lo: null, hi: null, n };
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
  const half = t95(n - 1) * Math.sqrt(variance / n);
  return { mean, lo: mean - half, hi: mean + half, n };
}

export interface PartOptions {
  /** +1 when the claim expects a positive effect, -1 a negative one. */
  expect: 1 | -1;
  /** Margin a single replicate must reach to count (n = 1). */
  decisive: number;
  /** What the effect is, e.g. "mono/features of LR3 minus LR1 at matched lr". */
  what: string;
  /** What a replicate is, e.g. "seeds" or "matched learning rates". */
  over?: string;
}

const num = (v: number | null) => (v === null ? "–" : String(+v.toPrecision(3)));

/** One part of a claim, decided by the rule above. */
export function decidePart(replicates: number[], o: PartOptions): Evidence {
  const { mean, lo, hi, n } = meanInterval(replicates);
  let verdict: VerdictLabel = "inconclusive";
  let text: string;
  const over = o.over ?? "seeds";
  if (n === 0 || mean === null) {
    text = `${o.what}: no usable replicate (no data, or the metric does not vary).`;
  } else if (n === 1) {
    const signed = o.expect * mean;
    if (signed >= o.decisive) verdict = "reproduced";
    else if (signed <= -o.decisive) verdict = "not reproduced";
    text = `${o.what} = ${num(mean)} (1 replicate: 95% interval not available; decisive margin ${o.expect > 0 ? "+" : "−"}${num(o.decisive)}).`;
  } else {
    const lower = o.expect > 0 ? lo! : -hi!;
    const upper = o.expect > 0 ? hi! : -lo!;
    if (lower > 0) verdict = "reproduced";
    else if (upper < 0) verdict = "not reproduced";
    text = `${o.what} = ${num(mean)}, 95% interval [${num(lo)}, ${num(hi)}] over ${n} ${over} (expected ${o.expect > 0 ? "> 0" : "< 0"}).`;
  }
  return { text, verdict, mean, lo, hi, n };
}

/** Combine parts: all reproduced → reproduced; any not reproduced → not reproduced; else inconclusive. */
export function combine(evidence: Evidence[]): Verdict {
  let verdict: VerdictLabel = "inconclusive";
  if (evidence.length > 0 && evidence.every((e) => e.verdict === "reproduced")) verdict = "reproduced";
  else if (evidence.some((e) => e.verdict === "not reproduced")) verdict = "not reproduced";
  return { verdict, evidence };
}

/** Spearman rank correlation (average ranks for ties); NaN with fewer than 3 points or no variance. */
export function spearman(xs: number[], ys: number[]): number {
  const pairs = xs.map((x, i) => [x, ys[i]]).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  if (pairs.length < 3) return Number.NaN;
  const rank = (values: number[]) => {
    const order = values.map((v, i) => [v, i]).sort((a, b) => a[0] - b[0]);
    const ranks = new Array<number>(values.length);
    for (let i = 0; i < order.length; ) {
      let j = i;
      while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
      for (let t = i; t <= j; t++) ranks[order[t][1]] = (i + j) / 2;
      i = j + 1;
    }
    return ranks;
  };
  const rx = rank(pairs.map((p) => p[0]));
  const ry = rank(pairs.map((p) => p[1]));
  const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
  const mx = mean(rx);
  const my = mean(ry);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < rx.length; i++) {
    sxy += (rx[i] - mx) * (ry[i] - my);
    sxx += (rx[i] - mx) ** 2;
    syy += (ry[i] - my) ** 2;
  }
  return sxx === 0 || syy === 0 ? Number.NaN : sxy / Math.sqrt(sxx * syy);
}

export interface Point {
  x: number;
  y: number;
  seed: number;
}

/** Per-seed Spearman correlation between a swept value and a metric: the replicates of a trend part. */
export function trendReplicates(points: Point[]): number[] {
  const seeds = [...new Set(points.map((p) => p.seed))].sort((a, b) => a - b);
  return seeds.map((s) => {
    const ps = points.filter((p) => p.seed === s);
    return spearman(ps.map((p) => p.x), ps.map((p) => p.y));
  }).filter((r) => Number.isFinite(r));
}

/** Differences b - a for points matched on (x, seed): the replicates of a paired-comparison part. */
export function pairedDifferences(a: Point[], b: Point[]): number[] {
  const key = (p: Point) => `${p.x}|${p.seed}`;
  const byKey = new Map(a.map((p) => [key(p), p.y]));
  return b.filter((p) => byKey.has(key(p))).map((p) => p.y - byKey.get(key(p))!).filter((d) => Number.isFinite(d));
}

/** Relative spread (max - min) / |mean| of a metric across a sweep, one replicate per seed. */
export function spreadReplicates(points: Point[]): number[] {
  const seeds = [...new Set(points.map((p) => p.seed))];
  return seeds.map((s) => {
    const ys = points.filter((p) => p.seed === s && Number.isFinite(p.y)).map((p) => p.y);
    if (ys.length < 2) return Number.NaN;
    const mean = ys.reduce((a, b) => a + b, 0) / ys.length;
    return (Math.max(...ys) - Math.min(...ys)) / Math.abs(mean);
  }).filter((v) => Number.isFinite(v));
}

/** A row of the runs table, as the browser's queries return it. */
export type RunRow = Record<string, unknown>;

/** Points (x = a config field, y = a metric) of one experiment's ok runs; with `convergedOnly`, only the runs
 * whose loss had stopped changing (issue 3's rule: by less than 2% over the last quarter). */
export function points(rows: RunRow[], experiment: string, x: string, y: string, convergedOnly = false): Point[] {
  return rows
    .filter((r) => r.experiment === experiment && r.status === "ok" && (!convergedOnly || isConvergedRun(r)))
    .map((r) => ({ x: Number(r[x]), y: Number(r[y]), seed: Number(r.seed) }))
    .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
}

/** Whether a run converged (the column is a BOOLEAN; some clients return it as 0/1). */
export const isConvergedRun = (r: RunRow) => r.converged === true || r.converged === 1;

/** "k of n runs of LR1, LR3 converged": what a claim judged at converged loss leaves out. */
export function convergenceNote(rows: RunRow[], experiments: string[]): string {
  const ok = rows.filter((r) => experiments.includes(String(r.experiment)) && r.status === "ok");
  const converged = ok.filter(isConvergedRun).length;
  return `Judged at converged loss: ${converged} of ${ok.length} runs of ${experiments.join(", ")} converged (loss changed by less than ${CONVERGED_BELOW * 100}% over the last quarter); the others are left out.`;
}

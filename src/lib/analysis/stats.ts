/**
 * Statistics for few replicates, as the verdicts use them. Pure functions, no I/O.
 *
 * With three seeds and grids of three to six points, asymptotic tests and t-intervals of discrete statistics mislead
 * (two seeds with the same Spearman value give an interval of zero width). So significance comes from exact
 * permutation tests, whose smallest attainable p-value is known in advance: a test that cannot reach p < alpha with
 * the data at hand says so ("underpowered") instead of deciding. Effect sizes are judged separately, against floors.
 */
import { Rng } from "../protocol/rng.js";

/** Two-sided 95% Student t quantiles for df = 1..30; above that, 1.96 is within 2%. */
const T95 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086,
  2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];
export function t95(df: number): number {
  if (df < 1) return Number.NaN;
  return df <= 30 ? T95[df - 1] : 1.96;
}

export const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Mean and 95% t-interval of continuous replicates (null bounds with fewer than two). */
export function meanInterval(values: number[]): { mean: number | null; lo: number | null; hi: number | null; n: number } {
  const xs = values.filter((v) => Number.isFinite(v));
  const n = xs.length;
  if (n === 0) return { mean: null, lo: null, hi: null, n };
  const m = mean(xs);
  if (n < 2) return { mean: m, lo: null, hi: null, n };
  const variance = xs.reduce((a, b) => a + (b - m) ** 2, 0) / (n - 1);
  const half = t95(n - 1) * Math.sqrt(variance / n);
  return { mean: m, lo: m - half, hi: m + half, n };
}

/** Spearman rank correlation (average ranks for ties); NaN with fewer than 3 points or no variance in either. */
export function spearman(xs: number[], ys: number[]): number {
  const n = xs.length;
  if (n < 3) return Number.NaN;
  const rank = (values: number[]) => {
    const order = values.map((v, i) => [v, i]).sort((a, b) => a[0] - b[0]);
    const ranks = new Array<number>(values.length);
    for (let i = 0; i < order.length;) {
      let j = i;
      while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
      for (let t = i; t <= j; t++) ranks[order[t][1]] = (i + j) / 2;
      i = j + 1;
    }
    return ranks;
  };
  const rx = rank(xs);
  const ry = rank(ys);
  const mx = mean(rx);
  const my = mean(ry);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (rx[i] - mx) * (ry[i] - my);
    sxx += (rx[i] - mx) ** 2;
    syy += (ry[i] - my) ** 2;
  }
  return sxx === 0 || syy === 0 ? Number.NaN : sxy / Math.sqrt(sxx * syy);
}

/** One-sided p-values of a permutation test: P(T >= observed) and P(T <= observed) under the null, and the smallest
 * p-value the design could ever give (1 / number of equally likely arrangements, when enumerated). */
export interface PermutationResult {
  statistic: number;
  pUpper: number;
  pLower: number;
  minP: number;
  /** Arrangements enumerated, or Monte Carlo draws. */
  arrangements: number;
  exact: boolean;
}

/** Exact enumeration up to this many arrangements; beyond it, this many seeded Monte Carlo draws. */
export const EXACT_LIMIT = 200_000;
export const MONTE_CARLO_DRAWS = 20_000;
/** Tolerance for "at least as extreme": permutation statistics tie exactly in exact arithmetic, not in floats. */
const TIE = 1e-12;

function tally(observed: number, draws: Iterable<number>) {
  let upper = 0;
  let lower = 0;
  let n = 0;
  for (const t of draws) {
    n++;
    if (t >= observed - TIE) upper++;
    if (t <= observed + TIE) lower++;
  }
  return { upper, lower, n };
}

/**
 * Sign-flip test of paired differences (H0: each difference is symmetric about 0). Statistic: the mean over strata
 * of each stratum's mean difference, so every stratum weighs the same whatever its replicate count.
 */
export function signFlipTest(strata: number[][]): PermutationResult {
  const groups = strata.map((s) => s.filter(Number.isFinite)).filter((s) => s.length > 0);
  const flat = groups.flatMap((g, gi) => g.map((d) => ({ d, gi })));
  const statistic = (signs: (i: number) => number) => {
    const sums = groups.map(() => 0);
    flat.forEach((p, i) => (sums[p.gi] += signs(i) * p.d));
    return mean(sums.map((s, gi) => s / groups[gi].length));
  };
  if (flat.length === 0) return { statistic: Number.NaN, pUpper: 1, pLower: 1, minP: 1, arrangements: 0, exact: true };
  const observed = statistic(() => 1);
  const total = 2 ** flat.length;
  if (total <= EXACT_LIMIT) {
    const draws = function* () {
      for (let mask = 0; mask < total; mask++) yield statistic((i) => ((mask >> i) & 1 ? -1 : 1));
    };
    const { upper, lower } = tally(observed, draws());
    return { statistic: observed, pUpper: upper / total, pLower: lower / total, minP: 1 / total, arrangements: total, exact: true };
  }
  const rng = new Rng(1, "sign-flip");
  const draws = function* () {
    for (let r = 0; r < MONTE_CARLO_DRAWS; r++) yield statistic(() => (rng.uniform() < 0.5 ? -1 : 1));
  };
  const { upper, lower } = tally(observed, draws());
  // The observed arrangement counts as one draw (the usual (b + 1) / (n + 1) correction).
  return {
    statistic: observed,
    pUpper: (upper + 1) / (MONTE_CARLO_DRAWS + 1),
    pLower: (lower + 1) / (MONTE_CARLO_DRAWS + 1),
    minP: 1 / total,
    arrangements: MONTE_CARLO_DRAWS,
    exact: false,
  };
}

/** A series of one replicate (seed): y measured at ordered grid values x. */
export interface Series {
  x: number[];
  y: number[];
}

function permutations(n: number): number[][] {
  if (n <= 1) return [[0]];
  const out: number[][] = [];
  for (const rest of permutations(n - 1))
    for (let at = 0; at <= rest.length; at++) out.push([...rest.slice(0, at), n - 1, ...rest.slice(at)]);
  return out;
}

const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));

/**
 * Trend test across an ordered grid, with seeds as independent replicates: statistic = the mean over seeds of the
 * Spearman correlation of x with y; null = y shuffled over the grid within each seed independently (exact when the
 * arrangements are few enough to enumerate). Seeds whose Spearman is undefined (fewer than 3 points, or a metric that
 * does not vary) are left out of the statistic and counted by the caller.
 */
export function trendTest(series: Series[]): PermutationResult {
  const usable = series.filter((s) => s.x.length >= 3 && Number.isFinite(spearman(s.x, s.y)));
  if (usable.length === 0) return { statistic: Number.NaN, pUpper: 1, pLower: 1, minP: 1, arrangements: 0, exact: true };
  const observed = mean(usable.map((s) => spearman(s.x, s.y)));
  // Every arrangement of one seed's y over its grid, with the Spearman value of each (ties make some coincide).
  const perSeed = usable.map((s) =>
    factorial(s.y.length) <= EXACT_LIMIT
      ? permutations(s.y.length).map((p) =>
          spearman(
            s.x,
            p.map((i) => s.y[i]),
          ),
        )
      : null,
  );
  const total = perSeed.reduce((a, p, i) => a * (p ? p.length : factorial(usable[i].y.length)), 1);
  const minP = 1 / total;
  if (total <= EXACT_LIMIT && perSeed.every((p) => p !== null)) {
    const lists = perSeed as number[][];
    const draws = function* (): Generator<number> {
      const index = lists.map(() => 0);
      for (let count = 0; count < total; count++) {
        yield mean(lists.map((l, i) => l[index[i]]));
        for (let i = 0; i < index.length; i++) {
          if (++index[i] < lists[i].length) break;
          index[i] = 0;
        }
      }
    };
    const { upper, lower } = tally(observed, draws());
    return { statistic: observed, pUpper: upper / total, pLower: lower / total, minP, arrangements: total, exact: true };
  }
  const rng = new Rng(1, "trend");
  const shuffled = (s: Series) => {
    const y = [...s.y];
    for (let i = y.length - 1; i > 0; i--) {
      const j = Math.floor(rng.uniform() * (i + 1));
      [y[i], y[j]] = [y[j], y[i]];
    }
    return spearman(s.x, y);
  };
  const draws = function* () {
    for (let r = 0; r < MONTE_CARLO_DRAWS; r++) yield mean(usable.map(shuffled));
  };
  const { upper, lower } = tally(observed, draws());
  return {
    statistic: observed,
    pUpper: (upper + 1) / (MONTE_CARLO_DRAWS + 1),
    pLower: (lower + 1) / (MONTE_CARLO_DRAWS + 1),
    minP,
    arrangements: MONTE_CARLO_DRAWS,
    exact: false,
  };
}

/** The size of a trend in the metric's own units: per seed, the mean of y over the upper half of the grid minus over
 * the lower half (the middle point, with an odd count, in neither); then the mean over seeds. */
export function trendEffect(series: Series[]): number {
  const perSeed = series
    .filter((s) => s.x.length >= 2)
    .map((s) => {
      const order = s.x.map((x, i) => [x, s.y[i]]).sort((a, b) => a[0] - b[0]);
      const half = Math.floor(order.length / 2);
      return mean(order.slice(order.length - half).map((p) => p[1])) - mean(order.slice(0, half).map((p) => p[1]));
    })
    .filter(Number.isFinite);
  return perSeed.length ? mean(perSeed) : Number.NaN;
}

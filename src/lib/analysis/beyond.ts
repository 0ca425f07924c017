/**
 * Summaries behind the "Beyond the paper: adaptive biases" page, as pure functions of table rows (runs of
 * GBA1, rows of sae.parquet). No I/O, no DOM: the page queries the rows and decides verdicts from these numbers.
 */

export interface GbaRunRow {
  variant: string;
  seed: number;
  final_loss: number;
  mono_per_feature: number;
  features_covered: number;
  dead_neurons: number;
  mean_bias: number;
}

export const GBA_METRICS = ["final_loss", "mono_per_feature", "features_covered", "dead_neurons", "mean_bias"] as const;
export type GbaMetric = (typeof GBA_METRICS)[number];

export interface VariantSummary {
  variant: string;
  n: number;
  /** Mean over seeds of every metric. */
  mean: Record<GbaMetric, number>;
}

/** Mean of each metric per variant, variants in first-seen order. */
export function summariseVariants(rows: GbaRunRow[]): VariantSummary[] {
  const order: string[] = [];
  const groups = new Map<string, GbaRunRow[]>();
  for (const r of rows) {
    if (!groups.has(r.variant)) {
      groups.set(r.variant, []);
      order.push(r.variant);
    }
    groups.get(r.variant)!.push(r);
  }
  return order.map((variant) => {
    const g = groups.get(variant)!;
    const mean = Object.fromEntries(GBA_METRICS.map((m) => [m, g.reduce((s, r) => s + Number(r[m]), 0) / g.length])) as Record<
      GbaMetric,
      number
    >;
    return { variant, n: g.length, mean };
  });
}

/** Per-seed differences a - b of a metric between two variants (seeds present in both, ascending). */
export function pairedDifferences(rows: GbaRunRow[], a: string, b: string, metric: GbaMetric): number[] {
  const bySeed = (v: string) =>
    new Map(rows.filter((r) => r.variant === v && Number.isFinite(Number(r[metric]))).map((r) => [r.seed, Number(r[metric])]));
  const x = bySeed(a);
  const y = bySeed(b);
  return [...x.keys()]
    .filter((s) => y.has(s))
    .sort((p, q) => p - q)
    .map((s) => x.get(s)! - y.get(s)!);
}

/** The GBA variant with the highest mean of a metric (ties: first). Null when there is none. */
export function bestGbaVariant(rows: GbaRunRow[], metric: GbaMetric = "mono_per_feature"): string | null {
  let best: VariantSummary | null = null;
  for (const s of summariseVariants(rows))
    if (s.variant.startsWith("gba") && (best === null || s.mean[metric] > best.mean[metric])) best = s;
  return best?.variant ?? null;
}

export interface SaeRowLike {
  target: string;
  method: string;
  param: number | null;
  seed: number;
  recovery_080: number;
  recovery_090: number;
  recon_loss: number;
  frac_active: number;
  consistency: number | null;
}

export interface SaeSetting {
  target: string;
  method: string;
  param: number | null;
  label: string;
  n: number;
  recovery_080: number;
  recovery_090: number;
  recon_loss: number;
  frac_active: number;
  consistency: number | null;
  /** recovery_090 per seed, ascending seed. */
  perSeed: { seed: number; recovery_090: number }[];
}

export const saeLabel = (method: string, param: number | null) =>
  method === "gba" ? "GBA" : method === "topk" ? `TopK K=${param}` : `L1 λ=${param}`;

/** Means per (target, method, parameter), in first-seen order. */
export function summariseSae(rows: SaeRowLike[]): SaeSetting[] {
  const order: string[] = [];
  const groups = new Map<string, SaeRowLike[]>();
  for (const r of rows) {
    const key = `${r.target}|${r.method}|${r.param}`;
    if (!groups.has(key)) {
      groups.set(key, []);
      order.push(key);
    }
    groups.get(key)!.push(r);
  }
  const mean = (xs: number[]) => (xs.length === 0 ? Number.NaN : xs.reduce((s, x) => s + x, 0) / xs.length);
  return order.map((key) => {
    const g = groups.get(key)!;
    const { target, method, param } = g[0];
    const cons = g.map((r) => r.consistency).filter((c): c is number => c !== null && Number.isFinite(c));
    return {
      target,
      method,
      param,
      label: saeLabel(method, param),
      n: g.length,
      recovery_080: mean(g.map((r) => r.recovery_080)),
      recovery_090: mean(g.map((r) => r.recovery_090)),
      recon_loss: mean(g.map((r) => r.recon_loss)),
      frac_active: mean(g.map((r) => r.frac_active)),
      consistency: cons.length > 0 ? mean(cons) : null,
      perSeed: [...g].sort((a, b) => a.seed - b.seed).map((r) => ({ seed: r.seed, recovery_090: r.recovery_090 })),
    };
  });
}

/** For one target: each method's best setting by mean recovery at 0.9 (its parameter chosen after the fact: an
 * upper bound for TopK and L1, which were swept; GBA has one setting), best method first. */
export function bestPerMethod(settings: SaeSetting[], target: string): SaeSetting[] {
  const best = new Map<string, SaeSetting>();
  for (const s of settings) {
    if (s.target !== target) continue;
    const current = best.get(s.method);
    if (!current || s.recovery_090 > current.recovery_090) best.set(s.method, s);
  }
  return [...best.values()].sort((a, b) => b.recovery_090 - a.recovery_090);
}

/** Per-seed differences of recovery at 0.9 between two settings (seeds present in both). */
export function saeSeedDifferences(a: SaeSetting, b: SaeSetting): number[] {
  const y = new Map(b.perSeed.map((p) => [p.seed, p.recovery_090]));
  return a.perSeed.filter((p) => y.has(p.seed)).map((p) => p.recovery_090 - y.get(p.seed)!);
}

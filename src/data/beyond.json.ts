// The Beyond page's data, prepared at build time: GBA1's runs, its snapshots averaged per variant and step, and the
// SAE1 rows. The page charts these directly, so it needs neither DuckDB-WASM nor parquet-wasm. The same rows (and
// the same averages) the page's SQL used to compute in the browser from gba-runs, gba-checkpoints and sae.parquet.
import { loaderFailure, loaderSettings, siteRecords } from "../lib/runner/site-data.js";

const RUN_FIELDS = [
  "run_id",
  "variant",
  "seed",
  "preset",
  "engine",
  "k",
  "lr",
  "steps",
  "batch",
  "final_loss",
  "mono_per_feature",
  "features_covered",
  "dead_neurons",
  "mean_bias",
];
const SAE_FIELDS = [
  "run_id",
  "preset",
  "target",
  "method",
  "param",
  "seed",
  "d",
  "latents",
  "steps",
  "batch",
  "recovery_080",
  "recovery_090",
  "mean_max_cos",
  "recon_loss",
  "frac_active",
  "dead_latents",
  "consistency",
];
const clean = (v: unknown) => (v === undefined || (typeof v === "number" && !Number.isFinite(v)) ? null : v);
const pick = (row: Record<string, unknown>, fields: string[]) => Object.fromEntries(fields.map((f) => [f, clean(row[f])]));
const byId = (a: Record<string, unknown>, b: Record<string, unknown>) => String(a.run_id).localeCompare(String(b.run_id));

try {
  const records = await siteRecords(["GBA1"]);
  const gba = records
    .filter((r) => r.run.status === "ok")
    .map((r) => pick(r.run as Record<string, unknown>, RUN_FIELDS))
    .sort(byId);
  // Mean over every run of a variant at each snapshot step (all runs, as the page's join did).
  const sums = new Map<string, { variant: string; step: number; mono: number; bias: number; n: number }>();
  for (const r of records) {
    for (const c of r.checkpoints) {
      const key = `${r.run.variant}|${c.step}`;
      const s = sums.get(key) ?? { variant: String(r.run.variant), step: c.step, mono: 0, bias: 0, n: 0 };
      s.mono += c.mono_per_feature;
      s.bias += c.mean_bias;
      s.n++;
      sums.set(key, s);
    }
  }
  const curves = [...sums.values()]
    .map((s) => ({ variant: s.variant, step: s.step, mono_per_feature: s.mono / s.n, mean_bias: s.bias / s.n }))
    .sort((a, b) => a.variant.localeCompare(b.variant) || a.step - b.step);
  const { expandSae } = await import("../lib/experiments/sae1.js");
  const { runSaeExperiment } = await import("../lib/runner/sae.js");
  const saeRows = await runSaeExperiment(expandSae({ preset: loaderSettings().preset }));
  const sae = saeRows.map((r) => pick(r as unknown as Record<string, unknown>, SAE_FIELDS)).sort(byId);
  process.stdout.write(JSON.stringify({ gba, curves, sae }));
} catch (error) {
  process.stderr.write(`error: ${loaderFailure("data loader beyond.json", error)}\n`);
  process.exit(1);
}

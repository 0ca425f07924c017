// Every claim's verdict, computed at build time from the site preset's runs (and, when the repository ships them,
// from the reference runs at the paper's noise scale), so pages read one small JSON file instead of querying.
import { join } from "node:path";
import { judgeClaims } from "../lib/analysis/claim-judges.js";
import type { NeuronSummary, RunRow, VerdictInput } from "../lib/analysis/claims.js";
import { DECISION_RULE } from "../lib/analysis/verdict-rules.js";
import { referenceDirs } from "../lib/runner/reference-dirs.js";
import { PAPER_REGIME } from "../lib/experiments/paper-reports.js";
import { TUNING_SEEDS } from "../lib/experiments/presets.js";
import { mechanismModels } from "../lib/runner/mechanism-runs.js";
import { neuronKind, type RunRecord } from "../lib/runner/record.js";
import { loaderFailure, loaderSettings, siteRecords } from "../lib/runner/site-data.js";

/** Mean final bias of each kind of neuron in one run. */
function neuronSummary(record: RunRecord): NeuronSummary {
  const sums = { mono: [0, 0], poly: [0, 0], dead: [0, 0] };
  for (let j = 0; j < record.neurons.bias.length; j++) {
    const kind = neuronKind(record.neurons, j);
    if (kind === "data-only") continue;
    sums[kind][0] += record.neurons.bias[j];
    sums[kind][1]++;
  }
  return {
    monoBias: sums.mono[0] / sums.mono[1],
    polyBias: sums.poly[0] / sums.poly[1],
    mono: sums.mono[1],
    poly: sums.poly[1],
    dead: sums.dead[1],
  };
}

/**
 * The reference runs that judge claims 1, 3 and 5: those of at least 32768 steps (the paper-scale length),
 * chosen by length, never by outcome. Shorter shipped runs (the batch ladder's top rung) are shown, not judged, so a
 * run and its own shorter twin never count as two replicates.
 */
const REFERENCE_MIN_STEPS = 32768;

/** The shipped reference runs' rows (reference/<run>/runs.parquet), read with DuckDB; none when none are shipped. */
async function referenceRuns(): Promise<RunRow[]> {
  const dirs = referenceDirs("reference");
  if (dirs.length === 0) return [];
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const connection = await (await DuckDBInstance.create(":memory:")).connect();
  const files = dirs.map((d) => `'${join("reference", d, "runs.parquet").replaceAll("'", "''")}'`).join(", ");
  const reader = await connection.runAndReadAll(
    `SELECT * FROM read_parquet([${files}], union_by_name = true) WHERE steps >= ${REFERENCE_MIN_STEPS}`,
  );
  return reader
    .getRowObjectsJS()
    .map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === "bigint" ? Number(v) : v])));
}

try {
  const settings = loaderSettings();
  const records = await siteRecords();
  const mechanism = await mechanismModels(settings.preset, settings.timeoutMinutes);
  const all = new Map<string, RunRecord>();
  for (const r of [...records, ...mechanism.records]) all.set(String(r.run.run_id), r);
  const input: VerdictInput = {
    runs: [...all.values()].map((r) => r.run),
    neurons: new Map([...all].map(([id, r]) => [id, neuronSummary(r)])),
    mechanism: mechanism.summaries,
  };
  const reference = await referenceRuns();
  const verdicts = {
    preset: settings.preset,
    rule: DECISION_RULE,
    paper_regime: PAPER_REGIME,
    tuning_seeds: TUNING_SEEDS[settings.preset] ?? [],
    claims: judgeClaims(input),
    // Claims 1, 3 and 5 judged again on the shipped reference runs alone (their rows carry no neurons or weights).
    reference: reference.length
      ? judgeClaims({ runs: reference, neurons: new Map(), mechanism: [] }).filter(
          (c) => [1, 3, 5].includes(c.id) && c.experiments.some((e) => reference.some((r) => r.experiment === e)),
        )
      : [],
    mechanism: mechanism.summaries,
  };
  process.stdout.write(JSON.stringify(verdicts));
} catch (error) {
  process.stderr.write(`error: ${loaderFailure("data loader verdicts", error)}\n`);
  process.exit(1);
}

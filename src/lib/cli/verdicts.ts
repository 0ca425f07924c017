/**
 * npm run verdicts -- DIR [--claims 1,3,5] [--json]
 *
 * Judges the paper's claims on a sweep's output directory (its runs.parquet, and neurons.parquet where claim 2 needs
 * it) by the site's rule, so any reader can check a verdict on runs they trained themselves, e.g.
 * `npm run sweep -- --experiment LR1,LR3 --preset converged --out out/c && npm run verdicts -- out/c --claims 1,3`.
 * Claim 8 needs trained weights (the site's build computes it); here it reports no models.
 * Exit codes: 0 judged, 2 bad input.
 */
import { DuckDBInstance } from "@duckdb/node-api";
import { Command, CommanderError } from "commander";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { judgeClaims } from "../analysis/claim-judges.js";
import { CLAIMS, type NeuronSummary, type RunRow } from "../analysis/claims.js";

async function readRows(file: string, sql: string): Promise<RunRow[]> {
  const connection = await (await DuckDBInstance.create(":memory:")).connect();
  const reader = await connection.runAndReadAll(sql.replace("$file", `'${file.replaceAll("'", "''")}'`));
  return reader
    .getRowObjectsJS()
    .map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === "bigint" ? Number(v) : v])));
}

/** Per run, the mean bias of mono and live poly neurons (neurons.parquet's `kind`). */
async function neuronSummaries(file: string): Promise<Map<string, NeuronSummary>> {
  const rows = await readRows(file, "SELECT run_id, kind, avg(bias) AS bias, count(*) AS n FROM read_parquet($file) GROUP BY run_id, kind");
  const map = new Map<string, NeuronSummary>();
  for (const r of rows) {
    const s = map.get(String(r.run_id)) ?? { monoBias: Number.NaN, polyBias: Number.NaN, mono: 0, poly: 0, dead: 0 };
    if (r.kind === "mono") Object.assign(s, { monoBias: Number(r.bias), mono: Number(r.n) });
    if (r.kind === "poly") Object.assign(s, { polyBias: Number(r.bias), poly: Number(r.n) });
    if (r.kind === "dead") s.dead = Number(r.n);
    map.set(String(r.run_id), s);
  }
  return map;
}

export async function main(argv = process.argv.slice(2)): Promise<number> {
  const program = new Command("verdicts")
    .argument("<dir>", "an output directory of `npm run sweep` (holds runs.parquet)")
    .option("--claims <ids>", "comma-separated claim ids (default: all)")
    .option("--json", "print the verdicts as JSON")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  let dir: string;
  let options: { claims?: string; json?: boolean };
  try {
    program.parse(argv, { from: "user" });
    dir = program.args[0];
    options = program.opts();
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
  const runsFile = join(dir, "runs.parquet");
  if (!existsSync(runsFile)) {
    process.stderr.write(`error: ${runsFile} not found (give the --out directory of a finished sweep)\n`);
    return 2;
  }
  const ids = options.claims ? options.claims.split(",").map(Number) : CLAIMS.map((c) => c.id);
  const unknown = ids.filter((id) => !CLAIMS.some((c) => c.id === id));
  if (unknown.length) {
    process.stderr.write(`error: --claims: unknown claim ${unknown.join(", ")} (claims are ${CLAIMS.map((c) => c.id).join(", ")})\n`);
    return 2;
  }
  const neuronsFile = join(dir, "neurons.parquet");
  const verdicts = judgeClaims({
    runs: await readRows(runsFile, "SELECT * FROM read_parquet($file)"),
    neurons: existsSync(neuronsFile) ? await neuronSummaries(neuronsFile) : new Map(),
    mechanism: [],
  }).filter((v) => ids.includes(v.id));
  if (options.json) process.stdout.write(`${JSON.stringify(verdicts, null, 2)}\n`);
  else
    for (const v of verdicts) {
      process.stdout.write(`Claim ${v.id}: ${v.label.toUpperCase()} (${v.category})\n  ${v.reason}\n  regime: ${v.regime.text}\n`);
      for (const p of v.parts) process.stdout.write(`  - [${p.outcome}] ${p.text}\n`);
      for (const p of v.paper) process.stdout.write(`  paper: ${p.quantity}: ${p.paper} | this data: ${p.ours}\n`);
      process.stdout.write(`  runs used: ${v.used_run_ids.length}, outside the premise: ${v.outside_premise.length}\n\n`);
    }
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exit(await main());

// The shipped reference runs (reference/*, trained at the paper's noise scale with the project's CLI and checked by
// tests/reference.test.ts) as JSON for src/regime.md: their runs rows and checkpoints (the page draws no loss log),
// the command of each and the machine it ran on. Read from the repository at build time; nothing is trained here.
import { DuckDBInstance } from "@duckdb/node-api";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { ManifestSchema } from "../lib/runner/manifest.js";
import { paperScaleDirs, PAPER_SCALE_DIR, referenceDirs } from "../lib/runner/reference-dirs.js";
import { loaderFailure } from "../lib/runner/site-data.js";

const ROOT = resolve(process.cwd(), "reference");

/** NaN and BigInt do not survive JSON: NaN becomes null, BigInt a number. */
const clean = (row: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(row).map(([k, v]) => [k, typeof v === "bigint" ? Number(v) : typeof v === "number" && !Number.isFinite(v) ? null : v]),
  );

try {
  // The paper-scale runs are shown beside the others (flagged paper_scale), never judged (verdicts.json.ts reads
  // reference/* alone).
  const dirs = [...referenceDirs(ROOT), ...paperScaleDirs(ROOT)];
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  const read = async (dir: string, table: string) => {
    const path = join(ROOT, dir, `${table}.parquet`).replaceAll("'", "''");
    return ((await connection.runAndReadAll(`SELECT * FROM read_parquet('${path}')`)).getRowObjectsJS() as Record<string, unknown>[]).map(
      clean,
    );
  };
  const runs = [],
    checkpoints = [];
  for (const dir of dirs) {
    const manifest = ManifestSchema.parse(JSON.parse(readFileSync(join(ROOT, dir, "manifest.json"), "utf8")));
    const [engine] = manifest.sweep.engine.split("@");
    const sets = Object.entries(manifest.sweep.overrides)
      .map(([k, v]) => `--set ${k}=${v}`)
      .join(" ");
    const experiments = manifest.sweep.experiments === "all" ? "all" : manifest.sweep.experiments.join(",");
    // The CLI's defaults (preset quick, the preset's seeds) are left out; anything else the manifest records is spelt.
    const preset = manifest.sweep.preset === "quick" ? "" : ` --preset ${manifest.sweep.preset}`;
    const seeds = manifest.sweep.seeds == null ? "" : ` --seeds ${manifest.sweep.seeds}`;
    const command = `npm run sweep -- --experiment ${experiments}${preset}${seeds} ${sets} --engine ${engine} --out reference/${dir}`;
    // Each run says where it was trained (reference/<run>/machine.json): the runs were made on different machines.
    const machinePath = join(ROOT, dir, "machine.json");
    const machine = existsSync(machinePath) ? JSON.parse(readFileSync(machinePath, "utf8")) : null;
    for (const r of await read(dir, "runs"))
      runs.push({
        ...r,
        reference_dir: dir,
        paper_scale: dir.startsWith(`${PAPER_SCALE_DIR}/`),
        command,
        engine_version: manifest.sweep.engine,
        machine,
      });
    checkpoints.push(...(await read(dir, "checkpoints")));
  }
  connection.closeSync();
  instance.closeSync();
  process.stdout.write(JSON.stringify({ runs, checkpoints }));
} catch (error) {
  process.stderr.write(`error: ${loaderFailure("data loader reference.json", error)}\n`);
  process.exit(1);
}

/**
 * npm run merge -- DIR... --out DIR [--allow-partial]
 *
 * Merges the output directories of sweep shards (or of separate sweeps) into one, with DuckDB: each table is
 * read_parquet over every directory and written ordered by the same keys as the sweep writer (TABLE_ORDER), so the
 * merge of shards 1/n ... n/n has the same rows, in the same order, as the unsharded sweep.
 *
 * Refused, with a message naming the directory: a directory that is missing, has no manifest.json (the sweep did not
 * finish writing), lacks a table, or whose table's columns or types differ from the data contract; a run that
 * appears in two directories (or twice in one); a sharded sweep with a shard missing or given twice; a shard cut
 * short by --max-minutes. `--allow-partial` accepts missing shards, incomplete shards and missing manifests (never
 * duplicates or schema mismatches); the merged manifest then says complete: false.
 * Exit codes: 0 merged, 1 unexpected failure, 2 refused (nothing written).
 */
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { Command, CommanderError } from "commander";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { readManifest, removeManifest, writeManifest, type Manifest } from "../runner/manifest.js";
import { TABLE_ORDER } from "../runner/parquet.js";
import { TABLES } from "../runner/tables.js";
import { refusal, UsageError } from "./validate.js";

export function mergeCommand(): Command {
  return new Command("merge")
    .description("Merge sweep output directories (e.g. the shards of one sweep) into one.")
    .argument("<dirs...>", "output directories of `npm run sweep` (e.g. one per --shard)")
    .requiredOption("--out <dir>", "directory to write the merged tables into")
    .option("--allow-partial", "accept missing or incomplete shards and directories without manifest.json")
    .exitOverride()
    .configureOutput({ writeErr: () => {}, writeOut: (s) => process.stdout.write(s) });
}

const sql = (text: string) => `'${text.replaceAll("'", "''")}'`;

interface Input {
  dir: string;
  manifest: Manifest | null;
}

/** Check the manifests: every sharded sweep whole and each shard once; returns the problems allow-partial may waive. */
function checkManifests(inputs: Input[]): { fatal: string[]; partial: string[] } {
  const fatal: string[] = [];
  const partial: string[] = [];
  const bySweep = new Map<string, Input[]>();
  for (const input of inputs) {
    if (!input.manifest) {
      partial.push(`${input.dir}: no manifest.json (the sweep did not finish writing this directory, or it is not a sweep output)`);
      continue;
    }
    if (!input.manifest.complete)
      partial.push(
        `${input.dir}: incomplete (${input.manifest.missing.length} runs missing, e.g. after --max-minutes); rerun its command to complete it`,
      );
    bySweep.set(input.manifest.sweep_id, [...(bySweep.get(input.manifest.sweep_id) ?? []), input]);
  }
  for (const group of bySweep.values()) {
    const unsharded = group.filter((g) => g.manifest!.shard === null);
    const sharded = group.filter((g) => g.manifest!.shard !== null);
    if (unsharded.length > 1) fatal.push(`the same sweep is given twice: ${unsharded.map((g) => g.dir).join(" and ")}`);
    if (unsharded.length > 0 && sharded.length > 0)
      fatal.push(`${unsharded[0].dir} holds the whole sweep that ${sharded[0].dir} is a shard of`);
    if (sharded.length === 0) continue;
    const counts = new Set(sharded.map((g) => g.manifest!.shard!.count));
    if (counts.size > 1) {
      fatal.push(
        `shards of one sweep split it differently: ${sharded.map((g) => `${g.dir} is ${g.manifest!.shard!.index}/${g.manifest!.shard!.count}`).join(", ")}`,
      );
      continue;
    }
    const engines = new Set(group.map((g) => g.manifest!.sweep.engine));
    if (engines.size > 1)
      fatal.push(
        `parts of one sweep were computed by different engines: ${group.map((g) => `${g.dir} by ${g.manifest!.sweep.engine}`).join(", ")}`,
      );
    const count = [...counts][0];
    const seen = new Map<number, string>();
    for (const g of sharded) {
      const index = g.manifest!.shard!.index;
      if (seen.has(index)) fatal.push(`shard ${index}/${count} is given twice: ${seen.get(index)} and ${g.dir}`);
      seen.set(index, g.dir);
    }
    const absent = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !seen.has(i));
    if (absent.length > 0) partial.push(`sweep of ${sharded[0].dir}: shard(s) ${absent.map((i) => `${i}/${count}`).join(", ")} missing`);
  }
  return { fatal, partial };
}

async function rows(connection: DuckDBConnection, query: string): Promise<Record<string, unknown>[]> {
  const reader = await connection.runAndReadAll(query);
  return reader.getRowObjectsJS() as Record<string, unknown>[];
}

/** Check the tables with DuckDB: present, the contract's columns and types, no duplicate keys, details of known runs. */
async function checkTables(connection: DuckDBConnection, dirs: string[]): Promise<string[]> {
  const problems: string[] = [];
  for (const table of TABLES) {
    for (const dir of dirs) {
      const path = join(dir, `${table.name}.parquet`);
      if (!existsSync(path)) {
        problems.push(`${dir}: ${table.name}.parquet is missing`);
        continue;
      }
      const columns = await rows(connection, `DESCRIBE SELECT * FROM read_parquet(${sql(path)})`);
      const found = columns.map((c) => `${c.column_name} ${c.column_type}`).join(", ");
      const expected = table.columns.map((c) => `${c.name} ${c.type}`).join(", ");
      if (found !== expected)
        problems.push(`${path}: columns differ from the data contract\n  found:    ${found}\n  expected: ${expected}`);
    }
  }
  if (problems.length > 0) return problems;
  for (const table of TABLES) {
    const keys = TABLE_ORDER[table.name];
    const files = `read_parquet([${dirs.map((d) => sql(join(d, `${table.name}.parquet`))).join(", ")}], filename = true)`;
    const duplicates = await rows(
      connection,
      `SELECT ${keys}, count(*)::INTEGER AS n, list(DISTINCT filename ORDER BY filename) AS files FROM ${files} GROUP BY ${keys} HAVING count(*) > 1 ORDER BY ${keys} LIMIT 5`,
    );
    for (const d of duplicates) {
      const key = keys
        .split(", ")
        .map((k) => `${k}=${String(d[k])}`)
        .join(" ");
      problems.push(`duplicate rows in ${table.name}: ${key} appears ${d.n} times, in ${(d.files as string[]).join(" and ")}`);
    }
  }
  return problems;
}

export async function mergeMain(
  argv: string[],
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<number> {
  const program = mergeCommand();
  try {
    program.parse(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.help") return 0;
      throw new UsageError(error.message.replace(/^error: /, ""));
    }
    throw error;
  }
  const options = program.opts<{ out: string; allowPartial?: boolean }>();
  const dirs = (program.args as string[]).map((d) => resolve(d));
  if (options.out.trim() === "") throw new UsageError(refusal("--out", options.out, "a directory path"));
  const out = resolve(options.out);
  for (const [i, dir] of dirs.entries()) {
    if (!existsSync(dir) || !statSync(dir).isDirectory())
      throw new UsageError(refusal("DIR", program.args[i], "an existing sweep output directory"));
    if (dirs.indexOf(dir) !== i) throw new UsageError(refusal("DIR", program.args[i], "each directory once"));
  }
  if (dirs.includes(out)) throw new UsageError(refusal("--out", options.out, "a directory that is not one of the inputs"));
  if (existsSync(out) && !statSync(out).isDirectory())
    throw new UsageError(refusal("--out", options.out, "a directory (this path is a file)"));

  const inputs: Input[] = [];
  for (const dir of dirs) {
    try {
      inputs.push({ dir, manifest: readManifest(dir) });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  const { fatal, partial } = checkManifests(inputs);
  if (fatal.length > 0 || (partial.length > 0 && !options.allowPartial))
    throw new UsageError(
      `refusing to merge:\n  ${[...fatal, ...(options.allowPartial ? [] : partial)].join("\n  ")}${fatal.length === 0 ? "\n(--allow-partial merges anyway)" : ""}`,
    );
  for (const p of partial) log(`warning: ${p}`);

  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    const problems = await checkTables(connection, dirs);
    if (problems.length > 0) throw new UsageError(`refusing to merge:\n  ${problems.join("\n  ")}`);
    // The tables must hold exactly the runs the manifests list: anything else is a directory written by two sweeps.
    for (const input of inputs) {
      if (!input.manifest) continue;
      const present = (
        await rows(connection, `SELECT run_id FROM read_parquet(${sql(join(input.dir, "runs.parquet"))}) ORDER BY run_id`)
      ).map((r) => String(r.run_id));
      const listed = [...input.manifest.runs].sort();
      if (present.length !== listed.length || present.some((id, i) => id !== listed[i]))
        throw new UsageError(
          `refusing to merge:\n  ${input.dir}: runs.parquet does not hold the runs its manifest.json lists (${present.length} vs ${listed.length}); rerun its sweep`,
        );
    }

    mkdirSync(out, { recursive: true });
    removeManifest(out);
    const written: string[] = [];
    for (const table of TABLES) {
      const path = join(out, `${table.name}.parquet`);
      const temporary = `${path}.${process.pid}.tmp`;
      const files = `read_parquet([${dirs.map((d) => sql(join(d, `${table.name}.parquet`))).join(", ")}])`;
      try {
        await connection.run(
          `COPY (SELECT * FROM ${files} ORDER BY ${TABLE_ORDER[table.name]}) TO ${sql(temporary)} (FORMAT parquet, COMPRESSION zstd)`,
        );
        renameSync(temporary, path);
      } finally {
        rmSync(temporary, { force: true });
      }
      written.push(path);
    }
    written.push(writeManifest(out, mergedManifest(inputs, partial.length === 0)));
    log(`merged ${dirs.length} directories: wrote ${written.join(", ")}`);
    return 0;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/**
 * The manifest of the merge. For the complete shards of one sweep it equals the unsharded sweep's manifest (runs in
 * expansion order: position p of the sweep is entry floor(p/n) of shard p mod n + 1), plus merged_from.
 */
function mergedManifest(inputs: Input[], whole: boolean): Manifest {
  const manifests = inputs.flatMap((i) => (i.manifest ? [i.manifest] : []));
  const merged_from = manifests.map((m) => ({ sweep_id: m.sweep_id, shard: m.shard ? `${m.shard.index}/${m.shard.count}` : null }));
  const sweepIds = [...new Set(manifests.map((m) => m.sweep_id))];
  const complete = whole && manifests.length === inputs.length && manifests.every((m) => m.complete);
  if (sweepIds.length === 1 && manifests.length === inputs.length) {
    const first = manifests[0];
    const count = first.shard?.count ?? 1;
    const byIndex = new Map(manifests.map((m) => [m.shard?.index ?? 1, m]));
    const runs: string[] = [];
    for (let p = 0; p < first.sweep_runs; p++) {
      const id = byIndex.get((p % count) + 1)?.runs[Math.floor(p / count)];
      if (id !== undefined) runs.push(id);
    }
    // Runs not at their expansion position (an incomplete shard) are appended, so none is lost from the list.
    const placed = new Set(runs);
    for (const m of manifests) for (const id of m.runs) if (!placed.has(id)) runs.push(id);
    return {
      format: 1,
      sweep: first.sweep,
      sweep_id: first.sweep_id,
      sweep_runs: first.sweep_runs,
      shard: null,
      runs,
      missing: manifests.flatMap((m) => m.missing),
      complete,
      merged_from,
    };
  }
  const experiments = manifests.flatMap((m) => (m.sweep.experiments === "all" ? ["all"] : m.sweep.experiments));
  return {
    format: 1,
    sweep: {
      experiments: [...new Set(experiments)],
      preset: [...new Set(manifests.map((m) => m.sweep.preset))].join(","),
      seeds: null,
      overrides: {},
      engine: [...new Set(manifests.map((m) => m.sweep.engine))].join(","),
    },
    sweep_id: createHash("sha256").update(sweepIds.sort().join("\n")).digest("hex"),
    sweep_runs: manifests.reduce((sum, m) => sum + m.sweep_runs, 0),
    shard: null,
    runs: manifests.flatMap((m) => m.runs),
    missing: manifests.flatMap((m) => m.missing),
    complete,
    merged_from,
  };
}

const isEntryPoint = process.argv[1] && import.meta.url === new URL(`file://${resolve(process.argv[1])}`).href;
if (isEntryPoint) {
  mergeMain(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      if (error instanceof UsageError) process.stderr.write(`error: ${error.message}\n(nothing was written)\n`);
      else process.stderr.write(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(error instanceof UsageError ? 2 : 1);
    },
  );
}

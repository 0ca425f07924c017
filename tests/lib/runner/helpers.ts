/** Shared by the runner and CLI tests: tiny runs (milliseconds each) and a way to compare output directories. */
import { DuckDBInstance } from "@duckdb/node-api";
import { mkdtempSync, readdirSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TABLE_ORDER } from "../../../src/lib/runner/parquet.js";
import { workerBootstrap } from "../../../src/lib/runner/sweep.js";
import { TABLES } from "../../../src/lib/runner/tables.js";

/** Shrinks any experiment to seconds: k=32, 32 steps of batch 32. */
export const TINY = ["--set", "k=32", "--set", "steps=32", "--set", "batch=32"];

/**
 * Columns that legitimately differ between two computations of the same runs: wall-clock timing. Everything else
 * (config, engine, every metric, every neuron, every single-feature activation) must be identical.
 */
export const TIMING_COLUMNS = ["wall_s"];

/** Run the TypeScript module `probe` in a fresh worker thread, as the sweep starts its workers, and resolve with the
 * first message it posts (what a probe of the worker's module state reports); the worker is then terminated. */
export async function probeInWorker(probe: URL): Promise<unknown> {
  const worker = new Worker(workerBootstrap(probe), { eval: true });
  try {
    return await new Promise((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
    });
  } finally {
    await worker.terminate();
  }
}

export function tempDir(prefix = "mono-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export type Tables = Record<string, Record<string, unknown>[]>;

/** Every table of an output directory, rows in the contract's key order, timing columns dropped. */
export async function readTables(dir: string): Promise<Tables> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    const tables: Tables = {};
    for (const table of TABLES) {
      const columns = table.columns.map((c) => c.name).filter((c) => !TIMING_COLUMNS.includes(c));
      const path = join(dir, `${table.name}.parquet`).replaceAll("'", "''");
      const reader = await connection.runAndReadAll(
        `SELECT ${columns.map((c) => `"${c}"`).join(", ")} FROM read_parquet('${path}') ORDER BY ${TABLE_ORDER[table.name]}`,
      );
      tables[table.name] = reader.getRowObjectsJS() as Record<string, unknown>[];
    }
    return tables;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Valid entries (*.bin) in a run cache directory. */
export function cacheEntries(dir: string): string[] {
  let shards: string[];
  try {
    shards = readdirSync(dir);
  } catch {
    return [];
  }
  return shards.flatMap((s) => {
    try {
      return readdirSync(join(dir, s))
        .filter((f) => f.endsWith(".bin"))
        .map((f) => join(dir, s, f));
    } catch {
      return [];
    }
  });
}

/** Row counts per table, for quick sanity checks. */
export function rowCounts(tables: Tables): Record<string, number> {
  return Object.fromEntries(Object.entries(tables).map(([name, rows]) => [name, rows.length]));
}

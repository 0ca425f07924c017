/** The sweep CLI's contract: the files, their columns and reproducible metrics, on the smoke preset. */
import { DuckDBInstance } from "@duckdb/node-api";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GRIDS } from "../../../src/lib/experiments/table1.js";
import { TABLES } from "../../../src/lib/runner/tables.js";

const root = mkdtempSync(join(tmpdir(), "sweep-contract-"));

/** Async, so that the test worker stays responsive to vitest while the CLI trains. */
async function sweep(out: string, ...extra: string[]): Promise<void> {
  await promisify(execFile)("npx", ["tsx", "src/lib/cli/sweep.ts", "--experiment", "LR1", "--preset", "smoke", "--out", out, ...extra], {
    env: { ...process.env, MONO_CACHE_DIR: join(root, "cache") },
    maxBuffer: 64 * 1024 * 1024,
  });
}

async function query(sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

beforeAll(async () => {
  await sweep(join(root, "a"));
  await sweep(join(root, "b"), "--no-cache");
}, 300_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("npm run sweep -- --experiment LR1 --preset smoke", () => {
  it("writes every table of the data contract with its columns", async () => {
    for (const table of TABLES) {
      const path = join(root, "a", `${table.name}.parquet`);
      expect(existsSync(path), path).toBe(true);
      const columns = await query(`DESCRIBE SELECT * FROM read_parquet('${path}')`);
      expect(columns.map((c) => c.column_name)).toEqual(table.columns.map((c) => c.name));
    }
  });

  it("covers the learning-rate grid (thinned by the smoke preset) with one row per run", async () => {
    const runs = await query(
      `SELECT lr, experiment, preset, engine, status, steps, batch FROM read_parquet('${join(root, "a", "runs.parquet")}') ORDER BY lr`,
    );
    expect(runs.map((r) => r.lr)).toEqual([0.001, 0.005, 0.01, 0.03].filter((lr) => GRIDS.lr.includes(lr as never)));
    for (const r of runs) expect(r).toMatchObject({ experiment: "LR1", preset: "smoke", status: "ok", steps: 64, batch: 64 });
    expect(String(runs[0].engine)).toMatch(/^(tfjs|wasm)/);
    const checkpoints = await query(
      `SELECT run_id, count(*) AS n, max(step) AS last FROM read_parquet('${join(root, "a", "checkpoints.parquet")}') GROUP BY run_id`,
    );
    expect(checkpoints).toHaveLength(4);
    for (const c of checkpoints) expect([Number(c.n), Number(c.last)]).toEqual([7, 64]);
    const neurons = await query(`SELECT count(*) AS n FROM read_parquet('${join(root, "a", "neurons.parquet")}')`);
    expect(Number(neurons[0].n)).toBe(4 * 1024);
    const sfa = await query(`SELECT min(activation) AS low FROM read_parquet('${join(root, "a", "sfa.parquet")}')`);
    expect(Number(sfa[0].low)).toBeGreaterThan(0);
  });

  it("gives identical metrics when run again without the cache", async () => {
    const columns = "run_id, final_loss, mono_neurons, mono_per_feature, features_covered, mean_bias, dead_neurons";
    const a = await query(`SELECT ${columns} FROM read_parquet('${join(root, "a", "runs.parquet")}') ORDER BY run_id`);
    const b = await query(`SELECT ${columns} FROM read_parquet('${join(root, "b", "runs.parquet")}') ORDER BY run_id`);
    expect(b).toEqual(a);
    const [a1, b1] = ["a", "b"].map((d) => `read_parquet('${join(root, d, "sfa.parquet")}')`);
    const mismatched = await query(
      `SELECT count(*) AS n FROM ${a1} AS x FULL OUTER JOIN ${b1} AS y USING (run_id, neuron, feature) WHERE x.activation IS DISTINCT FROM y.activation`,
    );
    expect(Number(mismatched[0].n)).toBe(0);
  });
});

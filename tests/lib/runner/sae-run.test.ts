// Experiment SAE1 through the runner: its plan, tiny SAEs trained, scored and written to sae.parquet by the contract,
// and the sweep CLI end to end on the smoke preset.
import { DuckDBInstance } from "@duckdb/node-api";
import { describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { main, planSweep } from "../../../src/lib/cli/sweep.js";
import { expandSae } from "../../../src/lib/experiments/sae1.js";
import { runSaeExperiment } from "../../../src/lib/runner/sae.js";
import { writeSaeParquet } from "../../../src/lib/runner/sae-parquet.js";
import { SAE_TABLE } from "../../../src/lib/runner/tables.js";
import { tempDir } from "./helpers.js";

const TINY = { preset: "smoke" as const, overrides: { k: 16, steps: 16, batch: 32 }, scale: { latents: 64, steps: 20, evalSamples: 256 } };

async function readParquet(path: string) {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(`SELECT * FROM read_parquet('${path}') ORDER BY run_id`);
    return { columns: reader.columnNames(), rows: reader.getRowObjectsJS() as Record<string, unknown>[] };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe("experiment SAE1 through the runner", () => {
  it("plans GBA, TopK and L1 SAEs on the input and on a trained model's hidden activations, with seeds", () => {
    const specs = expandSae({ preset: "quick" });
    expect(new Set(specs.map((s) => s.target))).toEqual(new Set(["input", "hidden"]));
    expect(new Set(specs.map((s) => s.method))).toEqual(new Set(["gba", "topk", "l1"]));
    expect(new Set(specs.map((s) => s.seed)).size).toBeGreaterThanOrEqual(3);
    expect(new Set(specs.map((s) => s.run_id)).size).toBe(specs.length);
    const plan = planSweep(["--experiment", "SAE1", "--preset", "smoke", "--set", "k=16"]);
    expect(plan && plan !== "list" && plan.sae?.length).toBeGreaterThan(0);
    expect(plan && plan !== "list" && plan.specs).toEqual([]);
    expect(() => planSweep(["--experiment", "SAE1", "--shard", "1/2"])).toThrow(/--shard/);
  });

  it("trains tiny SAEs, scores them, computes consistency across seeds and writes sae.parquet by the contract", async () => {
    const specs = expandSae(TINY);
    const cacheDir = tempDir("mono-sae-cache-");
    const rows = await runSaeExperiment(specs, { engine: "tfjs", cacheDir, workers: 1, log: () => {} });
    expect(rows).toHaveLength(specs.length);
    for (const r of rows) {
      for (const key of ["recovery_080", "recovery_090", "frac_active"]) expect(Number(r[key])).toBeGreaterThanOrEqual(0);
      expect(Number(r.recovery_090)).toBeLessThanOrEqual(Number(r.recovery_080));
      expect(Number.isFinite(Number(r.recon_loss))).toBe(true);
      expect(r.consistency).not.toBeNull();
      expect(r.d).toBe(r.target === "input" ? 64 : 16);
    }
    const path = await writeSaeParquet(rows, `${tempDir()}/sae.parquet`);
    const table = await readParquet(path);
    expect(table.columns).toEqual(SAE_TABLE.columns.map((c) => c.name));
    expect(table.rows).toHaveLength(specs.length);
    // The second pass reads the cache and gives the same rows (timing aside).
    const again = await runSaeExperiment(specs, { engine: "tfjs", cacheDir, log: () => {} });
    expect(again.map((r) => ({ ...r, wall_s: 0 }))).toEqual(rows.map((r) => ({ ...r, wall_s: 0 })));
    // Two worker threads into a fresh cache train every SAE once and give the same rows.
    const lines: string[] = [];
    const parallel = await runSaeExperiment(specs, {
      engine: "tfjs",
      cacheDir: tempDir("mono-sae-cache-"),
      workers: 2,
      log: (line) => lines.push(line),
    });
    expect(parallel.map((r) => ({ ...r, wall_s: 0 }))).toEqual(rows.map((r) => ({ ...r, wall_s: 0 })));
    // Only the base model trains in this thread (once); every SAE trains in a worker.
    expect(lines.filter((l) => l.startsWith("SAE1: training the base model")).length).toBe(1);
    expect(lines.filter((l) => l.startsWith("[SAE 1/1 ")).length).toBe(0);
    expect(lines.filter((l) => / \(\d+\.\d+s\)$/.test(l)).length).toBe(2 * specs.length); // trained once, then read back
  }, 120_000);

  it("runs end to end through the sweep CLI on the smoke preset: sae.parquet and a manifest, no empty run tables", async () => {
    const out = tempDir("mono-sae-cli-");
    const code = await main(
      [
        "--experiment",
        "SAE1",
        "--preset",
        "smoke",
        "--set",
        "k=16",
        "--set",
        "steps=16",
        "--set",
        "batch=32",
        "--out",
        out,
        "--engine",
        "tfjs",
      ],
      { cacheDir: tempDir("mono-sae-cli-cache-"), log: () => {} },
    );
    expect(code).toBe(0);
    const table = await readParquet(join(out, "sae.parquet"));
    expect(table.rows.length).toBe(expandSae({ preset: "smoke" }).length);
    expect(existsSync(join(out, "runs.parquet"))).toBe(false);
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
    expect(manifest.complete).toBe(true);
    expect(manifest.runs).toEqual(expandSae({ preset: "smoke", overrides: { k: 16, steps: 16, batch: 32 } }).map((s) => s.run_id));
  }, 300_000);
});

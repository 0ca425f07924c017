// Verifies the shipped reference runs (reference/* and the paper-scale runs under reference/paper-scale/): retrains
// each run's exact config with the engine that made it, stops after its first 256 steps, and requires every checkpoint
// up to there to equal the shipped one bit for bit. A native-engine run checked on a CPU with another instruction set
// (whose float rounding differs) is held to its losses within CROSS_ISA_LOSS instead, and the test says so.
import { DuckDBInstance } from "@duckdb/node-api";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { engineById } from "../src/lib/engines/index.js";
import { NATIVE_ARITHMETIC } from "../src/lib/engines/native/index.js";
import { expandExperiments } from "../src/lib/experiments/sweep.js";
import type { Preset } from "../src/lib/experiments/presets.js";
import type { RunConfig } from "../src/lib/protocol/config.js";
import { ManifestSchema } from "../src/lib/runner/manifest.js";
import { paperScaleDirs, PAPER_SCALE_DIR, referenceDirs } from "../src/lib/runner/reference-dirs.js";
import { TABLES } from "../src/lib/runner/tables.js";
import { train } from "../src/lib/runner/train.js";

// MONO_REFERENCE_DIR points the check at another directory of the same shape (to try the check on small runs).
const ROOT = resolve(process.env.MONO_REFERENCE_DIR ?? resolve(__dirname, "../reference"));
const CHECKED_STEPS = 256;
/** Relative agreement of the checkpoints' losses required across instruction sets (AVX-512 against AVX2, say). */
const CROSS_ISA_LOSS = 1e-3;

const dirs = [...referenceDirs(ROOT), ...paperScaleDirs(ROOT)];

async function shippedCheckpoints(dir: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    const path = join(ROOT, dir, "checkpoints.parquet").replaceAll("'", "''");
    const reader = await connection.runAndReadAll(
      `SELECT * FROM read_parquet('${path}') WHERE step <= ${CHECKED_STEPS} ORDER BY run_id, step`,
    );
    return reader.getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe("shipped reference runs", () => {
  it("exist (at least four, and one at the paper's scale)", () => {
    expect(dirs.length).toBeGreaterThanOrEqual(5);
    expect(dirs.some((d) => d.startsWith(PAPER_SCALE_DIR))).toBe(true);
  });

  for (const dir of dirs) {
    it(
      `${dir}: the first ${CHECKED_STEPS} steps recompute (bit-identically on the instruction set that trained it)`,
      async () => {
        const manifest = ManifestSchema.parse(JSON.parse(readFileSync(join(ROOT, dir, "manifest.json"), "utf8")));
        expect(manifest.complete).toBe(true);
        const [engineId, engineVersion] = manifest.sweep.engine.split("@");
        const factory = engineById(engineId);
        // A reference run can only be checked by the engine (and engine version) that trained it: say so rather
        // than skip, so a machine without the native addon cannot pass this test silently.
        // NATIVE_ARITHMETIC-<isa>: the same arithmetic version on another instruction set is checked to a tolerance;
        // another version is not checked at all.
        const prefix = `${NATIVE_ARITHMETIC}-`;
        const otherIsa =
          engineVersion.startsWith(prefix) &&
          factory.version.startsWith(prefix) &&
          factory.version !== engineVersion &&
          factory.version !== `${prefix}unavailable`;
        if (otherIsa)
          console.warn(`${dir}: trained by ${manifest.sweep.engine}, checked with ${factory.version}: losses within ${CROSS_ISA_LOSS}`);
        if (factory.version !== engineVersion && !otherIsa) {
          throw new Error(
            `${dir} was trained by ${manifest.sweep.engine}; this machine's ${engineId} engine is version ${factory.version}` +
              (engineId === "native"
                ? " (build the native addon: node src/lib/engines/native/build.mjs, on a CPU with the same instruction set)"
                : ""),
          );
        }
        const experiments = manifest.sweep.experiments;
        const specs = expandExperiments(experiments === "all" ? "all" : experiments, {
          preset: manifest.sweep.preset as Preset["id"],
          seeds: manifest.sweep.seeds ?? undefined,
          overrides: manifest.sweep.overrides as Partial<RunConfig>,
        }).filter((s) => manifest.runs.includes(s.run_id));
        expect(specs.map((s) => s.run_id).sort()).toEqual([...manifest.runs].sort());
        const shipped = await shippedCheckpoints(dir);
        const columns = TABLES.find((t) => t.name === "checkpoints")!.columns;
        for (const spec of specs) {
          let outcome;
          try {
            outcome = await train(spec.config, factory, undefined, { stopAfter: CHECKED_STEPS });
          } catch (error) {
            throw new Error(`${dir}: cannot retrain ${spec.run_id} with engine ${engineId}: ${(error as Error).message}`);
          }
          const mine = outcome.checkpoints.map((c) => {
            const row: Record<string, unknown> = { run_id: spec.run_id, ...c };
            // FLOAT columns are stored as float32: round ours the same way before comparing.
            for (const col of columns)
              if (col.type === "FLOAT" && typeof row[col.name] === "number") row[col.name] = Math.fround(row[col.name] as number);
            return Object.fromEntries(columns.map((col) => [col.name, row[col.name]]));
          });
          const theirs = shipped
            .filter((r) => r.run_id === spec.run_id)
            .map((r) => Object.fromEntries(columns.map((col) => [col.name, r[col.name]])));
          expect(mine.map((r) => r.step)).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256]);
          if (otherIsa) {
            for (const [i, row] of mine.entries())
              expect(Math.abs((row.loss as number) / (theirs[i].loss as number) - 1), `${spec.run_id} step ${row.step}`).toBeLessThan(
                CROSS_ISA_LOSS,
              );
            continue;
          }
          // A mismatch under the same engine version means the engine's numbers changed without a version bump (its
          // cache key would then serve stale runs too): say so beside the diff.
          expect(
            mine,
            `${spec.run_id}: recomputed with ${manifest.sweep.engine}; if the engine changed its arithmetic without bumping its version, this fails`,
          ).toEqual(theirs);
        }
      },
      30 * 60_000,
    );
  }
});

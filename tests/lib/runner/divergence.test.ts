/**
 * A NaN or infinite loss stops that run with status "diverged" and the step it happened at; the sweep goes on, and
 * the Parquet tables carry it (final_loss NaN, diverged_at an integer; NULL diverged_at for the others).
 * LAMB bounds every update relative to the weights, so a huge learning rate alone does not blow up a ReLU model;
 * with x*exp(x) it overflows within a few steps.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expandExperiments } from "../../../src/lib/experiments/sweep.js";
import { RunCache } from "../../../src/lib/runner/cache.js";
import { writeTables } from "../../../src/lib/runner/parquet.js";
import { runSweep } from "../../../src/lib/runner/sweep.js";
import { readTables, tempDir } from "./helpers.js";

describe("divergence", () => {
  it("marks the diverged run, keeps going, and writes NaN and NULL faithfully", async () => {
    const tiny = { k: 32, steps: 64, batch: 32 };
    const [diverging] = expandExperiments(["LR1"], { preset: "smoke", overrides: { ...tiny, activation: "xexp", lr: 1000 } });
    const [healthy] = expandExperiments(["LR1"], { preset: "smoke", overrides: { ...tiny, lr: 0.01 } });
    const dir = tempDir();
    const cache = new RunCache(join(dir, "cache"));
    const records = await runSweep([diverging, healthy], { cache, workers: 0, log: () => {} });

    const [bad, good] = records.map((r) => r.run);
    expect(bad.status).toBe("diverged");
    expect(bad.diverged_at).toBeGreaterThanOrEqual(1);
    expect(bad.diverged_at).toBeLessThan(64);
    expect(bad.final_loss).toBeNaN();
    expect(good.status).toBe("ok");
    expect(good.diverged_at).toBeNull();
    expect(Number.isFinite(good.final_loss)).toBe(true);

    // The diverged run is a result like any other: cached, and not retrained.
    const lines: string[] = [];
    await runSweep([diverging, healthy], { cache, workers: 0, log: (l) => lines.push(l) });
    expect(lines[0]).toMatch(/2 cached, 0 to train/);

    await writeTables(records, join(dir, "out"));
    const tables = await readTables(join(dir, "out"));
    const rows = Object.fromEntries(tables.runs.map((r) => [r.run_id, r]));
    expect(rows[diverging.run_id].status).toBe("diverged");
    expect(rows[diverging.run_id].diverged_at).toBe(bad.diverged_at);
    expect(rows[diverging.run_id].final_loss).toBeNaN();
    expect(rows[healthy.run_id].status).toBe("ok");
    expect(rows[healthy.run_id].diverged_at).toBeNull();
    expect(rows[healthy.run_id].final_loss).toBeCloseTo(good.final_loss as number, 6);
    // Its checkpoints stop before the divergence; its neurons are still listed.
    expect(
      tables.checkpoints.filter((c) => c.run_id === diverging.run_id).every((c) => (c.step as number) < (bad.diverged_at as number)),
    ).toBe(true);
    expect(tables.neurons.filter((n) => n.run_id === diverging.run_id).length).toBe(32);
  }, 60_000);
});

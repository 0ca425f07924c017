/** Failures say which run failed and why; the site's data loaders fail with a message and a non-zero exit. */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { expandExperiments } from "../../../src/lib/experiments/sweep.js";
import { RunCache } from "../../../src/lib/runner/cache.js";
import { RunFailedError, runSweep } from "../../../src/lib/runner/sweep.js";
import { cacheEntries, tempDir } from "./helpers.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

function runLoader(
  file: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", file, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = 0;
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => (stdout += b.length));
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("failures", () => {
  it("a run that throws stops the sweep with its id and the error; the runs finished before stay cached", async () => {
    const [good] = expandExperiments(["LR1"], { preset: "smoke", overrides: { k: 32, steps: 32, batch: 32 } });
    // A width no typed array can hold: initialisation throws a RangeError.
    const bad = { ...good, run_id: "LR1_impossible", config: { ...good.config, k: 2 ** 31 - 1, lr: 0.02 } };
    const dir = tempDir();
    const error = await runSweep([good, bad], { cache: new RunCache(dir), workers: 0, log: () => {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunFailedError);
    expect((error as RunFailedError).runId).toBe("LR1_impossible");
    expect((error as Error).message).toMatch(/^run LR1_impossible failed: RangeError/);
    expect(cacheEntries(dir).length).toBe(1);
  }, 30_000);

  it("the same in worker threads: the sweep stops with the failing run's id", async () => {
    const [good] = expandExperiments(["LR1"], { preset: "smoke", overrides: { k: 32, steps: 32, batch: 32 } });
    const bad = { ...good, run_id: "LR1_impossible", config: { ...good.config, k: 2 ** 31 - 1, lr: 0.02 } };
    const error = await runSweep([bad, good], { cache: null, workers: 2, log: () => {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunFailedError);
    expect((error as Error).message).toMatch(/^run LR1_impossible failed: RangeError/);
  }, 30_000);

  it("a data loader with a bad environment fails before training, naming the variable", async () => {
    const dir = tempDir();
    const result = await runLoader("src/data/runs.parquet.ts", [], { MONO_PRESET: "fast", MONO_CACHE_DIR: join(dir, "cache") });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(0);
    expect(result.stderr).toMatch(/error: data loader runs: .*MONO_PRESET: got "fast", expected one of smoke, quick, converged, paper/);
    expect(cacheEntries(join(dir, "cache"))).toEqual([]);
  }, 30_000);

  it("a data loader that runs out of time fails, naming the runs it did not finish", async () => {
    const dir = tempDir();
    const result = await runLoader("src/data/sfa.zip.ts", [], {
      MONO_PRESET: "smoke",
      MONO_LOADER_TIMEOUT_MINUTES: "0.0005",
      MONO_CACHE_DIR: join(dir, "cache"),
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(0);
    expect(result.stderr).toMatch(
      /error: data loader sfa\.zip: timed out \(MONO_LOADER_TIMEOUT_MINUTES=0.0005\)\. time budget of 0.0005 min spent: \d+ of \d+ runs finished, \d+ not \(first: [A-Z0-9-]+_smoke_/,
    );
    expect(result.stderr).toMatch(/raise MONO_LOADER_TIMEOUT_MINUTES/);
  }, 60_000);
});

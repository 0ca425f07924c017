// The sweep runner's time budget (in this thread and in worker threads) and the data loaders' failure messages.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expandExperiments } from "../../../src/lib/experiments/sweep.js";
import { RunCache } from "../../../src/lib/runner/cache.js";
import { loaderFailure } from "../../../src/lib/runner/site-data.js";
import { IncompleteSweepError, RunFailedError, runSweep } from "../../../src/lib/runner/sweep.js";
import { cacheEntries, tempDir } from "./helpers.js";

/**
 * --max-minutes: no run starts after the budget; runs in flight in worker threads are abandoned; the finished runs
 * are returned (and cached) through IncompleteSweepError.
 */
describe("time budget", () => {
  it("in this thread: finishes the run in flight, starts no other, and a rerun completes the rest", async () => {
    const specs = expandExperiments(["LR1"], { preset: "smoke", overrides: { k: 32, steps: 96, batch: 32 } });
    expect(specs.length).toBe(4);
    const dir = tempDir();
    const cache = new RunCache(dir);
    // A clock that jumps past the one-minute budget once the first run has finished.
    let finished = 0;
    const clock = () => (finished > 0 ? 120_000 : 0);
    const log = (line: string) => {
      if (/\] done in /.test(line)) finished++;
    };
    const error = await runSweep(specs, { cache, workers: 0, maxMinutes: 1, now: clock, log }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(IncompleteSweepError);
    const incomplete = error as IncompleteSweepError;
    expect(incomplete.records.map((r) => r.run.run_id)).toEqual([specs[0].run_id]);
    expect(incomplete.missing).toEqual(specs.slice(1).map((s) => s.run_id));
    expect(incomplete.message).toMatch(/time budget of 1 min spent: 1 of 4 runs finished, 3 not .*rerun the same command/);
    expect(cacheEntries(dir).length).toBe(1);

    const lines: string[] = [];
    const all = await runSweep(specs, { cache, workers: 0, log: (l) => lines.push(l) });
    expect(lines[0]).toMatch(/^sweep: 4 runs, 1 cached, 3 to train/);
    expect(all.map((r) => r.run.run_id)).toEqual(specs.map((s) => s.run_id));
    expect(all[0]).toEqual(incomplete.records[0]);
  }, 60_000);

  it("in worker threads: abandons runs in flight at the deadline", async () => {
    // Runs far longer than the 1.5 s budget: none can finish, and the sweep must stop on time anyway.
    const specs = expandExperiments(["LR1"], { preset: "smoke", overrides: { k: 256, steps: 100_000, batch: 256 } }).slice(0, 2);
    const dir = tempDir();
    const started = Date.now();
    const error = await runSweep(specs, { cache: new RunCache(dir), workers: 1, maxMinutes: 1.5 / 60, log: () => {} }).catch(
      (e: unknown) => e,
    );
    const seconds = (Date.now() - started) / 1000;
    expect(error).toBeInstanceOf(IncompleteSweepError);
    expect((error as IncompleteSweepError).missing).toEqual(specs.map((s) => s.run_id));
    expect(seconds).toBeGreaterThanOrEqual(1.4);
    expect(seconds).toBeLessThan(10);
    expect(cacheEntries(dir)).toEqual([]);
  }, 30_000);
});

describe("data loader failures", () => {
  it("say which run failed and why, or which runs the timeout left undone", () => {
    expect(loaderFailure("data loader runs", new RunFailedError("LR1_quick_lr=0.01_seed=1", "RangeError: out of memory"))).toBe(
      "data loader runs: run LR1_quick_lr=0.01_seed=1 failed: RangeError: out of memory",
    );
    const timeout = loaderFailure("data loader runs", new IncompleteSweepError([], ["LR1_a", "LR1_b"], 60));
    expect(timeout).toMatch(
      /^data loader runs: timed out \(MONO_LOADER_TIMEOUT_MINUTES=60\)\. .*0 of 2 runs finished, 2 not \(first: LR1_a, LR1_b\).*raise MONO_LOADER_TIMEOUT_MINUTES/,
    );
  });
});

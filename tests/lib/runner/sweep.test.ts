// runSweep's runs ahead of need (`thenCache`): trained after the requested runs in the same pool, cached, never
// returned, and never a reason to fail when the budget runs out.
import { describe, expect, it } from "vitest";
import { expandExperiments } from "../../../src/lib/experiments/sweep.js";
import { RunCache } from "../../../src/lib/runner/cache.js";
import { cost, runSweep } from "../../../src/lib/runner/sweep.js";
import { cacheEntries, tempDir } from "./helpers.js";

const tiny = (steps: number) => expandExperiments(["LR1"], { preset: "smoke", overrides: { k: 32, steps, batch: 32 } });

describe("runs ahead of need", () => {
  it("trains the requested runs first, then the others, and returns only the requested", async () => {
    const [wanted] = tiny(32);
    // Costlier runs (more steps): by cost alone they would go first; as runs ahead of need they go after.
    const ahead = [wanted, ...tiny(64)];
    const dir = tempDir();
    const cache = new RunCache(dir);
    const lines: string[] = [];
    const records = await runSweep([wanted], { cache, workers: 0, thenCache: ahead, log: (l) => lines.push(l) });
    expect(records.map((r) => r.run.run_id)).toEqual([wanted.run_id]);
    expect(lines[0]).toMatch(/^sweep: 1 runs, 0 cached, 1 to train with engine wasm \(then 4 more runs of the site/);
    const done = lines.filter((l) => / done in /.test(l)).map((l) => l.match(/\[run \d+\/\d+ (\S+)\]/)![1]);
    expect(done[0]).toBe(wanted.run_id);
    expect(new Set(done)).toEqual(new Set(ahead.map((s) => s.run_id)));
    expect(cacheEntries(dir).length).toBe(5);

    // The next caller finds every run cached, and the runs ahead of need are only looked up, not trained again.
    const again: string[] = [];
    await runSweep(ahead.slice(1, 3), { cache, workers: 0, thenCache: ahead, log: (l) => again.push(l) });
    expect(again).toEqual(["sweep: 2 runs, 2 cached, 0 to train with engine wasm"]);
  }, 60_000);

  it("a budget spent on the runs ahead of need is not an error: the requested runs come back", async () => {
    const [wanted] = tiny(32);
    const ahead = tiny(64);
    const dir = tempDir();
    let finished = 0;
    // A clock that jumps past the one-minute budget once the first run has finished.
    const clock = () => (finished > 0 ? 120_000 : 0);
    const log = (line: string) => {
      if (/\] done in /.test(line)) finished++;
    };
    const records = await runSweep([wanted], { cache: new RunCache(dir), workers: 0, maxMinutes: 1, now: clock, log, thenCache: ahead });
    expect(records.map((r) => r.run.run_id)).toEqual([wanted.run_id]);
    expect(cacheEntries(dir).length).toBe(1);
  }, 60_000);

  it("without a cache there is nowhere to keep them, so none are trained", async () => {
    const [wanted] = tiny(32);
    const lines: string[] = [];
    await runSweep([wanted], { cache: null, workers: 0, thenCache: tiny(64), log: (l) => lines.push(l) });
    expect(lines[0]).toBe("sweep: 1 runs, 0 cached, 1 to train with engine wasm");
    expect(lines.filter((l) => / done in /.test(l)).length).toBe(1);
  }, 60_000);
});

describe("the cost model that orders the work", () => {
  it("ranks the batch ladder's runs as the wasm engine took them on the quick preset", () => {
    // Measured in a default build (Zen 3, 2026-12-07): LR1 at batch 16 (biases 0, neurons firing) 208 s, LR3 at batch
    // 256 146 s, LR3 at batch 64 110 s, LR3 at batch 16 97 s (the old model, steps x (batch + 8) x k, put the LR1 run
    // second to last, so it started late and ran alone at the end).
    const ladder = new Map(expandExperiments(["REGIME1"], { preset: "quick" }).map((s) => [s.run_id, s]));
    const order = ["LR1-paper0.03-b16", "LR3-paper0.03-b256", "LR3-paper0.03-b64", "LR3-paper0.03-b16"].map((rung) => {
      const spec = ladder.get(`REGIME1_quick_${rung}_seed=1`);
      expect(spec, rung).toBeDefined();
      return cost(spec!);
    });
    expect([...order].sort((a, b) => b - a)).toEqual(order);
  });
});

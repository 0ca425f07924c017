// The run cache: its key, entries that round-trip or are refused and recomputed, stale temporary files, and the sweep
// runner and CLI reusing it (a changed sweep trains only its new runs).
import { readdirSync, readFileSync, statSync, truncateSync, utimesSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { engineById } from "../../../src/lib/engines/index.js";
import { expandExperiments } from "../../../src/lib/experiments/sweep.js";
import { cacheKey, defaultCacheDir, RunCache } from "../../../src/lib/runner/cache.js";
import type { RunRecord } from "../../../src/lib/runner/record.js";
import { runSweep } from "../../../src/lib/runner/sweep.js";
import { main } from "../../../src/lib/cli/sweep.js";
import { cacheEntries, tempDir, TINY } from "./helpers.js";

const tiny = { k: 32, steps: 32, batch: 32 };
const specs = expandExperiments(["LR1"], { preset: "smoke", overrides: tiny }).slice(0, 2);
const engine = engineById(undefined);
const quiet = () => {};

/** A record's content without its timing. */
const content = (r: RunRecord) => ({ ...r, run: { ...r.run, wall_s: null } });

function fakeRecord(id: string): RunRecord {
  return {
    run: { run_id: id, final_loss: 1.5 },
    checkpoints: [],
    losses: [{ step: 16, loss: 2 }],
    neurons: {
      bias: new Float32Array([0.5, -1]),
      fracMono: new Float32Array(2),
      topFeature: new Int32Array([3, 4]),
      topActivation: new Float32Array(2),
      isMono: new Uint8Array([1, 0]),
      firedOnData: new Int32Array([5, 0]),
    },
    weights: { w1: new Float32Array(2), w2: new Float32Array(2) },
    sfa: { neuron: new Int32Array([0]), feature: new Int32Array([3]), activation: new Float32Array([0.25]) },
  };
}

describe("cache key", () => {
  const config = specs[0].config;
  it("depends on the config, seed included, and the engine version, not on key order", () => {
    const key = cacheKey(config, engine);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    const reversed = Object.fromEntries(Object.entries(config).reverse()) as typeof config;
    expect(cacheKey(reversed, engine)).toBe(key);
    expect(cacheKey({ ...config, seed: config.seed + 1 }, engine)).not.toBe(key);
    expect(cacheKey({ ...config, lr: config.lr * 2 }, engine)).not.toBe(key);
    expect(cacheKey(config, { id: engine.id, version: `${engine.version}-next` })).not.toBe(key);
    expect(cacheKey(config, { id: "other", version: engine.version })).not.toBe(key);
  });

  it("reads MONO_CACHE_DIR when used, not when imported", () => {
    const before = process.env.MONO_CACHE_DIR;
    try {
      process.env.MONO_CACHE_DIR = "/tmp/somewhere-else";
      expect(defaultCacheDir()).toBe("/tmp/somewhere-else");
      expect(new RunCache().dir).toBe("/tmp/somewhere-else");
      delete process.env.MONO_CACHE_DIR;
      expect(defaultCacheDir()).toBe(join(process.cwd(), ".cache", "runs"));
    } finally {
      if (before === undefined) delete process.env.MONO_CACHE_DIR;
      else process.env.MONO_CACHE_DIR = before;
    }
  });
});

describe("cache entries", () => {
  const key = "ab".repeat(32);

  it("round-trips a record, typed arrays included, leaving no temporary file", () => {
    const cache = new RunCache(tempDir());
    expect(cache.get(key)).toBeNull();
    cache.set(key, fakeRecord("a"));
    expect(cache.get(key)).toEqual(fakeRecord("a"));
    expect(cache.get(key)!.neurons.bias).toBeInstanceOf(Float32Array);
    expect(readdirSync(dirname(cache.path(key)))).toEqual([`${key}.bin`]);
  });

  const corruptions: [string, (path: string) => void][] = [
    ["truncated to half", (p) => truncateSync(p, Math.floor(statSync(p).size / 2))],
    ["truncated to the header", (p) => truncateSync(p, 40)],
    ["empty", (p) => truncateSync(p, 0)],
    ["one payload byte flipped", (p) => flip(p, statSync(p).size - 3)],
    ["one checksum byte flipped", (p) => flip(p, 10)],
    ["magic overwritten", (p) => flip(p, 0)],
    ["replaced by garbage", (p) => writeFileSync(p, "not a cache entry at all, but long enough to have a header........")],
  ];

  function flip(path: string, at: number) {
    const bytes = readFileSync(path);
    bytes[at] ^= 0x5a;
    writeFileSync(path, bytes);
  }

  it.each(corruptions)("treats an entry %s as absent and deletes it", (_name, corrupt) => {
    const cache = new RunCache(tempDir());
    cache.set(key, fakeRecord("a"));
    corrupt(cache.path(key));
    expect(cache.get(key)).toBeNull();
    expect(() => statSync(cache.path(key))).toThrow();
  });

  it("refuses keys that are not hashes (no path tricks)", () => {
    const cache = new RunCache(tempDir());
    expect(() => cache.get("../../etc/passwd")).toThrow(/not a cache key/);
  });

  it("removes stale temporary files of killed writers, and only those", () => {
    const cache = new RunCache(tempDir());
    cache.set(key, fakeRecord("a"));
    const dir = dirname(cache.path(key));
    const stale = join(dir, `${key}.bin.host.1.dead.tmp`);
    const fresh = join(dir, `${key}.bin.host.2.live.tmp`);
    writeFileSync(stale, "half");
    writeFileSync(fresh, "half");
    const old = new Date(Date.now() - 2 * 3600 * 1000);
    utimesSync(stale, old, old);
    expect(cache.removeStaleTemporaries()).toBe(1);
    expect(readdirSync(dir).sort()).toEqual([`${key}.bin`, `${key}.bin.host.2.live.tmp`].sort());
  });
});

describe("the sweep runner with the cache", () => {
  it("recomputes corrupt entries and gets identical results; reuses good ones without training", async () => {
    const dir = tempDir();
    const cache = new RunCache(dir);
    const first = await runSweep(specs, { cache, workers: 0, log: quiet });
    expect(first.map((r) => r.run.run_id)).toEqual(specs.map((s) => s.run_id));

    // Corrupt one entry (truncate) and another (flip a byte in the middle).
    const paths = specs.map((s) => cache.path(cacheKey(s.config, engine)));
    truncateSync(paths[0], 100);
    flipMiddle(paths[1]);
    const lines: string[] = [];
    const second = await runSweep(specs, { cache, workers: 0, log: (l) => lines.push(l) });
    expect(lines[0]).toMatch(/^sweep: 2 runs, 0 cached, 2 to train/);
    expect(second.map(content)).toEqual(first.map(content));

    // Now both entries are whole again: nothing is trained, the records are the same.
    lines.length = 0;
    const third = await runSweep(specs, { cache, workers: 0, log: (l) => lines.push(l) });
    expect(lines).toEqual([expect.stringMatching(/^sweep: 2 runs, 2 cached, 0 to train/)]);
    expect(third.map(content)).toEqual(first.map(content));
    expect(third.map((r) => r.run.wall_s)).toEqual(second.map((r) => r.run.wall_s));
  }, 60_000);

  it.each([0, 2])(
    "trains runs with the same config once and labels the record for each (workers: %i)",
    async (workers) => {
      const twin = { ...specs[0], run_id: `${specs[0].run_id}_twin`, experiment: "K0" };
      const lines: string[] = [];
      const records = await runSweep([specs[0], specs[1], twin], { cache: new RunCache(tempDir()), workers, log: (l) => lines.push(l) });
      expect(lines[0]).toMatch(/^sweep: 3 runs, 0 cached, 1 the same as another run, 2 to train/);
      expect(lines.filter((l) => / done in /.test(l))).toHaveLength(2);
      expect(records.map((r) => r.run.run_id)).toEqual([specs[0].run_id, specs[1].run_id, twin.run_id]);
      expect(records[2].run.experiment).toBe("K0");
      expect({ ...content(records[2]).run, run_id: null, experiment: null }).toEqual({
        ...content(records[0]).run,
        run_id: null,
        experiment: null,
      });
    },
    60_000,
  );

  it("labels a cached record with the identity of the run that asks for it", async () => {
    const cache = new RunCache(tempDir());
    await runSweep(specs.slice(0, 1), { cache, workers: 0, log: quiet });
    const alias = { ...specs[0], run_id: "ALIAS_run", experiment: "ALIAS" };
    const [record] = await runSweep([alias], { cache, workers: 0, log: quiet });
    expect(record.run.run_id).toBe("ALIAS_run");
    expect(record.run.experiment).toBe("ALIAS");
  }, 60_000);

  it("refuses a sweep that lists a run twice", async () => {
    await expect(runSweep([specs[0], specs[0]], { cache: null, workers: 0, log: quiet })).rejects.toThrow(/appears twice/);
  });
});

function flipMiddle(path: string) {
  const bytes = readFileSync(path);
  bytes[Math.floor(bytes.length / 2)] ^= 0xff;
  writeFileSync(path, bytes);
}

describe("the sweep CLI with the shared cache (MONO_CACHE_DIR)", () => {
  it("a changed sweep trains only its new runs", async () => {
    const dir = tempDir();
    const before = process.env.MONO_CACHE_DIR;
    process.env.MONO_CACHE_DIR = join(dir, "shared-cache");
    try {
      const lines: string[] = [];
      const log = (l: string) => lines.push(l);
      expect(await main(["--experiment", "LR1", "--preset", "smoke", ...TINY, "--workers", "0", "--out", join(dir, "a")], { log })).toBe(0);
      expect(lines.find((l) => l.startsWith("sweep:"))).toMatch(/^sweep: 4 runs, 0 cached, 4 to train/);
      expect(cacheEntries(join(dir, "shared-cache")).length).toBe(4);
      lines.length = 0;
      expect(await main(["--experiment", "LR1,B1", "--preset", "smoke", ...TINY, "--workers", "0", "--out", join(dir, "b")], { log })).toBe(
        0,
      );
      expect(lines.find((l) => l.startsWith("sweep:"))).toMatch(/^sweep: 9 runs, 4 cached, 5 to train/);
      expect(lines.filter((l) => / done in /.test(l)).length).toBe(5);
    } finally {
      if (before === undefined) delete process.env.MONO_CACHE_DIR;
      else process.env.MONO_CACHE_DIR = before;
    }
  }, 60_000);
});

// The sweep CLI's input checks (every bad flag refused with field, value and rule, nothing written), sharding, and the
// zod schemas behind the messages, the catalogue and the data loaders' environment.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main, planSweep, shardOf } from "../../../src/lib/cli/sweep.js";
import { allowedValues, parseOverrides, UsageError, validateCatalogue } from "../../../src/lib/cli/validate.js";
import { expandExperiments } from "../../../src/lib/experiments/sweep.js";
import { loaderSettings } from "../../../src/lib/runner/site-data.js";
import { tempDir } from "../runner/helpers.js";

/**
 * Every bad input is refused with a message naming the field, the value and what is allowed, and nothing is
 * written: no output directory, no cache entry. Each row: the arguments after `--experiment` handling, and a
 * pattern the message must match.
 */
const BAD_INPUTS: [string, string[], RegExp][] = [
  [
    "unknown experiment",
    ["--experiment", "LR9"],
    /^--experiment: got "LR9", expected "list", "all" or comma-separated ids among LR1, LR2, .*, D1/,
  ],
  ["unknown experiment in a list", ["--experiment", "LR1,FOO"], /^--experiment: got "FOO", expected .*ids among LR1/],
  ["empty experiment", ["--experiment", ""], /^--experiment: got "", expected/],
  ["experiment listed twice", ["--experiment", "LR1,LR1"], /^--experiment: got "LR1,LR1", expected each id once \(LR1 is listed twice\)$/],
  ["missing --experiment", ["--preset", "smoke"], /required option '--experiment <ids>' not specified/],
  ["unknown preset", ["--experiment", "LR1", "--preset", "huge"], /^--preset: got "huge", expected one of smoke, quick, converged, paper$/],
  ["seeds zero", ["--experiment", "LR1", "--seeds", "0"], /^--seeds: got "0", expected an integer >= 1$/],
  ["seeds not a number", ["--experiment", "LR1", "--seeds", "two"], /^--seeds: got "two", expected an integer >= 1$/],
  ["seeds fractional", ["--experiment", "LR1", "--seeds", "1.5"], /^--seeds: got "1.5", expected an integer >= 1$/],
  [
    "seeds with a fixed seed",
    ["--experiment", "LR1", "--seeds", "3", "--set", "seed=2"],
    /^--seeds: got "3", expected no --seeds together with --set seed=2/,
  ],
  ["workers negative", ["--experiment", "LR1", "--workers", "-1"], /^--workers: got "-1", expected an integer >= 0$/],
  ["unknown engine", ["--experiment", "LR1", "--engine", "cuda"], /^--engine: got "cuda", expected one of /],
  ["k = 0", ["--experiment", "LR1", "--set", "k=0"], /^--set k: got 0, expected an integer > 0$/],
  ["k negative", ["--experiment", "LR1", "--set", "k=-4"], /^--set k: got -4, expected an integer > 0$/],
  ["k fractional", ["--experiment", "LR1", "--set", "k=1.5"], /^--set k: got 1.5, expected an integer > 0$/],
  ["k not a number", ["--experiment", "LR1", "--set", "k=many"], /^--set k: got "many", expected an integer > 0$/],
  ["eps = 0", ["--experiment", "LR1", "--set", "eps=0"], /^--set eps: got 0, expected a finite number in \(0, 1\]$/],
  ["eps > 1", ["--experiment", "LR1", "--set", "eps=1.5"], /^--set eps: got 1.5, expected a finite number in \(0, 1\]$/],
  ["eps negative", ["--experiment", "LR1", "--set", "eps=-0.1"], /^--set eps: got -0.1, expected a finite number in \(0, 1\]$/],
  ["lr = 0", ["--experiment", "LR1", "--set", "lr=0"], /^--set lr: got 0, expected a finite number > 0$/],
  ["lr negative", ["--experiment", "LR1", "--set", "lr=-0.01"], /^--set lr: got -0.01, expected a finite number > 0$/],
  ["lr infinite", ["--experiment", "LR1", "--set", "lr=1e999"], /^--set lr: got Infinity, expected a finite number > 0$/],
  ["lr NaN", ["--experiment", "LR1", "--set", "lr=NaN"], /^--set lr: got "NaN", expected a finite number > 0$/],
  ["steps = 0", ["--experiment", "LR1", "--set", "steps=0"], /^--set steps: got 0, expected an integer > 0$/],
  ["steps hex", ["--experiment", "LR1", "--set", "steps=0x10"], /^--set steps: got "0x10", expected an integer > 0$/],
  ["batch empty", ["--experiment", "LR1", "--set", "batch="], /^--set batch: got "", expected an integer > 0$/],
  ["decay negative", ["--experiment", "LR1", "--set", "decay=-1"], /^--set decay: got -1, expected a finite number >= 0$/],
  [
    "seed too large",
    ["--experiment", "LR1", "--set", "seed=4294967296"],
    /^--set seed: got 4294967296, expected an integer in \[0, 4294967295\]$/,
  ],
  [
    "unknown task",
    ["--experiment", "LR1", "--set", "task=classify"],
    /^--set task: got "classify", expected one of decoder, reprojector, abs$/,
  ],
  [
    "unknown activation",
    ["--experiment", "LR1", "--set", "activation=tanh"],
    /^--set activation: got "tanh", expected one of relu, gelu, xexp$/,
  ],
  ["unknown sampler", ["--experiment", "LR1", "--set", "sampler=zipf"], /^--set sampler: got "zipf", expected one of equal, power_law$/],
  [
    "--set without =",
    ["--experiment", "LR1", "--set", "k"],
    /^--set: got "k", expected key=value with key one of task, activation, .*, seed/,
  ],
  ["--set without key", ["--experiment", "LR1", "--set", "=3"], /^--set: got "=3", expected key=value/],
  [
    "--set unknown field",
    ["--experiment", "LR1", "--set", "width=3"],
    /^--set: got "width=3", expected a key among task, activation, .*, seed/,
  ],
  [
    "--set field twice",
    ["--experiment", "LR1", "--set", "k=32", "--set", "k=64"],
    /^--set k: got "32 and 64", expected one value per field$/,
  ],
  [
    "m above n_features",
    ["--experiment", "LR1", "--set", "m=600"],
    /^--set m: got 600, expected a value that satisfies "m must not exceed n_features"$/,
  ],
  [
    "decay * lr >= 1",
    ["--experiment", "LR1", "--set", "lr=0.5", "--set", "decay=2"],
    /^--set decay: got 2, expected a value that satisfies "decay \* lr must be below 1/,
  ],
  [
    "shard 0/2",
    ["--experiment", "LR1", "--shard", "0/2"],
    /^--shard: got "0\/2", expected i\/n with integers 1 <= i <= n \(e\.g\. 1\/4\)$/,
  ],
  ["shard 3/2", ["--experiment", "LR1", "--shard", "3/2"], /^--shard: got "3\/2", expected i\/n/],
  ["shard 1/0", ["--experiment", "LR1", "--shard", "1/0"], /^--shard: got "1\/0", expected i\/n/],
  ["shard without /", ["--experiment", "LR1", "--shard", "2"], /^--shard: got "2", expected i\/n/],
  ["shard a/b", ["--experiment", "LR1", "--shard", "a/b"], /^--shard: got "a\/b", expected i\/n/],
  ["shard 1-2", ["--experiment", "LR1", "--shard", "1-2"], /^--shard: got "1-2", expected i\/n/],
  ["shard negative", ["--experiment", "LR1", "--shard", "-1/2"], /^--shard: got "-1\/2", expected i\/n/],
  ["max-minutes 0", ["--experiment", "LR1", "--max-minutes", "0"], /^--max-minutes: got "0", expected a number of minutes > 0$/],
  ["max-minutes negative", ["--experiment", "LR1", "--max-minutes", "-5"], /^--max-minutes: got "-5", expected a number of minutes > 0$/],
  ["max-minutes text", ["--experiment", "LR1", "--max-minutes", "soon"], /^--max-minutes: got "soon", expected a number of minutes > 0$/],
  ["unknown option", ["--experiment", "LR1", "--sets", "k=1"], /^unknown option '--sets'/],
  ["stray argument", ["--experiment", "LR1", "LR2"], /too many arguments/],
  ["option without value", ["--experiment", "LR1", "--preset"], /option '--preset <preset>' argument missing/],
];

describe("sweep CLI input validation", () => {
  it.each(BAD_INPUTS)("refuses %s, writing nothing", async (_name, args, message) => {
    const dir = tempDir();
    const out = join(dir, "out");
    const cacheDir = join(dir, "cache");
    const error = await main(["--out", out, ...args], { cacheDir, log: () => {} }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(cacheDir)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("reports every bad flag at once", () => {
    expect(() => planSweep(["--experiment", "LR1", "--preset", "x", "--seeds", "0", "--shard", "9/2"])).toThrow(
      /--preset: got "x".*\n--seeds: got "0".*\n--shard: got "9\/2"/,
    );
  });

  it("refuses an --out that is a file", () => {
    const dir = tempDir();
    const file = join(dir, "file");
    writeFileSync(file, "x");
    expect(() => planSweep(["--experiment", "LR1", "--out", file])).toThrow(
      /^--out: got ".*file", expected a directory \(this path is a file\)$/,
    );
  });

  it("exits 2 from the command line, with the message on stderr and nothing written", () => {
    const dir = tempDir();
    const out = join(dir, "out");
    const result = spawnSync(
      process.execPath,
      ["--import", "tsx", "src/lib/cli/sweep.ts", "--experiment", "LR1", "--preset", "smoke", "--set", "eps=2", "--out", out],
      {
        encoding: "utf8",
        env: { ...process.env, MONO_CACHE_DIR: join(dir, "cache") },
      },
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/error: --set eps: got 2, expected a finite number in \(0, 1\]\n\(nothing was written/);
    expect(readdirSync(dir)).toEqual([]);
  }, 30_000);

  it("accepts good input and describes the plan", () => {
    const plan = planSweep([
      "--experiment",
      "LR1,B1",
      "--preset",
      "smoke",
      "--set",
      "k=32",
      "--set",
      "activation=gelu",
      "--seeds",
      "2",
      "--shard",
      "2/3",
      "--max-minutes",
      "1.5",
      "--workers",
      "0",
    ]);
    expect(plan).not.toBeNull();
    if (plan === null || plan === "list") throw new Error("expected a plan");
    expect(plan.specs.length).toBe((4 + 5) * 2);
    expect(plan.specs.every((s) => s.config.k === 32 && s.config.activation === "gelu")).toBe(true);
    expect(plan.shard).toEqual({ index: 2, count: 3 });
    expect(plan.selected.map((s) => s.run_id)).toEqual(plan.specs.filter((_, i) => i % 3 === 1).map((s) => s.run_id));
    expect(plan.maxMinutes).toBe(1.5);
    expect(plan.workers).toBe(0);
    expect(planSweep(["--experiment", "list"])).toBe("list");
  });

  it("prints the experiment table for --experiment list", async () => {
    let text = "";
    expect(await main(["--experiment", "list"], { stdout: (t) => (text += t) })).toBe(0);
    expect(text.split("\n")[0]).toMatch(/^id\s+task/);
    expect(text).toMatch(/^B3-GeLU\s+decoder\s+gelu/m);
  });
});

describe("sharding", () => {
  it("splits a sweep into disjoint parts that together are the whole, deterministically", () => {
    const specs = expandExperiments("all", { preset: "smoke" });
    for (const count of [1, 2, 3, 7, specs.length + 5]) {
      const parts = Array.from({ length: count }, (_, i) => shardOf(specs, { index: i + 1, count }).map((s) => s.run_id));
      const all = parts.flat();
      expect(all.length).toBe(specs.length);
      expect(new Set(all).size).toBe(specs.length);
      expect(parts.map((p) => p.length).every((n) => n === Math.floor(specs.length / count) || n === Math.ceil(specs.length / count))).toBe(
        true,
      );
      expect(parts).toEqual(
        Array.from({ length: count }, (_, i) =>
          shardOf(expandExperiments("all", { preset: "smoke" }), { index: i + 1, count }).map((s) => s.run_id),
        ),
      );
    }
  });
});

describe("schemas", () => {
  it("describes what each config field allows, from its zod schema", () => {
    expect(allowedValues("k")).toBe("an integer > 0");
    expect(allowedValues("eps")).toBe("a finite number in (0, 1]");
    expect(allowedValues("lr")).toBe("a finite number > 0");
    expect(allowedValues("init_bias")).toBe("a finite number");
    expect(allowedValues("activation")).toBe("one of relu, gelu, xexp");
  });

  it("parses good overrides with their types", () => {
    expect(parseOverrides(["k=64", "lr=1e-3", "task=abs", " eps = 0.25 ", "init_bias=-1", "k=64"])).toEqual({
      k: 64,
      lr: 0.001,
      task: "abs",
      eps: 0.25,
      init_bias: -1,
    });
  });

  it("accepts the catalogue of presets and experiments, and every run they expand to", () => {
    expect(() => validateCatalogue()).not.toThrow();
    for (const preset of ["smoke", "quick", "paper"] as const) expect(expandExperiments("all", { preset }).length).toBeGreaterThan(100);
  });

  it("validates the data loaders' environment", () => {
    expect(loaderSettings({})).toEqual({ preset: "quick", timeoutMinutes: 60 });
    expect(loaderSettings({ MONO_PRESET: "smoke", MONO_LOADER_TIMEOUT_MINUTES: "2.5" })).toEqual({ preset: "smoke", timeoutMinutes: 2.5 });
    expect(() => loaderSettings({ MONO_PRESET: "fast" })).toThrow(
      /^MONO_PRESET: got "fast", expected one of smoke, quick, converged, paper$/,
    );
    expect(() => loaderSettings({ MONO_LOADER_TIMEOUT_MINUTES: "0" })).toThrow(
      /^MONO_LOADER_TIMEOUT_MINUTES: got "0", expected a number of minutes > 0$/,
    );
    expect(() => loaderSettings({ MONO_LOADER_TIMEOUT_MINUTES: "an hour" })).toThrow(/MONO_LOADER_TIMEOUT_MINUTES: got "an hour"/);
  });
});

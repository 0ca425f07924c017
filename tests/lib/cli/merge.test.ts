/**
 * Shards 1/2 and 2/2 of a smoke sweep, merged with `npm run merge`, equal the unsharded sweep: every table, every row,
 * every column except wall_s (timing legitimately differs: the shards are computed with their own cache, so their
 * numbers are recomputed, not copied). Then the refusals: missing, repeated or overlapping shards, incomplete
 * shards, schema mismatches.
 */
import { DuckDBInstance } from "@duckdb/node-api";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { mergeMain } from "../../../src/lib/cli/merge.js";
import { main } from "../../../src/lib/cli/sweep.js";
import { UsageError } from "../../../src/lib/cli/validate.js";
import { readManifest, writeManifest } from "../../../src/lib/runner/manifest.js";
import { readTables, tempDir, TINY } from "../runner/helpers.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const SWEEP = ["--experiment", "LR1,B1", "--preset", "smoke", ...TINY, "--workers", "0"];
const quiet = () => {};

let dir: string;
let whole: string;
let shards: string[];

async function refusal(args: string[]): Promise<string> {
  const error = await mergeMain(args, quiet).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UsageError);
  return (error as Error).message;
}

beforeAll(async () => {
  dir = tempDir();
  whole = join(dir, "whole");
  expect(await main([...SWEEP, "--out", whole], { cacheDir: join(dir, "cache-whole"), log: quiet })).toBe(0);
  shards = [join(dir, "shard1"), join(dir, "shard2")];
  for (const [i, out] of shards.entries())
    expect(await main([...SWEEP, "--shard", `${i + 1}/2`, "--out", out], { cacheDir: join(dir, "cache-shards"), log: quiet })).toBe(0);
}, 120_000);

describe("merge", () => {
  it("merges shards 1/2 and 2/2 into exactly the unsharded sweep", async () => {
    const merged = join(dir, "merged");
    expect(await mergeMain([...shards, "--out", merged], quiet)).toBe(0);
    const [a, b] = await Promise.all([readTables(merged), readTables(whole)]);
    expect(a.runs.length).toBe(9);
    expect(a.sfa.length).toBeGreaterThan(0);
    for (const table of Object.keys(b)) expect(a[table], table).toEqual(b[table]);
    const { merged_from, ...manifest } = readManifest(merged)!;
    expect(manifest).toEqual(readManifest(whole));
    expect(merged_from).toEqual([expect.objectContaining({ shard: "1/2" }), expect.objectContaining({ shard: "2/2" })]);
    // Shards are disjoint and non-empty.
    const [s1, s2] = await Promise.all(shards.map(readTables));
    expect(s1.runs.length + s2.runs.length).toBe(9);
    expect(s1.runs.length).toBe(5);
  });

  it("gives byte-identical Parquet files when the shards share the whole sweep's cache", async () => {
    const sub = tempDir();
    const parts = [1, 2, 3].map((i) => join(sub, `s${i}`));
    // Same cache as the whole sweep: every run is read, not recomputed, so even wall_s agrees.
    for (const [i, out] of parts.entries())
      expect(await main([...SWEEP, "--shard", `${i + 1}/3`, "--out", out], { cacheDir: join(dir, "cache-whole"), log: quiet })).toBe(0);
    await mergeMain([...parts, "--out", join(sub, "merged")], quiet);
    for (const table of ["runs", "checkpoints", "losses", "neurons", "sfa"])
      expect(readFileSync(join(sub, "merged", `${table}.parquet`)).equals(readFileSync(join(whole, `${table}.parquet`))), table).toBe(true);
  });

  it("writes the same Parquet row order as the sweep itself (ORDER BY the contract's keys)", async () => {
    const merged = join(dir, "merged-order");
    await mergeMain([shards[1], shards[0], "--out", merged], quiet);
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    for (const table of ["runs", "sfa"]) {
      const read = async (d: string) =>
        (
          await connection.runAndReadAll(
            `SELECT * EXCLUDE (${table === "runs" ? "wall_s" : "activation"}) FROM read_parquet('${join(d, `${table}.parquet`)}')`,
          )
        ).getRowObjectsJS();
      expect(await read(merged)).toEqual(await read(whole));
    }
    connection.closeSync();
    instance.closeSync();
  });

  it("handles empty shards (more shards than runs)", async () => {
    const sub = tempDir();
    const outs = [1, 2, 3, 4, 5].map((i) => join(sub, `s${i}`));
    const small = ["--experiment", "LR1", "--preset", "smoke", ...TINY, "--workers", "0", "--set", "lr=0.01"];
    for (const [i, out] of outs.entries())
      expect(await main([...small, "--shard", `${i + 1}/5`, "--out", out], { cacheDir: join(dir, "cache-shards"), log: quiet })).toBe(0);
    await mergeMain([...outs, "--out", join(sub, "merged")], quiet);
    const [merged, one] = [await readTables(join(sub, "merged")), await readTables(outs[0])];
    expect(merged.runs.length).toBe(1);
    expect(merged).toEqual(one);
  });

  it("refuses a missing shard, naming it (unless --allow-partial)", async () => {
    expect(await refusal([shards[0], "--out", join(dir, "m1")])).toMatch(/shard\(s\) 2\/2 missing/);
    expect(existsSync(join(dir, "m1"))).toBe(false);
    expect(await mergeMain([shards[0], "--out", join(dir, "m1"), "--allow-partial"], quiet)).toBe(0);
    expect(readManifest(join(dir, "m1"))!.complete).toBe(false);
  });

  it("refuses a shard given twice", async () => {
    const copy = join(dir, "shard1-copy");
    cpSync(shards[0], copy, { recursive: true });
    expect(await refusal([shards[0], copy, shards[1], "--out", join(dir, "m2")])).toMatch(
      /shard 1\/2 is given twice: .*shard1 and .*shard1-copy/,
    );
    expect(await refusal([shards[0], shards[0], shards[1], "--out", join(dir, "m2")])).toMatch(
      /DIR: got ".*shard1", expected each directory once/,
    );
  });

  it("refuses shards computed by different engines", async () => {
    const other = join(dir, "shard2-other-engine");
    cpSync(shards[1], other, { recursive: true });
    const manifest = readManifest(other)!;
    writeManifest(other, { ...manifest, sweep: { ...manifest.sweep, engine: "tfjs@tfjs-0" } });
    expect(await refusal([shards[0], other, "--out", join(dir, "m6")])).toMatch(
      /parts of one sweep were computed by different engines: .*shard1 by \w+@[\w-]+, .*shard2-other-engine by tfjs@tfjs-0/,
    );
  });

  it("refuses duplicate runs across different sweeps, naming the run and the files", async () => {
    const lr1 = join(dir, "lr1-only");
    await main(["--experiment", "LR1", "--preset", "smoke", ...TINY, "--workers", "0", "--out", lr1], {
      cacheDir: join(dir, "cache-whole"),
      log: quiet,
    });
    const message = await refusal([whole, lr1, "--out", join(dir, "m3")]);
    expect(message).toMatch(
      /duplicate rows in runs: run_id=LR1_smoke_lr=0.001_seed=1_set\(k=32,steps=32,batch=32\) appears 2 times, in .*lr1-only\/runs.parquet and .*whole\/runs.parquet/,
    );
    expect(await refusal([whole, shards[0], shards[1], "--out", join(dir, "m3")])).toMatch(/holds the whole sweep that .* is a shard of/);
    expect(existsSync(join(dir, "m3"))).toBe(false);
  });

  it("refuses a table whose columns differ from the data contract", async () => {
    const bad = join(dir, "bad-schema");
    cpSync(shards[1], bad, { recursive: true });
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    const path = join(bad, "runs.parquet");
    await connection.run(
      `COPY (SELECT * EXCLUDE (mono_neurons), 0.5::DOUBLE AS mono_neurons FROM read_parquet('${path}')) TO '${path}.new' (FORMAT parquet)`,
    );
    connection.closeSync();
    instance.closeSync();
    cpSync(`${path}.new`, path);
    rmSync(`${path}.new`);
    expect(await refusal([shards[0], bad, "--out", join(dir, "m4")])).toMatch(
      /bad-schema\/runs.parquet: columns differ from the data contract\n\s+found: .*mono_neurons DOUBLE\n\s+expected: .*mono_neurons INTEGER/,
    );
  });

  it("refuses a directory without manifest.json or with a table missing", async () => {
    const half = join(dir, "half-written");
    cpSync(shards[1], half, { recursive: true });
    rmSync(join(half, "manifest.json"));
    expect(await refusal([shards[0], half, "--out", join(dir, "m5")])).toMatch(/half-written: no manifest.json/);
    const noTable = join(dir, "no-table");
    cpSync(shards[1], noTable, { recursive: true });
    rmSync(join(noTable, "sfa.parquet"));
    expect(await refusal([shards[0], noTable, "--out", join(dir, "m5")])).toMatch(/no-table: sfa.parquet is missing/);
    expect(await refusal([join(dir, "nope"), "--out", join(dir, "m5")])).toMatch(
      /^DIR: got ".*nope", expected an existing sweep output directory$/,
    );
    expect(await refusal([shards[0], "--out", shards[0]])).toMatch(
      /^--out: got ".*shard1", expected a directory that is not one of the inputs$/,
    );
  });

  it("is `npm run merge` on the command line: exit 0, or 2 with the reason and nothing written", () => {
    const ok = spawnSync("npm", ["run", "--silent", "merge", "--", ...shards, "--out", join(dir, "cli-merged")], {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(ok.status, ok.stderr).toBe(0);
    expect(readdirSync(join(dir, "cli-merged")).sort()).toEqual([
      "checkpoints.parquet",
      "losses.parquet",
      "manifest.json",
      "neurons.parquet",
      "runs.parquet",
      "sfa.parquet",
    ]);
    const refused = spawnSync("npm", ["run", "--silent", "merge", "--", shards[0], "--out", join(dir, "cli-refused")], {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/error: refusing to merge:\n.*shard\(s\) 2\/2 missing[\s\S]*nothing was written/);
    expect(existsSync(join(dir, "cli-refused"))).toBe(false);
  }, 60_000);
});

// Runs survive kill -9: the sweep CLI is killed while a run is in flight (after its state was saved), rerun with the
// same command, and must write exactly the tables of an uninterrupted run (wall time aside).
import { spawn, execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { deserialize } from "node:v8";
import { describe, expect, it } from "vitest";
import { readTables, tempDir } from "./helpers.js";

const STEPS = 6144;
const ARGS = [
  "--experiment",
  "LR3",
  "--set",
  "lr=0.01",
  "--set",
  "k=64",
  "--set",
  "batch=64",
  "--set",
  `steps=${STEPS}`,
  "--set",
  "seed=1",
  "--engine",
  "wasm",
  "--workers",
  "0",
];
const SAVE_EVERY = 256;

const sweepArgs = (out: string) => ["tsx", "src/lib/cli/sweep.ts", ...ARGS, "--out", out];
const env = (cache: string) => ({ ...process.env, MONO_CACHE_DIR: cache, MONO_SAVE_EVERY_STEPS: String(SAVE_EVERY) });

function stateFiles(cache: string): string[] {
  const dir = join(cache, "inflight");
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith(".state"))
        .map((f) => join(dir, f))
    : [];
}

describe("resume after kill -9", () => {
  it(
    "a killed sweep, rerun, writes the tables of an uninterrupted one",
    async () => {
      const root = tempDir("mono-resume-");
      const run = promisify(execFile);
      // Uninterrupted reference, in its own cache.
      await run("npx", sweepArgs(join(root, "straight")), { env: env(join(root, "cache-a")), maxBuffer: 1 << 26 });
      expect(stateFiles(join(root, "cache-a"))).toEqual([]);

      // Interrupted: wait until a state file has been written, then kill -9 mid-run.
      const cache = join(root, "cache-b");
      const child = spawn("npx", sweepArgs(join(root, "resumed")), { env: env(cache), stdio: "ignore", detached: true });
      const deadline = Date.now() + 5 * 60_000;
      while (stateFiles(cache).length === 0 && child.exitCode === null && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      // detached: the child leads its own process group (npx, tsx, node); kill all of it at once.
      process.kill(-child.pid!, "SIGKILL");
      await new Promise((r) => child.once("exit", r));
      const files = stateFiles(cache);
      expect(files.length, "the run should have saved its state before it was killed").toBe(1);
      const saved = deserialize(readFileSync(files[0])) as { state: { step: number } };
      expect(saved.state.step % SAVE_EVERY).toBe(0);
      expect(saved.state.step).toBeGreaterThan(0);
      expect(saved.state.step).toBeLessThan(STEPS);

      // The same command again resumes from the save and finishes; the state file is then removed.
      await run("npx", sweepArgs(join(root, "resumed")), { env: env(cache), maxBuffer: 1 << 26 });
      expect(stateFiles(cache)).toEqual([]);
      expect(await readTables(join(root, "resumed"))).toEqual(await readTables(join(root, "straight")));
    },
    10 * 60_000,
  );
});

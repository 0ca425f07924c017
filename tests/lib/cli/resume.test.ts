/**
 * A real `kill -9` in the middle of a sweep: the process group is SIGKILLed once at least one run is cached, the same
 * command is run again, and its output must equal an uninterrupted sweep's (computed separately, with its own cache),
 * with every run exactly once and no finished run trained twice.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { main } from "../../../src/lib/cli/sweep.js";
import { readManifest } from "../../../src/lib/runner/manifest.js";
import { cacheEntries, readTables, tempDir } from "../runner/helpers.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const SWEEP = ["--experiment", "LR1,B1", "--preset", "smoke", "--set", "k=32", "--set", "steps=96", "--set", "batch=32"];
const RUNS = 4 + 5;

function startSweep(out: string, cacheDir: string) {
  const child = spawn(process.execPath, ["--import", "tsx", "src/lib/cli/sweep.ts", ...SWEEP, "--workers", "1", "--out", out], {
    cwd: ROOT,
    env: { ...process.env, MONO_CACHE_DIR: cacheDir },
    detached: true, // its own process group, so the kill reaches everything it started
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  return { child, exited, stderr: () => stderr };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("resume after kill -9", () => {
  it("completes the sweep on rerun, redoing no finished run, equal to an uninterrupted sweep", async () => {
    const dir = tempDir();
    const cacheDir = join(dir, "cache");
    const out = join(dir, "out");

    const killed = startSweep(out, cacheDir);
    const deadline = Date.now() + 60_000;
    while (cacheEntries(cacheDir).length === 0 && Date.now() < deadline) await sleep(20);
    process.kill(-killed.child.pid!, "SIGKILL");
    const { signal } = await killed.exited;
    expect(signal).toBe("SIGKILL");
    const survived = cacheEntries(cacheDir).length;
    expect(survived).toBeGreaterThanOrEqual(1);
    expect(survived).toBeLessThan(RUNS); // killed in the middle, not after the end
    expect(readManifest(out)).toBeNull(); // nothing claims the sweep finished

    const rerun = startSweep(out, cacheDir);
    const { code } = await rerun.exited;
    expect(code, rerun.stderr()).toBe(0);
    expect(rerun.stderr()).toMatch(new RegExp(`sweep: ${RUNS} runs, ${survived} cached, ${RUNS - survived} to train`));
    expect(rerun.stderr().match(/\] done in /g)?.length).toBe(RUNS - survived);
    expect(cacheEntries(cacheDir).length).toBe(RUNS);

    const reference = join(dir, "reference");
    expect(await main([...SWEEP, "--workers", "0", "--out", reference], { cacheDir: join(dir, "reference-cache"), log: () => {} })).toBe(0);

    const [resumed, whole] = await Promise.all([readTables(out), readTables(reference)]);
    const ids = resumed.runs.map((r) => r.run_id);
    expect(ids.length).toBe(RUNS);
    expect(new Set(ids).size).toBe(RUNS);
    expect(resumed).toEqual(whole);
    expect(readManifest(out)).toEqual(readManifest(reference));
    expect(readManifest(out)!.complete).toBe(true);
  }, 120_000);

  it("--max-minutes stops cleanly: exit 3, finished runs written and cached, manifest incomplete; a rerun completes", async () => {
    const dir = tempDir();
    const cacheDir = join(dir, "cache");
    const out = join(dir, "out");
    const lines: string[] = [];
    const sweep = [
      "--experiment",
      "LR1",
      "--preset",
      "smoke",
      "--set",
      "k=32",
      "--set",
      "steps=400",
      "--set",
      "batch=32",
      "--workers",
      "0",
      "--out",
      out,
    ];
    // 0.001 min = 60 ms: the first run (in this thread) starts and finishes; the budget is spent before the last.
    expect(await main([...sweep, "--max-minutes", "0.001"], { cacheDir, log: (l) => lines.push(l) })).toBe(3);
    expect(lines.at(-1)).toMatch(
      /^INCOMPLETE: time budget of 0.001 min spent: [123] of 4 runs finished, [123] not .*rerun the same command to continue/,
    );
    const partial = readManifest(out)!;
    const done = partial.runs.length;
    expect(partial.complete).toBe(false);
    expect(done).toBeGreaterThanOrEqual(1);
    expect(partial.missing.length).toBe(4 - done);
    expect((await readTables(out)).runs.map((r) => r.run_id)).toEqual(partial.runs);
    expect(cacheEntries(cacheDir).length).toBe(done);

    lines.length = 0;
    expect(await main(sweep, { cacheDir, log: (l) => lines.push(l) })).toBe(0);
    expect(lines.find((l) => l.startsWith("sweep:"))).toMatch(new RegExp(`4 runs, ${done} cached, ${4 - done} to train`));
    expect(readManifest(out)!.complete).toBe(true);
    expect((await readTables(out)).runs.length).toBe(4);
  }, 60_000);

  it("SIGTERM (a scheduler's time limit) stops cleanly: exit 3, finished runs written, manifest incomplete", async () => {
    const dir = tempDir();
    const cacheDir = join(dir, "cache");
    const out = join(dir, "out");
    const sweep = startSweep(out, cacheDir);
    const deadline = Date.now() + 60_000;
    while (cacheEntries(cacheDir).length === 0 && Date.now() < deadline) await sleep(20);
    process.kill(sweep.child.pid!, "SIGTERM");
    const { code } = await sweep.exited;
    expect(code, sweep.stderr()).toBe(3);
    expect(sweep.stderr()).toMatch(/received SIGTERM/);
    expect(sweep.stderr()).toMatch(/INCOMPLETE: stopped \(SIGTERM\): \d+ of 9 runs finished/);
    const manifest = readManifest(out)!;
    expect(manifest.complete).toBe(false);
    expect(manifest.runs.length).toBeGreaterThanOrEqual(1);
    expect(manifest.runs.length + manifest.missing.length).toBe(RUNS);
    expect(manifest.runs.length).toBe(cacheEntries(cacheDir).length);
    expect((await readTables(out)).runs.map((r) => r.run_id).sort()).toEqual([...manifest.runs].sort());
  }, 60_000);
});

// Shared by the site's browser tests: the repository and dist/ paths, and a build of the site (smoke preset) when
// dist/ is older than its sources.
import { spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const ROOT = join(import.meta.dirname, "..", "..");
export const DIST = join(ROOT, "dist");

function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const name of readdirSync(path)) {
    // Framework's cache, and generated build output (the wasm engine is recompiled by every `npm test`): its sources count.
    if (name === ".observablehq" || name === "build") continue;
    latest = Math.max(latest, newest(join(path, name)));
  }
  return latest;
}

/** True when dist/ is missing or older than any page, component, loader, library module or the config. */
export function siteIsStale(): boolean {
  const built = join(DIST, "index.html");
  if (!existsSync(built)) return true;
  const inputs = Math.max(newest(join(ROOT, "src")), newest(join(ROOT, "observablehq.config.ts")), newest(join(ROOT, "scripts")));
  return inputs > statSync(built).mtimeMs;
}

/**
 * Build the site with the smoke preset (unless MONO_PRESET says otherwise) when dist/ is stale. Asynchronous, so the
 * test worker's event loop stays responsive during a build of several minutes.
 */
export async function ensureBuiltSite(): Promise<void> {
  if (process.env.SITE_NO_BUILD === "1" && existsSync(join(DIST, "index.html"))) return;
  if (!siteIsStale()) return;
  // Several browser test files run in parallel workers: one builds, the others wait for it and then find dist fresh.
  const release = await takeBuildLock();
  try {
    if (siteIsStale()) await buildSite();
  } finally {
    release();
  }
}

const LOCK = join(ROOT, "test-results", "site-build.lock");

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** An exclusive lock across processes: a directory made atomically, holding the owner's pid (a dead owner's lock is
 * taken over). */
async function takeBuildLock(): Promise<() => void> {
  mkdirSync(join(ROOT, "test-results"), { recursive: true });
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(join(LOCK, "pid"), String(process.pid));
      return () => rmSync(LOCK, { recursive: true, force: true });
    } catch {
      const owner = Number(existsSync(join(LOCK, "pid")) ? readFileSync(join(LOCK, "pid"), "utf8") : NaN);
      if (Number.isInteger(owner) && !alive(owner)) rmSync(LOCK, { recursive: true, force: true });
      else await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

async function buildSite(): Promise<void> {
  mkdirSync(join(ROOT, "test-results"), { recursive: true });
  const logPath = join(ROOT, "test-results", "site-build.log");
  process.stderr.write(`browser tests: building the site (MONO_PRESET=${process.env.MONO_PRESET ?? "smoke"}), log in ${logPath} ...\n`);
  const log = createWriteStream(logPath);
  await new Promise<void>((resolve, reject) => {
    const child = spawn("npm", ["run", "build"], {
      cwd: ROOT,
      env: { ...process.env, MONO_PRESET: process.env.MONO_PRESET ?? "smoke" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    child.on("error", reject);
    child.on("close", (code) =>
      log.end(() => {
        if (code === 0) resolve();
        else {
          const tail = readFileSync(logPath, "utf8").split("\n").slice(-40).join("\n");
          reject(new Error(`npm run build failed (exit ${code}); last lines of ${logPath}:\n${tail}`));
        }
      }),
    );
  });
}

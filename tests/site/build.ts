import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

export const ROOT = join(import.meta.dirname, "..", "..");
export const DIST = join(ROOT, "dist");

function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const name of readdirSync(path)) {
    if (name === ".observablehq") continue;
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

/** Build the site with the smoke preset (unless MONO_PRESET says otherwise) when dist/ is stale. */
export function ensureBuiltSite(): void {
  if (process.env.SITE_NO_BUILD === "1" && existsSync(join(DIST, "index.html"))) return;
  if (!siteIsStale()) return;
  process.stderr.write("browser tests: building the site (MONO_PRESET=smoke unless set) ...\n");
  execFileSync("npm", ["run", "build"], {
    cwd: ROOT,
    env: { ...process.env, MONO_PRESET: process.env.MONO_PRESET ?? "smoke" },
    stdio: ["ignore", "inherit", "inherit"],
  });
}

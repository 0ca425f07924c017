// Before the tests: make sure a Chromium or Chrome is there for the browser tests, so `npm test` is the whole set-up.
// Uses CHROMIUM_PATH, or the first browser found on the usual paths; on Debian or Ubuntu as root it installs
// Debian's chromium (apt-get); otherwise it stops with one instruction. Prints the path it settled on.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

const CANDIDATES = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
  "/usr/bin/google-chrome-stable",
  "/snap/bin/chromium",
];

export function findChromium(env = process.env) {
  if (env.CHROMIUM_PATH) return existsSync(env.CHROMIUM_PATH) ? env.CHROMIUM_PATH : null;
  return CANDIDATES.find((p) => existsSync(p)) ?? null;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  let found = findChromium();
  if (!found && process.env.CHROMIUM_PATH) {
    console.error(`error: CHROMIUM_PATH=${process.env.CHROMIUM_PATH} does not exist.`);
    process.exit(1);
  }
  if (!found) {
    const canApt = existsSync("/usr/bin/apt-get") && process.getuid?.() === 0;
    if (!canApt) {
      console.error(
        "error: the browser tests need Chromium or Chrome. Install one (Debian/Ubuntu: sudo apt-get install -y chromium) or set CHROMIUM_PATH to its executable, then run npm test again.",
      );
      process.exit(1);
    }
    console.error("browser tests: no Chromium found; installing Debian's chromium with apt-get (a few minutes, once)...");
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    execFileSync("apt-get", ["update", "-qq"], { stdio: ["ignore", "ignore", "inherit"], env });
    execFileSync("apt-get", ["install", "-y", "-qq", "chromium"], { stdio: ["ignore", "ignore", "inherit"], env });
    found = findChromium();
    if (!found) {
      console.error("error: apt-get installed chromium but no executable was found; set CHROMIUM_PATH.");
      process.exit(1);
    }
  }
  console.error(`browser tests: using ${found}`);
}

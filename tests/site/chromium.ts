/**
 * Shared by the browser tests of the built site (./browser.test.ts, ./load-targets.test.ts): the pages and what each
 * must draw, the site served on loopback with a headless Chromium on it, and the page helpers (a watch on errors,
 * external requests and data bytes; the wait until the charts are drawn).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { DIST, ensureBuiltSite, ROOT } from "./build.js";
import { serveDist } from "./serve.js";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const SKIP = process.env.SKIP_BROWSER_TESTS === "1";
export const SHOTS = join(ROOT, "test-results", "screenshots");

export const PAGES: { path: string; name: string; minCharts: number }[] = [
  { path: "/", name: "home", minCharts: 1 },
  { path: "/model", name: "model", minCharts: 2 },
  { path: "/learning-rate", name: "learning-rate", minCharts: 4 },
  { path: "/initial-bias", name: "initial-bias", minCharts: 2 },
  { path: "/sparsity", name: "sparsity", minCharts: 2 },
  { path: "/width", name: "width", minCharts: 3 },
  { path: "/other-tasks", name: "other-tasks", minCharts: 3 },
  { path: "/mechanism", name: "mechanism", minCharts: 4 },
  { path: "/beyond", name: "beyond", minCharts: 1 },
  { path: "/regime", name: "regime", minCharts: 5 },
  { path: "/explorer", name: "explorer", minCharts: 2 },
  { path: "/reproduce", name: "reproduce", minCharts: 0 },
  { path: "/chain", name: "chain", minCharts: 1 },
].filter((p) => !process.env.SITE_PAGES || process.env.SITE_PAGES.split(",").includes(p.name));

export interface Watch {
  errors: string[];
  external: string[];
  /** Bytes of data files (Parquet, JSON under _file/) the page downloaded. */
  dataBytes: number;
  /** Requests for DuckDB-WASM or parquet-wasm (their modules, workers or wasm binaries). */
  database: string[];
}

/** Pages that query in the reader's browser as they open (elsewhere DuckDB-WASM loads only on the reader's request). */
export const QUERYING_PAGES = new Set(["/explorer"]);

/** The site under test: its server and Chromium context, filled in by openSite and released by closeSite. */
export interface Site {
  server: Awaited<ReturnType<typeof serveDist>> | null;
  context: BrowserContext | null;
  userDataDir: string;
}

export const newSite = (): Site => ({ server: null, context: null, userDataDir: "" });

/** Build the site when dist/ is stale, serve it on loopback and launch Chromium; a missing Chromium fails. */
export async function openSite(site: Site): Promise<void> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: install it (apt-get install -y chromium) or set CHROMIUM_PATH; set SKIP_BROWSER_TESTS=1 to skip the browser tests.`,
    );
  }
  await ensureBuiltSite();
  mkdirSync(SHOTS, { recursive: true });
  site.server = await serveDist(DIST);
  site.userDataDir = mkdtempSync(join(tmpdir(), "mono-chromium-"));
  site.context = await chromium.launchPersistentContext(site.userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    viewport: { width: 1280, height: 900 },
  });
}

/** Close Chromium and the server and remove Chromium's profile (whatever openSite got as far as). */
export async function closeSite(site: Site): Promise<void> {
  await site.context?.close();
  await site.server?.close();
  if (site.userDataDir) rmSync(site.userDataDir, { recursive: true, force: true });
}

/** Record what a page does wrong: HTTP errors, console and page errors, requests leaving loopback; and its data bytes. */
export function watch(page: Page, origin: string): Watch {
  const w: Watch = { errors: [], external: [], dataBytes: 0, database: [] };
  page.on("response", (res) => {
    if (res.status() >= 400) w.errors.push(`HTTP ${res.status()} for ${res.url()}`);
    if (/\/_file\/.*\.(parquet|json)$/.test(new URL(res.url()).pathname)) w.dataBytes += Number(res.headers()["content-length"] ?? 0);
  });
  page.on("console", (msg) => {
    if (msg.type() === "error") w.errors.push(msg.text());
  });
  page.on("pageerror", (error) => w.errors.push(`pageerror: ${error.message}`));
  page.on("request", (req) => {
    const url = req.url();
    if (/^(data|blob|about|chrome-extension):/.test(url)) return;
    if (!url.startsWith(`${origin}/`)) w.external.push(url);
    else if (/duckdb|parquet[-_]wasm/i.test(new URL(url).pathname)) w.database.push(new URL(url).pathname);
  });
  return w;
}

/** Wait until the page has no loading indicator and at least `minCharts` canvases; return their sizes. */
export async function settle(page: Page, minCharts: number): Promise<{ w: number; h: number }[]> {
  await page
    .waitForFunction(
      (min) =>
        document.querySelectorAll(".loading").length === 0 &&
        document.querySelectorAll(".chart canvas").length >= min &&
        !document.querySelector(".observablehq--loading"),
      minCharts,
      { timeout: 90_000, polling: 250 },
    )
    .catch(() => undefined);
  await page.waitForTimeout(300);
  return page.$$eval(".chart canvas", (canvases) =>
    canvases.map((c) => ({ w: (c as HTMLCanvasElement).width, h: (c as HTMLCanvasElement).height })),
  );
}

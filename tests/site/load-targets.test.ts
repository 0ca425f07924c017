/**
 * The reader's load targets, in Chromium over loopback (set-up shared with ./browser.test.ts, in ./chromium.ts): for
 * every page with a chart, the time to its first chart (the Explorer: to its interactive view) and the bytes
 * transferred before it, on a cold cache. Set SKIP_BROWSER_TESTS=1 to skip.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeSite, newSite, openSite, PAGES, SKIP } from "./chromium.js";

const site = newSite();

describe.skipIf(SKIP)("site in Chromium: load targets", () => {
  beforeAll(() => openSite(site), 45 * 60_000);

  afterAll(() => closeSite(site));

  // The reader's targets (first chart, bytes before it, Explorer interactive), measured in the page by a
  // MutationObserver and the Resource Timing entries, printed for every page.
  // The time targets are the reader's (issue text: first chart < 1 s, Explorer < 4 s); on a shared CI machine wall time
  // is not reproducible, so they are measured and printed always, written to test-results/load-targets.json, and
  // asserted only with MONO_ASSERT_LOAD_TARGETS=1 (on a quiet machine). What always holds, loaded or not: the bytes
  // before the first chart, and a first chart within LOAD_HANG_MS (a page that never draws fails).
  const FIRST_CHART_MS = 1000;
  const BYTES_BEFORE_CHART = 3 * 2 ** 20;
  const EXPLORER_INTERACTIVE_MS = 4000;
  const LOAD_HANG_MS = 20_000;
  const ASSERT_TIMES = process.env.MONO_ASSERT_LOAD_TARGETS === "1";
  const measured: Record<string, { ms: number; mb: number }> = {};
  afterAll(() => {
    mkdirSync("test-results", { recursive: true });
    writeFileSync(
      "test-results/load-targets.json",
      JSON.stringify(
        {
          measured_at: new Date().toISOString(),
          targets: { FIRST_CHART_MS, BYTES_BEFORE_CHART, EXPLORER_INTERACTIVE_MS },
          pages: measured,
        },
        null,
        2,
      ),
    );
  });
  async function measure(page: Page, url: string, selector: string): Promise<{ ms: number; bytes: number }> {
    await page.addInitScript((sel) => {
      const w = window as unknown as { __firstChart?: number };
      const check = () => {
        if (w.__firstChart === undefined && document.querySelector(sel)) w.__firstChart = performance.now();
      };
      new MutationObserver(check).observe(document, { childList: true, subtree: true });
    }, selector);
    await page.goto(url, { waitUntil: "load" });
    await page.waitForFunction(() => (window as unknown as { __firstChart?: number }).__firstChart !== undefined, null, {
      timeout: 90_000,
      polling: 50,
    });
    return page.evaluate(() => {
      const at = (window as unknown as { __firstChart: number }).__firstChart;
      const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
      const resources = performance.getEntriesByType("resource") as PerformanceResourceTiming[];
      const size = (e: PerformanceResourceTiming) => e.transferSize || e.encodedBodySize || 0;
      const bytes = size(nav) + resources.filter((e) => e.startTime <= at).reduce((sum, e) => sum + size(e), 0);
      return { ms: at, bytes };
    });
  }

  for (const p of PAGES.filter((q) => q.minCharts > 0)) {
    const explorer = p.name === "explorer";
    it(`${p.path} draws, within the byte budget, and reports its load time (${explorer ? "target: interactive < 4 s" : "targets: first chart < 1 s, < 3 MB before it"})`, async () => {
      const page = await site.context!.newPage();
      // A cold cache each time: a reader's first visit.
      const cdp = await site.context!.newCDPSession(page);
      await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
      const { ms, bytes } = await measure(
        page,
        `${site.server!.origin}${p.path}`,
        explorer ? "#explorer-count" : ".chart canvas, .chart-sentence",
      );
      process.stdout.write(
        `load target ${p.path}: first ${explorer ? "interactive view" : "chart"} at ${Math.round(ms)} ms, ${(bytes / 2 ** 20).toFixed(2)} MB transferred before it\n`,
      );
      measured[p.path] = { ms: Math.round(ms), mb: +(bytes / 2 ** 20).toFixed(2) };
      expect(ms, "first view (ms): the page must draw").toBeLessThan(LOAD_HANG_MS);
      if (explorer) {
        if (ASSERT_TIMES) expect(ms, "Explorer interactive (ms)").toBeLessThan(EXPLORER_INTERACTIVE_MS);
      } else {
        expect(bytes, "bytes before the first chart").toBeLessThan(BYTES_BEFORE_CHART);
        if (ASSERT_TIMES) expect(ms, "first chart (ms)").toBeLessThan(FIRST_CHART_MS);
      }
      await page.close();
    }, 120_000);
  }
});

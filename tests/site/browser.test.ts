/**
 * Browser tests of the built site in Debian's Chromium (playwright-core), over a loopback HTTP server. For every
 * page: its charts render with a nonzero size, no console error, no Framework error cell, and no request leaves
 * loopback; resizing the window draws no figure twice; at 420 px it fits the viewport. Then the Explorer's filters,
 * brush and permalinks. Screenshots (light and dark) go to test-results/screenshots/. The site is built with the smoke
 * preset first when dist/ is stale. Set SKIP_BROWSER_TESTS=1 to skip (otherwise a missing Chromium FAILS the suite).
 * The load targets are in ./load-targets.test.ts; the set-up both share is in ./chromium.ts.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeSite, newSite, openSite, PAGES, QUERYING_PAGES, settle, SHOTS, SKIP, watch } from "./chromium.js";

/** The page-weight budget for data before the first figure (checked here for the whole page load). */
const DATA_BUDGET = 20 * 2 ** 20;

const site = newSite();

describe.skipIf(SKIP)("site in Chromium", () => {
  beforeAll(() => openSite(site), 45 * 60_000);

  afterAll(() => closeSite(site));

  for (const p of PAGES) {
    it(`${p.path} renders its charts, with no error and no external request`, async () => {
      const page = await site.context!.newPage();
      const w = watch(page, site.server!.origin);
      await page.goto(`${site.server!.origin}${p.path}`, { waitUntil: "load" });
      const canvases = await settle(page, p.minCharts);
      await page.screenshot({ path: join(SHOTS, `${p.name}-light.png`), fullPage: true });
      expect(canvases.length, "charts").toBeGreaterThanOrEqual(p.minCharts);
      for (const c of canvases) expect(c.w * c.h, "canvas size").toBeGreaterThan(0);
      expect(await page.locator(".observablehq--error").count(), "Framework error cells").toBe(0);
      expect(await page.locator(".loading").count(), "loading indicators left").toBe(0);
      expect(w.dataBytes, "data downloaded by the page").toBeLessThan(DATA_BUDGET);
      // Heatmaps (k x N cells) draw in about a second.
      for (const ms of await page.$$eval("figure[data-render-ms]", (figs) => figs.map((f) => Number((f as HTMLElement).dataset.renderMs))))
        expect(ms, "heatmap render time (ms)").toBeLessThan(1500);
      // Dark mode: same page, dark colour scheme.
      await page.emulateMedia({ colorScheme: "dark" });
      await page.reload({ waitUntil: "load" });
      await settle(page, p.minCharts);
      await page.screenshot({ path: join(SHOTS, `${p.name}-dark.png`), fullPage: true });
      expect(w.errors, "console errors").toEqual([]);
      expect(w.external, "requests leaving loopback").toEqual([]);
      // The narrative pages draw from build-time JSON: DuckDB-WASM loads only where the reader queries.
      if (!QUERYING_PAGES.has(p.path)) expect(w.database, "DuckDB-WASM / parquet-wasm requests").toEqual([]);
      await page.close();
    }, 240_000);
  }

  it.skipIf(!PAGES.some((p) => p.name === "explorer"))(
    "explorer: a filter changes the rows and the chart, a permalink restores the state, bad URL parameters are ignored with a notice",
    async () => {
      const origin = site.server!.origin;
      const page = await site.context!.newPage();
      const w = watch(page, origin);
      await page.goto(`${origin}/explorer`, { waitUntil: "load" });
      await settle(page, 2);
      const count = () => page.getAttribute("#explorer-count", "data-count");
      const image = () => page.$eval("#explorer-scatter canvas", (c) => (c as HTMLCanvasElement).toDataURL());
      const before = { count: await count(), image: await image() };
      await page.getByRole("checkbox", { name: "LR1", exact: true }).check();
      await page.waitForFunction((c) => document.querySelector("#explorer-count")?.getAttribute("data-count") !== c, before.count, {
        timeout: 30_000,
      });
      await settle(page, 2);
      const after = { count: await count(), image: await image() };
      expect(Number(after.count)).toBeLessThan(Number(before.count));
      expect(Number(after.count)).toBeGreaterThan(0);
      expect(after.image).not.toBe(before.image);
      // Open a run: its curves and heatmap load on demand.
      const select = page.getByRole("combobox", { name: "Run" });
      const options = await select.locator("option").allTextContents();
      await select.selectOption({ label: options[1] });
      await page.waitForSelector("#fig-6 canvas", { timeout: 60_000 });
      await settle(page, 6);
      await page.screenshot({ path: join(SHOTS, "explorer-run.png"), fullPage: true });
      const href = await page.getAttribute("#permalink", "href");
      expect(href).toContain("experiment=LR1");
      expect(href).toContain("run=");
      // The permalink, in a fresh page, restores the filter, the rows and the run.
      const again = await site.context!.newPage();
      const w2 = watch(again, origin);
      await again.goto(`${origin}${href}`, { waitUntil: "load" });
      await again.waitForSelector("#fig-6 canvas", { timeout: 60_000 });
      await settle(again, 6);
      expect(await again.getAttribute("#explorer-count", "data-count")).toBe(after.count);
      expect(await again.getByRole("checkbox", { name: "LR1", exact: true }).isChecked()).toBe(true);
      expect(await again.getByRole("combobox", { name: "Run" }).inputValue()).not.toBe("");
      // Unknown and invalid parameters are ignored, with a visible notice.
      await again.goto(`${origin}/explorer?experiment=NOPE&lr=abc&evil=%3Cscript%3E`, { waitUntil: "load" });
      await settle(again, 2);
      const notice = again.locator(".notice");
      await expect.poll(() => notice.count()).toBe(1);
      expect(await notice.textContent()).toContain("Ignored unknown experiment");
      expect(await again.getAttribute("#explorer-count", "data-count")).toBe(before.count);
      for (const x of [w, w2]) {
        expect(x.errors, "console errors").toEqual([]);
        expect(x.external, "requests leaving loopback").toEqual([]);
      }
      await page.close();
      await again.close();
    },
    300_000,
  );

  it.skipIf(!PAGES.some((p) => p.name === "explorer"))(
    "explorer: brushing the scatter filters the distribution and the table; a double-click clears it",
    async () => {
      const origin = site.server!.origin;
      const page = await site.context!.newPage();
      const w = watch(page, origin);
      await page.goto(`${origin}/explorer`, { waitUntil: "load" });
      await page.waitForSelector("#explorer-distribution canvas", { timeout: 60_000 });
      await settle(page, 2);
      const total = Number(await page.getAttribute("#explorer-count", "data-count"));
      const tableCount = () => page.getAttribute("#explorer-table-count", "data-count").then(Number);
      expect(await tableCount()).toBe(total);
      const box = (await page.locator("#explorer-scatter canvas").boundingBox())!;
      await page.mouse.move(box.x + box.width * 0.12, box.y + box.height * 0.04);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.45, box.y + box.height * 0.9, { steps: 8 });
      await page.mouse.up();
      await expect.poll(tableCount, { timeout: 30_000 }).toBeLessThan(total);
      await expect
        .poll(() => page.getAttribute("#explorer-distribution", "data-count").then(Number), { timeout: 30_000 })
        .toBe(await tableCount());
      await page.screenshot({ path: join(SHOTS, "explorer-brush.png"), fullPage: true });
      await page.mouse.dblclick(box.x + box.width * 0.8, box.y + box.height * 0.5);
      await expect.poll(tableCount, { timeout: 30_000 }).toBe(total);
      expect(w.errors, "console errors").toEqual([]);
      expect(w.external, "requests leaving loopback").toEqual([]);
      await page.close();
    },
    180_000,
  );

  for (const p of PAGES.filter((q) => q.minCharts > 0)) {
    it(`${p.path}: resizing the window draws no figure twice`, async () => {
      const page = await site.context!.newPage();
      await page.goto(`${site.server!.origin}${p.path}`, { waitUntil: "load" });
      await settle(page, p.minCharts);
      const count = () => page.$$eval("figure.fig", (f) => f.length);
      const before = await count();
      for (const width of [900, 1100, 1280]) {
        await page.setViewportSize({ width, height: 900 });
        await page.waitForTimeout(400);
      }
      await settle(page, p.minCharts);
      expect(await count(), "figures after resizing").toBe(before);
      await page.close();
    }, 120_000);
  }

  it.skipIf(!PAGES.some((p) => p.name === "chain"))(
    "chain: on request, DuckDB-WASM queries the Parquet in the browser and its figure agrees with the build's JSON",
    async () => {
      const page = await site.context!.newPage();
      const w = watch(page, site.server!.origin);
      await page.goto(`${site.server!.origin}/chain`, { waitUntil: "load" });
      await settle(page, 1);
      expect(w.database, "nothing of DuckDB-WASM before the button").toEqual([]);
      await page.getByRole("button", { name: "Run the chain in this browser" }).click();
      await page.waitForSelector("#fig-2 canvas", { timeout: 90_000 });
      await settle(page, 2);
      expect(
        w.database.some((u) => u.endsWith(".wasm")),
        "DuckDB-WASM downloaded on request",
      ).toBe(true);
      await expect.poll(() => page.locator("table.data-table").last().textContent()).toContain("yes, at every learning rate");
      expect(w.errors, "console errors").toEqual([]);
      expect(w.external, "requests leaving loopback").toEqual([]);
      await page.close();
    },
    180_000,
  );

  it("at 420 px every page fits the viewport (no horizontal scroll)", async () => {
    const page = await site.context!.newPage();
    await page.setViewportSize({ width: 420, height: 900 });
    const widths: Record<string, number> = {};
    for (const p of PAGES) {
      await page.goto(`${site.server!.origin}${p.path}`, { waitUntil: "load" });
      await settle(page, p.minCharts);
      widths[p.name] = await page.evaluate(() => document.documentElement.scrollWidth);
    }
    process.stdout.write(`page widths at 420 px: ${JSON.stringify(widths)}\n`);
    for (const [name, w] of Object.entries(widths)) expect(w, `${name} width at 420 px`).toBeLessThanOrEqual(420);
    await page.close();
  }, 600_000);

  it.skipIf(!PAGES.some((p) => p.name === "explorer"))(
    "explorer: the default view shows every run and writes no range into the URL",
    async () => {
      const page = await site.context!.newPage();
      await page.goto(`${site.server!.origin}/explorer`, { waitUntil: "load" });
      await settle(page, 2);
      const count = Number(await page.getAttribute("#explorer-count", "data-count"));
      const total = Number(await page.getAttribute("#explorer-count", "data-total"));
      expect(total).toBeGreaterThan(0);
      expect(count, "runs in the default view").toBe(total);
      expect(new URL(page.url()).search, "URL of the default view").toBe("");
      expect(await page.getAttribute("#permalink", "href")).toBe("/explorer");
      // An unknown run id is reported, not dropped silently.
      await page.goto(`${site.server!.origin}/explorer?run=NOPE_run`, { waitUntil: "load" });
      await settle(page, 2);
      expect(await page.locator(".notice").textContent()).toContain('Ignored run "NOPE_run"');
      await page.close();
    },
    180_000,
  );

  it.skipIf(!PAGES.some((p) => p.name === "explorer"))(
    "explorer: the permalink round-trips filters, axes, colour, brush and run",
    async () => {
      const origin = site.server!.origin;
      const page = await site.context!.newPage();
      await page.goto(`${origin}/explorer`, { waitUntil: "load" });
      await settle(page, 2);
      const total = await page.getAttribute("#explorer-count", "data-count");
      await page.getByRole("checkbox", { name: "LR1", exact: true }).check();
      await page.waitForFunction((c) => document.querySelector("#explorer-count")?.getAttribute("data-count") !== c, total, {
        timeout: 30_000,
      });
      await page.getByRole("combobox", { name: "x axis" }).selectOption({ label: "learning rate" });
      await page.getByRole("combobox", { name: "colour" }).selectOption({ label: "seed" });
      await page.waitForFunction(() => location.search.includes("x=lr") && location.search.includes("color=seed"), null, {
        timeout: 30_000,
      });
      await settle(page, 2);
      const box = (await page.locator("#explorer-scatter canvas").boundingBox())!;
      // Start inside the plot (the canvas also holds the axes and the legend).
      await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.05);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.9, { steps: 8 });
      await page.mouse.up();
      await page.waitForFunction(() => location.search.includes("brush="), null, { timeout: 30_000 });
      const brushed = await page.getAttribute("#explorer-table-count", "data-count");
      const select = page.getByRole("combobox", { name: "Run" });
      const options = await select.locator("option").allTextContents();
      await select.selectOption({ label: options[1] });
      await page.waitForSelector("#run-config", { timeout: 60_000 });
      const href = (await page.getAttribute("#permalink", "href"))!;
      for (const part of ["experiment=LR1", "x=lr", "color=seed", "brush=", "run="]) expect(href).toContain(part);
      const again = await site.context!.newPage();
      await again.goto(`${origin}${href}`, { waitUntil: "load" });
      await again.waitForSelector("#run-config", { timeout: 60_000 });
      await settle(again, 2);
      expect(await again.getByRole("checkbox", { name: "LR1", exact: true }).isChecked()).toBe(true);
      expect(await again.getByRole("combobox", { name: "x axis" }).inputValue()).toBe(
        await page.getByRole("combobox", { name: "x axis" }).inputValue(),
      );
      expect(await again.getAttribute("#explorer-table-count", "data-count"), "runs inside the restored brush").toBe(brushed);
      expect(await again.getAttribute("#run-config", "data-run")).toBe(options[1]);
      expect(await again.locator(".one-run-command").textContent()).toContain("npm run sweep -- --experiment LR1");
      expect(new URL(again.url()).search, "the restored page writes the same URL").toBe(new URL(`${origin}${href}`).search);
      await page.close();
      await again.close();
    },
    300_000,
  );
});

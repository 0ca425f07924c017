// Screenshots of a built site for the record (docs/screenshots/): the home page, the Model page's heatmap (Figure 1)
// and the Explorer, each on a cold cache, with the load-targets test's measure (time to the first chart or the
// Explorer's interactive view, and the bytes transferred before it) printed as one JSON line per page.
//   npx tsx scripts/screenshots.mts DIST PREFIX      e.g. npx tsx scripts/screenshots.mts dist docs/screenshots/after-smoke
// The page code is passed as strings: tsx would wrap named functions in a helper the page does not have.
import { chromium } from "playwright-core";
import { serveDist } from "../tests/site/serve.js";
const [dist, prefix] = process.argv.slice(2);
const server = await serveDist(dist);
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
  ],
});
const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
// Warm the browser process once (not measured).
{
  const p = await context.newPage();
  await p.goto(server.origin + "/reproduce");
  await p.close();
}
for (const [path, sel, name] of [
  ["/", ".chart canvas, .chart-sentence", "home"],
  ["/model", "#fig-1 canvas, #fig-1 .chart-sentence", "model-heatmap"],
  ["/explorer", "#explorer-count", "explorer"],
]) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  await page.addInitScript(
    `new MutationObserver(() => { if (window.__at === undefined && document.querySelector(${JSON.stringify(sel)})) window.__at = performance.now(); }).observe(document, { childList: true, subtree: true });`,
  );
  await page.goto(server.origin + path, { waitUntil: "load" });
  await page.waitForFunction("window.__at !== undefined", null, { timeout: 120000, polling: 50 });
  const r = (await page.evaluate(
    `(() => { const at = window.__at; function size(e) { return e.transferSize || e.encodedBodySize || 0; } const nav = performance.getEntriesByType("navigation")[0]; return { ms: Math.round(at), mb: +((size(nav) + performance.getEntriesByType("resource").filter((e) => e.startTime <= at).reduce((a, e) => a + size(e), 0)) / 2 ** 20).toFixed(2) }; })()`,
  )) as any;
  await page.waitForTimeout(8000);
  const total = await page.evaluate(
    `+(performance.getEntriesByType("resource").reduce((a, e) => a + (e.transferSize || 0), 0) / 2 ** 20).toFixed(2)`,
  );
  if (name === "model-heatmap") await page.locator("#fig-1").screenshot({ path: `${prefix}-${name}.png` });
  else await page.screenshot({ path: `${prefix}-${name}.png`, fullPage: false });
  console.log(JSON.stringify({ dist, path, first_view_ms: r.ms, mb_before_it: r.mb, mb_after_8s: total }));
  await page.close();
}
await browser.close();
await server.close();

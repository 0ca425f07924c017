/**
 * Browser tests of "Re-run in your browser" and the playground, in Chromium over loopback: a smoke run re-trained in
 * a Web Worker matches its runs.parquet row exactly (checked here against the Parquet file itself, not only by the
 * page's own comparison); the playground trains, draws and keeps its config in the URL; Cancel terminates the
 * worker; no console error and no request off loopback. Writes the measured in-browser speed to
 * test-results/rerun-speed.json.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIST, ROOT } from "./build.js";
import { closeSite, newSite, openSite, SKIP, watch } from "./chromium.js";

// Chromium, the server and the page watcher are the other browser tests' (chromium.ts).
const site = newSite();

/** The row of runs.parquet with this run id, read in Node by DuckDB (BigInt counts as numbers). */
async function parquetRow(runId: string): Promise<Record<string, unknown>> {
  const file = join(DIST, "_file", "data");
  const db = await DuckDBInstance.create(":memory:");
  const conn = await db.connect();
  const { readdirSync } = await import("node:fs");
  const name = readdirSync(file).find((f) => /^runs\.[0-9a-f]+\.parquet$/.test(f) || f === "runs.parquet");
  if (!name) throw new Error(`no runs parquet in ${file}`);
  const reader = await conn.runAndReadAll(
    `SELECT * FROM read_parquet('${join(file, name)}') WHERE run_id = '${runId.replaceAll("'", "''")}'`,
  );
  const rows = reader.getRowObjectsJS() as Record<string, unknown>[];
  conn.closeSync();
  if (rows.length !== 1) throw new Error(`${rows.length} rows for ${runId}`);
  return Object.fromEntries(Object.entries(rows[0]).map(([k, v]) => [k, typeof v === "bigint" ? Number(v) : v]));
}

describe.skipIf(SKIP)("re-run and playground in Chromium", () => {
  beforeAll(() => openSite(site), 45 * 60_000);
  afterAll(() => closeSite(site));

  it("re-runs the model page's run in a worker and matches its runs.parquet row exactly", async () => {
    const page = await site.context!.newPage();
    const w = watch(page, site.server!.origin);
    await page.goto(`${site.server!.origin}/model`, { waitUntil: "load" });
    const box = page.locator(".rerun").first();
    await box.waitFor({ timeout: 90_000 });
    const runId = (await box.getAttribute("data-run"))!;
    await box.locator("button.rerun-start").click();
    // Smoke runs are far below the confirmation threshold; if the machine is very slow, confirm.
    await page.waitForFunction(
      () => ["running", "done", "confirm", "error"].includes((document.querySelector(".rerun") as HTMLElement).dataset.state!),
      null,
      { timeout: 60_000 },
    );
    if ((await box.getAttribute("data-state")) === "confirm") await box.locator("button.rerun-go").click();
    await page.waitForFunction(() => ["done", "error"].includes((document.querySelector(".rerun") as HTMLElement).dataset.state!), null, {
      timeout: 300_000,
    });
    expect(await box.locator(".rerun-status").textContent()).not.toMatch(/failed/);
    expect(await box.getAttribute("data-verdict")).toBe("identical");
    // Independently of the page's comparison: the recomputed row against the Parquet file, column by column.
    const recomputed = (await box.evaluate((el) => (el as unknown as { recomputed: Record<string, unknown> }).recomputed)) as Record<
      string,
      unknown
    >;
    const published = await parquetRow(runId);
    expect(published.engine).toBe(recomputed.engine);
    let compared = 0;
    for (const [column, value] of Object.entries(recomputed)) {
      if (column === "wall_s" || !(column in published)) continue;
      compared++;
      const pub = published[column];
      if (typeof pub === "number" && Number.isNaN(pub)) expect(value === null || Number.isNaN(value as number), column).toBe(true);
      else expect(value, column).toEqual(pub);
    }
    expect(compared).toBeGreaterThan(30);
    // The live curves drew the browser's snapshots over the published ones.
    expect(await box.locator('path[data-series="this browser"]').count()).toBe(3);
    expect(await box.locator('path[data-series="published"]').count()).toBe(3);
    expect(w.errors, "console errors").toEqual([]);
    expect(w.external, "requests leaving loopback").toEqual([]);
    await page.close();
  }, 400_000);

  it("the Explorer's run detail offers the re-run, and it reproduces the picked run", async () => {
    const page = await site.context!.newPage();
    const w = watch(page, site.server!.origin);
    // A run of the model page's experiment list: any run of runs.parquet trained by the wasm engine.
    await page.goto(`${site.server!.origin}/model`, { waitUntil: "load" });
    await page.locator(".rerun").first().waitFor({ timeout: 90_000 });
    const runId = (await page.locator(".rerun").first().getAttribute("data-run"))!;
    await page.goto(`${site.server!.origin}/explorer?run=${encodeURIComponent(runId)}`, { waitUntil: "load" });
    const box = page.locator(`.rerun[data-run="${runId}"]`);
    await box.waitFor({ timeout: 90_000 });
    await box.locator("button.rerun-start").click();
    await page.waitForFunction(
      () => ["done", "error", "confirm"].includes((document.querySelector(".rerun") as HTMLElement).dataset.state!),
      null,
      { timeout: 300_000 },
    );
    if ((await box.getAttribute("data-state")) === "confirm") {
      await box.locator("button.rerun-go").click();
      await page.waitForFunction(() => ["done", "error"].includes((document.querySelector(".rerun") as HTMLElement).dataset.state!), null, {
        timeout: 300_000,
      });
    }
    expect(await box.getAttribute("data-verdict")).toBe("identical");
    expect(await box.locator(".rerun-identical").textContent()).toMatch(/all \d+ columns/);
    expect(w.errors, "console errors").toEqual([]);
    expect(w.external, "requests leaving loopback").toEqual([]);
    await page.close();
  }, 400_000);

  it("the playground trains, draws, keeps its config in the URL and retrains when an input changes", async () => {
    const page = await site.context!.newPage();
    const w = watch(page, site.server!.origin);
    await page.goto(`${site.server!.origin}/playground?k=64&steps=256&seed=3`, { waitUntil: "load" });
    const app = page.locator(".playground");
    await page.waitForFunction(() => (document.querySelector(".playground") as HTMLElement | null)?.dataset.state === "done", null, {
      timeout: 120_000,
    });
    expect(await app.locator('path[data-series="this browser"]').count()).toBe(3);
    expect(await app.locator("img.playground-heatmap").count()).toBe(1);
    expect(await app.locator(".playground-paper").textContent()).toMatch(/Nearest Table 1 row: \w+/);
    expect(new URL(page.url()).searchParams.get("k")).toBe("64");
    // Change the seed: the URL follows and the run retrains by itself.
    await app.locator('input[name="seed"]').fill("4");
    await page.waitForFunction(() => new URL(location.href).searchParams.get("seed") === "4", null, { timeout: 10_000 });
    await page.waitForFunction(() => JSON.parse(localStorage.getItem("mono-playground-runs") ?? "[]").length >= 2, null, {
      timeout: 120_000,
    });
    const stored = (await page.evaluate(() => JSON.parse(localStorage.getItem("mono-playground-runs")!))) as Record<string, unknown>[];
    expect(stored.map((r) => r.seed)).toEqual(expect.arrayContaining([3, 4]));
    for (const r of stored) expect(Number.isFinite(r.final_loss as number)).toBe(true);
    expect(await app.locator(".playground-runs tr").count()).toBe(stored.length + 1);
    // The reader's runs download as Parquet with the data contract's columns and types...
    const [download] = await Promise.all([page.waitForEvent("download"), app.locator("#download-parquet").click()]);
    const parquetPath = join(mkdtempSync(join(tmpdir(), "mono-playground-")), "runs.parquet");
    await download.saveAs(parquetPath);
    const duck = await DuckDBInstance.create(":memory:");
    const conn = await duck.connect();
    const downloaded = (
      await conn.runAndReadAll(
        `SELECT run_id, seed, typeof(k) AS k_type, final_loss, experiment FROM read_parquet('${parquetPath}') ORDER BY run_id`,
      )
    ).getRowObjectsJS();
    conn.closeSync();
    duck.closeSync();
    expect(downloaded.map((r) => r.run_id)).toEqual(stored.map((r) => r.run_id).sort());
    expect(downloaded.every((r) => r.k_type === "INTEGER" && r.experiment === "playground")).toBe(true);
    expect(downloaded.map((r) => r.final_loss)).toEqual(
      [...stored].sort((a, b) => String(a.run_id).localeCompare(String(b.run_id))).map((r) => r.final_loss),
    );
    // ...and join the sweep's runs in the Explorer's DuckDB-WASM table.
    await page.goto(`${site.server!.origin}/explorer?experiment=playground`, { waitUntil: "load" });
    await page.waitForSelector("#explorer-distribution canvas", { timeout: 60_000 });
    await expect.poll(() => page.getAttribute("#explorer-count", "data-count").then(Number), { timeout: 30_000 }).toBe(stored.length);
    await page.goto(`${site.server!.origin}/playground?k=64&steps=256&seed=3`, { waitUntil: "load" });
    // A bad value is refused with a message, not trained.
    await app.locator('input[name="k"]').fill("-3");
    await page.waitForFunction(() => (document.querySelector(".playground") as HTMLElement).dataset.state === "invalid", null, {
      timeout: 10_000,
    });
    expect(await app.locator(".playground-status").textContent()).toMatch(/k = -3 must be an integer in \[1, 4096\]/);

    // In-browser speed of the default config (k = 256, batch 16, 2048 steps), for the README's comparison with Node.
    await page.goto(`${site.server!.origin}/playground`, { waitUntil: "load" });
    const state = () => page.evaluate(() => (document.querySelector(".playground") as HTMLElement | null)?.dataset.state);
    // On a busy machine the default may be estimated above the auto-train limit: then it waits for Train.
    await page.waitForFunction(
      () => ["done", "waiting"].includes((document.querySelector(".playground") as HTMLElement | null)?.dataset.state ?? ""),
      null,
      { timeout: 120_000 },
    );
    if ((await state()) === "waiting") await page.locator("button.playground-train").click();
    await page.waitForFunction(() => (document.querySelector(".playground") as HTMLElement | null)?.dataset.state === "done", null, {
      timeout: 120_000,
    });
    const rows = (await page.evaluate(() => JSON.parse(localStorage.getItem("mono-playground-runs")!))) as Record<string, unknown>[];
    const last = rows.find((r) => r.k === 256 && r.steps === 2048 && r.seed === 1)!;
    mkdirSync(join(ROOT, "test-results"), { recursive: true });
    writeFileSync(
      join(ROOT, "test-results", "rerun-speed.json"),
      JSON.stringify(
        {
          config: "k=256 batch=16 steps=2048 seed=1 (playground default)",
          wall_s: last.wall_s,
          steps_per_s: 2048 / (last.wall_s as number),
          final_loss: last.final_loss,
          mono_neurons: last.mono_neurons,
        },
        null,
        2,
      ),
    );
    expect(w.errors, "console errors").toEqual([]);
    expect(w.external, "requests leaving loopback").toEqual([]);
    await page.close();
  }, 400_000);

  it("Cancel terminates the training worker", async () => {
    const page = await site.context!.newPage();
    const w = watch(page, site.server!.origin);
    const closed: string[] = [];
    const started: string[] = [];
    page.on("worker", (worker) => {
      started.push(worker.url());
      worker.on("close", () => closed.push(worker.url()));
    });
    await page.goto(`${site.server!.origin}/playground?k=1024&batch=256&steps=100000`, { waitUntil: "load" });
    await page.waitForFunction(() => (document.querySelector(".playground") as HTMLElement | null)?.dataset.state === "waiting", null, {
      timeout: 60_000,
    });
    await page.locator("button.playground-train").click();
    await page.waitForFunction(
      () => Number((document.querySelector(".playground-status progress") as HTMLProgressElement | null)?.value ?? 0) > 0,
      null,
      { timeout: 60_000 },
    );
    const before = closed.length;
    await page.locator("button.playground-cancel").click();
    await page.waitForFunction(() => (document.querySelector(".playground") as HTMLElement).dataset.state === "cancelled", null, {
      timeout: 10_000,
    });
    await expect.poll(() => closed.length, { timeout: 10_000 }).toBeGreaterThan(before);
    // The page stays responsive while and after training.
    expect(await page.evaluate(() => 1 + 1)).toBe(2);
    expect(started.length).toBeGreaterThan(0);
    expect(w.errors, "console errors").toEqual([]);
    expect(w.external, "requests leaving loopback").toEqual([]);
    await page.close();
  }, 200_000);
});

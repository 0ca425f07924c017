/**
 * "Re-run in your browser": trains a published run again in a Web Worker on the wasm engine shipped with the site,
 * draws its loss, mono/features and mean-bias curves live over the published ones, and at the end compares every
 * column of the published row with the recomputed one. Also the shared plumbing of the playground (startRun,
 * estimateSeconds).
 */
import { h } from "./dom.js";
import { FileAttachment } from "observablehq:stdlib";
import type { RunConfig } from "../lib/protocol/config.js";
import { compareRows, specFromRow, type Row } from "./rerun-compare.js";
import type { RunSpec } from "../lib/experiments/sweep.js";
import type { SnapshotMessage, StartMessage, WorkerMessage } from "./rerun-worker.js";
import { lineChart, type Series } from "./playground-plot.js";
import { experimentFigures, hasFigureData } from "./figure-data.js";
import { runsJson } from "./runs-json.js";

export { compareRows, specFromRow, type Row };
type Done = Extract<WorkerMessage, { type: "done" }>;

export const WASM_URL: string = FileAttachment("../lib/engines/wasm/build/engine.wasm").href;
const WORKER_URL: string = FileAttachment("./rerun-bundle.js").href;
/** The engine name the wasm engine records (runs.parquet `engine`). */
export const BROWSER_ENGINE = "wasm-simd";
/** Runs estimated above this many seconds ask before they start. */
export const CONFIRM_ABOVE_S = 90;

export interface RunHandle {
  worker: Worker;
  done: Promise<Done>;
  cancel(): void;
}

/** Train `spec` in a fresh module worker; `onMessage` sees every progress and snapshot message. */
export function startRun(spec: RunSpec, o: { withSfa?: boolean; onMessage?: (m: WorkerMessage) => void } = {}): RunHandle {
  const worker = new Worker(WORKER_URL, { type: "module", name: `train ${spec.run_id}` });
  let cancelled = false;
  let fail: (error: Error) => void = () => {};
  const done = new Promise<Done>((resolve, reject) => {
    fail = reject;
    worker.onmessage = (event: MessageEvent<WorkerMessage>) => {
      const m = event.data;
      o.onMessage?.(m);
      if (m.type === "done") resolve(m);
      if (m.type === "error") reject(new Error(m.message));
      if (m.type === "done" || m.type === "error") worker.terminate();
    };
    worker.onerror = (event) => reject(new Error(event.message || "the training worker failed to start"));
  });
  const start: StartMessage = { type: "start", spec, wasmUrl: new URL(WASM_URL, location.href).href, withSfa: o.withSfa };
  worker.postMessage(start);
  return {
    worker,
    done,
    cancel() {
      if (cancelled) return;
      cancelled = true;
      worker.terminate();
      fail(new Error("cancelled"));
    },
  };
}

/** Probe config: small enough to take well under a second, large enough that its time is mostly training steps. */
const PROBE: RunConfig = {
  task: "decoder",
  activation: "relu",
  sampler: "equal",
  n_features: 512,
  m: 64,
  k: 256,
  eps: 1 / 64,
  lr: 0.003,
  init_bias: -1,
  decay: 0,
  l1: 0,
  batch: 16,
  steps: 512,
  seed: 1,
};
let rate: Promise<number> | null = null;

/** Seconds per (step × sample × neuron) in this browser, measured once per page by training the probe config. */
export function measuredRate(): Promise<number> {
  rate ??= startRun({ run_id: "probe", experiment: "probe", preset: "smoke", decay_nominal: 0, config: PROBE }).done.then(
    (d) => d.wall_s / (PROBE.steps * PROBE.batch * PROBE.k),
  );
  rate.catch(() => (rate = null));
  return rate;
}

export const estimateSeconds = (c: Pick<RunConfig, "steps" | "batch" | "k">, perUnit: number) => c.steps * c.batch * c.k * perUnit;

export const duration = (s: number) =>
  s < 90 ? `${Math.max(1, Math.round(s))} s` : s < 5400 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`;

const quote = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** The published run's snapshots: from its experiment's build-time figure data, else (a run of an experiment with no
 * figure file) from checkpoints.parquet through DuckDB-WASM. */
async function publishedCheckpoints(runId: string, experiment: string): Promise<Row[]> {
  if (hasFigureData(experiment))
    return (await experimentFigures(experiment)).curves
      .filter((c) => c.run_id === runId)
      .map((c) => ({ step: c.step, loss: c.loss, mono_per_feature: c.mono_per_feature, mean_bias: c.mean_bias }));
  // Imported on demand: a page that shows a re-run button must not download DuckDB-WASM's module with it.
  const [{ ensureTables }, { query }] = await Promise.all([import("./data.js"), import("./db.js")]);
  await ensureTables("checkpoints");
  return query(`SELECT step, loss, mono_per_feature, mean_bias FROM checkpoints WHERE run_id = ${quote(runId)} ORDER BY step`);
}

const CURVES = [
  { key: "loss", title: "loss", logY: true },
  { key: "mono_per_feature", title: "mono / features", logY: false },
  { key: "mean_bias", title: "mean bias", logY: false },
] as const;

/** Live charts of the three checkpoint curves: the published ones dashed, the browser's solid. */
export function liveCurves(published: Row[], width: number) {
  const box = document.createElement("div");
  box.className = "fig-row live-curves";
  const mine: SnapshotMessage[] = [];
  const draw = () =>
    box.replaceChildren(
      ...CURVES.map((c) => {
        const series: Series[] = [];
        if (published.length)
          series.push({
            name: "published",
            color: "#999",
            dashed: true,
            points: published.map((p) => ({ x: Math.log2(Number(p.step)), y: Number(p[c.key]) })),
          });
        series.push({ name: "this browser", color: "#d2423b", points: mine.map((p) => ({ x: Math.log2(p.step), y: p[c.key] })) });
        return lineChart(series, { title: c.title, xLabel: "log2(step)", width, height: 170, logY: c.logY });
      }),
    );
  draw();
  return { element: box, add: (s: SnapshotMessage) => (mine.push(s), draw()), reset: () => ((mine.length = 0), draw()) };
}

/** The button and everything it draws, for one published run row. */
export function rerunButton(row: Row, o: { width?: number } = {}): HTMLElement {
  const box = h("div", { class: "rerun", "data-state": "idle", "data-run": String(row.run_id) });
  const button = h("button", { type: "button", class: "rerun-start" }, "Re-run in your browser");
  const engineNote =
    row.engine && row.engine !== BROWSER_ENGINE
      ? h(
          "p",
          { class: "muted rerun-engine" },
          `This run was trained by the ${String(row.engine)} engine; your browser trains on ${BROWSER_ENGINE}. Different engines round differently, so expect close numbers, not identical ones.`,
        )
      : h(
          "p",
          { class: "muted rerun-engine" },
          `Trains the same config and seed on the site's wasm engine (${BROWSER_ENGINE}), which trained this row: the numbers should be identical.`,
        );
  const status = h("div", { class: "rerun-status", "aria-live": "polite" });
  const charts = h("div");
  const verdict = h("div", { class: "rerun-verdict" });
  box.append(h("div", {}, button), engineNote, status, charts, verdict);
  const setState = (s: string) => (box.dataset.state = s);
  let handle: RunHandle | null = null;

  button.onclick = async () => {
    button.disabled = true;
    verdict.replaceChildren();
    let spec: RunSpec;
    try {
      spec = specFromRow(row);
      setState("probing");
      status.replaceChildren("Measuring this browser's speed (a 512-step probe run) …");
      const [perUnit, published] = await Promise.all([
        measuredRate(),
        publishedCheckpoints(spec.run_id, spec.experiment).catch(() => [] as Row[]),
      ]);
      const estimate = estimateSeconds(spec.config, perUnit);
      if (estimate > CONFIRM_ABOVE_S) {
        setState("confirm");
        const go = h("button", { type: "button", class: "rerun-go" }, "Train anyway");
        const stop = h("button", { type: "button", class: "rerun-stop" }, "Not now");
        status.replaceChildren(
          h(
            "p",
            {},
            `This run would take about ${duration(estimate)} here (${spec.config.steps} steps × batch ${spec.config.batch} × k ${spec.config.k} at this browser's measured ${(1 / perUnit / 1e6).toFixed(1)} M neuron-samples/s). `,
            go,
            " ",
            stop,
          ),
        );
        const yes = await new Promise<boolean>((ok) => ((go.onclick = () => ok(true)), (stop.onclick = () => ok(false))));
        if (!yes) {
          setState("idle");
          status.replaceChildren();
          button.disabled = false;
          return;
        }
      }
      const curves = liveCurves(published, Math.max(220, Math.floor(((o.width ?? 900) - 40) / 3)));
      charts.replaceChildren(curves.element);
      const bar = h("progress", { max: String(spec.config.steps), value: "0" });
      const text = h("span", {}, ` estimated ${duration(estimate)}`);
      const cancel = h("button", { type: "button", class: "rerun-cancel" }, "Cancel");
      status.replaceChildren(bar, text, " ", cancel);
      setState("running");
      handle = startRun(spec, {
        onMessage: (m) => {
          if (m.type === "snapshot") curves.add(m);
          if (m.type === "progress") {
            bar.value = m.step;
            const left = (m.elapsed_ms / 1000 / m.step) * (m.steps - m.step);
            text.textContent = ` step ${m.step} of ${m.steps}, about ${duration(left)} left`;
          }
        },
      });
      const current = handle;
      cancel.onclick = () => {
        current.cancel();
        setState("cancelled");
        status.replaceChildren(`Cancelled at step ${bar.value} of ${spec.config.steps}: the worker was stopped.`);
        button.disabled = false;
      };
      const done = await current.done;
      // Kept on the element so that tests can check the recomputed row against the Parquet file independently.
      (box as unknown as { recomputed: Row }).recomputed = done.row;
      const { compared, differences } = compareRows(row, done.row);
      setState("done");
      box.dataset.verdict = differences.length === 0 ? "identical" : "different";
      status.replaceChildren(
        `Trained ${spec.config.steps} steps in ${done.wall_s.toFixed(1)} s (${Math.round(spec.config.steps / done.wall_s)} steps/s).`,
      );
      verdict.replaceChildren(
        differences.length === 0
          ? h(
              "p",
              { class: "rerun-identical" },
              h("strong", {}, "Identical: "),
              `all ${compared} columns of the published row (config, final loss, mono neurons, coverage, dead neurons, biases, convergence) match this browser's run exactly.`,
            )
          : h(
              "div",
              {},
              h(
                "p",
                {},
                h("strong", {}, `${differences.length} of ${compared} columns differ`),
                row.engine !== BROWSER_ENGINE ? ` (expected: different engines).` : ".",
              ),
              h(
                "table",
                {},
                h("tr", {}, h("th", {}, "column"), h("th", {}, "published"), h("th", {}, "this browser")),
                ...differences.map((d) =>
                  h("tr", {}, h("td", {}, d.column), h("td", {}, String(d.published)), h("td", {}, String(d.browser))),
                ),
              ),
            ),
      );
      button.disabled = false;
    } catch (error) {
      if (box.dataset.state === "cancelled") return;
      setState("error");
      status.replaceChildren(h("p", { class: "error" }, `Re-run failed: ${error instanceof Error ? error.message : String(error)}`));
      button.disabled = false;
    }
  };
  return box;
}

/** The button for a run known by its id (pages that hold only the id): the full row is read from runs.json. */
export function rerunById(runId: string, o: { width?: number } = {}): HTMLElement {
  const slot = h("div", { class: "rerun-slot" }, h("p", { class: "muted" }, `Loading run ${runId} …`));
  (async () => {
    const row = (await runsJson()).find((r) => r.run_id === runId);
    if (!row) throw new Error(`no run ${runId} in runs.json`);
    slot.replaceChildren(rerunButton(row, o));
  })().catch((error) =>
    slot.replaceChildren(h("p", { class: "error" }, `Cannot offer a re-run: ${error instanceof Error ? error.message : String(error)}`)),
  );
  return slot;
}

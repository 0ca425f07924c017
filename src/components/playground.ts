/**
 * The playground: the reader sets a config, and it trains in a Web Worker (rerun.ts startRun) on the wasm engine as
 * the inputs change. Small configs retrain by themselves ~0.5 s after the last change; larger ones wait for Train.
 * The config lives in the URL; finished runs are kept in this browser (reader-runs.ts), downloadable as CSV or
 * Parquet, and shown in the Explorer beside the sweep's.
 */
import type { RunConfig } from "../lib/protocol/config.js";
import { PAPER_REPORTS } from "../lib/experiments/paper-reports.js";
import { heatmapOrder, heatmapPixels, pixelsToDataUrl, poolFactor, type NeuronRow, type SfaRow } from "./heatmap.js";
import { RUN_CONFIG_FIELDS } from "../lib/protocol/fields.js";
import { h } from "./dom.js";
import { downloadButtons } from "./parquet-download.js";
import { clearReaderRuns, readerRuns, saveReaderRun } from "./reader-runs.js";
import { AUTO_MAX_S, CHOICES, CLAIM_OF, DEFAULTS, encodeConfig, nearestRow, parseConfig, type Field } from "./playground-config.js";
import { sortedBiases } from "./playground-plot.js";
import { duration, estimateSeconds, liveCurves, measuredRate, startRun, type RunHandle } from "./rerun.js";
import type { SnapshotMessage } from "./rerun-worker.js";

/** The heatmap of a dense k × N single-feature activation matrix, sorted as the site's heatmaps are. */
function heatmap(sfa: Float32Array, k: number, n: number, side: number): HTMLElement {
  const cells: SfaRow[] = [];
  const neurons: NeuronRow[] = [];
  for (let j = 0; j < k; j++) {
    let sum = 0;
    let top = 0;
    let topFeature = 0;
    for (let i = 0; i < n; i++) {
      const a = sfa[j * n + i];
      if (a <= 0) continue;
      cells.push({ neuron: j, feature: i, activation: a });
      sum += a;
      if (a > top) [top, topFeature] = [a, i];
    }
    neurons.push({ neuron: j, frac_mono: sum > 0 ? top / sum : 0, top_feature: topFeature, top_activation: top });
  }
  if (cells.length === 0) return h("p", { class: "muted" }, `All ${k} neurons are dead at this snapshot: no single feature activates any.`);
  const image = heatmapPixels(cells, heatmapOrder(neurons, cells, n), undefined, { x: poolFactor(n, side), y: poolFactor(k, side) });
  const img = h("img", {
    src: pixelsToDataUrl(image),
    width: String(side),
    height: String(side),
    alt: `single-feature activations, ${k} neurons × ${n} features`,
    class: "playground-heatmap",
  });
  img.style.imageRendering = "pixelated";
  return h(
    "figure",
    {},
    img,
    h(
      "figcaption",
      {},
      `Single-feature activations: ${k} neurons (rows, most monosemantic first) × ${n} features; brighter is larger (max ${image.max.toPrecision(3)}).`,
    ),
  );
}

/** The whole page below the title. */
export function playgroundApp(o: { width: number }): HTMLElement {
  const { config: initial, notices } = parseConfig(location.search);
  const app = h("div", { class: "playground", "data-state": "idle" });
  const inputs = new Map<Field, HTMLInputElement | HTMLSelectElement>();
  const form = h("form", { class: "playground-controls" });
  for (const field of Object.keys(DEFAULTS) as Field[]) {
    const choices = CHOICES[field];
    const input = choices
      ? h("select", { name: field }, ...choices.map((c) => h("option", { value: c }, c)))
      : h("input", { name: field, type: "number", step: "any" });
    input.value = String(initial[field]);
    inputs.set(field, input);
    input.style.width = "100%";
    const label = h("label", {}, h("span", {}, field), input);
    label.style.display = "flex";
    label.style.flexDirection = "column";
    form.append(label);
  }
  // The layout lives here (style.css belongs to the whole site): a grid of labelled inputs that wraps with the width.
  form.style.display = "grid";
  form.style.gridTemplateColumns = "repeat(auto-fill, minmax(150px, 1fr))";
  form.style.gap = "0.4rem 1rem";
  form.style.maxWidth = "960px";
  const train = h("button", { type: "button", class: "playground-train" }, "Train");
  const cancel = h("button", { type: "button", class: "playground-cancel" }, "Cancel");
  const status = h("p", { class: "playground-status", "aria-live": "polite" });
  const paper = h("div", { class: "playground-paper" });
  const curvesBox = h("div");
  const snapPick = h("input", { type: "range", min: "0", max: "0", value: "0", class: "playground-snapshot" });
  const snapLabel = h("span");
  const snapshotView = h("div", { class: "fig-row" });
  const tableBox = h("div", { class: "playground-runs" });
  app.append(
    notices.length ? h("div", { class: "notice", role: "alert" }, `Ignored from the URL: ${notices.join("; ")}.`) : "",
    form,
    h("p", {}, train, " ", cancel),
    status,
    paper,
    curvesBox,
    h("p", {}, h("label", {}, "snapshot ", snapPick), " ", snapLabel),
    snapshotView,
    h("h2", {}, "Your runs (kept in this browser)"),
    tableBox,
  );

  const chartWidth = Math.max(220, Math.floor((Math.min(o.width, 1100) - 40) / 3));
  let handle: RunHandle | null = null;
  let snapshots: SnapshotMessage[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;

  const read = (): { config: RunConfig; problem: string | null } => {
    const search = new URLSearchParams([...inputs].map(([f, input]) => [f, input.value]));
    const { config, notices } = parseConfig(`?${search}`);
    return { config, problem: notices.length ? notices.join("; ") : null };
  };
  const showSnapshot = () => {
    const s = snapshots[Number(snapPick.value)];
    if (!s?.sfa || !s.bias) return snapshotView.replaceChildren();
    const side = Math.min(360, chartWidth + 80);
    snapLabel.textContent = `step ${s.step}: mono/features ${s.mono_per_feature.toPrecision(3)}, ${s.mono_neurons} mono neurons, mean bias ${s.mean_bias.toPrecision(3)}`;
    snapshotView.replaceChildren(
      heatmap(s.sfa, s.bias.length, s.sfa.length / s.bias.length, side),
      sortedBiases(s.bias, { title: `biases at step ${s.step}, sorted`, width: side, height: 200 }),
    );
  };
  snapPick.oninput = showSnapshot;
  const drawTable = () => {
    const rows = readerRuns();
    // The config fields the reader can set (n_features and m follow from the task), then what the run measured.
    const cols = [
      "run_id",
      ...RUN_CONFIG_FIELDS.filter((f) => f !== "n_features" && f !== "m"),
      "final_loss",
      "mono_per_feature",
      "features_covered",
      "dead_neurons",
      "mean_bias",
      "wall_s",
    ];
    const fmt = (v: unknown) => (typeof v === "number" ? String(+v.toPrecision(4)) : String(v ?? "–"));
    const downloads = downloadButtons(rows, "playground-runs", `${rows.length} runs`);
    const clear = h("button", { type: "button" }, "Clear");
    clear.onclick = () => (clearReaderRuns(), drawTable());
    downloads.append(" ", clear);
    tableBox.replaceChildren(
      rows.length
        ? h(
            "table",
            { class: "data-table" },
            h("tr", {}, ...cols.map((c) => h("th", {}, c))),
            ...rows.map((r) => h("tr", {}, ...cols.map((c) => h("td", {}, fmt(r[c]))))),
          )
        : h("p", { class: "muted" }, "No finished runs yet."),
      downloads,
      h("p", { class: "muted" }, "These runs are also in the Explorer, beside the sweep's (experiment “playground”)."),
    );
  };
  drawTable();

  const run = async (config: RunConfig) => {
    handle?.cancel();
    snapshots = [];
    app.dataset.state = "running";
    const row = nearestRow(config);
    const claim = CLAIM_OF[row.id];
    const reports = claim ? Object.values(PAPER_REPORTS[claim] ?? {}) : [];
    paper.replaceChildren(
      h(
        "p",
        {},
        h("strong", {}, `Nearest Table 1 row: ${row.id}`),
        ` (${row.title}). `,
        reports.length
          ? `The paper reports (claim ${claim}):`
          : "The paper shows this row only in figures, with no number to set beside a run.",
      ),
      reports.length ? h("ul", {}, ...reports.map((r) => h("li", {}, `${r.quantity}: ${r.paper}`))) : "",
    );
    const curves = liveCurves([], chartWidth);
    curvesBox.replaceChildren(curves.element);
    const bar = h("progress", { max: String(config.steps), value: "0" });
    const text = h("span");
    status.replaceChildren(bar, text);
    const id = `pg-${config.task}-${config.activation}-${config.sampler}-k${config.k}-eps${config.eps}-lr${config.lr}-b${config.init_bias}-d${config.decay}-l1${config.l1}-bs${config.batch}-st${config.steps}-s${config.seed}`;
    const current = startRun(
      { run_id: id, experiment: "playground", preset: "smoke", decay_nominal: config.decay, config },
      {
        withSfa: true,
        onMessage: (m) => {
          if (m.type === "progress") {
            bar.value = m.step;
            text.textContent = ` step ${m.step} of ${m.steps}, about ${duration((m.elapsed_ms / 1000 / m.step) * (m.steps - m.step))} left`;
          }
          if (m.type === "snapshot") {
            curves.add(m);
            const follow = Number(snapPick.value) === snapshots.length - 1 || snapshots.length === 0;
            snapshots.push(m);
            snapPick.max = String(snapshots.length - 1);
            if (follow) snapPick.value = snapPick.max;
            showSnapshot();
          }
        },
      },
    );
    handle = current;
    try {
      const done = await current.done;
      if (handle !== current) return;
      const row = done.row;
      saveReaderRun(row);
      drawTable();
      app.dataset.state = "done";
      status.replaceChildren(
        `Trained ${config.steps} steps in ${done.wall_s.toFixed(2)} s (${Math.round(config.steps / done.wall_s)} steps/s): final loss ${Number(row.final_loss).toPrecision(4)}, mono/features ${Number(row.mono_per_feature).toPrecision(3)}, ${row.features_covered} features covered, ${row.dead_neurons} dead.`,
      );
    } catch (error) {
      if (handle !== current) return;
      app.dataset.state = (error as Error).message === "cancelled" ? "cancelled" : "error";
      status.replaceChildren(
        app.dataset.state === "cancelled" ? "Cancelled: the worker was stopped." : `Training failed: ${(error as Error).message}`,
      );
    }
  };
  cancel.onclick = () => handle?.cancel();
  train.onclick = () => {
    const { config, problem } = read();
    if (problem) status.replaceChildren(`Fix the inputs first: ${problem}.`);
    else void run(config);
  };
  const changed = async () => {
    const { config, problem } = read();
    if (problem) {
      app.dataset.state = "invalid";
      status.replaceChildren(h("span", { class: "error" }, `Not trained: ${problem}.`));
      return;
    }
    history.replaceState(null, "", `${location.pathname}${encodeConfig(config)}`);
    const seconds = estimateSeconds(config, await measuredRate());
    train.textContent = `Train (about ${duration(seconds)})`;
    clearTimeout(timer);
    if (seconds <= AUTO_MAX_S) timer = setTimeout(() => void run(config), 500);
    else {
      app.dataset.state = "waiting";
      status.replaceChildren(`This config would take about ${duration(seconds)} here: press Train to start it.`);
    }
  };
  form.addEventListener("input", () => void changed());
  form.addEventListener("submit", (e) => e.preventDefault());
  void changed();
  return app;
}

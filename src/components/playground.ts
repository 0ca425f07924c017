/**
 * The playground: the reader sets a config, and it trains in a Web Worker (rerun.ts startRun) on the wasm engine as
 * the inputs change. Small configs retrain by themselves ~0.5 s after the last change; larger ones wait for Train.
 * The config lives in the URL; finished runs are kept in this browser (localStorage) and downloadable as CSV.
 */
import { ACTIVATIONS, SAMPLERS, TASKS, type RunConfig } from "../lib/protocol/config.js";
import { EXPERIMENTS, type Experiment } from "../lib/experiments/table1.js";
import { PAPER_REPORTS } from "../lib/experiments/paper-reports.js";
import { heatmapOrder, heatmapPixels, pixelsToDataUrl, poolFactor, type NeuronRow, type SfaRow } from "./heatmap.js";
import { toCsv } from "./explorer.js";
import { lineChart, sortedBiases } from "./playground-plot.js";
import { duration, estimateSeconds, liveCurves, measuredRate, startRun, type RunHandle } from "./rerun.js";
import type { SnapshotMessage } from "./rerun-worker.js";

type Field = Exclude<keyof RunConfig, "n_features" | "m" | "bias_rule" | "metric_form" | `gba_${string}`>;
/** A small config that trains in a few seconds and learns something (LR1-like: no engineered bias; measured: with
 * init_bias -1 and decay 0.03 every neuron dies within 2048 steps at k = 256): k = 256, batch 16, 2048 steps. */
export const DEFAULTS: Pick<RunConfig, Field> = { task: "decoder", activation: "relu", sampler: "equal", k: 256, eps: 1 / 64, lr: 0.01, init_bias: 0, decay: 0, l1: 0, batch: 16, steps: 2048, seed: 1 };
const CHOICES: Partial<Record<Field, readonly string[]>> = { task: TASKS, activation: ACTIVATIONS, sampler: SAMPLERS };
const INTEGER: Field[] = ["k", "batch", "steps", "seed"];
/** Limits that keep a tab alive (the wasm engine allocates k × N single-feature activations per snapshot). */
const LIMITS: Partial<Record<Field, [number, number]>> = { k: [1, 4096], batch: [1, 8192], steps: [1, 1 << 20], seed: [0, 0xffffffff], eps: [1e-6, 1], lr: [1e-7, 1], l1: [0, 10], decay: [0, 1e3], init_bias: [-10, 10] };
/** Runs estimated at or below this many seconds retrain by themselves. */
export const AUTO_MAX_S = 8;
const STORE = "mono-playground-runs";

/** The config in a URL query, every value checked; bad values fall back to the default, with a notice. */
export function parseConfig(search: string): { config: RunConfig; notices: string[] } {
  const params = new URLSearchParams(search);
  const config: Record<string, unknown> = { ...DEFAULTS, n_features: 512, m: 64 };
  const notices: string[] = [];
  for (const field of Object.keys(DEFAULTS) as Field[]) {
    const raw = params.get(field);
    if (raw === null) continue;
    const choices = CHOICES[field];
    if (choices) {
      if (choices.includes(raw)) config[field] = raw;
      else notices.push(`${field} = ${raw} is not one of ${choices.join(", ")}`);
      continue;
    }
    const value = Number(raw);
    const [lo, hi] = LIMITS[field] ?? [-Infinity, Infinity];
    if (!Number.isFinite(value) || value < lo || value > hi || (INTEGER.includes(field) && !Number.isInteger(value))) notices.push(`${field} = ${raw} must be ${INTEGER.includes(field) ? "an integer" : "a number"} in [${lo}, ${hi}]`);
    else config[field] = value;
  }
  if ((config.decay as number) * (config.lr as number) >= 1) {
    notices.push("decay × lr must be below 1");
    config.decay = DEFAULTS.decay;
  }
  return { config: config as RunConfig, notices };
}

export function encodeConfig(config: RunConfig): string {
  return "?" + new URLSearchParams((Object.keys(DEFAULTS) as Field[]).map((f) => [f, String(config[f])])).toString();
}

const distance = (a: number, b: number) => Math.abs(Math.log2((Math.abs(a) + 1e-4) / (Math.abs(b) + 1e-4)));

/** The Table 1 row closest to a config: same task, activation and sampler first, then the nearest fixed values
 * (a swept field counts as matched anywhere inside its grid). */
export function nearestRow(config: RunConfig): Experiment {
  let best = EXPERIMENTS[0];
  let bestScore = Infinity;
  for (const e of EXPERIMENTS) {
    let score = 0;
    for (const f of ["task", "activation", "sampler"] as const) if (e.base[f] !== config[f]) score += 100;
    for (const f of ["k", "eps", "lr", "decay", "l1"] as const) {
      const grid = e.sweep[f];
      if (grid) score += config[f] >= Math.min(...grid) && config[f] <= Math.max(...grid) ? 0 : distance(config[f], config[f] < Math.min(...grid) ? Math.min(...grid) : Math.max(...grid));
      else score += distance(config[f], e.base[f]);
    }
    const g = e.sweep.init_bias;
    score += g ? (config.init_bias >= Math.min(...g) && config.init_bias <= Math.max(...g) ? 0 : 1) : Math.abs(config.init_bias - e.base.init_bias);
    if (score < bestScore) [best, bestScore] = [e, score];
  }
  return best;
}

/** Which of the paper's claims speaks about a Table 1 row (rows the paper shows only in figures have none). */
const CLAIM_OF: Record<string, number> = { LR1: 1, LR3: 3, B1: 4, B2: 4, B3: 4, B4: 4, B5: 4, K0: 5, K1: 5, K2: 5, LR2: 6, LR4: 6, LR5: 6, RP1: 6, D1: 6, RG1: 7 };

function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  node.append(...children);
  return node;
}

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
  const img = h("img", { src: pixelsToDataUrl(image), width: String(side), height: String(side), alt: `single-feature activations, ${k} neurons × ${n} features`, class: "playground-heatmap" });
  img.style.imageRendering = "pixelated";
  return h("figure", {}, img, h("figcaption", {}, `Single-feature activations: ${k} neurons (rows, most monosemantic first) × ${n} features; brighter is larger (max ${image.max.toPrecision(3)}).`));
}

function loadStore(): Record<string, unknown>[] {
  try {
    return JSON.parse(localStorage.getItem(STORE) ?? "[]");
  } catch {
    return [];
  }
}

/** The whole page below the title. */
export function playgroundApp(o: { width: number }): HTMLElement {
  const { config: initial, notices } = parseConfig(location.search);
  const app = h("div", { class: "playground", "data-state": "idle" });
  const inputs = new Map<Field, HTMLInputElement | HTMLSelectElement>();
  const form = h("form", { class: "playground-controls" });
  for (const field of Object.keys(DEFAULTS) as Field[]) {
    const choices = CHOICES[field];
    const input = choices ? h("select", { name: field }, ...choices.map((c) => h("option", { value: c }, c))) : h("input", { name: field, type: "number", step: "any" });
    input.value = String(initial[field]);
    inputs.set(field, input);
    form.append(h("label", {}, `${field} `, input));
  }
  const train = h("button", { type: "button", class: "playground-train" }, "Train");
  const cancel = h("button", { type: "button", class: "playground-cancel" }, "Cancel");
  const status = h("p", { class: "playground-status", "aria-live": "polite" });
  const paper = h("div", { class: "playground-paper" });
  const curvesBox = h("div");
  const snapPick = h("input", { type: "range", min: "0", max: "0", value: "0", class: "playground-snapshot" });
  const snapLabel = h("span");
  const snapshotView = h("div", { class: "fig-row" });
  const tableBox = h("div", { class: "playground-runs" });
  app.append(notices.length ? h("div", { class: "notice", role: "alert" }, `Ignored from the URL: ${notices.join("; ")}.`) : "", form, h("p", {}, train, " ", cancel), status, paper, curvesBox, h("p", {}, h("label", {}, "snapshot ", snapPick), " ", snapLabel), snapshotView, h("h2", {}, "Your runs (kept in this browser)"), tableBox);

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
    snapshotView.replaceChildren(heatmap(s.sfa, s.bias.length, s.sfa.length / s.bias.length, side), sortedBiases(s.bias, { title: `biases at step ${s.step}, sorted`, width: side, height: 200 }));
  };
  snapPick.oninput = showSnapshot;
  const drawTable = () => {
    const rows = loadStore();
    const cols = ["run_id", "k", "eps", "lr", "init_bias", "decay", "l1", "batch", "steps", "seed", "final_loss", "mono_per_feature", "features_covered", "dead_neurons", "mean_bias", "wall_s"];
    const fmt = (v: unknown) => (typeof v === "number" ? String(+v.toPrecision(4)) : String(v ?? "–"));
    const download = h("button", { type: "button", class: "playground-csv" }, `Download ${rows.length} runs as CSV`);
    download.onclick = () => {
      const a = h("a", { href: URL.createObjectURL(new Blob([toCsv(rows)], { type: "text/csv" })), download: "playground-runs.csv" });
      document.body.append(a);
      a.click();
      a.remove();
    };
    const clear = h("button", { type: "button" }, "Clear");
    clear.onclick = () => (localStorage.removeItem(STORE), drawTable());
    tableBox.replaceChildren(
      rows.length ? h("table", { class: "data-table" }, h("tr", {}, ...cols.map((c) => h("th", {}, c))), ...rows.map((r) => h("tr", {}, ...cols.map((c) => h("td", {}, fmt(r[c])))))) : h("p", { class: "muted" }, "No finished runs yet."),
      h("p", {}, download, " ", clear),
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
    paper.replaceChildren(h("p", {}, h("strong", {}, `Nearest Table 1 row: ${row.id}`), ` (${row.title}). `, reports.length ? `The paper reports (claim ${claim}):` : "The paper shows this row only in figures, with no number to set beside a run."), reports.length ? h("ul", {}, ...reports.map((r) => h("li", {}, `${r.quantity}: ${r.paper}`))) : "");
    const curves = liveCurves([], chartWidth);
    curvesBox.replaceChildren(curves.element);
    const bar = h("progress", { max: String(config.steps), value: "0" });
    const text = h("span");
    status.replaceChildren(bar, text);
    const id = `pg-${config.task}-${config.activation}-${config.sampler}-k${config.k}-eps${config.eps}-lr${config.lr}-b${config.init_bias}-d${config.decay}-l1${config.l1}-bs${config.batch}-st${config.steps}-s${config.seed}`;
    const current = startRun({ run_id: id, experiment: "playground", preset: "smoke", decay_nominal: config.decay, config }, {
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
    });
    handle = current;
    try {
      const done = await current.done;
      if (handle !== current) return;
      const { preset: _p, experiment: _e, ...row } = done.row;
      localStorage.setItem(STORE, JSON.stringify([...loadStore().filter((r) => r.run_id !== row.run_id), row]));
      drawTable();
      app.dataset.state = "done";
      status.replaceChildren(`Trained ${config.steps} steps in ${done.wall_s.toFixed(2)} s (${Math.round(config.steps / done.wall_s)} steps/s): final loss ${Number(row.final_loss).toPrecision(4)}, mono/features ${Number(row.mono_per_feature).toPrecision(3)}, ${row.features_covered} features covered, ${row.dead_neurons} dead.`);
    } catch (error) {
      if (handle !== current) return;
      app.dataset.state = (error as Error).message === "cancelled" ? "cancelled" : "error";
      status.replaceChildren(app.dataset.state === "cancelled" ? "Cancelled: the worker was stopped." : `Training failed: ${(error as Error).message}`);
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

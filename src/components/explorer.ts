/**
 * The Explorer's run views built from plain rows: the picked run's config card with the one-run sweep command, a
 * side-by-side comparison of two ticked runs, and the CSV download of the rows on screen. The command and the CSV
 * text are pure functions (unit-tested); the DOM parts only wrap them.
 */
import { html } from "htl";
import { RUN_CONFIG_FIELDS } from "../lib/protocol/fields.js";

export type Row = Record<string, unknown>;

/** Fields `npm run sweep -- --set` accepts that can tell two runs of one experiment apart (seed is added always). */
const SETTABLE = ["task", "activation", "sampler", "n_features", "m", "k", "eps", "lr", "init_bias", "l1", "batch", "steps"] as const;

const show = (v: unknown) => (typeof v === "number" ? String(+v.toPrecision(12)) : String(v));

/**
 * The command that trains this one run again: the experiment at the build's preset, with `--set` for every field
 * that varies between the experiment's runs in this build, and the seed. Setting the swept field turns the sweep
 * into a single run. The bias decay is the exception: `--set decay` would switch off the preset's rescaling and so
 * train another run, so an experiment that sweeps the decay keeps its sweep and the note says which run to take.
 */
export function oneRunCommand(run: Row, all: Row[], preset: string): { command: string; note: string | null } {
  const experiment = String(run.experiment);
  const mates = all.filter((r) => r.experiment === experiment);
  const varies = (f: string) => new Set(mates.map((r) => show(r[f]))).size > 1;
  const sets = SETTABLE.filter((f) => run[f] !== null && run[f] !== undefined && varies(f)).map((f) => `--set ${f}=${show(run[f])}`);
  sets.push(`--set seed=${show(run.seed)}`);
  const command = `npm run sweep -- --experiment ${experiment} --preset ${preset} ${sets.join(" ")}`;
  const note = varies("decay_nominal")
    ? `${experiment} sweeps the bias decay, which --set would train unrescaled: the command trains every decay of this setting; this run is the one with decay_nominal = ${show(run.decay_nominal)}.`
    : null;
  return { command, note };
}

// The run's config (the one list, protocol/fields.ts), with the Table 1 decay shown beside the trained one.
const CONFIG = ["experiment", "preset", ...RUN_CONFIG_FIELDS.flatMap((f) => (f === "decay" ? [f, "decay_nominal"] : [f])), "engine"];
const OUTCOME = [
  "status",
  "converged",
  "collapsed",
  "final_loss",
  "zero_loss",
  "mono_neurons",
  "mono_per_feature",
  "features_covered",
  "dead_neurons",
  "dead_on_data",
  "mean_bias",
  "wall_s",
];

const cell = (v: unknown) => (v === null || v === undefined ? "–" : typeof v === "number" ? String(+v.toPrecision(5)) : String(v));

/** The picked run's config and outcome, and the command that trains it again. */
export function configCard(run: Row | undefined, all: Row[], preset: string): HTMLElement {
  if (!run) return html`<p class="notice">This run is not in the build's runs table.</p>` as HTMLElement;
  const { command, note } = oneRunCommand(run, all, preset);
  const present = (fields: string[]) => fields.filter((f) => f in run);
  const fieldList = (fields: string[]) =>
    html`<dl>
      ${fields.map(
        (f) =>
          html`<div>
            <dt>${f}</dt>
            <dd>${cell(run[f])}</dd>
          </div>`,
      )}
    </dl>`;
  return html`<div class="config-card" id="run-config" data-run=${String(run.run_id)}>
    <h3>Run <code>${String(run.run_id)}</code></h3>
    <div class="config-columns">${fieldList(present(CONFIG))} ${fieldList(present(OUTCOME))}</div>
    <p>Train this run again: <code class="one-run-command">${command}</code>${note ? html`<br /><small>${note}</small>` : ""}</p>
  </div>` as HTMLElement;
}

/** Two runs side by side, the fields where they differ first and marked. */
export function compareRuns(ticked: Row[]): HTMLElement {
  if (ticked.length < 2)
    return html`<p class="muted" id="compare-runs" data-count=${ticked.length}>
      Tick two rows of the table to compare those runs side by side${ticked.length === 1 ? " (one ticked)" : ""}.
    </p>` as HTMLElement;
  const [a, b] = ticked;
  const fields = [...CONFIG, ...OUTCOME, "run_id"].filter((f) => f in a || f in b);
  const differs = (f: string) => cell(a[f]) !== cell(b[f]);
  const ordered = [...fields.filter(differs), ...fields.filter((f) => !differs(f))];
  return html`<div id="compare-runs" data-count=${ticked.length}>
    <p>
      Comparing the first two ticked runs${ticked.length > 2 ? ` (${ticked.length} ticked)` : ""}; the ${fields.filter(differs).length}
      fields where they differ come first.
    </p>
    <table class="data-table compare">
      <thead>
        <tr>
          <th scope="col">field</th>
          <th scope="col">${cell(a.run_id)}</th>
          <th scope="col">${cell(b.run_id)}</th>
        </tr>
      </thead>
      <tbody>
        ${ordered.map(
          (f) =>
            html`<tr class=${differs(f) ? "differs" : ""}>
              <td>${f}</td>
              <td>${cell(a[f])}</td>
              <td>${cell(b[f])}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>` as HTMLElement;
}

/** RFC 4180 CSV of the rows: every column any row has, in first-seen order; fields with , " or newlines quoted. */
export function toCsv(rows: Row[]): string {
  const columns: string[] = [];
  for (const r of rows) for (const k of Object.keys(r)) if (!columns.includes(k)) columns.push(k);
  const quote = (v: unknown) => {
    const text = v === null || v === undefined ? "" : typeof v === "number" && !Number.isFinite(v) ? String(v) : String(v);
    return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return [columns.join(","), ...rows.map((r) => columns.map((c) => quote(r[c])).join(","))].join("\n") + "\n";
}

/**
 * Small DOM helpers shared by the pages: numbered figures with captions, loading states, verdict badges.
 * Text from data is only ever set through textContent (htl escapes interpolations), never innerHTML.
 */
import { html } from "htl";
import { renderChart } from "./chart.js";
import type { Verdict } from "./verdicts.js";

export interface FigureOptions {
  /** Figure number on its page. */
  number: number;
  /** What is shown (one or two sentences). */
  caption: string;
  /** Which runs. */
  runs: string;
  /** The command that reproduces the data. */
  command: string;
  /** Accessible description of the chart itself (defaults to the caption). */
  ariaLabel?: string;
  /** Query string of the Explorer view that holds this figure's runs (e.g. "?experiment=LR1"). */
  explore?: string;
}

/** A <figure> with a numbered caption: what is shown, which runs, and how to reproduce it. */
export function figure(content: Node, o: FigureOptions): HTMLElement {
  const el = html`<figure class="fig" id=${`fig-${o.number}`}>
    ${content}
    <figcaption>
      <strong>Figure ${o.number}.</strong> ${o.caption} <span class="runs">Runs: ${o.runs}.</span> Reproduce:
      <code>${o.command}</code
      >${o.explore !== undefined ? html` <a class="explore-link" href=${`./explorer${o.explore}`}>Explore these runs</a>` : ""}
    </figcaption>
  </figure>` as HTMLElement;
  return el;
}

/** Render a Vega-Lite spec as a numbered figure. */
export async function chartFigure(spec: Record<string, unknown>, o: FigureOptions): Promise<HTMLElement> {
  const chart = await renderChart(spec, { ariaLabel: o.ariaLabel ?? `Figure ${o.number}: ${o.caption}` });
  return figure(chart, o);
}

/** The sweep command for an experiment under a preset. */
export function sweepCommand(experiment: string, preset: string): string {
  return `npm run sweep -- --experiment ${experiment} --preset ${preset}`;
}

/** A visible loading indicator (replaced by the figure once ready). */
export function loading(what: string): HTMLElement {
  return html`<div class="loading" role="status" aria-live="polite">
    <span class="spinner" aria-hidden="true"></span> Loading ${what}…
  </div>` as HTMLElement;
}

/** A verdict badge: the label, coloured by kind. */
export function verdictBadge(v: Pick<Verdict, "label">): HTMLElement {
  return html`<span class=${`verdict verdict-${v.label.replace(/[^a-z]+/gi, "-")}`}>${v.label}</span>` as HTMLElement;
}

/** What the paper reports beside what this build measured, one row per quantity. */
export function paperBeside(v: Verdict): HTMLElement | string {
  if (!v.paper?.length) return "";
  return html`<table class="data-table paper-beside">
    <thead>
      <tr>
        <th scope="col">quantity</th>
        <th scope="col">the paper</th>
        <th scope="col">this build</th>
      </tr>
    </thead>
    <tbody>
      ${v.paper.map(
        (p) =>
          html`<tr>
            <td>${p.quantity}</td>
            <td>${p.paper}${p.kind === "curve" ? html` <em>(a curve only)</em>` : ""}</td>
            <td>${p.ours}</td>
          </tr>`,
      )}
    </tbody>
  </table>` as HTMLElement;
}

/** A verdict block: badge, category and the reason in one sentence; the paper beside us; the regime; then the
 * numbers behind it and the runs left outside the premise, folded. */
export function verdictBlock(title: string, v: Verdict): HTMLElement {
  const outside = v.outside_premise ?? [];
  return html`<div class="verdict-block" role="group" aria-label=${`Verdict on ${title}: ${v.label}`}>
    <div class="verdict-head">${verdictBadge(v)} <strong>${title}</strong></div>
    <p class="verdict-reason"><span class="verdict-category">${v.category}:</span> ${v.reason}</p>
    ${paperBeside(v)} ${v.regime ? html`<p class="verdict-regime">Judged at ${v.regime.text}.</p>` : ""}
    <details>
      <summary>The numbers behind it${outside.length ? `, and ${outside.length} runs outside the premise` : ""}</summary>
      <ul class="verdict-evidence">
        ${v.parts.map((p) => html`<li>${p.text} <em>(${p.outcome})</em></li>`)}
      </ul>
      ${
        outside.length
          ? html`<p>Runs outside the claim's premise (counted, not used):</p>
              <ul class="verdict-outside">
                ${outside.map((o) => html`<li><code>${o.run_id}</code>: ${o.why}</li>`)}
              </ul>`
          : ""
      }
    </details>
  </div>` as HTMLElement;
}

/** A small table from rows (textContent only). */
export function table(
  rows: Record<string, unknown>[],
  columns: { key: string; label: string; format?: (v: unknown) => string }[],
): HTMLElement {
  return html`<table class="data-table">
    <thead>
      <tr>
        ${columns.map((c) => html`<th scope="col">${c.label}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${rows.map(
        (r) =>
          html`<tr>
            ${columns.map((c) => html`<td>${c.format ? c.format(r[c.key]) : String(r[c.key] ?? "")}</td>`)}
          </tr>`,
      )}
    </tbody>
  </table>` as HTMLElement;
}

/** A rounded whole number (seconds, counts), or "–" when missing. */
export const whole = (v: unknown) =>
  typeof v === "number" && Number.isFinite(v) ? String(Math.round(v)) : v === null || v === undefined ? "–" : String(v);

/** A number to `digits` significant digits (1 to 100), or "–" when missing. */
export const fmt =
  (digits = 3) =>
  (v: unknown) =>
    typeof v === "number" && Number.isFinite(v) ? String(+v.toPrecision(digits)) : v === null || v === undefined ? "–" : String(v);

/**
 * Show a loading indicator through the cell's `display`, build the node, and put it in the indicator's place.
 * Errors propagate (Framework shows them as an error cell, which the browser tests catch).
 */
export async function slot(display: (node: Node) => unknown, what: string, build: () => Promise<Node>): Promise<Node> {
  const placeholder = loading(what);
  display(placeholder);
  try {
    const node = await build();
    placeholder.replaceWith(node);
    return node;
  } catch (error) {
    placeholder.remove();
    throw error;
  }
}

/** The decision rule, as shown on every page with verdicts. */
export function ruleNote(rule: string): HTMLElement {
  return html`<details class="rule">
    <summary>How verdicts are decided</summary>
    <p>${rule}</p>
  </details>` as HTMLElement;
}

/** A verdict computed from the data, with a loading state. */
export async function verdictSlot(display: (node: Node) => unknown, title: string, compute: () => Promise<Verdict>): Promise<Verdict> {
  let verdict: Verdict | null = null;
  await slot(display, "the verdict", async () => {
    verdict = await compute();
    return verdictBlock(title, verdict);
  });
  return verdict!;
}

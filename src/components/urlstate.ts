/**
 * The Explorer's state in the URL, parsed strictly: known keys only, values checked against whitelists and number
 * syntax. Anything unknown or invalid is dropped and reported as a notice the page shows. Pure; unit-tested.
 */
import { CATEGORY_VALUES, CONFIG_FIELDS, FLAG_FIELDS, METRIC_FIELDS, RUN_ID, type FlagField, type RunFilter } from "./sql.js";

export const LIST_CATEGORIES = ["experiment", "task", "activation", "sampler"] as const;
// steps and batch tell the survey scale from the focus experiments' longer runs (a verdict's run set needs them).
export const LIST_NUMBERS = ["k", "lr", "eps", "init_bias", "decay_nominal", "l1", "batch", "steps", "seed"] as const;
export const RANGE_FIELDS = ["final_loss", "mono_per_feature", "mono_per_neuron"] as const;
export const AXIS_FIELDS = [...METRIC_FIELDS, ...CONFIG_FIELDS] as readonly string[];
/** Colour fields: the categories first (legend of swatches), then numbers (a continuous scale). */
export const COLOR_CATEGORIES = ["experiment", "task", "activation", "sampler"] as const;
export const COLOR_NUMBERS = [
  "lr",
  "eps",
  "k",
  "init_bias",
  "steps",
  "seed",
  "final_loss",
  "mono_per_feature",
  "mean_bias",
  "dead_neurons",
] as const;
export const COLOR_FIELDS = [...COLOR_CATEGORIES, ...COLOR_NUMBERS] as const;
export { FLAG_FIELDS };

type ListCategory = (typeof LIST_CATEGORIES)[number];
type ListNumber = (typeof LIST_NUMBERS)[number];
type RangeField = (typeof RANGE_FIELDS)[number];

export interface ExplorerState {
  categories: Record<ListCategory, string[]>;
  values: Record<ListNumber, number[]>;
  ranges: Partial<Record<RangeField, [number, number]>>;
  x: string;
  y: string;
  color: (typeof COLOR_FIELDS)[number];
  /** converged / collapsed: true or false, absent = either. */
  flags: Partial<Record<FlagField, boolean>>;
  /** The scatter's brush, field → [min, max] on the current axes; null when there is none. */
  brush: Record<string, [number, number]> | null;
  run: string | null;
}

export function defaultState(): ExplorerState {
  return {
    categories: { experiment: [], task: [], activation: [], sampler: [] },
    values: { k: [], lr: [], eps: [], init_bias: [], decay_nominal: [], l1: [], batch: [], steps: [], seed: [] },
    ranges: {},
    x: "final_loss",
    y: "mono_per_feature",
    color: "experiment",
    flags: {},
    brush: null,
    run: null,
  };
}

/** A decimal or scientific number, nothing else (no hex, no Infinity, no empty string). */
const NUMBER = /^-?(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?$/i;
function parseNumber(text: string): number | null {
  if (!NUMBER.test(text)) return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

const MAX_LIST = 64;

export function parseState(search: string): { state: ExplorerState; notices: string[] } {
  const state = defaultState();
  const notices: string[] = [];
  const params = new URLSearchParams(search);
  const seen = new Set<string>();
  for (const [key, raw] of params) {
    if (seen.has(key)) {
      notices.push(`Ignored repeated parameter "${key}".`);
      continue;
    }
    seen.add(key);
    const value = raw.slice(0, 2000);
    if ((LIST_CATEGORIES as readonly string[]).includes(key)) {
      const allowed = CATEGORY_VALUES[key];
      const items = value.split(",").filter(Boolean).slice(0, MAX_LIST);
      for (const item of items) {
        if (allowed.includes(item)) state.categories[key as ListCategory].push(item);
        else notices.push(`Ignored unknown ${key} "${item}".`);
      }
    } else if ((LIST_NUMBERS as readonly string[]).includes(key)) {
      for (const item of value.split(",").filter(Boolean).slice(0, MAX_LIST)) {
        const n = parseNumber(item);
        if (n === null) notices.push(`Ignored invalid ${key} value "${item}".`);
        else state.values[key as ListNumber].push(n);
      }
    } else if ((RANGE_FIELDS as readonly string[]).includes(key)) {
      const parts = value.split("..");
      const lo = parts.length === 2 ? parseNumber(parts[0]) : null;
      const hi = parts.length === 2 ? parseNumber(parts[1]) : null;
      if (lo === null || hi === null) notices.push(`Ignored invalid range ${key}="${value}" (expected min..max).`);
      else state.ranges[key as RangeField] = [Math.min(lo, hi), Math.max(lo, hi)];
    } else if (key === "x" || key === "y") {
      if (AXIS_FIELDS.includes(value)) state[key] = value;
      else notices.push(`Ignored unknown axis ${key}="${value}".`);
    } else if (key === "color") {
      if ((COLOR_FIELDS as readonly string[]).includes(value)) state.color = value as ExplorerState["color"];
      else notices.push(`Ignored unknown colour field "${value}".`);
    } else if ((FLAG_FIELDS as readonly string[]).includes(key)) {
      if (value === "yes" || value === "no") state.flags[key as FlagField] = value === "yes";
      else notices.push(`Ignored ${key}="${value.slice(0, 40)}" (expected yes or no).`);
    } else if (key === "brush") {
      const brush: Record<string, [number, number]> = {};
      for (const part of value.split(",").slice(0, 2)) {
        const [field, range] = part.split(":");
        const ends = (range ?? "").split("..");
        const lo = ends.length === 2 ? parseNumber(ends[0]) : null;
        const hi = ends.length === 2 ? parseNumber(ends[1]) : null;
        if (!AXIS_FIELDS.includes(field) || lo === null || hi === null)
          notices.push(`Ignored invalid brush "${part.slice(0, 80)}" (expected field:min..max).`);
        else brush[field] = [Math.min(lo, hi), Math.max(lo, hi)];
      }
      if (Object.keys(brush).length) state.brush = brush;
    } else if (key === "run") {
      if (RUN_ID.test(value)) state.run = value;
      else notices.push(`Ignored invalid run id.`);
    } else {
      notices.push(`Ignored unknown parameter "${key.slice(0, 40)}".`);
    }
  }
  return { state, notices };
}

const show = (n: number) => String(+n.toPrecision(12));

/** The state as a query string ("" for the default state); parseState(encodeState(s)) gives s back. */
export function encodeState(state: ExplorerState): string {
  const d = defaultState();
  const params = new URLSearchParams();
  for (const key of LIST_CATEGORIES) if (state.categories[key].length) params.set(key, state.categories[key].join(","));
  for (const key of LIST_NUMBERS) if (state.values[key].length) params.set(key, state.values[key].map(show).join(","));
  for (const key of RANGE_FIELDS) {
    const r = state.ranges[key];
    if (r) params.set(key, `${show(r[0])}..${show(r[1])}`);
  }
  if (state.x !== d.x) params.set("x", state.x);
  if (state.y !== d.y) params.set("y", state.y);
  if (state.color !== d.color) params.set("color", state.color);
  for (const key of FLAG_FIELDS) if (state.flags[key] !== undefined) params.set(key, state.flags[key] ? "yes" : "no");
  if (state.brush && Object.keys(state.brush).length)
    params.set(
      "brush",
      Object.entries(state.brush)
        .map(([f, [lo, hi]]) => `${f}:${show(lo)}..${show(hi)}`)
        .join(","),
    );
  if (state.run) params.set("run", state.run);
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** The state's filter on the runs table (for ./sql.ts runsWhere). */
export function stateToFilter(state: ExplorerState): RunFilter {
  return {
    categories: { ...state.categories },
    values: { ...state.values },
    ranges: { ...state.ranges },
    flags: { ...state.flags },
  };
}

/**
 * The metric ranges the Explorer's sliders stand for. A slider constrains only once the reader has moved it (`moved`):
 * sliders snap their value to their step, so reading an untouched slider would cut off the runs at the data's
 * extremes. An end within one step of the data's extent is open (the extent itself), for the same reason.
 */
export function sliderRanges(
  values: Record<string, [number, number]>,
  extent: Record<string, [number, number]>,
  moved: ReadonlySet<string>,
  steps: Record<string, number>,
): Partial<Record<RangeField, [number, number]>> {
  const out: Partial<Record<RangeField, [number, number]>> = {};
  for (const f of RANGE_FIELDS) {
    if (!moved.has(f) || !values[f] || !extent[f]) continue;
    const [e0, e1] = extent[f];
    const step = steps[f] ?? 0;
    let [lo, hi] = values[f];
    if (!Number.isFinite(lo) || lo <= e0 + step) lo = e0;
    if (!Number.isFinite(hi) || hi >= e1 - step) hi = e1;
    if (lo > e0 || hi < e1) out[f] = [Math.min(lo, hi), Math.max(lo, hi)];
  }
  return out;
}

/**
 * The Explorer's state in the URL, parsed strictly: known keys only, values checked against whitelists and number
 * syntax. Anything unknown or invalid is dropped and reported as a notice the page shows. Pure; unit-tested.
 */
import { CATEGORY_VALUES, CONFIG_FIELDS, METRIC_FIELDS, RUN_ID, type RunFilter } from "./sql.js";

export const LIST_CATEGORIES = ["experiment", "task", "activation", "sampler"] as const;
export const LIST_NUMBERS = ["k", "lr", "eps", "init_bias", "decay_nominal", "l1", "seed"] as const;
export const RANGE_FIELDS = ["final_loss", "mono_per_feature", "mono_per_neuron"] as const;
export const AXIS_FIELDS = [...METRIC_FIELDS, ...CONFIG_FIELDS] as readonly string[];
export const COLOR_FIELDS = ["experiment", "task", "activation", "sampler"] as const;

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
  run: string | null;
}

export function defaultState(): ExplorerState {
  return {
    categories: { experiment: [], task: [], activation: [], sampler: [] },
    values: { k: [], lr: [], eps: [], init_bias: [], decay_nominal: [], l1: [], seed: [] },
    ranges: {},
    x: "final_loss",
    y: "mono_per_feature",
    color: "experiment",
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
  };
}

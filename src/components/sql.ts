/**
 * SQL builders. Every identifier comes from a whitelist and every value is either a number checked to be finite or
 * a string from a whitelist (or a run id matching a strict pattern, quoted). Nothing else reaches DuckDB.
 * The lists come from the library (Table 1, the protocol's enumerations, the data contract), defined once there.
 */
import { PRESET_IDS } from "../lib/experiments/presets.js";
import { EXPERIMENTS } from "../lib/experiments/table1.js";
import { ACTIVATIONS, SAMPLERS, TASKS } from "../lib/protocol/fields.js";
import { RUN_STATUSES, SNAPSHOT_METRICS } from "../lib/runner/tables.js";
import { READER_EXPERIMENT } from "./reader-runs.js";

export const CONFIG_FIELDS = ["k", "lr", "eps", "init_bias", "decay", "decay_nominal", "l1", "batch", "steps", "seed"] as const;
export const CATEGORY_FIELDS = ["experiment", "task", "activation", "sampler", "engine", "status", "preset"] as const;
/** The runs table's metrics, in the Explorer's order: the final loss, every snapshot metric, then the regime and cost. */
export const METRIC_FIELDS = ["final_loss", ...SNAPSHOT_METRICS, "noise_scale", "paper_lr", "wall_s"] as const;
/** The checkpoints table's metrics. */
export const CHECKPOINT_METRICS = ["loss", ...SNAPSHOT_METRICS] as const;
export const TABLE_NAMES = ["runs", "checkpoints", "losses", "neurons"] as const;

export type ConfigField = (typeof CONFIG_FIELDS)[number];
export type CategoryField = (typeof CATEGORY_FIELDS)[number];
export type MetricField = (typeof METRIC_FIELDS)[number];
export type NumericField = ConfigField | MetricField;

const NUMERIC = new Set<string>([...CONFIG_FIELDS, ...METRIC_FIELDS]);
const CATEGORY = new Set<string>(CATEGORY_FIELDS);
const CHECKPOINT = new Set<string>(CHECKPOINT_METRICS);
/** Allowed string values of the category columns (the protocol's enumerations and Table 1's ids). */
export const CATEGORY_VALUES: Record<string, readonly string[]> = {
  // The reader's own playground runs (reader-runs.ts) are rows too, under experiment and preset "playground".
  experiment: [...EXPERIMENTS.map((e) => e.id), READER_EXPERIMENT],
  task: TASKS,
  activation: ACTIVATIONS,
  sampler: SAMPLERS,
  status: RUN_STATUSES,
  preset: [...PRESET_IDS, READER_EXPERIMENT],
};

export class SqlError extends Error {}

/** A whitelisted column name, double-quoted. */
export function column(name: string, allowed: Iterable<string> = [...NUMERIC, ...CATEGORY]): string {
  if (!new Set(allowed).has(name)) throw new SqlError(`column ${JSON.stringify(name)} is not allowed`);
  return `"${name}"`;
}

/** A finite number as a SQL literal. */
export function number(value: number): string {
  if (typeof value !== "number" || !Number.isFinite(value)) throw new SqlError(`not a finite number: ${String(value)}`);
  return String(value);
}

/** A string literal from a whitelist. */
export function category(field: string, value: string): string {
  const allowed = CATEGORY_VALUES[field];
  if (!allowed || !allowed.includes(value)) throw new SqlError(`${field} = ${JSON.stringify(value)} is not allowed`);
  return `'${value}'`;
}

/** Run ids are built by the runner from ids, field names and numbers: anything else is rejected. */
export const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_.=,+\-()]{0,200}$/;

export interface RunFilter {
  /** Category field → allowed values (empty or missing = no constraint). */
  categories?: Partial<Record<CategoryField, string[]>>;
  /** Config field → allowed grid values. */
  values?: Partial<Record<ConfigField, number[]>>;
  /** Numeric field → inclusive [min, max]. */
  ranges?: Partial<Record<NumericField, [number, number]>>;
  /** Only runs that did not diverge. */
  okOnly?: boolean;
  /** Boolean columns (converged, collapsed) that must have this value. */
  flags?: Partial<Record<FlagField, boolean>>;
}

/** Boolean columns of the runs table a filter may constrain. */
export const FLAG_FIELDS = ["converged", "collapsed"] as const;
export type FlagField = (typeof FLAG_FIELDS)[number];

/** WHERE clause over the runs table (or "" when nothing constrains). */
export function runsWhere(filter: RunFilter): string {
  const parts: string[] = [];
  for (const [field, values] of Object.entries(filter.categories ?? {})) {
    if (!values || values.length === 0) continue;
    parts.push(`${column(field, CATEGORY)} IN (${values.map((v) => category(field, v)).join(", ")})`);
  }
  for (const [field, values] of Object.entries(filter.values ?? {})) {
    if (!values || values.length === 0) continue;
    // Grid values are floats: match with a relative tolerance, not equality.
    const col = column(field, CONFIG_FIELDS);
    parts.push(`(${values.map((v) => `abs(${col} - ${number(v)}) <= ${number(Math.abs(v) * 1e-9 + 1e-12)}`).join(" OR ")})`);
  }
  for (const [field, range] of Object.entries(filter.ranges ?? {})) {
    if (!range) continue;
    const [lo, hi] = range;
    parts.push(`${column(field, NUMERIC)} BETWEEN ${number(Math.min(lo, hi))} AND ${number(Math.max(lo, hi))}`);
  }
  for (const [field, value] of Object.entries(filter.flags ?? {})) {
    if (value === undefined) continue;
    if (typeof value !== "boolean") throw new SqlError(`${field} must be true or false`);
    parts.push(`${column(field, FLAG_FIELDS)} = ${value ? "true" : "false"}`);
  }
  if (filter.okOnly) parts.push(`"status" = 'ok'`);
  return parts.length ? `WHERE ${parts.join(" AND ")}` : "";
}

/** Runs matching a filter, every column, in a stable order. */
export function runsQuery(filter: RunFilter = {}, limit?: number): string {
  return `SELECT * FROM runs ${runsWhere(filter)} ORDER BY "experiment", "run_id"${limit !== undefined ? ` LIMIT ${number(Math.floor(limit))}` : ""}`;
}

/** Runs of some experiments (x = swept field, y = metric), one row per run. */
export function sweepQuery(experiments: string[], x: NumericField, y: NumericField, extra: string[] = []): string {
  const cols = [...new Set(["run_id", "experiment", "seed", "status", x, y, ...extra])].map((c) =>
    column(c, [...NUMERIC, ...CATEGORY, "run_id"]),
  );
  return `SELECT ${cols.join(", ")} FROM runs ${runsWhere({ categories: { experiment: experiments } })} ORDER BY "experiment", ${column(x, NUMERIC)}, "seed"`;
}

/** Checkpoints of every run of some experiments, with the runs' swept value. */
export function curvesQuery(experiments: string[], series: NumericField, metrics: string[] = [...CHECKPOINT_METRICS]): string {
  const m = metrics.map((c) => `c.${column(c, CHECKPOINT)}`);
  return `SELECT c."run_id", c."step", ${m.join(", ")}, r."experiment", r.${column(series, NUMERIC)}, r."seed" FROM checkpoints c JOIN runs r USING ("run_id") ${runsWhere({ categories: { experiment: experiments } }).replace(/"experiment"/, 'r."experiment"')} ORDER BY c."run_id", c."step"`;
}

/** Mean bias of mono and poly neurons per run, for some experiments. */
export function biasByKindQuery(experiments: string[]): string {
  return `SELECT n."run_id", r."experiment", r."seed", n."is_mono", avg(n."bias") AS mean_bias, count(*) AS neurons FROM neurons n JOIN runs r USING ("run_id") ${runsWhere(
    { categories: { experiment: experiments }, okOnly: true },
  )
    .replace(/"experiment"/, 'r."experiment"')
    .replace(/"status"/, 'r."status"')} GROUP BY ALL ORDER BY n."run_id", n."is_mono"`;
}

/** Distinct values of a config field (for the Explorer's filters). */
export function distinctQuery(field: ConfigField | CategoryField): string {
  const col = column(field, [...CONFIG_FIELDS, ...CATEGORY_FIELDS]);
  return `SELECT DISTINCT ${col} AS value FROM runs WHERE ${col} IS NOT NULL ORDER BY value`;
}

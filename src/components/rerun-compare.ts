/**
 * Pure helpers of the re-run (no DOM, no Framework imports, so they are unit-tested in Node): the RunSpec a published
 * row was trained from, and the column-by-column comparison of a published row with a recomputed one.
 */
import type { RunConfig } from "../lib/protocol/config.js";
import type { RunSpec } from "../lib/experiments/sweep.js";
import { TABLES } from "../lib/runner/tables.js";
import { RUN_CONFIG_FIELDS } from "../lib/protocol/fields.js";

export type Row = Record<string, unknown>;

const GBA_COLUMNS = ["gba_groups", "gba_p_high", "gba_p_low", "gba_every", "gba_buffer", "gba_gamma"] as const;

/** The RunSpec a published row was trained from (its config columns, run id, experiment, preset, nominal decay). */
export function specFromRow(row: Row): RunSpec {
  const config: Record<string, unknown> = {};
  for (const f of RUN_CONFIG_FIELDS) {
    if (row[f] === undefined || row[f] === null) throw new Error(`run ${String(row.run_id)} has no ${f}: cannot re-run it`);
    config[f] = row[f];
  }
  if (row.bias_rule === "gba") {
    config.bias_rule = "gba";
    for (const f of GBA_COLUMNS) if (row[f] !== null && row[f] !== undefined) config[f] = row[f];
  }
  if (row.metric_form === "code") config.metric_form = "code";
  return {
    run_id: String(row.run_id),
    experiment: String(row.experiment),
    preset: String(row.preset) as RunSpec["preset"],
    decay_nominal: Number(row.decay_nominal ?? row.decay),
    variant: row.variant === null || row.variant === undefined ? undefined : String(row.variant),
    config: config as RunConfig,
  };
}

const FLOAT_COLUMNS = new Set(
  TABLES.find((t) => t.name === "runs")!
    .columns.filter((c) => c.type === "FLOAT")
    .map((c) => c.name),
);
/** Columns that describe how the run was computed, not what it computed. */
const NOT_COMPARED = new Set(["wall_s", "engine"]);
const missing = (v: unknown) => v === null || v === undefined || (typeof v === "number" && Number.isNaN(v));

/** Every column of the recomputed row that the published row also has, compared exactly (FLOAT columns at float32). */
export function compareRows(
  published: Row,
  recomputed: Row,
): { compared: number; differences: { column: string; published: unknown; browser: unknown }[] } {
  const differences: { column: string; published: unknown; browser: unknown }[] = [];
  let compared = 0;
  for (const [column, browser] of Object.entries(recomputed)) {
    if (NOT_COMPARED.has(column) || !(column in published)) continue;
    compared++;
    const pub = published[column];
    if (missing(pub) && missing(browser)) continue;
    const same =
      typeof pub === "number" && typeof browser === "number"
        ? FLOAT_COLUMNS.has(column)
          ? Math.fround(pub) === Math.fround(browser)
          : pub === browser
        : String(pub) === String(browser);
    if (!same) differences.push({ column, published: pub, browser });
  }
  return { compared, differences };
}

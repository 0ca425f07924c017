/**
 * The runs table from runs.json (prepared at build time by src/data/runs.json.ts): what the narrative pages chart,
 * without starting DuckDB-WASM. Rows have the runs.parquet columns; a diverged run's NaN loss arrives as null and is
 * turned back into NaN here, as DuckDB returns it, so code written against either source sees the same values.
 */
import { FileAttachment } from "observablehq:stdlib";

export type Row = Record<string, unknown>;

const NAN_COLUMNS = new Set(["final_loss", "mono_share_of_live", "last_quarter_improvement"]);
let cached: Promise<Row[]> | null = null;

export function runsJson(): Promise<Row[]> {
  cached ??= FileAttachment("../data/runs.json")
    .json()
    .then((data) =>
      (data as { rows: Row[] }).rows.map((r) => {
        for (const c of NAN_COLUMNS) if (c in r && r[c] === null) r[c] = Number.NaN;
        return r;
      }),
    );
  return cached;
}

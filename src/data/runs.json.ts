// The runs table as JSON, for the narrative pages' figures: they chart a few hundred rows, which need neither
// DuckDB-WASM (34 MB) nor parquet-wasm (5 MB). Same columns as runs.parquet; NaN and missing values become null.
import { loaderFailure, siteRecords } from "../lib/runner/site-data.js";
import { tableSpec } from "../lib/runner/tables.js";

try {
  const columns = tableSpec("runs").columns.map((c) => c.name);
  const records = await siteRecords();
  const rows = records
    .map((r) =>
      Object.fromEntries(
        columns.map((c) => {
          const v = (r.run as Record<string, unknown>)[c];
          return [c, v === undefined || (typeof v === "number" && !Number.isFinite(v)) ? null : v];
        }),
      ),
    )
    .sort((a, b) => String(a.run_id).localeCompare(String(b.run_id)));
  process.stdout.write(JSON.stringify({ columns, rows }));
} catch (error) {
  process.stderr.write(`error: ${loaderFailure("data loader runs.json", error)}\n`);
  process.exit(1);
}

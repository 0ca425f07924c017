// The runs table as JSON, for the narrative pages' figures: they chart a few hundred rows, which need neither
// DuckDB-WASM (34 MB) nor parquet-wasm (5 MB). Same columns as runs.parquet; NaN and missing values become null.
import { tableJsonRows } from "../lib/runner/parquet.js";
import { loaderFailure, siteRecords } from "../lib/runner/site-data.js";
import { tableSpec } from "../lib/runner/tables.js";

try {
  const rows = tableJsonRows(await siteRecords(), "runs");
  process.stdout.write(JSON.stringify({ columns: tableSpec("runs").columns.map((c) => c.name), rows }));
} catch (error) {
  process.stderr.write(`error: ${loaderFailure("data loader runs.json", error)}\n`);
  process.exit(1);
}

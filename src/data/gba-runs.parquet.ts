import { emitTable } from "../lib/runner/site-data.js";

// Experiment GBA1 (not a Table 1 row, so not in runs.parquet).
await emitTable("runs", ["GBA1"]);

// Data loader: the runs table of Table 1's runs (one row per run: config, final metrics, provenance), as runs.parquet.
import { emitTable } from "../lib/runner/site-data.js";

await emitTable("runs");

// Data loader: the checkpoints table of Table 1's runs (each run's metrics after 1, 2, 4, ... steps, at 3/4 of
// the run and at the end), as checkpoints.parquet.
import { emitTable } from "../lib/runner/site-data.js";

await emitTable("checkpoints");

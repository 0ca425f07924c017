// Data loader: experiment GBA1's runs table (not a Table 1 row, so not in runs.parquet), as gba-runs.parquet.
import { emitTable } from "../lib/runner/site-data.js";

await emitTable("runs", ["GBA1"]);

// Data loader: the losses table of Table 1's runs (the task loss every 16 steps), as losses.parquet.
import { emitTable } from "../lib/runner/site-data.js";

await emitTable("losses");

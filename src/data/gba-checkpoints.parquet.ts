// Data loader: experiment GBA1's snapshots (its checkpoints table), as gba-checkpoints.parquet.
import { emitTable } from "../lib/runner/site-data.js";

await emitTable("checkpoints", ["GBA1"]);

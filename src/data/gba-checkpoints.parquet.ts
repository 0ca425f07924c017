import { emitTable } from "../lib/runner/site-data.js";

// Experiment GBA1's snapshots.
await emitTable("checkpoints", ["GBA1"]);

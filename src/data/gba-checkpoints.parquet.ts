import { emitTable } from "../lib/runner/site-data.js";

// Experiment GBA1's snapshots (issue 6).
await emitTable("checkpoints", ["GBA1"]);

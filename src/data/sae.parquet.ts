import { emitSae } from "../lib/runner/site-data.js";

await emitSae();

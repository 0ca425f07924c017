import { emitTable } from "../lib/runner/site-data.js";

await emitTable("losses");

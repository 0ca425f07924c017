// Data loader: every run's mean final bias of its mono and poly neurons (claim 2's histogram on the Model page), a few
// KB of JSON instead of the neurons table in DuckDB-WASM. See lib/runner/figure-data.ts.
import { biasByKind } from "../lib/runner/figure-data.js";
import { loaderFailure, siteRecords } from "../lib/runner/site-data.js";

try {
  process.stdout.write(JSON.stringify((await siteRecords()).flatMap(biasByKind)));
} catch (error) {
  process.stderr.write(`error: ${loaderFailure("data loader bias-by-kind.json", error)}\n`);
  process.exit(1);
}

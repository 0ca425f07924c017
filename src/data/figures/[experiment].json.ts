// Data loader: one experiment's per-run figure data (heatmap grids, biases in heatmap order, mean bias per kind,
// training curves), as figures/<ID>.json, so that the narrative pages need no DuckDB-WASM. See lib/runner/figure-data.ts.
import { parseArgs } from "node:util";
import { experimentFigureData } from "../../lib/runner/figure-data.js";
import { loaderFailure, siteRecords } from "../../lib/runner/site-data.js";

const { values } = parseArgs({ options: { experiment: { type: "string" } } });
if (!values.experiment) throw new Error("the figures loader needs --experiment=<ID> (Framework passes it from the file name)");
try {
  process.stdout.write(JSON.stringify(experimentFigureData(values.experiment, await siteRecords([values.experiment]))));
} catch (error) {
  process.stderr.write(`error: ${loaderFailure(`data loader figures (${values.experiment})`, error)}\n`);
  process.exit(1);
}

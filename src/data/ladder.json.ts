// REGIME1, the batch ladder of the site's preset (src/lib/experiments/regime1.ts), as JSON for src/regime.md: each
// rung's runs row and the ladder's definition (lr x steps, legs), so the page states what was trained.
import { REGIME1_SCALES } from "../lib/experiments/regime1.js";
import { tableJsonRows } from "../lib/runner/parquet.js";
import { loaderFailure, loaderSettings, siteRecords } from "../lib/runner/site-data.js";

try {
  const { preset } = loaderSettings();
  const records = await siteRecords(["REGIME1"]);
  process.stdout.write(JSON.stringify({ preset, scale: REGIME1_SCALES[preset], runs: tableJsonRows(records, "runs") }));
} catch (error) {
  process.stderr.write(`error: ${loaderFailure("data loader ladder.json", error)}\n`);
  process.exit(1);
}

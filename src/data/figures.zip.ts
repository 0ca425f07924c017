// Data loader: every Table 1 experiment's per-run figure data (heatmap grids, biases in heatmap order, training
// curves) as figures/<ID>.json inside one zip, which Framework unpacks member by member: one loader process instead
// of one per experiment (each costs a second or two of the build). See lib/runner/figure-data.ts.
import JSZip from "jszip";
import { EXPERIMENTS } from "../lib/experiments/table1.js";
import { experimentFigureData } from "../lib/runner/figure-data.js";
import { loaderFailure, siteRecords } from "../lib/runner/site-data.js";

try {
  const records = await siteRecords();
  const zip = new JSZip();
  for (const { id } of EXPERIMENTS)
    zip.file(
      `${id}.json`,
      JSON.stringify(
        experimentFigureData(
          id,
          records.filter((r) => r.run.experiment === id),
        ),
      ),
    );
  // Stored, not deflated: the grids inside are compressed already.
  process.stdout.write(await zip.generateAsync({ type: "nodebuffer", compression: "STORE" }));
} catch (error) {
  process.stderr.write(`error: ${loaderFailure("data loader figures.zip", error)}\n`);
  process.exit(1);
}

// Data loader: every Table 1 experiment's single-feature activations as sfa/<ID>.parquet inside one zip (Framework
// unpacks each member on its own, so a reader downloads only the experiment they ask for): one loader process instead
// of one per experiment.
import JSZip from "jszip";
import { EXPERIMENTS } from "../lib/experiments/table1.js";
import { tableToParquetBytes } from "../lib/runner/parquet.js";
import { loaderFailure, siteRecords } from "../lib/runner/site-data.js";

try {
  const records = await siteRecords();
  const zip = new JSZip();
  for (const { id } of EXPERIMENTS)
    zip.file(
      `${id}.parquet`,
      await tableToParquetBytes(
        records.filter((r) => r.run.experiment === id),
        "sfa",
      ),
    );
  // Stored, not deflated: Parquet is compressed already.
  process.stdout.write(await zip.generateAsync({ type: "nodebuffer", compression: "STORE" }));
} catch (error) {
  process.stderr.write(`error: ${loaderFailure("data loader sfa.zip", error)}\n`);
  process.exit(1);
}

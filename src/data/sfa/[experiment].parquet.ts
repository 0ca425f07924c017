// Data loader: one experiment's single-feature activations, as sfa/<ID>.parquet. They are large: one file per
// experiment, so a page loads only the runs it shows.
import { parseArgs } from "node:util";
import { emitTable } from "../../lib/runner/site-data.js";

const { values } = parseArgs({ options: { experiment: { type: "string" } } });
if (!values.experiment) throw new Error("the sfa loader needs --experiment=<ID> (Framework passes it from the file name)");
await emitTable("sfa", [values.experiment]);

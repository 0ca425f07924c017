// Data loader: the neurons table of Table 1's runs (each neuron of each run's final model), as neurons.parquet.
import { emitTable } from "../lib/runner/site-data.js";

await emitTable("neurons");

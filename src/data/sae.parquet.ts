// Data loader: experiment SAE1's sparse autoencoders, scored against the true feature directions, as sae.parquet.
import { emitSae } from "../lib/runner/site-data.js";

await emitSae();

import { PRESET_IDS, type Preset } from "../experiments/presets.js";
import { expandExperiments } from "../experiments/sweep.js";
import { tableToParquetBytes } from "./parquet.js";
import type { RunRecord } from "./record.js";
import { runSweep } from "./sweep.js";
import type { TableSpec } from "./tables.js";

/**
 * What the site's data loaders share: every experiment of the site's preset, through the same runner and run cache
 * as the CLI. The first loader trains what the cache lacks; the others read the cache.
 * MONO_PRESET picks the preset (default quick; CI's browser tests use smoke).
 */
export function sitePreset(): Preset["id"] {
  const preset = (process.env.MONO_PRESET ?? "quick") as Preset["id"];
  if (!PRESET_IDS.includes(preset)) throw new Error(`MONO_PRESET must be one of ${PRESET_IDS.join(", ")}, got "${preset}"`);
  return preset;
}

export async function siteRecords(experiments: string[] | "all" = "all"): Promise<RunRecord[]> {
  return runSweep(expandExperiments(experiments, { preset: sitePreset() }));
}

/** A data loader's whole job: one table of the site's runs, as Parquet on stdout. */
export async function emitTable(table: TableSpec["name"], experiments: string[] | "all" = "all"): Promise<void> {
  const bytes = await tableToParquetBytes(await siteRecords(experiments), table);
  process.stdout.write(bytes);
}

/**
 * What the site's data loaders share: every experiment of the site's preset, through the same runner and run cache
 * (MONO_CACHE_DIR, default .cache/runs) as the CLI. The first loader trains what the cache lacks; the others read it.
 *
 * Environment, validated before anything runs:
 * - MONO_PRESET: smoke, quick, converged or paper (default quick; CI's browser tests use smoke).
 * - MONO_LOADER_TIMEOUT_MINUTES: a loader's time budget for training (default 60). Framework gives loaders no
 *   timeout of their own; past the budget the loader fails, naming the runs it did not finish. Finished runs stay
 *   cached, so rerunning the build continues where it stopped.
 */
import { z } from "zod";
import { PRESET_IDS, type Preset } from "../experiments/presets.js";
import { REGIME1_ID } from "../experiments/beyond.js";
import { expandExperiments, type RunSpec } from "../experiments/sweep.js";
import { mechanismSpecs } from "./mechanism-runs.js";
import { tableToParquetBytes } from "./parquet.js";
import type { RunRecord } from "./record.js";
import { IncompleteSweepError, RunFailedError, runSweep } from "./sweep.js";
import type { TableSpec } from "./tables.js";

export const DEFAULT_LOADER_TIMEOUT_MINUTES = 60;

const LoaderEnvSchema = z.object({
  MONO_PRESET: z
    .enum(PRESET_IDS, { error: (issue) => `MONO_PRESET: got ${JSON.stringify(issue.input)}, expected one of ${PRESET_IDS.join(", ")}` })
    .default("quick"),
  MONO_LOADER_TIMEOUT_MINUTES: z
    .string()
    .trim()
    .refine((t) => /^(\d+\.?\d*|\.\d+)$/.test(t) && Number(t) > 0, {
      error: (issue) => `MONO_LOADER_TIMEOUT_MINUTES: got ${JSON.stringify(issue.input)}, expected a number of minutes > 0`,
    })
    .transform(Number)
    .default(DEFAULT_LOADER_TIMEOUT_MINUTES),
});

export interface LoaderSettings {
  preset: Preset["id"];
  timeoutMinutes: number;
}

/** The loaders' settings from the environment; throws a message naming the variable, its value and what is allowed. */
export function loaderSettings(env: NodeJS.ProcessEnv = process.env): LoaderSettings {
  const result = LoaderEnvSchema.safeParse({
    MONO_PRESET: env.MONO_PRESET === "" ? undefined : env.MONO_PRESET,
    MONO_LOADER_TIMEOUT_MINUTES: env.MONO_LOADER_TIMEOUT_MINUTES === "" ? undefined : env.MONO_LOADER_TIMEOUT_MINUTES,
  });
  if (!result.success) throw new Error(result.error.issues.map((i) => i.message).join("; "));
  return { preset: result.data.MONO_PRESET, timeoutMinutes: result.data.MONO_LOADER_TIMEOUT_MINUTES };
}

export function sitePreset(): Preset["id"] {
  return loaderSettings().preset;
}

/** Every run any loader of the site trains on `preset`: Table 1, GBA1, the batch ladder and claim 8's models (SAE1's
 * autoencoders train on their own runner). */
export function siteRunSpecs(preset: Preset["id"]): RunSpec[] {
  const byId = new Map<string, RunSpec>();
  const all = [...expandExperiments("all", { preset }), ...expandExperiments(["GBA1", REGIME1_ID], { preset }), ...mechanismSpecs(preset)];
  for (const spec of all) if (!byId.has(spec.run_id)) byId.set(spec.run_id, spec);
  return [...byId.values()];
}

/** The records of `experiments` on the site's preset. The first loader to ask trains every run of the site in one
 * pool of workers (its own first), so the cores stay busy across the loaders, which Framework runs one by one. */
export async function siteRecords(experiments: string[] | "all" = "all", env: NodeJS.ProcessEnv = process.env): Promise<RunRecord[]> {
  const settings = loaderSettings(env);
  return runSweep(expandExperiments(experiments, { preset: settings.preset }), {
    maxMinutes: settings.timeoutMinutes,
    thenCache: siteRunSpecs(settings.preset),
  });
}

/** Why a loader failed, in one paragraph that names the run (when one is to blame) and the way out. */
export function loaderFailure(what: string, error: unknown): string {
  if (error instanceof IncompleteSweepError)
    return `${what}: timed out (MONO_LOADER_TIMEOUT_MINUTES=${error.maxMinutes}). ${error.message} To allow more time, raise MONO_LOADER_TIMEOUT_MINUTES.`;
  if (error instanceof RunFailedError) return `${what}: run ${error.runId} failed: ${error.reason}`;
  return `${what}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
}

/** A data loader's whole job: one table of the site's runs, as Parquet on stdout. On failure: a message, exit 1. */
export async function emitTable(table: TableSpec["name"], experiments: string[] | "all" = "all"): Promise<void> {
  const what = `data loader ${table}${experiments === "all" ? "" : ` (${experiments.join(", ")})`}`;
  let bytes: Buffer;
  try {
    bytes = await tableToParquetBytes(await siteRecords(experiments), table);
  } catch (error) {
    process.stderr.write(`error: ${loaderFailure(what, error)}\n`);
    process.exit(1);
  }
  process.stdout.write(bytes);
}

/**
 * The SAE1 loader's whole job: every SAE of the site's preset (trained, or read from the SAE cache under
 * the run cache), as sae.parquet on stdout. On failure: a message, exit 1.
 */
export async function emitSae(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let bytes: Buffer;
  try {
    const { expandSae } = await import("../experiments/sae1.js");
    const { runSaeExperiment } = await import("./sae.js");
    const { saeParquetBytes } = await import("./sae-parquet.js");
    const settings = loaderSettings(env);
    bytes = await saeParquetBytes(await runSaeExperiment(expandSae({ preset: settings.preset })));
  } catch (error) {
    process.stderr.write(`error: ${loaderFailure("data loader sae (SAE1)", error)}\n`);
    process.exit(1);
  }
  process.stdout.write(bytes);
}

/**
 * `manifest.json`, written next to the Parquet tables as the very last step of a sweep (and removed at its start),
 * so its presence says the tables are whole. It records which sweep the directory belongs to, which shard of it, the
 * runs it holds and whether the time budget cut it short. `npm run merge` reads it to refuse missing or repeated
 * shards and incomplete outputs. It holds no timestamps: the same sweep gives the same manifest.
 */
import { createHash } from "node:crypto";
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import type { RunSpec } from "../experiments/sweep.js";

export const MANIFEST_FILE = "manifest.json";

export const ManifestSchema = z
  .object({
    format: z.literal(1),
    /** What was asked for (for people; the merge compares sweep_id). */
    sweep: z.object({
      experiments: z.union([z.literal("all"), z.array(z.string())]),
      preset: z.string(),
      seeds: z.number().int().positive().nullable(),
      overrides: z.record(z.string(), z.union([z.string(), z.number()])),
      /** The engine and its version (`wasm@wasm-1`): the shards of one sweep must agree on it. */
      engine: z.string(),
    }),
    /** SHA-256 over the run ids and configs of the whole (unsharded) sweep, in expansion order. */
    sweep_id: z.string().regex(/^[0-9a-f]{64}$/),
    /** Runs in the whole sweep. */
    sweep_runs: z.number().int().nonnegative(),
    shard: z.object({ index: z.number().int().positive(), count: z.number().int().positive() }).nullable(),
    /** Runs whose rows are in this directory's tables. */
    runs: z.array(z.string()),
    /** Runs of this directory's part of the sweep that did not finish (time budget). */
    missing: z.array(z.string()),
    complete: z.boolean(),
    /** For a merged directory: the manifests' shards it was made from. */
    merged_from: z.array(z.object({ sweep_id: z.string(), shard: z.string().nullable() })).optional(),
  })
  .strict();

export type Manifest = z.infer<typeof ManifestSchema>;

export function sweepId(specs: RunSpec[]): string {
  const hash = createHash("sha256");
  for (const s of specs) hash.update(JSON.stringify([s.run_id, s.config])).update("\n");
  return hash.digest("hex");
}

export function removeManifest(dir: string): void {
  rmSync(join(dir, MANIFEST_FILE), { force: true });
}

export function writeManifest(dir: string, manifest: Manifest): string {
  const path = join(dir, MANIFEST_FILE);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(ManifestSchema.parse(manifest), null, 2)}\n`);
  renameSync(temporary, path);
  return path;
}

/** The manifest of an output directory: null when there is none; throws when it is not a valid manifest. */
export function readManifest(dir: string): Manifest | null {
  let text: string;
  try {
    text = readFileSync(join(dir, MANIFEST_FILE), "utf8");
  } catch {
    return null;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${join(dir, MANIFEST_FILE)} is not JSON: ${(error as Error).message}`);
  }
  const result = ManifestSchema.safeParse(json);
  if (!result.success)
    throw new Error(
      `${join(dir, MANIFEST_FILE)} is not a sweep manifest: ${result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    );
  return result.data;
}

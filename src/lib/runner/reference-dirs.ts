// The shipped reference runs' directories (reference/<run>/, each the whole output of one `npm run sweep`): one
// listing for the loaders that show and judge them and the test that recomputes them. Runs at the paper's own scale
// (batch 8192, 2^17 steps) sit one level down, in reference/paper-scale/<run>/: shown and checked, never judged.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** The directories under `root` that hold a complete sweep output (a manifest.json), sorted by name. */
export function referenceDirs(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, d.name, "manifest.json")))
    .map((d) => d.name)
    .sort();
}

/** The folder under reference/ that holds the paper-scale runs. */
export const PAPER_SCALE_DIR = "paper-scale";

/** The paper-scale runs' directories, relative to `root` (paper-scale/<run>), sorted by name. */
export function paperScaleDirs(root: string): string[] {
  return referenceDirs(join(root, PAPER_SCALE_DIR)).map((d) => `${PAPER_SCALE_DIR}/${d}`);
}

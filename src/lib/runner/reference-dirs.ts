// The shipped reference runs' directories (reference/<run>/, each the whole output of one `npm run sweep`): one
// listing for the loaders that show and judge them and the test that recomputes them.
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

// The listing of shipped reference runs: top-level runs (shown and judged) and paper-scale runs one level down (shown
// and checked, never judged), each a directory holding a manifest.json.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { paperScaleDirs, PAPER_SCALE_DIR, referenceDirs } from "../../../src/lib/runner/reference-dirs.js";

function run(root: string, dir: string, complete = true) {
  mkdirSync(join(root, dir), { recursive: true });
  if (complete) writeFileSync(join(root, dir, "manifest.json"), "{}");
}

describe("reference directories", () => {
  it("lists the top-level runs and the paper-scale runs apart, sorted, and skips folders without a manifest", () => {
    const root = mkdtempSync(join(tmpdir(), "mono-ref-"));
    run(root, "lr3-b");
    run(root, "lr1-a");
    run(root, "half-written", false);
    run(root, `${PAPER_SCALE_DIR}/lr3-paper-z`);
    run(root, `${PAPER_SCALE_DIR}/lr1-paper-y`);
    expect(referenceDirs(root)).toEqual(["lr1-a", "lr3-b"]);
    expect(paperScaleDirs(root)).toEqual([`${PAPER_SCALE_DIR}/lr1-paper-y`, `${PAPER_SCALE_DIR}/lr3-paper-z`]);
  });

  it("gives nothing for a missing folder", () => {
    expect(referenceDirs("/nonexistent/reference")).toEqual([]);
    expect(paperScaleDirs("/nonexistent/reference")).toEqual([]);
  });

  it("never lists the shipped paper-scale run among the runs the verdicts judge", () => {
    expect(referenceDirs("reference")).not.toContain(PAPER_SCALE_DIR);
    expect(paperScaleDirs("reference").length).toBeGreaterThanOrEqual(1);
  });
});

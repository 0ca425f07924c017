// scripts/check-dist.mjs, the post-build scan of dist/: a site with local imports only passes, a bare, remote or CDN
// import fails.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const SCRIPT = join(import.meta.dirname, "..", "..", "scripts", "check-dist.mjs");
const dirs: string[] = [];
function site(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "check-dist-"));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}
const run = (dir: string) => spawnSync(process.execPath, [SCRIPT, dir], { encoding: "utf8" });

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("post-build scan of dist/", () => {
  it("passes a site whose imports are all local", () => {
    const r = run(
      site({
        "index.html": `<script type="module">import "./_import/a.js";</script>`,
        "_import/a.js": `import {x} from "../_node/b.js"; const u = import.meta.resolve("./c.wasm"); export {x, u};`,
        "_node/b.js": "export const x = 1;",
      }),
    );
    expect(r.status).toBe(0);
  });
  it("fails on a bare specifier, a remote import or the npm CDN mirror", () => {
    expect(run(site({ "_import/a.js": `import embed from "vega-embed";` })).stderr).toMatch(/unresolved or remote import "vega-embed"/);
    expect(run(site({ "index.html": `<script type="module">import("https://cdn.jsdelivr.net/npm/d3/+esm")</script>` })).status).toBe(1);
    expect(run(site({ "_npm/d3@7/index.js": "export {}" })).status).toBe(1);
    expect(run(site({ "index.html": `<link rel="stylesheet" href="https://fonts.googleapis.com/css2?family=Source+Serif">` })).status).toBe(
      1,
    );
  });
});

// The build's manifest: versions, engine, preset, seeds, timings and machine. Reads the run cache through the same
// runner as the tables (no training when the tables' loaders already ran).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { arch, cpus, platform, release, totalmem } from "node:os";
import { join } from "node:path";
import { PRESETS } from "../lib/experiments/presets.js";
import { sitePreset, siteRecords } from "../lib/runner/site-data.js";

const started = Date.now();
const preset = sitePreset();
const records = await siteRecords();
const version = (name: string): string | null => {
  try {
    return JSON.parse(readFileSync(join(process.cwd(), "node_modules", name, "package.json"), "utf8")).version;
  } catch {
    return null;
  }
};
let commit: string | null = null;
try {
  commit = execFileSync("git", ["rev-parse", "HEAD"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
} catch {
  commit = null;
}
const project = JSON.parse(readFileSync(join(process.cwd(), "package.json"), "utf8"));
const byExperiment = new Map<string, { runs: number; wall_s: number; seeds: Set<number>; engines: Set<string> }>();
for (const r of records) {
  const e = byExperiment.get(String(r.run.experiment)) ?? { runs: 0, wall_s: 0, seeds: new Set(), engines: new Set() };
  e.runs++;
  e.wall_s += Number(r.run.wall_s) || 0;
  e.seeds.add(Number(r.run.seed));
  e.engines.add(String(r.run.engine));
  byExperiment.set(String(r.run.experiment), e);
}
const cpu = cpus();
process.stdout.write(
  JSON.stringify(
    {
      built_at: new Date().toISOString(),
      commit,
      project: { name: project.name, version: project.version },
      preset: PRESETS[preset],
      runs: records.length,
      engines: [...new Set(records.map((r) => String(r.run.engine)))],
      seeds: [...new Set(records.map((r) => Number(r.run.seed)))].sort((a, b) => a - b),
      train_seconds: records.reduce((s, r) => s + (Number(r.run.wall_s) || 0), 0),
      experiments: [...byExperiment].map(([id, e]) => ({
        id,
        runs: e.runs,
        wall_s: e.wall_s,
        seeds: [...e.seeds].sort((a, b) => a - b),
        engines: [...e.engines],
      })),
      versions: Object.fromEntries(
        [
          "@observablehq/framework",
          "@duckdb/duckdb-wasm",
          "@duckdb/node-api",
          "parquet-wasm",
          "vega",
          "vega-lite",
          "vega-embed",
          "@observablehq/inputs",
          "@tensorflow/tfjs",
          "@tensorflow/tfjs-backend-wasm",
          "@tensorflow/tfjs-node",
          "typescript",
        ].map((n) => [n, version(n)]),
      ),
      machine: {
        node: process.version,
        platform: platform(),
        release: release(),
        arch: arch(),
        cpu: cpu[0]?.model ?? null,
        cores: cpu.length,
        memory_gb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
      },
      manifest_seconds: (Date.now() - started) / 1000,
    },
    null,
    2,
  ),
);

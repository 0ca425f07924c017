import { Command, InvalidArgumentError, Option } from "commander";
import { resolve } from "node:path";
import { ENGINE_IDS } from "../engines/index.js";
import { PRESET_IDS, PRESETS, type Preset } from "../experiments/presets.js";
import { expandExperiments } from "../experiments/sweep.js";
import { EXPERIMENTS } from "../experiments/table1.js";
import { RunCache } from "../runner/cache.js";
import { writeTables } from "../runner/parquet.js";
import { runSweep } from "../runner/sweep.js";
import { parseOverrides, UsageError } from "./overrides.js";

/**
 * npm run sweep -- --experiment <ID> [--preset smoke|quick|paper] [--seeds N] [--set key=value]... [--out DIR]
 * Writes runs, checkpoints, losses, neurons and sfa as Parquet into DIR. Progress goes to stderr.
 */

function positiveInteger(name: string) {
  return (text: string): number => {
    const value = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 0) throw new InvalidArgumentError(`${name} must be a non-negative integer, got "${text}"`);
    return value;
  };
}

function experimentTable(): string {
  const header = ["id", "task", "act.", "sampler", "k", "eps", "lr", "decay", "init bias", "L1", "title"];
  const show = (value: number, swept: boolean) => (swept ? "swept" : String(+value.toPrecision(4)));
  const rows = EXPERIMENTS.map((e) => {
    const b = e.base;
    const s = (f: keyof typeof e.sweep) => e.sweep[f] !== undefined;
    return [e.id, b.task, b.activation, b.sampler, show(b.k, s("k")), show(b.eps, s("eps")), show(b.lr, s("lr")), show(b.decay, s("decay")), show(b.init_bias, s("init_bias")), show(b.l1, s("l1")), e.title];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [header, ...rows].map((r) => r.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd()).join("\n");
}

export function sweepCommand(): Command {
  return new Command("sweep")
    .description("Train the runs of one or more Table 1 experiments and write them as Parquet.")
    .requiredOption("--experiment <ids>", `experiment id(s), comma-separated, "all", or "list" to print the table`)
    .addOption(new Option("--preset <preset>", "scale of the runs").choices(PRESET_IDS).default("quick"))
    .option("--seeds <n>", "seeds per run (default: the preset's)", positiveInteger("--seeds"))
    .option("--set <key=value>", "override a config field (repeatable); setting the swept field gives a single run", (v: string, all: string[]) => [...all, v], [] as string[])
    .option("--out <dir>", "output directory", "out")
    .addOption(new Option("--engine <engine>", "training engine (default: the fastest available)").choices(ENGINE_IDS))
    .option("--workers <n>", "parallel worker threads (default: one per core; 0 = in this thread)", positiveInteger("--workers"))
    .option("--no-cache", "ignore and do not fill the run cache")
    .showHelpAfterError();
}

export async function main(argv: string[]): Promise<void> {
  const program = sweepCommand();
  program.parse(argv, { from: "user" });
  const options = program.opts<{ experiment: string; preset: Preset["id"]; seeds?: number; set: string[]; out: string; engine?: string; workers?: number; cache: boolean }>();
  if (options.experiment === "list") {
    process.stdout.write(`${experimentTable()}\n`);
    return;
  }
  if (options.seeds === 0) throw new UsageError("--seeds must be at least 1");
  const overrides = parseOverrides(options.set);
  const ids = options.experiment === "all" ? "all" : options.experiment.split(",").map((s) => s.trim());
  const specs = expandExperiments(ids, { preset: options.preset, seeds: options.seeds, overrides });
  process.stderr.write(`${PRESETS[options.preset].description}\n`);
  const records = await runSweep(specs, { engine: options.engine, workers: options.workers, cache: options.cache ? new RunCache() : null });
  const paths = await writeTables(records, resolve(options.out));
  process.stderr.write(`wrote ${paths.join(", ")}\n`);
}

const isEntryPoint = process.argv[1] && import.meta.url === new URL(`file://${resolve(process.argv[1])}`).href;
if (isEntryPoint) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`error: ${error instanceof UsageError || !(error instanceof Error) ? String(error instanceof Error ? error.message : error) : error.message}\n`);
    process.exit(error instanceof UsageError ? 2 : 1);
  });
}

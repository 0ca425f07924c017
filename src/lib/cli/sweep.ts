/**
 * npm run sweep -- --experiment <ID> [--preset smoke|quick|converged|paper] [--seeds N] [--set key=value]... [--out DIR]
 *                  [--shard i/n] [--max-minutes M] [--engine E] [--workers N] [--no-cache]
 *
 * Writes runs, checkpoints, losses, neurons and sfa as Parquet into DIR, then manifest.json. Progress goes to stderr.
 * Every flag is validated before anything is trained or written. Exit codes:
 *   0  the sweep (or shard) is complete
 *   1  a run failed (finished runs stay cached: rerun to continue)
 *   2  bad input: nothing was written
 *   3  --max-minutes ran out, or SIGTERM/SIGINT arrived: the finished runs were written, manifest.json says
 *      complete: false; rerun to continue
 */
import { Command, CommanderError } from "commander";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { z } from "zod";
import { engineById, ENGINE_IDS } from "../engines/index.js";
import { PRESET_IDS, PRESETS, type Preset } from "../experiments/presets.js";
import { expandExperiments, type RunSpec } from "../experiments/sweep.js";
import { EXPERIMENTS } from "../experiments/table1.js";
import type { RunConfig } from "../protocol/config.js";
import { RunCache } from "../runner/cache.js";
import { removeManifest, sweepId, writeManifest, type Manifest } from "../runner/manifest.js";
import { writeTables } from "../runner/parquet.js";
import type { RunRecord } from "../runner/record.js";
import { IncompleteSweepError, RunFailedError, runSweep } from "../runner/sweep.js";
// SAE1 is its own pipeline (sparse autoencoders), planned and run apart from the toy-model runs.
import { expandSae, SAE1_ID, type SaeSpec } from "../experiments/sae1.js";
import { runSaeExperiment } from "../runner/sae.js";
import { writeSaeParquet } from "../runner/sae-parquet.js";
import {
  choiceText,
  integerText,
  parseExperiments,
  parseOverrides,
  positiveNumberText,
  refusal,
  shardText,
  usageErrorFrom,
  UsageError,
  validateCatalogue,
} from "./validate.js";

export const EXIT = { ok: 0, failed: 1, usage: 2, incomplete: 3 } as const;

function experimentTable(): string {
  const header = ["id", "task", "act.", "sampler", "k", "eps", "lr", "decay", "init bias", "L1", "title"];
  const show = (value: number, swept: boolean) => (swept ? "swept" : String(+value.toPrecision(4)));
  const rows = EXPERIMENTS.map((e) => {
    const b = e.base;
    const s = (f: keyof typeof e.sweep) => e.sweep[f] !== undefined;
    return [
      e.id,
      b.task,
      b.activation,
      b.sampler,
      show(b.k, s("k")),
      show(b.eps, s("eps")),
      show(b.lr, s("lr")),
      show(b.decay, s("decay")),
      show(b.init_bias, s("init_bias")),
      show(b.l1, s("l1")),
      e.title,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [header, ...rows]
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

export function sweepCommand(): Command {
  // Options are taken as text and validated together by SweepFlagsSchema, so every message has the same shape.
  return new Command("sweep")
    .description("Train the runs of one or more Table 1 experiments and write them as Parquet.")
    .requiredOption("--experiment <ids>", `experiment id(s), comma-separated, "all", or "list" to print the table`)
    .option("--preset <preset>", `scale of the runs: ${PRESET_IDS.join(", ")}`, "quick")
    .option("--seeds <n>", "seeds per run, 1..n (default: the preset's)")
    .option(
      "--set <key=value>",
      "override a config field (repeatable); setting the swept field gives a single run",
      (v: string, all: string[]) => [...all, v],
      [] as string[],
    )
    .option("--out <dir>", "output directory", "out")
    .option(
      "--shard <i/n>",
      "run only the i-th of n parts of the sweep (runs whose index mod n is i-1); merge the parts with npm run merge",
    )
    .option("--max-minutes <m>", "time budget: start no run after it, abandon runs in flight, write the finished ones, exit 3")
    .option(
      "--engine <engine>",
      `training engine: ${ENGINE_IDS.join(", ")} (default: ${ENGINE_IDS[0]}, the engine the browser re-runs published rows with)`,
    )
    .option("--workers <n>", "parallel worker threads (default: one per core; 0 = in this thread)")
    .option("--threads <n>", "threads inside each run's step, for --engine native (default 1; numbers do not change)")
    .option("--no-cache", "ignore and do not fill the run cache")
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({ writeErr: () => {}, writeOut: (s) => process.stdout.write(s) });
}

const SweepFlagsSchema = z.object({
  experiment: z.string(),
  preset: choiceText("--preset", PRESET_IDS as unknown as [Preset["id"], ...Preset["id"][]]),
  seeds: integerText("--seeds", 1).optional(),
  set: z.array(z.string()),
  out: z.string().refine((s) => s.trim() !== "", { error: (issue) => refusal("--out", issue.input, "a directory path") }),
  shard: shardText().optional(),
  maxMinutes: positiveNumberText("--max-minutes", "a number of minutes").optional(),
  engine: choiceText("--engine", ENGINE_IDS as [string, ...string[]]).optional(),
  workers: integerText("--workers", 0).optional(),
  threads: integerText("--threads", 1).optional(),
  cache: z.boolean(),
});

export interface SweepPlan {
  experiments: "all" | string[];
  preset: Preset["id"];
  seeds?: number;
  overrides: Partial<RunConfig>;
  out: string;
  shard?: { index: number; count: number };
  maxMinutes?: number;
  engine?: string;
  workers?: number;
  /** Threads inside each run's step (native engine); passed to the engines through MONO_NATIVE_THREADS. */
  threads?: number;
  cache: boolean;
  /** Every run of the sweep, in the stable expansion order. */
  specs: RunSpec[];
  /** The runs this invocation trains: all of them, or the shard's. */
  selected: RunSpec[];
  /** SAE1's autoencoders when it was asked for, else null. */
  sae: SaeSpec[] | null;
}

function engineLabel(id: string | undefined): string {
  const engine = engineById(id);
  return `${engine.id}@${engine.version}`;
}

/** The runs of shard i of n: those whose position in the expansion order is i-1 modulo n. */
export function shardOf<T>(items: T[], shard: { index: number; count: number } | undefined): T[] {
  return shard ? items.filter((_, position) => position % shard.count === shard.index - 1) : items;
}

/** Turn a ZodError raised by a run's config into a usage message naming the field, its value and the rule. */
function configError(error: z.ZodError, overrides: Record<string, unknown>): UsageError {
  const issue = error.issues[0];
  const field = String(issue.path[0] ?? "config");
  const rule = `a value that satisfies "${issue.message}"`;
  if (Object.hasOwn(overrides, field)) return new UsageError(refusal(`--set ${field}`, overrides[field], rule));
  return new UsageError(`${field} (from the experiment, the preset and the --set values): expected ${rule}`);
}

/**
 * Parse and validate the arguments and expand the sweep, without touching the disk (beyond checking that --out is
 * not a file). Returns "list" for `--experiment list`, null after --help; throws UsageError on any bad input.
 */
export function planSweep(argv: string[]): SweepPlan | "list" | null {
  const program = sweepCommand();
  try {
    program.parse(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.code === "commander.help") return null;
      throw new UsageError(error.message.replace(/^error: /, ""));
    }
    throw error;
  }
  const parsed = SweepFlagsSchema.safeParse(program.opts());
  if (!parsed.success) throw usageErrorFrom(parsed.error);
  const flags = parsed.data;
  const experiments = parseExperiments(flags.experiment);
  if (experiments === "list") return "list";
  const overrides = parseOverrides(flags.set) as Partial<RunConfig>;
  if (flags.seeds !== undefined && overrides.seed !== undefined)
    throw new UsageError(
      refusal("--seeds", String(flags.seeds), `no --seeds together with --set seed=${overrides.seed} (which fixes the one seed)`),
    );
  const out = resolve(flags.out);
  if (existsSync(out) && !statSync(out).isDirectory())
    throw new UsageError(refusal("--out", flags.out, "a directory (this path is a file)"));
  validateCatalogue();
  let specs: RunSpec[];
  // SAE1 is not a toy-model sweep; --set applies to its base model and world.
  const wantsSae = experiments !== "all" && experiments.includes(SAE1_ID);
  if (wantsSae && flags.shard)
    throw new UsageError(
      refusal("--shard", `${flags.shard.index}/${flags.shard.count}`, `no --shard with ${SAE1_ID} (it runs as one job)`),
    );
  let sae: SaeSpec[] | null = null;
  try {
    if (wantsSae) sae = expandSae({ preset: flags.preset, seeds: flags.seeds, overrides });
    const toy = experiments === "all" ? "all" : experiments.filter((id) => id !== SAE1_ID);
    specs = toy === "all" || toy.length > 0 ? expandExperiments(toy, { preset: flags.preset, seeds: flags.seeds, overrides }) : [];
  } catch (error) {
    if (error instanceof z.ZodError) throw configError(error, overrides);
    throw error;
  }
  const selected = shardOf(specs, flags.shard);
  if (flags.threads !== undefined && flags.engine !== "native")
    throw new UsageError(
      refusal("--threads", String(flags.threads), "no --threads without --engine native (the other engines run one thread per run)"),
    );
  return {
    experiments,
    preset: flags.preset,
    seeds: flags.seeds,
    overrides,
    out,
    shard: flags.shard,
    maxMinutes: flags.maxMinutes,
    engine: flags.engine,
    workers: flags.workers,
    threads: flags.threads,
    cache: flags.cache,
    specs,
    selected,
    sae,
  };
}

export interface MainIO {
  /** Run cache directory (default MONO_CACHE_DIR or .cache/runs). */
  cacheDir?: string;
  log?: (line: string) => void;
  stdout?: (text: string) => void;
}

/** The whole command; resolves to its exit code. Throws UsageError (exit 2) before anything is written. */
export async function main(argv: string[], io: MainIO = {}): Promise<number> {
  const log = io.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const plan = planSweep(argv);
  if (plan === null) return EXIT.ok;
  if (plan === "list") {
    (io.stdout ?? ((text: string) => process.stdout.write(text)))(`${experimentTable()}\n`);
    return EXIT.ok;
  }
  const { selected, specs, shard } = plan;
  log(`${PRESETS[plan.preset].description}`);
  if (shard) log(`shard ${shard.index}/${shard.count}: ${selected.length} of the sweep's ${specs.length} runs`);
  // From here on the disk is touched. A stale manifest must not vouch for tables this invocation may leave half-made.
  mkdirSync(plan.out, { recursive: true });
  removeManifest(plan.out);
  let records: RunRecord[];
  let missing: string[] = [];
  let incomplete: IncompleteSweepError | null = null;
  // SIGTERM (Slurm's time limit, Kubernetes' pod deletion) or Ctrl-C: stop like a spent budget and write what finished.
  // A second signal exits at once (the cache is safe either way).
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) process.exit(128 + (signal === "SIGINT" ? 2 : 15));
    log(`received ${signal}: starting no more runs, abandoning those in flight, writing the finished ones (again to exit at once)`);
    stop.abort(signal);
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  // Worker threads inherit the environment, so every run's engine sees the thread count.
  if (plan.threads !== undefined) process.env.MONO_NATIVE_THREADS = String(plan.threads);
  try {
    records = await runSweep(selected, {
      engine: plan.engine,
      workers: plan.workers,
      cache: plan.cache ? new RunCache(io.cacheDir) : null,
      maxMinutes: plan.maxMinutes,
      signal: stop.signal,
      log,
    });
  } catch (error) {
    if (!(error instanceof IncompleteSweepError)) throw error;
    incomplete = error;
    records = error.records;
    missing = error.missing;
  } finally {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
  }
  // an SAE1-only invocation writes sae.parquet and no (empty) run tables.
  const paths = plan.sae && specs.length === 0 ? [] : await writeTables(records, plan.out);
  if (plan.sae) {
    const saeRows = await runSaeExperiment(plan.sae, {
      engine: plan.engine,
      cacheDir: plan.cache ? (io.cacheDir ? join(io.cacheDir, "sae") : undefined) : null,
      log,
    });
    paths.push(await writeSaeParquet(saeRows, join(plan.out, "sae.parquet")));
  }
  const manifest: Manifest = {
    format: 1,
    sweep: {
      experiments: plan.experiments,
      preset: plan.preset,
      seeds: plan.seeds ?? null,
      overrides: plan.overrides as Record<string, string | number>,
      engine: engineLabel(plan.engine),
    },
    sweep_id: sweepId(specs),
    sweep_runs: specs.length,
    shard: shard ?? null,
    runs: [...records.map((r) => String(r.run.run_id)), ...(plan.sae ?? []).map((s) => s.run_id)],
    missing,
    complete: missing.length === 0,
  };
  paths.push(writeManifest(plan.out, manifest));
  log(`wrote ${paths.join(", ")}`);
  if (incomplete) {
    log(`INCOMPLETE: ${incomplete.message}`);
    return EXIT.incomplete;
  }
  return EXIT.ok;
}

const isEntryPoint = process.argv[1] && import.meta.url === new URL(`file://${resolve(process.argv[1])}`).href;
if (isEntryPoint) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      const usage = error instanceof UsageError;
      if (usage) process.stderr.write(`error: ${error.message}\n(nothing was written; see --help)\n`);
      else if (error instanceof RunFailedError)
        process.stderr.write(`error: ${error.message}\nFinished runs are cached: rerun the same command to continue.\n`);
      else process.stderr.write(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(usage ? EXIT.usage : EXIT.failed);
    },
  );
}

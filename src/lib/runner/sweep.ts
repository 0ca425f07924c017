/**
 * The sweep runner shared by the CLI and the site's loaders: runs every spec from the run cache or on worker threads,
 * within a time budget, and returns the records in spec order.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { availableParallelism } from "node:os";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { PAPER_REGIME } from "../experiments/paper-reports.js";
import type { RunSpec } from "../experiments/sweep.js";
import { engineById } from "../engines/index.js";
import { cacheKey, RunCache } from "./cache.js";
import type { RunRecord } from "./record.js";
import { trainSpec, type WorkerMessage, type WorkerRequest } from "./train-spec.js";

export interface SweepRunOptions {
  /** Engine id (`--engine`); default: the registry's first, wasm (src/lib/engines/index.ts). */
  engine?: string;
  /** Parallel worker threads; default one per core. 0 trains in this thread (tests, debugging). */
  workers?: number;
  /** The run cache; default the shared one (MONO_CACHE_DIR or .cache/runs); null disables it. */
  cache?: RunCache | null;
  /**
   * Time budget in minutes, counted from the call. Once it is spent no run is started, runs in flight in worker
   * threads are abandoned (their workers terminated; a rerun trains them from the start), and runSweep rejects with
   * an IncompleteSweepError that carries every run finished so far (all of them are already in the cache). With
   * `workers: 0` a run in flight cannot be interrupted and finishes first.
   */
  maxMinutes?: number;
  /**
   * Runs to train after `specs`, in the same pool of workers, so that no worker sits idle while the sweep's last runs
   * finish (each site loader passes every run of the site: the first loader trains them all, the others find them
   * cached). They are cached, not returned; one already in the cache is only checked for presence; the budget may
   * leave some of them untrained without an error (the loader that needs them trains them). Needs the cache.
   */
  thenCache?: RunSpec[];
  /** Stops the sweep like a spent budget (the CLI aborts it on SIGTERM/SIGINT, as schedulers send before a kill). */
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** The clock the budget is checked against between runs (tests); default Date.now. */
  now?: () => number;
}

/** A run threw (not diverged: divergence is a result). Finished runs are in the cache; a rerun continues. */
export class RunFailedError extends Error {
  constructor(
    readonly runId: string,
    readonly reason: string,
  ) {
    super(`run ${runId} failed: ${reason}`);
    this.name = "RunFailedError";
  }
}

/** The time budget ran out: `records` holds the finished runs (in spec order), `missing` the ids of the others. */
export class IncompleteSweepError extends Error {
  constructor(
    readonly records: RunRecord[],
    readonly missing: string[],
    readonly maxMinutes: number | null,
    /** Why it stopped, for the message: the budget by default. */
    readonly reason = `time budget of ${maxMinutes} min spent`,
  ) {
    super(
      `${reason}: ${records.length} of ${records.length + missing.length} runs finished, ` +
        `${missing.length} not (first: ${missing.slice(0, 3).join(", ")}${missing.length > 3 ? ", ..." : ""}). ` +
        `Finished runs are cached: rerun the same command to continue.`,
    );
    this.name = "IncompleteSweepError";
  }
}

const PROGRESS_INTERVAL_MS = 5000;

/**
 * Relative cost of a run, for the time-left estimate and the order of work. Per step: a part that does not grow with
 * the model (the training loop and the sampler) plus, per neuron, the batch and a fixed part (LAMB's pass over every
 * parameter: about 24 samples' worth); twice that when the run starts with its neurons firing (init_bias >= 0).
 * Fitted to the quick preset's build on the wasm engine (Zen 3, 2026-12-07): 0.1 ms a step at k = 16, about 1.2 ms at
 * k = 1024 and batch 16 with negative biases, 2-4 ms with biases >= 0; within an experiment runs still differ by up
 * to 2x with their learning rate, which no config field predicts.
 */
export const cost = (spec: RunSpec) => {
  const { steps, k, batch, init_bias } = spec.config;
  return steps * (4000 + k * (batch + 24) * (init_bias >= 0 ? 2 : 1));
};

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  return s >= 3600
    ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`
    : s >= 60
      ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`
      : `${s}s`;
}

/**
 * A record (cached or fresh) labelled with this spec's identity: the same config may belong to several runs (of
 * different experiments, presets or variants), and the cache holds it once. Every scalar field of the spec besides
 * its config (run_id, experiment, preset, decay_nominal, variant, ...) is a runs column and is taken from the spec;
 * a spec without a variant gets NULL, and a record without bias_rule is a paper run.
 */
function labelled(record: RunRecord, spec: RunSpec): RunRecord {
  const identity = Object.fromEntries(
    Object.entries(spec).filter(([key, value]) => key !== "config" && (value === null || typeof value !== "object")),
  );
  return { ...record, run: { ...record.run, variant: null, ...identity, bias_rule: record.run.bias_rule ?? "paper" } };
}

/**
 * Run every spec (from the cache when it has them), spreading the rest over worker threads, and return their
 * records in spec order. Each finished run is cached at once, so a killed sweep resumes where it stopped.
 * Rejects with RunFailedError when a run throws, IncompleteSweepError when the time budget runs out.
 */
export async function runSweep(specs: RunSpec[], options: SweepRunOptions = {}): Promise<RunRecord[]> {
  const now = options.now ?? Date.now;
  const started = now();
  const deadline = options.maxMinutes === undefined ? Number.POSITIVE_INFINITY : started + options.maxMinutes * 60_000;
  const factory = engineById(options.engine);
  const cache = options.cache === undefined ? new RunCache() : options.cache;
  const log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  const ids = new Set<string>();
  for (const s of specs) {
    if (ids.has(s.run_id)) throw new Error(`run ${s.run_id} appears twice in the sweep`);
    ids.add(s.run_id);
  }
  const stale = cache?.removeStaleTemporaries() ?? 0;
  if (stale > 0) log(`cache: removed ${stale} stale temporary file(s) of killed writers in ${cache!.dir}`);
  const records = new Map<string, RunRecord>();
  const keys = new Map(specs.map((s) => [s.run_id, cacheKey(s.config, factory)]));
  // Runs with the same config (e.g. K0 at k = 1024 is LR1 at lr = 0.007) train once: the others wait for it.
  const twins = new Map<string, RunSpec[]>();
  let cachedCount = 0;
  const todo = specs.filter((s) => {
    const key = keys.get(s.run_id)!;
    const cached = cache?.get(key);
    if (cached) {
      records.set(s.run_id, labelled(cached, s));
      cachedCount++;
      return false;
    }
    const waiting = twins.get(key);
    if (waiting) waiting.push(s);
    else twins.set(key, []);
    return !waiting;
  });
  const twinCount = specs.length - cachedCount - todo.length;
  // Ahead of need: the other runs the caller will want, unless cached, in flight here already or the same as another.
  const planned = new Set(keys.values());
  const ahead = (cache ? (options.thenCache ?? []) : []).filter((s) => {
    if (ids.has(s.run_id)) return false;
    const key = cacheKey(s.config, factory);
    if (planned.has(key) || cache!.present(key)) return false;
    planned.add(key);
    keys.set(s.run_id, key);
    return true;
  });
  log(
    `sweep: ${specs.length} runs, ${cachedCount} cached${twinCount ? `, ${twinCount} the same as another run` : ""}, ${todo.length} to train with engine ${factory.id}` +
      (ahead.length ? ` (then ${ahead.length} more runs of the site, for the loaders after this one)` : ""),
  );
  const toTrain = [...todo, ...ahead];
  let outOfTime = false;
  if (toTrain.length > 0) {
    // Name the regime of what is about to train: the noise scale lr / sqrt(batch) decides it as much as lr does (docs/regime.md).
    const noise = toTrain.map((s) => s.config.lr / Math.sqrt(s.config.batch));
    const range = (xs: number[]) => {
      const [lo, hi] = [Math.min(...xs), Math.max(...xs)].map((x) => x.toExponential(1));
      return lo === hi ? lo : `${lo} to ${hi}`;
    };
    log(
      `sweep: noise scale lr/sqrt(batch) ${range(noise)} (the paper's runs: ${range([PAPER_REGIME.noiseMin, PAPER_REGIME.noiseMax])}), ` +
        `i.e. paper_lr ${range(noise.map((n) => n * Math.sqrt(PAPER_REGIME.batch)))}`,
    );
    const totalCost = toTrain.reduce((sum, s) => sum + cost(s), 0);
    let doneCost = 0;
    let finished = 0;
    const inFlight = new Map<string, number>();
    let lastProgressLog = 0;
    const index = new Map(toTrain.map((s, i) => [s.run_id, i + 1]));
    const byId = new Map(toTrain.map((s) => [s.run_id, s]));
    const onMessage = (message: WorkerMessage) => {
      const spec = byId.get(message.run_id)!;
      const label = `[run ${index.get(spec.run_id)}/${toTrain.length} ${spec.run_id}]`;
      if (message.type === "progress") {
        inFlight.set(spec.run_id, message.step / message.steps);
        const now = Date.now();
        // Runs report every 16 steps from every worker: one line per interval is enough for a log.
        if (now - lastProgressLog < PROGRESS_INTERVAL_MS) return;
        lastProgressLog = now;
        let partial = 0;
        for (const [id, done] of inFlight) partial += cost(byId.get(id)!) * done;
        const fraction = (doneCost + partial) / totalCost;
        const elapsed = (now - started) / 1000;
        log(
          `${label} step ${message.step}/${message.steps} loss ${message.loss.toFixed(4)} | sweep ${(100 * fraction).toFixed(1)}% done, ${formatDuration((elapsed / Math.max(fraction, 1e-9)) * (1 - fraction))} left`,
        );
      } else if (message.type === "done") {
        inFlight.delete(spec.run_id);
        doneCost += cost(spec);
        finished++;
        const record = labelled(message.record, spec);
        cache?.set(keys.get(spec.run_id)!, record);
        records.set(spec.run_id, record);
        for (const twin of twins.get(keys.get(spec.run_id)!) ?? []) records.set(twin.run_id, labelled(message.record, twin));
        const r = record.run;
        const result =
          r.status === "diverged"
            ? `DIVERGED at step ${r.diverged_at}`
            : `loss ${Number(r.final_loss).toFixed(4)}, mono/features ${Number(r.mono_per_feature).toFixed(3)}`;
        log(`${label} done in ${Number(r.wall_s).toFixed(1)}s: ${result} (${finished}/${toTrain.length} trained)`);
      } else {
        throw new RunFailedError(spec.run_id, message.error);
      }
    };
    const workers = Math.min(options.workers ?? availableParallelism(), toTrain.length);
    if (workers === 0) {
      for (const spec of toTrain) {
        if (now() >= deadline || options.signal?.aborted) {
          outOfTime = true;
          break;
        }
        await trainSpec({ spec, engine: factory.id }, onMessage);
      }
    } else {
      // Longest first, so that no long run starts last while the other workers sit idle; the runs ahead of need after.
      const longestFirst = (runs: RunSpec[]) => [...runs].sort((a, b) => cost(b) - cost(a));
      outOfTime = await runInWorkers(
        [...longestFirst(todo), ...longestFirst(ahead)],
        factory.id,
        workers,
        deadline,
        onMessage,
        options.signal,
      );
    }
  }
  const missing = specs.filter((s) => !records.has(s.run_id)).map((s) => s.run_id);
  const finishedRecords = specs.flatMap((s) => records.get(s.run_id) ?? []);
  if (missing.length > 0) {
    if (outOfTime && options.signal?.aborted)
      throw new IncompleteSweepError(
        finishedRecords,
        missing,
        options.maxMinutes ?? null,
        `stopped (${String(options.signal.reason ?? "aborted")})`,
      );
    if (outOfTime && options.maxMinutes !== undefined) throw new IncompleteSweepError(finishedRecords, missing, options.maxMinutes);
    throw new Error(`internal error: ${missing.length} runs neither finished nor failed (first: ${missing[0]})`);
  }
  return finishedRecords;
}

/**
 * Workers are TypeScript too: register tsx's loader in the worker, then load the worker module. (Resolved lazily and
 * without import.meta.resolve, which test runners that transform modules do not provide.)
 */
function tsxEsmApiFromPackage(): string {
  const packageJson = createRequire(import.meta.url).resolve("tsx/package.json");
  const exported = (JSON.parse(readFileSync(packageJson, "utf8")) as { exports: Record<string, { import: string | { default: string } }> })
    .exports["./esm/api"].import;
  return pathToFileURL(join(dirname(packageJson), typeof exported === "string" ? exported : exported.default)).href;
}

/** Source for `new Worker(source, { eval: true })` that runs the TypeScript module `moduleUrl` (default: the sweep
 * worker). */
export function workerBootstrap(moduleUrl: URL = new URL("./worker.ts", import.meta.url)): string {
  const tsxApi = typeof import.meta.resolve === "function" ? import.meta.resolve("tsx/esm/api") : tsxEsmApiFromPackage();
  return `import(${JSON.stringify(tsxApi)})
  .then(({ register }) => { register(); return import(${JSON.stringify(moduleUrl.href)}); });`;
}

/**
 * Train `todo` on `count` worker threads. Resolves true when the deadline stopped it early (in-flight runs
 * abandoned), false when every run finished; rejects with the first failure (a run that threw, a worker that died).
 */
function runInWorkers(
  todo: RunSpec[],
  engine: string,
  count: number,
  deadline: number,
  onMessage: (m: WorkerMessage) => void,
  signal?: AbortSignal,
): Promise<boolean> {
  return new Promise((resolvePromise, reject) => {
    const queue = [...todo];
    const inFlight = new Map<Worker, RunSpec>();
    const pool: Worker[] = [];
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (outcome: { error: unknown } | { outOfTime: boolean }) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      for (const w of pool) void w.terminate();
      if ("error" in outcome) reject(outcome.error);
      else resolvePromise(outcome.outOfTime);
    };
    const feed = (worker: Worker) => {
      inFlight.delete(worker);
      if (settled) return;
      if ((Date.now() >= deadline || signal?.aborted) && queue.length > 0) return finish({ outOfTime: true });
      const spec = queue.shift();
      if (!spec) {
        void worker.terminate();
        if (inFlight.size === 0) finish({ outOfTime: false });
        return;
      }
      inFlight.set(worker, spec);
      worker.postMessage({ spec, engine } satisfies WorkerRequest);
    };
    const bootstrap = workerBootstrap();
    const onAbort = () => finish({ outOfTime: true });
    if (signal?.aborted) return finish({ outOfTime: true });
    signal?.addEventListener("abort", onAbort);
    if (Number.isFinite(deadline)) timer = setTimeout(() => finish({ outOfTime: true }), Math.max(0, deadline - Date.now()));
    for (let i = 0; i < count; i++) {
      const worker = new Worker(bootstrap, { eval: true });
      pool.push(worker);
      worker.on("message", (message: WorkerMessage) => {
        if (settled) return;
        try {
          onMessage(message);
        } catch (error) {
          finish({ error });
          return;
        }
        if (message.type === "done") feed(worker);
      });
      worker.on("error", (error) => {
        const spec = inFlight.get(worker);
        finish({ error: spec ? new RunFailedError(spec.run_id, `worker thread crashed: ${error.stack ?? error.message}`) : error });
      });
      worker.on("exit", (code) => {
        const spec = inFlight.get(worker);
        if (!settled && spec) finish({ error: new RunFailedError(spec.run_id, `worker thread exited with code ${code} (out of memory?)`) });
      });
      feed(worker);
    }
  });
}

import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { RunSpec } from "../experiments/sweep.js";
import { engineById } from "../engines/index.js";
import { cacheKey, RunCache } from "./cache.js";
import type { RunRecord } from "./record.js";
import { trainSpec, type WorkerMessage, type WorkerRequest } from "./worker.js";

export interface SweepRunOptions {
  /** Engine id (`--engine`); default: the fastest available. */
  engine?: string;
  /** Parallel worker threads; default one per core. 0 trains in this thread (tests, debugging). */
  workers?: number;
  cache?: RunCache | null;
  log?: (line: string) => void;
}

/** Relative cost of a run, for the time-left estimate. */
const cost = (spec: RunSpec) => spec.config.steps * spec.config.batch * spec.config.k;

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

/**
 * Run every spec (from the cache when it has them), spreading the rest over worker threads, and return their
 * records in spec order. Each finished run is cached at once, so a killed sweep resumes where it stopped.
 */
export async function runSweep(specs: RunSpec[], options: SweepRunOptions = {}): Promise<RunRecord[]> {
  const factory = engineById(options.engine);
  const cache = options.cache === undefined ? new RunCache() : options.cache;
  const log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  const records = new Map<string, RunRecord>();
  const keys = new Map(specs.map((s) => [s.run_id, cacheKey(s.config, factory)]));
  const todo = specs.filter((s) => {
    const cached = cache?.get(keys.get(s.run_id)!);
    if (cached) records.set(s.run_id, { ...cached, run: { ...cached.run, run_id: s.run_id, experiment: s.experiment, preset: s.preset } });
    return !cached;
  });
  log(`sweep: ${specs.length} runs, ${specs.length - todo.length} cached, ${todo.length} to train with engine ${factory.id}`);
  if (todo.length > 0) {
    const totalCost = todo.reduce((sum, s) => sum + cost(s), 0);
    const started = Date.now();
    let doneCost = 0;
    let finished = 0;
    const index = new Map(todo.map((s, i) => [s.run_id, i + 1]));
    const byId = new Map(todo.map((s) => [s.run_id, s]));
    const onMessage = (message: WorkerMessage) => {
      const spec = byId.get(message.run_id)!;
      const label = `[run ${index.get(spec.run_id)}/${todo.length} ${spec.run_id}]`;
      if (message.type === "progress") {
        const fraction = (doneCost + (cost(spec) * message.step) / message.steps) / totalCost;
        const elapsed = (Date.now() - started) / 1000;
        log(`${label} step ${message.step}/${message.steps} loss ${message.loss.toFixed(4)} | ${(100 * fraction).toFixed(1)}% done, ${formatDuration((elapsed / Math.max(fraction, 1e-9)) * (1 - fraction))} left`);
      } else if (message.type === "done") {
        doneCost += cost(spec);
        finished++;
        cache?.set(keys.get(spec.run_id)!, message.record);
        records.set(spec.run_id, message.record);
        const r = message.record.run;
        log(`${label} done in ${Number(r.wall_s).toFixed(1)}s: loss ${Number(r.final_loss).toFixed(4)}, mono/features ${Number(r.mono_per_feature).toFixed(3)} (${finished}/${todo.length} trained)`);
      } else {
        throw new Error(`run ${spec.run_id} failed: ${message.error}`);
      }
    };
    const workers = Math.min(options.workers ?? availableParallelism(), todo.length);
    if (workers === 0) {
      for (const spec of todo) await trainSpec({ spec, engine: factory.id }, onMessage);
    } else {
      await runInWorkers(todo, factory.id, workers, onMessage);
    }
  }
  return specs.map((s) => records.get(s.run_id)!);
}

/** Workers are TypeScript too: register tsx's loader in the worker, then load the worker module. */
const WORKER_BOOTSTRAP = `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))})
  .then(({ register }) => { register(); return import(${JSON.stringify(new URL("./worker.ts", import.meta.url).href)}); });`;

function runInWorkers(todo: RunSpec[], engine: string, count: number, onMessage: (m: WorkerMessage) => void): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const queue = [...todo];
    const pool: Worker[] = [];
    let active = 0;
    let failed = false;
    const stopAll = (error: unknown) => {
      if (failed) return;
      failed = true;
      for (const w of pool) void w.terminate();
      reject(error);
    };
    const feed = (worker: Worker) => {
      const spec = queue.shift();
      if (!spec) {
        void worker.terminate();
        if (--active === 0 && !failed) resolvePromise();
        return;
      }
      worker.postMessage({ spec, engine } satisfies WorkerRequest);
    };
    for (let i = 0; i < count; i++) {
      const worker = new Worker(WORKER_BOOTSTRAP, { eval: true });
      pool.push(worker);
      active++;
      worker.on("message", (message: WorkerMessage) => {
        try {
          onMessage(message);
        } catch (error) {
          stopAll(error);
          return;
        }
        if (message.type === "done") feed(worker);
      });
      worker.on("error", stopAll);
      feed(worker);
    }
  });
}

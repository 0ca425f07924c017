/**
 * Experiment SAE1's runner: trains the base model (for the `hidden` target) with the chosen engine, then every SAE
 * of the sweep in plain TypeScript, scores them against the true feature directions, computes consistency across
 * seeds and returns one row per SAE (the sae.parquet table, written by ./sae-parquet.ts). Results are cached under
 * `<run cache>/sae/` by a hash of everything they depend on, so the site's loader and a rerun of the CLI do not retrain.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { deserialize, serialize } from "node:v8";
import { Worker } from "node:worker_threads";
import type { SaeSpec, SaeTarget } from "../experiments/sae1.js";
import { SAE_GBA } from "../experiments/sae1.js";
import { engineById } from "../engines/index.js";
import { activationFunctions } from "../protocol/activations.js";
import type { RunConfig } from "../protocol/config.js";
import type { Params } from "../protocol/params.js";
import { Rng } from "../protocol/rng.js";
import { evaluateSae, initSae, plainSaeKernels, SaeTrainer } from "../protocol/sae.js";
import { consistency, scoreRecovery } from "../protocol/sae-metrics.js";
import type { SparseBatch } from "../protocol/samplers.js";
import { embed, makeSampler, makeWorld } from "../protocol/world.js";
import { defaultCacheDir } from "./cache.js";
import { nativeSingleFeaturePre } from "./metric-kernels.js";
import { nativeSaeKernels } from "./sae-kernels.js";
import { workerBootstrap } from "./sweep.js";
import { train } from "./train.js";

/** Bump when the SAE code changes numbers. */
export const SAE_VERSION = 1;

export type SaeRow = Record<string, string | number | null>;

/** What a finished SAE leaves: its row (without consistency) and its live latents' directions. */
interface SaeResult {
  row: SaeRow;
  dirs: Float32Array;
  alive: Uint8Array;
  latents: number;
  d: number;
}

/** A data source for one target: samples (size x d, already scaled), true directions (N x d). */
interface Target {
  d: number;
  truth: Float32Array;
  /** A fresh stream of scaled samples, from the named random stream of the world's seed (same name, same samples). */
  stream(name: string): (size: number) => Float32Array;
}

function hash(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex");
}

class FileCache {
  constructor(readonly dir: string) {}
  private path(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.bin`);
  }
  get<T>(key: string): T | null {
    try {
      const bytes = readFileSync(this.path(key));
      const sum = bytes.subarray(0, 32);
      const payload = bytes.subarray(32);
      if (!createHash("sha256").update(payload).digest().equals(sum)) return null;
      return deserialize(payload) as T;
    } catch {
      return null;
    }
  }
  set(key: string, value: unknown): void {
    const path = this.path(key);
    mkdirSync(dirname(path), { recursive: true });
    const payload = serialize(value);
    const temporary = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
    writeFileSync(temporary, Buffer.concat([createHash("sha256").update(payload).digest(), payload]));
    renameSync(temporary, path);
  }
}

/** P^T = (W1 E)^T, N x k: column i of W1 E is the pre-activation change feature i causes at amplitude 1. */
function featureResponses(params: Params, embedder: Float32Array, nFeatures: number): Float32Array {
  const { k, m, w1 } = params;
  const pt = new Float32Array(nFeatures * k);
  for (let j = 0; j < k; j++)
    for (let d = 0; d < m; d++) {
      const w = w1[j * m + d];
      for (let i = 0; i < nFeatures; i++) pt[i * k + j] += w * embedder[d * nFeatures + i];
    }
  return pt;
}

/** Energy of x = E v per sample (sum_i p_i E[v_i^2], v ~ U[0,1)): every target is scaled to it, so GBA's bias range
 * [-1, 0] means the same on both. */
function referenceEnergy(config: RunConfig): number {
  return (config.n_features * config.eps) / 3;
}

function buildTarget(kind: SaeTarget, base: RunConfig, baseParams: Params | null): Target {
  const world = makeWorld(base);
  const n = base.n_features;
  let d: number;
  let raw: (batch: SparseBatch) => Float32Array;
  let truth: Float32Array;
  if (kind === "input") {
    d = base.m;
    raw = (batch) => embed(batch, world.embedder, base.m);
    truth = new Float32Array(n * d);
    for (let i = 0; i < n; i++) for (let c = 0; c < d; c++) truth[i * d + c] = world.embedder[c * n + i];
  } else {
    const params = baseParams!;
    const k = params.k;
    d = k;
    const { f } = activationFunctions[base.activation];
    const pt = featureResponses(params, world.embedder, n);
    const h0 = Float32Array.from(params.b, (b) => f(b));
    truth = new Float32Array(n * k);
    for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) truth[i * k + j] = f(params.b[j] + pt[i * k + j]) - h0[j];
    raw = (batch) => {
      const out = new Float32Array(batch.size * k);
      const pre = new Float32Array(k);
      for (let s = 0; s < batch.size; s++) {
        pre.set(params.b);
        for (let e = batch.offsets[s]; e < batch.offsets[s + 1]; e++) {
          const v = batch.values[e];
          const at = batch.indices[e] * k;
          for (let j = 0; j < k; j++) pre[j] += v * pt[at + j];
        }
        for (let j = 0; j < k; j++) out[s * k + j] = f(pre[j]);
      }
      return out;
    };
  }
  // One scalar scale per target, from a fixed probe batch.
  const probe = raw(makeSampler(base, "sae-probe")(2048));
  let energy = 0;
  for (const x of probe) energy += x * x;
  energy /= 2048;
  const factor = energy > 0 ? Math.sqrt(referenceEnergy(base) / energy) : 1;
  return {
    d,
    truth,
    stream(name) {
      const next = makeSampler(base, name);
      return (size) => {
        const x = raw(next(size));
        for (let i = 0; i < x.length; i++) x[i] *= factor;
        return x;
      };
    },
  };
}

function meanRow(x: Float32Array, size: number, d: number): Float32Array {
  const mean = new Float32Array(d);
  for (let s = 0; s < size; s++) for (let c = 0; c < d; c++) mean[c] += x[s * d + c] / size;
  return mean;
}

function trainOne(spec: SaeSpec, target: Target): SaeResult {
  const started = performance.now();
  const { d } = target;
  const method = spec.method;
  const param = spec.param ?? 0;
  const probe = target.stream("sae-probe-mean")(1024);
  const sae = initSae({ d, latents: spec.latents, method }, new Rng(spec.seed, `sae-init-${spec.target}`), meanRow(probe, 1024, d));
  const kernels = nativeSaeKernels() ?? plainSaeKernels;
  const trainer = new SaeTrainer(
    sae,
    {
      d,
      latents: spec.latents,
      method,
      param,
      lr: spec.lr,
      gbaEvery: spec.gbaEvery,
      gbaGroups: SAE_GBA.groups,
      gbaPHigh: SAE_GBA.pHigh,
      gbaPLow: SAE_GBA.pLow,
      gbaGamma: SAE_GBA.gamma,
    },
    kernels,
  );
  const data = target.stream(`sae-data-${spec.seed}`);
  for (let t = 0; t < spec.steps; t++) trainer.step(data(spec.batch), spec.batch);
  const evalX = target.stream("sae-eval")(spec.evalSamples);
  const evaluation = evaluateSae(sae, evalX, spec.evalSamples, method, param, kernels);
  const n = spec.base.n_features;
  const recovery = scoreRecovery(target.truth, n, sae.dirs, spec.latents, d, evaluation.alive);
  let dead = 0;
  for (const a of evaluation.alive) dead += a ? 0 : 1;
  return {
    row: {
      run_id: spec.run_id,
      experiment: spec.experiment,
      preset: spec.preset,
      method,
      target: spec.target,
      param: spec.param,
      seed: spec.seed,
      d,
      latents: spec.latents,
      steps: spec.steps,
      batch: spec.batch,
      lr: spec.lr,
      n_features: n,
      ...recovery,
      recon_loss: evaluation.fvu,
      frac_active: evaluation.fracActive,
      dead_latents: dead,
      consistency: null,
      base_run: spec.target === "hidden" ? JSON.stringify(spec.base) : null,
      wall_s: (performance.now() - started) / 1000,
    },
    dirs: sae.dirs,
    alive: evaluation.alive,
    latents: spec.latents,
    d,
  };
}

export interface SaeRunOptions {
  engine?: string;
  /** Cache directory root; null disables caching. Default: `<MONO_CACHE_DIR or .cache/runs>/sae`. */
  cacheDir?: string | null;
  /** Worker threads that train the SAEs in parallel (they share the cache); default one per core; 0 or 1: this
   * thread only. Needs the cache. */
  workers?: number;
  log?: (line: string) => void;
}

/** Train and score every SAE of the specs (base models first), with consistency across seeds. Rows in spec order. */
export async function runSaeExperiment(specs: SaeSpec[], options: SaeRunOptions = {}): Promise<SaeRow[]> {
  const log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  const cacheDir = options.cacheDir === null ? null : (options.cacheDir ?? join(defaultCacheDir(), "sae"));
  const cache = cacheDir === null ? null : new FileCache(cacheDir);
  const factory = engineById(options.engine);
  const workers = Math.min(options.workers ?? availableParallelism(), specs.length);
  const baseModels = new Map<string, Params>();
  const baseKeyOf = (spec: SaeSpec) => hash({ v: SAE_VERSION, base: spec.base, engine: `${factory.id}@${factory.version}` });
  /** The trained base model a hidden target reads (from memory, the cache, or trained here and cached). */
  const baseModel = async (spec: SaeSpec): Promise<Params> => {
    const baseKey = baseKeyOf(spec);
    let params = baseModels.get(baseKey) ?? (cache?.get<Params>(`b${baseKey.slice(1)}`) as Params | null) ?? null;
    if (!params) {
      log(`SAE1: training the base model (${JSON.stringify(spec.base)}) with engine ${factory.id}`);
      const outcome = await train(spec.base, factory, undefined, { singleFeaturePre: nativeSingleFeaturePre() ?? undefined });
      log(
        `SAE1: base model done in ${outcome.wall_s.toFixed(1)}s: loss ${outcome.final_loss.toFixed(4)}, mono/features ${outcome.final.mono_per_feature.toFixed(3)}`,
      );
      params = outcome.params;
      cache?.set(`b${baseKey.slice(1)}`, params);
    }
    baseModels.set(baseKey, params);
    return params;
  };
  if (cache && cacheDir && workers > 1) {
    const todo = specs.filter((spec) => cache.get(saeKey(spec, factory)) === null);
    if (todo.length > 1) {
      // The hidden targets' base models first, in this thread (seconds), so that the workers find them in the cache.
      for (const spec of todo) if (spec.target === "hidden") await baseModel(spec);
      const groups = Array.from({ length: workers }, (_, w) => todo.filter((_, i) => i % workers === w)).filter((g) => g.length > 0);
      await Promise.all(groups.map((group) => runSaeInWorker(group, { engine: factory.id, cacheDir }, log)));
    }
  }
  const targets = new Map<string, Target>();
  const targetOf = async (spec: SaeSpec): Promise<Target> => {
    const key = `${spec.target}:${baseKeyOf(spec)}`;
    let target = targets.get(key);
    if (target) return target;
    const params = spec.target === "hidden" ? await baseModel(spec) : null;
    target = buildTarget(spec.target, spec.base, params);
    targets.set(key, target);
    return target;
  };
  const results: SaeResult[] = [];
  let index = 0;
  for (const spec of specs) {
    index++;
    const key = saeKey(spec, factory);
    let result = cache?.get<SaeResult>(key) ?? null;
    if (result) result = { ...result, row: { ...result.row, run_id: spec.run_id } };
    else {
      result = trainOne(spec, await targetOf(spec));
      cache?.set(key, result);
    }
    const r = result.row;
    log(
      `[SAE ${index}/${specs.length} ${spec.run_id}] recovery@0.9 ${Number(r.recovery_090).toFixed(3)}, @0.8 ${Number(r.recovery_080).toFixed(3)}, FVU ${Number(r.recon_loss).toFixed(3)}, active ${(100 * Number(r.frac_active)).toFixed(2)}% (${Number(r.wall_s).toFixed(1)}s)`,
    );
    results.push(result);
  }
  // Consistency: against every other seed of the same target, method and parameter.
  const group = (r: SaeRow) => `${r.target}|${r.method}|${r.param}`;
  for (const a of results) {
    const others = results.filter((b) => b !== a && group(b.row) === group(a.row) && b.row.seed !== a.row.seed);
    if (others.length === 0) continue;
    const values = others.map((b) => consistency(a.dirs, a.latents, a.alive, b.dirs, b.latents, b.alive, a.d));
    a.row = { ...a.row, consistency: values.reduce((s, v) => s + v, 0) / values.length };
  }
  return results.map((r) => r.row);
}

/** The cache key of one SAE: everything its numbers depend on (the engine only through the hidden target's base). */
function saeKey(spec: SaeSpec, factory: { id: string; version: string }): string {
  return hash({
    v: SAE_VERSION,
    spec: { ...spec, run_id: undefined },
    engine: spec.target === "hidden" ? `${factory.id}@${factory.version}` : null,
    gba: SAE_GBA,
  });
}

/** Train `specs` in a worker thread (./sae-worker.ts) into the shared cache; its log lines come back to `log`. */
function runSaeInWorker(specs: SaeSpec[], options: { engine: string; cacheDir: string }, log: (line: string) => void): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const worker = new Worker(workerBootstrap(new URL("./sae-worker.ts", import.meta.url)), { eval: true });
    let done = false;
    worker.on("message", (message: SaeWorkerMessage) => {
      if (message.type === "log") log(message.line);
      else if (message.type === "done") {
        done = true;
        void worker.terminate();
        resolvePromise();
      } else reject(new Error(`SAE worker: ${message.error}`));
    });
    worker.on("error", reject);
    worker.on("exit", (code) => {
      if (!done) reject(new Error(`SAE worker exited with code ${code} before finishing`));
    });
    worker.postMessage({ specs, ...options } satisfies SaeWorkerRequest);
  });
}

export type SaeWorkerRequest = { specs: SaeSpec[]; engine: string; cacheDir: string };
export type SaeWorkerMessage = { type: "log"; line: string } | { type: "done" } | { type: "failed"; error: string };

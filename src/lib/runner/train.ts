/**
 * The training loop of one run by the paper's protocol (data, learning-rate schedule, bias decay, snapshots, metrics)
 * on any engine, with what it returns: checkpoints, the loss log and the final model's measurements.
 */
import { biasRule, type RunConfig } from "../protocol/config.js";
import type { RUN_STATUSES } from "./tables.js";
import {
  EVAL_SAMPLES,
  firingCounts,
  liveMetrics,
  modelMetrics,
  type LiveMetrics,
  type ModelMetrics,
  type NeuronStats,
  type SingleFeaturePre,
} from "../protocol/metrics.js";
import { initParams, type Params } from "../protocol/params.js";
import { Rng } from "../protocol/rng.js";
import { biasDecayFactor, learningRate, LOSS_LOG_EVERY, snapshotSteps } from "../protocol/schedule.js";
import { makeSampler, makeWorld, type World } from "../protocol/world.js";
import type { SparseBatch } from "../protocol/samplers.js";
import type { Engine, EngineContext, EngineFactory } from "../engines/engine.js";
import { GbaController } from "./gba-controller.js";
import type { InflightStore } from "./inflight.js";

/** Metrics of the model after `step` optimiser steps. `loss` is the mean task loss of the steps since the previous
 * snapshot (the loss of the single step would be one noisy batch). */
export interface Checkpoint extends ModelMetrics, LiveMetrics {
  step: number;
  loss: number;
}

export interface RunOutcome {
  engine: string;
  status: (typeof RUN_STATUSES)[number];
  /** Step at which the loss first became NaN or infinite (null when it never did). */
  diverged_at: number | null;
  /** Mean task loss over the last 1/32 of the steps. */
  final_loss: number;
  final: ModelMetrics & LiveMetrics;
  /** Per neuron of the final model: samples of the evaluation batch on which it fired. */
  firedOnData: Int32Array;
  checkpoints: Checkpoint[];
  /** The model measured at 3/4 of the run (its `loss` is the mean since the previous snapshot); null if the run
   * diverged before. */
  threeQuarters: Checkpoint | null;
  /** Task loss logged every LOSS_LOG_EVERY steps: the mean over those steps. */
  lossLog: { step: number; loss: number }[];
  params: Params;
  stats: NeuronStats;
  sfa: Float32Array;
  wall_s: number;
}

export interface TrainProgress {
  step: number;
  steps: number;
  loss: number;
}

export interface TrainOptions {
  /** Train the full config's protocol but stop after this many steps (for checks that recompute a run's first
   * checkpoints, e.g. tests/reference.test.ts); the outcome's final metrics are then those of the stopped model. */
  stopAfter?: number;
  /** Where to save the run's whole state every few minutes and resume it from (runner/inflight.ts). Not used by gba
   * runs (their controller's state is not saved) nor by engines without exportState/importState. */
  inflight?: InflightStore;
  /** How a measurement computes its single-feature pre-activations: the TypeScript specification unless given (Node
   * passes the native kernel, runner/metric-kernels.ts, with the same bits). */
  singleFeaturePre?: SingleFeaturePre;
}

/** The engine for a run. A gba run needs `setBiases` (every engine here has it); one without it is refused. */
async function createEngine(config: RunConfig, factory: EngineFactory, context: EngineContext): Promise<Engine> {
  const engine = await factory.create(context);
  if (biasRule(config) !== "gba" || typeof engine.setBiases === "function") return engine;
  engine.dispose();
  throw new Error(`bias_rule=gba needs an engine with setBiases; ${factory.id} has none`);
}

/** The step at which the model is also measured (outside the paper's snapshot list) for the convergence rule, which
 * compares the mono and dead counts there with the end's. */
export const threeQuarterStep = (steps: number) => Math.max(1, Math.round((3 * steps) / 4));

/** Every metric of the model the engine holds now: single-feature metrics, and firing on the evaluation batch (by the
 * engine's own kernel where it has one, else in plain TypeScript; both count pre-activations > 0). */
function measure(engine: Engine, config: RunConfig, world: World, evalBatch: SparseBatch, pre?: SingleFeaturePre) {
  const params = engine.params();
  const measured = modelMetrics(params, world.embedder, config.n_features, config.activation, {
    task: config.task,
    form: config.metric_form,
    pre,
  });
  const fired = engine.firingStats?.(evalBatch)?.fired ?? firingCounts(params, world.embedder, config.n_features, evalBatch);
  return { ...measured, params, fired, live: liveMetrics(measured.stats, params.b, fired) };
}

/** Train one model by the paper's protocol. Data, schedule, decay and metrics live here; the engine only steps.
 * Under bias_rule = gba the first-layer biases are set by a GbaController instead (see gba-controller.ts). */
export async function train(
  config: RunConfig,
  engineFactory: EngineFactory,
  onProgress?: (p: TrainProgress) => void,
  options: TrainOptions = {},
): Promise<RunOutcome> {
  const started = performance.now();
  const world = makeWorld(config);
  const initial = initParams(config, new Rng(config.seed, "init"));
  const engine = await createEngine(config, engineFactory, { config, world, initial });
  try {
    // GBA: biases follow the controller; the gradient's change to them is overwritten after every step. W1 and W2
    // have their own LAMB moments and trust ratios, so they train exactly as they would with frozen biases.
    const gba = biasRule(config) === "gba" ? new GbaController(config, world.embedder, initial.b, initial.w1) : null;
    if (gba) engine.setBiases!(gba.biases);
    const snapshots = new Set(snapshotSteps(config.steps));
    let threeQuarters: Checkpoint | null = null;
    const evalBatch = makeSampler(config, "eval")(EVAL_SAMPLES);
    const tailFrom = config.steps - Math.max(1, Math.floor(config.steps / 32));
    const checkpoints: Checkpoint[] = [];
    const lossLog: { step: number; loss: number }[] = [];
    let sinceSnapshot = { sum: 0, n: 0 };
    let sinceLog = { sum: 0, n: 0 };
    let tail = { sum: 0, n: 0 };
    let divergedAt: number | null = null;
    // Resume: the engine's state and the loop's records come from the save; the data stream is replayed (cheap next
    // to training, and exact by construction), so the run continues as if never interrupted.
    const store = gba || !engine.exportState || !engine.importState || options.stopAfter !== undefined ? null : (options.inflight ?? null);
    let first = 0;
    let earlier_s = 0;
    const saved = store?.load() ?? null;
    if (saved) {
      engine.importState!(saved.engine);
      for (let t = 0; t < saved.step; t++) world.nextBatch(config.batch);
      const loop = saved.loop as {
        sinceSnapshot: typeof sinceSnapshot;
        sinceLog: typeof sinceLog;
        tail: typeof tail;
        checkpoints: Checkpoint[];
        lossLog: typeof lossLog;
        threeQuarters: Checkpoint | null;
        elapsed_s: number;
      };
      ({ sinceSnapshot, sinceLog, tail, threeQuarters } = loop);
      checkpoints.push(...loop.checkpoints);
      lossLog.push(...loop.lossLog);
      earlier_s = loop.elapsed_s;
      first = saved.step;
    }
    // stopAfter ends the loop early without changing the protocol: the schedule and the decay still see config.steps.
    const stopAt = Math.min(config.steps, options.stopAfter ?? config.steps);
    for (let t = first; t < stopAt; t++) {
      const batch = world.nextBatch(config.batch);
      const loss = engine.step(batch, learningRate(config.lr, t), biasDecayFactor(config.decay, config.lr, t, config.steps));
      const done = t + 1;
      if (gba) {
        if (done % gba.every === 0 && Number.isFinite(loss)) gba.update(() => engine.params(), config.n_features, engine);
        engine.setBiases!(gba.biases);
      }
      if (!Number.isFinite(loss)) {
        divergedAt = done;
        break;
      }
      sinceSnapshot = { sum: sinceSnapshot.sum + loss, n: sinceSnapshot.n + 1 };
      sinceLog = { sum: sinceLog.sum + loss, n: sinceLog.n + 1 };
      if (t >= tailFrom) tail = { sum: tail.sum + loss, n: tail.n + 1 };
      if (done % LOSS_LOG_EVERY === 0 || done === config.steps) {
        lossLog.push({ step: done, loss: sinceLog.sum / sinceLog.n });
        sinceLog = { sum: 0, n: 0 };
        onProgress?.({ step: done, steps: config.steps, loss });
      }
      if (snapshots.has(done) || done === threeQuarterStep(config.steps)) {
        const { metrics, live } = measure(engine, config, world, evalBatch, options.singleFeaturePre);
        const checkpoint = { step: done, loss: sinceSnapshot.sum / sinceSnapshot.n, ...metrics, ...live };
        if (done === threeQuarterStep(config.steps)) threeQuarters = checkpoint;
        if (snapshots.has(done)) {
          checkpoints.push(checkpoint);
          sinceSnapshot = { sum: 0, n: 0 };
        }
      }
      if (store && done < config.steps && store.due(done)) {
        const elapsed_s = earlier_s + (performance.now() - started) / 1000;
        store.save({
          step: done,
          engine: engine.exportState!(),
          loop: { sinceSnapshot, sinceLog, tail, checkpoints, lossLog, threeQuarters, elapsed_s },
        });
      }
    }
    store?.clear();
    const { metrics, stats, sfa, params, fired, live } = measure(engine, config, world, evalBatch, options.singleFeaturePre);
    return {
      engine: engine.name,
      status: divergedAt === null ? "ok" : "diverged",
      diverged_at: divergedAt,
      final_loss: divergedAt === null ? tail.sum / tail.n : Number.NaN,
      final: { ...metrics, ...live },
      firedOnData: fired,
      threeQuarters,
      checkpoints,
      lossLog,
      params,
      stats,
      sfa,
      wall_s: earlier_s + (performance.now() - started) / 1000,
    };
  } finally {
    engine.dispose();
  }
}

/**
 * The bench's regimes and its timing: the run config of each regime (dense, awake, silent, engineered), the clock
 * (elapsed or CPU time), and the two ways an engine is timed: a few steps after warm-up, or a whole engineered run.
 */
import type { Engine, EngineFactory } from "../src/lib/engines/engine.js";
import type { KernelTally, NativeEngineInstance } from "../src/lib/engines/native/index.js";
import type { RunConfig } from "../src/lib/protocol/config.js";
import { initParams, type Params } from "../src/lib/protocol/params.js";
import { Rng } from "../src/lib/protocol/rng.js";
import type { SparseBatch } from "../src/lib/protocol/samplers.js";
import { biasDecayFactor, learningRate } from "../src/lib/protocol/schedule.js";
import { makeWorld } from "../src/lib/protocol/world.js";
import { BENCH_WORLD } from "./checkpoint.js";

export type Regime = "dense" | "engineered" | "awake" | "silent";
export const REGIMES: Regime[] = ["dense", "engineered", "awake", "silent"];
/** Steps of the paper-scale LR3 run after which the awake checkpoint is taken (bench/checkpoint.ts): by then its loss
 * is within 0.02 of the whole run's final 0.855, almost no neuron is dead, and the active fraction has settled (8.5% of
 * pairs, from step ~8192 on; see the README's bench section). */
export const CHECKPOINT_STEPS = 12288;

export const log = (message: string) => process.stderr.write(`${message}\n`);

export function regimeConfig(regime: Regime, k: number, batch: number, steps: number): RunConfig {
  const common = {
    ...BENCH_WORLD,
    k,
    batch,
  } as const;
  return regime === "dense"
    ? { ...common, lr: 0.003, init_bias: 0, decay: 0, steps }
    : regime === "awake"
      ? // Stepped at the late learning rate, without decay (as in the second half of a run).
        { ...common, lr: 0.001, init_bias: -1, decay: 0, steps }
      : { ...common, lr: 0.01, init_bias: -1, decay: 0.03, steps };
}

/** The middle value (the mean of the two middle ones for an even count; until 2026-12-07 the upper of them). */
export const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const half = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[half] : (sorted[half - 1] + sorted[half]) / 2;
};

/** Milliseconds on the chosen clock: elapsed, or CPU time used by this process. */
let now: () => number = () => performance.now();
export function useClock(clock: "wall" | "cpu"): void {
  now =
    clock === "wall"
      ? () => performance.now()
      : () => {
          const { user, system } = process.cpuUsage();
          return (user + system) / 1000;
        };
}

async function makeEngine(factory: EngineFactory, config: RunConfig, initial?: Params) {
  const world = makeWorld(config);
  const engine = await factory.create({ config, world, initial: initial ?? initParams(config, new Rng(config.seed, "init")) });
  return { engine, world };
}

function activeFraction(engine: Engine): number | null {
  const fraction = (engine as Partial<{ activeFraction: number }>).activeFraction;
  return typeof fraction === "number" ? fraction : null;
}

/** Steps are timed for at least this long (more than `timed` steps when they are short): ten 5 ms steps are 50 ms, which
 * one preemption on a shared 2-core machine can spoil. */
export const MIN_TIMED_MS = 400;
/** Most steps profiled after the timed ones (as many as were timed, up to this). */
export const PROFILED_STEPS = 20;

/** The engine's kernel timers, for engines that have them (the native one). */
function kernelProfiler(engine: Engine): Pick<NativeEngineInstance, "profileKernels" | "kernelTally"> | null {
  return "kernelTally" in engine ? (engine as unknown as NativeEngineInstance) : null;
}

/** A few steps after warm-up, on pre-sampled batches: the median step time. */
export async function timeFewSteps(factory: EngineFactory, config: RunConfig, warmup: number, timed: number, initial?: Params) {
  const { engine, world } = await makeEngine(factory, config, initial);
  try {
    const dataStart = now();
    const batches: SparseBatch[] = Array.from({ length: Math.min(4, warmup + timed) }, () => world.nextBatch(config.batch));
    const dataMs = (now() - dataStart) / batches.length;
    const times: number[] = [];
    let loss = 0;
    const step = (t: number) => {
      const started = now();
      loss = engine.step(
        batches[t % batches.length],
        learningRate(config.lr, t),
        biasDecayFactor(config.decay, config.lr, t, config.steps),
      );
      return now() - started;
    };
    let warmupMs = 0;
    for (let t = 0; t < warmup; t++) warmupMs = step(t);
    const count = Math.max(timed, Math.min(20 * timed, Math.ceil(MIN_TIMED_MS / Math.max(warmupMs, 1e-3))));
    for (let t = warmup; t < warmup + count; t++) times.push(step(t));
    // Then up to PROFILED_STEPS more with the engine's kernel timers on, for the per-kernel report (the times above are
    // without them). The engine is this function's own, so its tally holds these steps alone.
    const profiler = kernelProfiler(engine);
    let profile: { steps: number; ms: number; tally: KernelTally[] } | null = null;
    if (profiler) {
      profiler.profileKernels(true);
      const profiledTimes: number[] = [];
      for (let t = warmup + count; t < warmup + count + Math.min(count, PROFILED_STEPS); t++) profiledTimes.push(step(t));
      profiler.profileKernels(false);
      profile = { steps: profiledTimes.length, ms: median(profiledTimes), tally: profiler.kernelTally() };
    }
    return { name: engine.name, lateMs: null, ms: median(times), timed: count, active: activeFraction(engine), dataMs, loss, profile };
  } finally {
    engine.dispose();
  }
}

/** The whole engineered run with the real schedule and decay; the mean step time over every step. */
export async function timeWholeRun(factory: EngineFactory, config: RunConfig) {
  const { engine, world } = await makeEngine(factory, config);
  try {
    let stepMs = 0;
    let dataMs = 0;
    let activeSum = 0;
    let lossTail = 0;
    let lateMs = 0;
    const tailFrom = config.steps - Math.max(1, Math.floor(config.steps / 32));
    const lateFrom = config.steps - Math.max(1, Math.floor(config.steps / 4));
    for (let t = 0; t < config.steps; t++) {
      const sampled = now();
      const batch = world.nextBatch(config.batch);
      const started = now();
      const loss = engine.step(batch, learningRate(config.lr, t), biasDecayFactor(config.decay, config.lr, t, config.steps));
      const elapsed = now() - started;
      stepMs += elapsed;
      if (t >= lateFrom) lateMs += elapsed / (config.steps - lateFrom);
      dataMs += started - sampled;
      activeSum += activeFraction(engine) ?? 0;
      if (t >= tailFrom) lossTail += loss / (config.steps - tailFrom);
      if ((t + 1) % 512 === 0)
        log(
          `    step ${t + 1}/${config.steps}: active ${(activeFraction(engine) ?? 0).toFixed(4)}, loss ${loss.toFixed(4)}, mean ${(stepMs / (t + 1)).toFixed(2)} ms/step`,
        );
    }
    return {
      name: engine.name,
      profile: null,
      lateMs,
      ms: stepMs / config.steps,
      timed: config.steps,
      active: activeSum / config.steps,
      dataMs: dataMs / config.steps,
      loss: lossTail,
    };
  } finally {
    engine.dispose();
  }
}

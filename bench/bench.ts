/**
 * Training-step throughput of the engines, side by side with the PyTorch peer, in one sitting (the machine is shared
 * and noisy: only numbers taken together compare).
 *
 *   npm run bench                          k = 1024, batch in {1024, 8192}, regimes dense, awake, silent, threads 1 and 2
 *   npm run bench -- --quick               batch = 1024 only
 *   npm run bench -- --k 1024 --batch 8192 --regimes engineered --engines wasm --json
 *   npm run bench -- --engines native,wasm,tfjs --threads 1,2 --k 256,1024,2048
 *
 * Regimes (decoder, ReLU, equal sampler, N = 512, m = 64, eps = 1/64):
 *   dense       init bias 0, lr 0.003: ~40-50% of neurons fire. Median of a few steps after warm-up.
 *   awake       a real trained LR3 model (bench/checkpoint.ts: LR3's recipe at lr 0.01, batch 1024, 4096 steps,
 *               trained once by the native engine and cached under .cache/bench/), stepped at the late, small
 *               learning rate: the activity pattern of a converged engineered run, which is most of a paper run.
 *   silent      the LR3 recipe's first steps (init bias -1): no neuron fires yet.
 *   engineered  the paper's LR3 recipe: init bias -1, decay 0.03, lr 0.01, the real cosine schedule and bias decay
 *               (first half of the run). Neurons start silent; the decay wakes them from ~800 steps on (measured:
 *               ~3% of pairs active at step 1024, ~7% at 1536 for k = 1024, batch = 1024). The wasm engine runs the
 *               whole run (`--steps`, default 2048) and its time is the mean over every step; so the
 *               figure mixes the silent start with the awake half, as a paper run does (a real run is 131072 steps
 *               and mostly awake: the per-step activity is logged to stderr to read the awake cost off).
 *               tfjs does the same dense work whatever fires, so it is timed on a few steps only.
 * Peer: /work/shared/peer/torch_step.py (dense, as the authors wrote it), at the same thread count as the engine row
 * (`--threads`; wasm and tfjs run one thread and are compared with the 1-thread peer), with Debian's python3 and
 * OpenBLAS. Its dense step time is its cost in every regime (it cannot exploit sparsity), so both regimes' ratios use
 * it. Engine timings cover engine.step only; sampling a batch is reported separately (data ms/step).
 *
 * Clocks: `--clock wall` (default) times elapsed time. On a busy machine elapsed time mostly measures the other
 * processes; `--clock cpu` times the CPU time each side actually used (this process's for the engines, the peer's via
 * time.process_time patched in for its time.perf_counter), which compares the two fairly while they share cores.
 *
 * Progress goes to stderr; the table (or JSON with --json) to stdout.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { loadavg, cpus } from "node:os";
import { promisify } from "node:util";
import type { Engine, EngineFactory } from "../src/lib/engines/engine.js";
import { tfjsEngine } from "../src/lib/engines/tfjs.js";
import { wasmEngine } from "../src/lib/engines/wasm/index.js";
import type { RunConfig } from "../src/lib/protocol/config.js";
import { initParams } from "../src/lib/protocol/params.js";
import { Rng } from "../src/lib/protocol/rng.js";
import type { SparseBatch } from "../src/lib/protocol/samplers.js";
import { biasDecayFactor, learningRate } from "../src/lib/protocol/schedule.js";
import { makeWorld } from "../src/lib/protocol/world.js";
import { nativeEngineFactory } from "../src/lib/engines/native/index.js";
import type { Params } from "../src/lib/protocol/params.js";
import { lr3Checkpoint, type Checkpoint } from "./checkpoint.js";
import { clockGHz, denseStepFlop, FLOP_PER_CYCLE, isaOf } from "./machine.js";

const PEER_SCRIPT = process.env.PEER_SCRIPT ?? "/work/shared/peer/torch_step.py";
const PYTHON = process.env.PEER_PYTHON ?? "/usr/bin/python3";

type Regime = "dense" | "engineered" | "awake" | "silent";
const REGIMES: Regime[] = ["dense", "engineered", "awake", "silent"];
/** Steps of the cached awake checkpoint (bench/checkpoint.ts). */
const CHECKPOINT_STEPS = 4096;

interface Options {
  ks: number[];
  batches: number[];
  regimes: Regime[];
  engines: string[];
  threads: number[];
  steps: number;
  json: boolean;
  peer: boolean;
  clock: "wall" | "cpu";
}

function parseArgs(argv: string[]): Options {
  const value = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const list = (name: string, fallback: string) =>
    (value(name) ?? fallback)
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
  if (argv.includes("--help")) {
    process.stderr.write(
      "options: --k 1024 --batch 1024,8192 --regimes dense,awake,silent,engineered --engines native,wasm,tfjs --threads 1,2 --steps 2048 --clock wall|cpu --quick --no-peer --json\n",
    );
    process.exit(0);
  }
  const quick = argv.includes("--quick");
  const options: Options = {
    ks: list("k", "1024").map(Number),
    batches: list("batch", quick ? "1024" : "1024,8192").map(Number),
    regimes: list("regimes", "dense,awake,silent") as Regime[],
    engines: list("engines", "native,wasm"),
    threads: list("threads", "1,2").map(Number),
    steps: Number(value("steps") ?? 2048),
    json: argv.includes("--json"),
    peer: !argv.includes("--no-peer"),
    clock: (value("clock") ?? "wall") as "wall" | "cpu",
  };
  if (options.clock !== "wall" && options.clock !== "cpu") throw new Error("--clock is wall or cpu");
  for (const r of options.regimes) if (!REGIMES.includes(r)) throw new Error(`unknown regime ${r} (known: ${REGIMES.join(", ")})`);
  for (const e of options.engines) if (e !== "wasm" && e !== "tfjs" && e !== "native") throw new Error(`unknown engine ${e}`);
  if ([...options.ks, ...options.batches, ...options.threads, options.steps].some((n) => !Number.isInteger(n) || n <= 0))
    throw new Error("sizes and thread counts must be positive integers");
  return options;
}

const log = (message: string) => process.stderr.write(`${message}\n`);

function regimeConfig(regime: Regime, k: number, batch: number, steps: number): RunConfig {
  const common = {
    task: "decoder",
    activation: "relu",
    sampler: "equal",
    n_features: 512,
    m: 64,
    eps: 1 / 64,
    l1: 0,
    seed: 1,
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

interface Row {
  k: number;
  batch: number;
  regime: Regime;
  engine: string;
  threads: number;
  /** Mean (engineered wasm run) or median (a few steps) engine.step time. */
  ms_per_step: number;
  samples_per_s: number;
  steps_per_s: number;
  steps_timed: number;
  /** Fraction of (sample, neuron) pairs with h != 0: at the timed steps (dense), averaged over the run (engineered). */
  active_fraction: number | null;
  /** Engineered wasm run only: mean step time over the run's last quarter, when most neurons are awake (the regime
   * that dominates a paper-length run), and its ratio to the peer. */
  late_ms_per_step: number | null;
  late_ratio_vs_peer: number | null;
  /** Time to sample one batch in TypeScript (not included above). */
  data_ms_per_step: number;
  /** samples/s of this engine / samples/s of the PyTorch peer's dense step; null when the peer is unavailable. */
  ratio_vs_peer: number | null;
  final_loss: number | null;
  /** Dense-equivalent GFLOP/s (denseStepFlop / time) and that as a share of the threads' fp32 peak (native only). */
  dense_gflops: number;
  share_of_peak: number | null;
}

interface PeerRow {
  k: number;
  batch: number;
  threads: number;
  ms_per_step: number;
  samples_per_s: number;
  active_per_sample: number;
  torch: string;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Milliseconds on the chosen clock: elapsed, or CPU time used by this process. */
let now: () => number = () => performance.now();
function useClock(clock: "wall" | "cpu"): void {
  now =
    clock === "wall"
      ? () => performance.now()
      : () => {
          const { user, system } = process.cpuUsage();
          return (user + system) / 1000;
        };
}

/** Runs the peer with its step timer on CPU time instead of elapsed time. */
const PEER_ON_CPU_CLOCK =
  "import runpy, sys, time; time.perf_counter = time.process_time; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')";

async function peer(k: number, batch: number, threads: number, clock: "wall" | "cpu"): Promise<PeerRow | { error: string }> {
  if (!existsSync(PEER_SCRIPT)) return { error: `${PEER_SCRIPT} not found` };
  const steps = batch * k >= 8192 * 1024 ? 6 : 12;
  try {
    const { stdout } = await promisify(execFile)(
      PYTHON,
      [
        ...(clock === "cpu" ? ["-c", PEER_ON_CPU_CLOCK] : []),
        PEER_SCRIPT,
        "--k",
        String(k),
        "--batch",
        String(batch),
        "--init-bias",
        "0",
        "--threads",
        String(threads),
        "--steps",
        String(steps),
        "--warmup",
        "2",
      ],
      { timeout: 600_000 },
    );
    const row = JSON.parse(stdout.trim().split("\n").pop()!);
    return {
      k,
      batch,
      threads,
      ms_per_step: row.ms_per_step,
      samples_per_s: row.samples_per_s,
      active_per_sample: row.active_per_sample,
      torch: row.torch,
    };
  } catch (error) {
    return { error: String((error as Error).message ?? error).split("\n")[0] };
  }
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

/** A few steps after warm-up, on pre-sampled batches: the median step time. */
async function timeFewSteps(factory: EngineFactory, config: RunConfig, warmup: number, timed: number, initial?: Params) {
  const { engine, world } = await makeEngine(factory, config, initial);
  try {
    const dataStart = now();
    const batches: SparseBatch[] = Array.from({ length: Math.min(4, warmup + timed) }, () => world.nextBatch(config.batch));
    const dataMs = (now() - dataStart) / batches.length;
    const times: number[] = [];
    let loss = 0;
    for (let t = 0; t < warmup + timed; t++) {
      const started = now();
      loss = engine.step(
        batches[t % batches.length],
        learningRate(config.lr, t),
        biasDecayFactor(config.decay, config.lr, t, config.steps),
      );
      if (t >= warmup) times.push(now() - started);
    }
    return { name: engine.name, lateMs: null, ms: median(times), timed, active: activeFraction(engine), dataMs, loss };
  } finally {
    engine.dispose();
  }
}

/** The whole engineered run with the real schedule and decay; the mean step time over every step. */
async function timeWholeRun(factory: EngineFactory, config: RunConfig) {
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

function formatTable(rows: Row[], peers: Map<string, PeerRow | { error: string }>): string {
  const lines: string[] = [];
  const header = [
    "k",
    "batch",
    "regime",
    "engine",
    "threads",
    "ms/step",
    "samples/s",
    "active",
    "vs peer",
    "dense-eq GFLOP/s",
    "of peak",
    "last quarter: ms/step, vs peer",
  ];
  lines.push(header.join("\t"));
  for (const [key, p] of peers) {
    const [k, batch, threads] = key.split("x");
    lines.push(
      "error" in p
        ? [k, batch, "any", "pytorch", threads, "unavailable", "", "", p.error].join("\t")
        : [
            k,
            batch,
            "any (dense)",
            `pytorch ${p.torch}`,
            threads,
            p.ms_per_step.toFixed(2),
            String(p.samples_per_s),
            (p.active_per_sample / p.k).toFixed(3),
            "1",
            (denseStepFlop(p.batch, p.k, 64, 512) / p.ms_per_step / 1e6).toFixed(1),
          ].join("\t"),
    );
  }
  for (const r of rows)
    lines.push(
      [
        r.k,
        r.batch,
        r.regime,
        r.engine,
        r.threads,
        r.ms_per_step.toFixed(2),
        Math.round(r.samples_per_s),
        r.active_fraction === null ? "" : r.active_fraction.toFixed(4),
        r.ratio_vs_peer === null ? "n/a" : `${r.ratio_vs_peer.toFixed(2)}x`,
        r.dense_gflops.toFixed(1),
        r.share_of_peak === null ? "" : `${(100 * r.share_of_peak).toFixed(0)}%`,
        r.late_ms_per_step === null
          ? ""
          : `${r.late_ms_per_step.toFixed(2)}, ${r.late_ratio_vs_peer === null ? "n/a" : `${r.late_ratio_vs_peer.toFixed(2)}x`}`,
      ].join("\t"),
    );
  return lines.join("\n");
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  useClock(options.clock);
  const load = loadavg()[0];
  const ghz = clockGHz();
  log(`clock: ${options.clock}; load average ${load.toFixed(1)} on ${cpus().length} cores; nominal ${ghz ?? "?"} GHz`);
  if (options.clock === "wall" && load > cpus().length * 0.75)
    log("  the machine is busy: elapsed times will mostly measure other processes; consider --clock cpu");
  if (options.clock === "cpu" && options.threads.some((t) => t > 1))
    log("  --clock cpu sums the CPU time of every thread: it shows the work, not a multi-threaded run's speed-up");
  const factoryFor = (engineId: string, threads: number): EngineFactory =>
    engineId === "native" ? nativeEngineFactory({ threads }) : engineId === "wasm" ? wasmEngine : tfjsEngine;
  const rows: Row[] = [];
  const peers = new Map<string, PeerRow | { error: string }>();
  const checkpoints = new Map<number, Checkpoint>();
  for (const k of options.ks)
    for (const batch of options.batches) {
      for (const threads of options.threads) {
        let peerRow: PeerRow | { error: string } = { error: "skipped (--no-peer)" };
        if (options.peer) {
          log(`k=${k} batch=${batch} threads=${threads}: PyTorch peer...`);
          peerRow = await peer(k, batch, threads, options.clock);
          log("error" in peerRow ? `  peer unavailable: ${peerRow.error} (no ratios)` : `  peer: ${peerRow.ms_per_step} ms/step`);
        }
        peers.set(`${k}x${batch}x${threads}`, peerRow);
      }
      for (const regime of options.regimes)
        for (const engineId of options.engines)
          for (const threads of engineId === "native" ? options.threads : [1]) {
            const config = regimeConfig(regime, k, batch, options.steps);
            const factory = factoryFor(engineId, threads);
            let initial: Params | undefined;
            if (regime === "awake") {
              if (!checkpoints.has(k)) checkpoints.set(k, await lr3Checkpoint(k, CHECKPOINT_STEPS, log));
              const checkpoint = checkpoints.get(k)!;
              log(
                `  awake checkpoint: ${checkpoint.description}; final loss ${checkpoint.final_loss.toFixed(4)}, ${(100 * checkpoint.active_fraction).toFixed(1)}% of pairs active`,
              );
              initial = checkpoint.params;
            }
            log(`k=${k} batch=${batch} ${regime} ${engineId} threads=${threads}...`);
            // tfjs costs ~0.2 s per step at k = 1024, batch = 1024 and scales with k * batch: a few steps only.
            const few = engineId === "tfjs" ? { warmup: 1, timed: k * batch >= 8 * 1024 * 1024 ? 2 : 3 } : { warmup: 3, timed: 10 };
            const result =
              regime === "engineered" && engineId !== "tfjs"
                ? await timeWholeRun(factory, config)
                : await timeFewSteps(factory, config, few.warmup, few.timed, initial);
            const samplesPerS = (batch * 1000) / result.ms;
            const peerRow = peers.get(`${k}x${batch}x${threads}`) ?? { error: "no peer at this thread count" };
            const isa = isaOf(result.name);
            const gflops = denseStepFlop(batch, k, 64, 512) / result.ms / 1e6;
            rows.push({
              k,
              batch,
              regime,
              engine: result.name,
              threads,
              ms_per_step: result.ms,
              samples_per_s: samplesPerS,
              steps_per_s: 1000 / result.ms,
              steps_timed: result.timed,
              active_fraction: result.active,
              data_ms_per_step: result.dataMs,
              ratio_vs_peer: "error" in peerRow ? null : samplesPerS / peerRow.samples_per_s,
              late_ms_per_step: result.lateMs,
              late_ratio_vs_peer:
                result.lateMs === null || "error" in peerRow ? null : (batch * 1000) / result.lateMs / peerRow.samples_per_s,
              final_loss: regime === "engineered" && engineId !== "tfjs" ? result.loss : null,
              dense_gflops: gflops,
              share_of_peak: isa && ghz ? gflops / (threads * FLOP_PER_CYCLE[isa] * ghz) : null,
            });
            log(`  ${result.ms.toFixed(2)} ms/step (${result.timed} steps timed), data ${result.dataMs.toFixed(2)} ms/step`);
          }
    }
  const awake = [...checkpoints.values()].map((c) => ({
    description: c.description,
    engine: c.engine,
    final_loss: c.final_loss,
    active_fraction: c.active_fraction,
  }));
  if (options.json) {
    process.stdout.write(
      `${JSON.stringify({ options, load_average: load, clock_ghz: ghz, awake_checkpoints: awake, peers: Object.fromEntries(peers), rows }, null, 2)}\n`,
    );
  } else {
    process.stdout.write(
      `clock: ${options.clock}, load average at start ${load.toFixed(1)}, nominal ${ghz ?? "?"} GHz\n${formatTable(rows, peers)}\n`,
    );
    for (const c of awake)
      process.stdout.write(
        `awake checkpoint: ${c.description} (trained by ${c.engine}; final loss ${c.final_loss.toFixed(4)}, ${(100 * c.active_fraction).toFixed(1)}% of pairs active)\n`,
      );
    process.stdout.write(
      "dense-eq GFLOP/s counts every pair as a dense step does; 'of peak' is against threads x FLOP/cycle x nominal clock.\n",
    );
    const missing = [...peers.values()].some((p) => "error" in p);
    if (missing) process.stdout.write("PyTorch peer unavailable for some sizes: ratios there are n/a.\n");
  }
}

await main();

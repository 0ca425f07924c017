/**
 * Training-step throughput of the engines, side by side with the PyTorch peer, in one sitting (the machine is shared
 * and noisy: only numbers taken together compare).
 *
 *   npm run bench                          k = 1024, batch in {1024, 8192}, regimes dense, awake, silent, threads 1 and 2
 *   npm run bench -- --quick               batch = 1024 only, one round
 *   npm run bench -- --rounds 5            five rounds (default 3): each row's best time, median ratio of its rounds
 *   npm run bench -- --k 1024 --batch 8192 --regimes engineered --engines wasm --json
 *   npm run bench -- --engines native,wasm,tfjs --threads 1,2 --k 256,1024,2048
 *
 * Regimes (decoder, ReLU, equal sampler, N = 512, m = 64, eps = 1/64):
 *   dense       init bias 0, lr 0.003: ~40-50% of neurons fire. Median of a few steps after warm-up.
 *   awake       a real trained LR3 model (bench/checkpoint.ts: the paper-scale LR3 run, lr 0.01, batch 8192,
 *               stopped after 12288 of its 2^17 steps at loss ~0.87, trained once by the native engine, ~6 min on
 *               2 cores, and cached under .cache/bench/), stepped at the late, small learning rate: the activity
 *               pattern of a converged engineered run (65 always-on neurons and ~22 more per sample, 8.5% of
 *               pairs), which is most of a paper run.
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
 * Kernels: after each native row's timed steps, as many more (up to 20) run with the engine's kernel timers on, and
 * the report's second table gives each kernel's thread-ms a step, its share of the step, its rate per core (GFLOP/s of
 * issued multiply-adds, or GB/s for LAMB and the weight copies) and its share of one core's measured peak
 * (bench/kernels.ts). The timers read a clock a few times per work item, so the first table's times are without them.
 *
 * Clocks: `--clock wall` (default) times elapsed time. On a busy machine elapsed time mostly measures the other
 * processes; `--clock cpu` times the CPU time each side actually used (this process's for the engines, the peer's via
 * time.process_time patched in for its time.perf_counter), which compares the two fairly while they share cores.
 *
 * Progress goes to stderr; the table (JSON with --json, Markdown with --markdown) to stdout. A JSON report can be
 * printed again as Markdown later: `npx tsx bench/markdown.ts bench.json`.
 */
import { loadavg, cpus } from "node:os";
import type { EngineFactory } from "../src/lib/engines/engine.js";
import { tfjsEngine } from "../src/lib/engines/tfjs.js";
import { loadWasmFromDisk, wasmEngine, wasmEngineFactory } from "../src/lib/engines/wasm/index.js";
import { nativeWasmKernels } from "../src/lib/engines/wasm/native-kernels.js";
import { nativeEngineFactory } from "../src/lib/engines/native/index.js";
import type { Params } from "../src/lib/protocol/params.js";
import { lr3Checkpoint, type Checkpoint } from "./checkpoint.js";
import { kernelReport } from "./kernels.js";
import { clockGHz, denseStepFlop, isaOf, measuredPeak } from "./machine.js";
import { peer, type PeerRow } from "./peer.js";
import { printReport, type Row } from "./report.js";
import { CHECKPOINT_STEPS, log, median, REGIMES, regimeConfig, timeFewSteps, timeWholeRun, useClock, type Regime } from "./regimes.js";

interface Options {
  ks: number[];
  batches: number[];
  regimes: Regime[];
  engines: string[];
  threads: number[];
  steps: number;
  rounds: number;
  json: boolean;
  markdown: boolean;
  peer: boolean;
  clock: "wall" | "cpu";
}

type Timed = Awaited<ReturnType<typeof timeFewSteps>> | Awaited<ReturnType<typeof timeWholeRun>>;

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
      "options: --k 1024 --batch 1024,8192 --regimes dense,awake,silent,engineered --engines native,wasm,wasm-native,tfjs --threads 1,2 --steps 2048 --rounds 3 --clock wall|cpu --quick --no-peer --json --markdown\n",
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
    rounds: Number(value("rounds") ?? (quick ? 1 : 3)),
    json: argv.includes("--json"),
    markdown: argv.includes("--markdown"),
    peer: !argv.includes("--no-peer"),
    clock: (value("clock") ?? "wall") as "wall" | "cpu",
  };
  if (options.clock !== "wall" && options.clock !== "cpu") throw new Error("--clock is wall or cpu");
  for (const r of options.regimes) if (!REGIMES.includes(r)) throw new Error(`unknown regime ${r} (known: ${REGIMES.join(", ")})`);
  for (const e of options.engines)
    if (!BENCH_ENGINES.includes(e)) throw new Error(`unknown engine ${e} (known: ${BENCH_ENGINES.join(", ")})`);
  if ([...options.ks, ...options.batches, ...options.threads, options.steps, options.rounds].some((n) => !Number.isInteger(n) || n <= 0))
    throw new Error("sizes and thread counts must be positive integers");
  return options;
}

/** `wasm` is engine.wasm itself; `wasm-native` the same kernels compiled natively (what Node's sweeps and the build
 * run; the same bits), labelled wasm-simd/native in the table. */
const BENCH_ENGINES = ["native", "wasm", "wasm-native", "tfjs"];
const wasmNative = wasmEngineFactory(loadWasmFromDisk, { nativeKernels: nativeWasmKernels });

async function main() {
  const options = parseArgs(process.argv.slice(2));
  useClock(options.clock);
  const load = loadavg()[0];
  const ghz = clockGHz();
  // The probe takes ~60 ms, so one slow spell of a shared machine can cut it by a quarter (89 against 116 GFLOP/s in two
  // sittings of 2026-12-04): it runs again after the timings, and the larger of the two is the peak.
  let peak = measuredPeak();
  log(`clock: ${options.clock}; load average ${load.toFixed(1)} on ${cpus().length} cores; nominal ${ghz ?? "?"} GHz`);
  log(peak ? `  measured fp32 peak: ${peak.gflopsPerCore.toFixed(1)} GFLOP/s per core (${peak.isa})` : "  no native addon: no peak");
  if (options.clock === "wall" && load > cpus().length * 0.75)
    log("  the machine is busy: elapsed times will mostly measure other processes; consider --clock cpu");
  if (options.clock === "cpu" && options.threads.some((t) => t > 1))
    log("  --clock cpu sums the CPU time of every thread: it shows the work, not a multi-threaded run's speed-up");
  const factoryFor = (engineId: string, threads: number): EngineFactory =>
    engineId === "native"
      ? nativeEngineFactory({ threads })
      : engineId === "wasm"
        ? wasmEngine
        : engineId === "wasm-native"
          ? wasmNative
          : tfjsEngine;
  const rows: Row[] = [];
  const peers = new Map<string, PeerRow | { error: string }>();
  const checkpoints = new Map<number, Checkpoint>();
  for (const k of options.ks)
    for (const batch of options.batches) {
      // Rounds: the peer and every engine row in turn, again and again, so that a slow spell of the machine (these
      // shared 2-core machines drift by 10-30% within minutes) lands on both sides of a ratio. Each row reports its
      // best time and the median of its per-round ratios to the same round's peer.
      const peerRounds = new Map<number, (PeerRow | { error: string })[]>();
      const engineRounds = new Map<string, { regime: Regime; engineId: string; threads: number; results: Timed[] }>();
      for (let round = 1; round <= options.rounds; round++) {
        const tag = options.rounds > 1 ? ` (round ${round}/${options.rounds})` : "";
        for (const threads of options.threads) {
          let peerRow: PeerRow | { error: string } = { error: "skipped (--no-peer)" };
          if (options.peer) {
            log(`k=${k} batch=${batch} threads=${threads}: PyTorch peer${tag}...`);
            peerRow = await peer(k, batch, threads, options.clock);
            log(
              "error" in peerRow
                ? `  peer unavailable: ${peerRow.error} (no ratios)`
                : `  peer: ${peerRow.ms_per_step} ms/step on ${peerRow.cores_used.toFixed(2)} cores` +
                    (peerRow.cores_used > threads + 0.25 ? ` (more than its ${threads} thread(s): the ratio is not at equal threads)` : ""),
            );
          }
          peerRounds.set(threads, [...(peerRounds.get(threads) ?? []), peerRow]);
        }
        for (const regime of options.regimes)
          for (const engineId of options.engines)
            for (const threads of engineId === "native" ? options.threads : [1]) {
              const config = regimeConfig(regime, k, batch, options.steps);
              const factory = factoryFor(engineId, threads);
              let initial: Params | undefined;
              if (regime === "awake") {
                if (!checkpoints.has(k)) {
                  checkpoints.set(k, await lr3Checkpoint(k, CHECKPOINT_STEPS, log));
                  const checkpoint = checkpoints.get(k)!;
                  log(
                    `  awake checkpoint: ${checkpoint.description}; final loss ${checkpoint.final_loss.toFixed(4)}, ${(100 * checkpoint.active_fraction).toFixed(1)}% of pairs active`,
                  );
                }
                initial = checkpoints.get(k)!.params;
              }
              log(`k=${k} batch=${batch} ${regime} ${engineId} threads=${threads}${tag}...`);
              // tfjs costs ~0.2 s per step at k = 1024, batch = 1024 and scales with k * batch: a few steps only.
              const few = engineId === "tfjs" ? { warmup: 1, timed: k * batch >= 8 * 1024 * 1024 ? 2 : 3 } : { warmup: 3, timed: 10 };
              const result =
                regime === "engineered" && engineId !== "tfjs"
                  ? await timeWholeRun(factory, config)
                  : await timeFewSteps(factory, config, few.warmup, few.timed, initial);
              const key = `${regime}/${engineId}/${threads}`;
              const entry = engineRounds.get(key) ?? { regime, engineId, threads, results: [] };
              entry.results.push(result);
              engineRounds.set(key, entry);
              log(`  ${result.ms.toFixed(2)} ms/step (${result.timed} steps timed), data ${result.dataMs.toFixed(2)} ms/step`);
            }
      }
      for (const [threads, rounds] of peerRounds) {
        const ok = rounds.filter((p): p is PeerRow => !("error" in p));
        peers.set(`${k}x${batch}x${threads}`, ok.length === 0 ? rounds[0] : ok.reduce((a, b) => (b.ms_per_step < a.ms_per_step ? b : a)));
      }
      for (const { regime, engineId, threads, results } of engineRounds.values()) {
        const best = results.reduce((a, b) => (b.ms < a.ms ? b : a));
        const peerOf = peerRounds.get(threads) ?? [];
        // The same round's peer: engines of one thread count share that round's peer run.
        const ratios = results.flatMap((r, i) => {
          const p = peerOf[i];
          return p === undefined || "error" in p ? [] : [p.ms_per_step / r.ms];
        });
        const oneThread = threads > 1 ? engineRounds.get(`${regime}/${engineId}/1`) : undefined;
        const speedups = oneThread ? results.flatMap((r, i) => (oneThread.results[i] ? [oneThread.results[i].ms / r.ms] : [])) : [];
        const bestPeer = peers.get(`${k}x${batch}x${threads}`) ?? { error: "no peer at this thread count" };
        const samplesPerS = (batch * 1000) / best.ms;
        const isa = isaOf(best.name);
        const gflops = denseStepFlop(batch, k, 64, 512) / best.ms / 1e6;
        rows.push({
          k,
          batch,
          regime,
          engine: engineId === "wasm-native" ? `${best.name}/native` : best.name,
          threads,
          ms_per_step: best.ms,
          samples_per_s: samplesPerS,
          steps_per_s: 1000 / best.ms,
          steps_timed: best.timed,
          rounds: results.length,
          active_fraction: best.active,
          data_ms_per_step: best.dataMs,
          ratio_vs_peer: ratios.length === 0 ? null : median(ratios),
          ratio_per_round: ratios.length === 0 ? null : ratios,
          speedup_vs_one_thread: speedups.length === 0 ? null : median(speedups),
          speedup_per_round: speedups.length === 0 ? null : speedups,
          late_ms_per_step: best.lateMs,
          late_ratio_vs_peer: best.lateMs === null || "error" in bestPeer ? null : (batch * 1000) / best.lateMs / bestPeer.samples_per_s,
          final_loss: regime === "engineered" && engineId !== "tfjs" ? best.loss : null,
          dense_gflops: gflops,
          share_of_peak: isa && peak && isa === peak.isa ? gflops / (threads * peak.gflopsPerCore) : null,
          profiled_ms_per_step: best.profile?.ms ?? null,
          kernels: best.profile
            ? kernelReport(
                best.profile.tally,
                best.profile.steps,
                best.profile.ms,
                threads,
                isa && peak && isa === peak.isa ? peak.gflopsPerCore : null,
              )
            : null,
        });
      }
    }
  const again = measuredPeak();
  if (peak && again && again.gflopsPerCore > peak.gflopsPerCore) {
    log(`  measured fp32 peak after the timings: ${again.gflopsPerCore.toFixed(1)} GFLOP/s per core (used for "of peak")`);
    peak = again;
    for (const r of rows) {
      if (r.share_of_peak !== null) r.share_of_peak = r.dense_gflops / (r.threads * peak.gflopsPerCore);
      for (const k of r.kernels ?? [])
        if (k.share_of_core_peak !== null && k.rate_per_core !== null) k.share_of_core_peak = k.rate_per_core / peak.gflopsPerCore;
    }
  }
  printReport({ options, load, ghz, peak, checkpoints, peers, rows });
}

await main();

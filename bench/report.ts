/**
 * The bench's report on stdout: one row per (size, regime, engine, threads) beside the PyTorch peer's, as a
 * tab-separated table with its notes, or as JSON with --json.
 */
import type { Checkpoint } from "./checkpoint.js";
import { formatKernels, type KernelRow } from "./kernels.js";
import { denseStepFlop } from "./machine.js";
import type { PeerRow } from "./peer.js";
import type { Regime } from "./regimes.js";

export interface Row {
  k: number;
  batch: number;
  regime: Regime;
  engine: string;
  threads: number;
  /** Mean (engineered wasm run) or median (a few steps) engine.step time, the best of the rounds. */
  ms_per_step: number;
  samples_per_s: number;
  steps_per_s: number;
  steps_timed: number;
  /** Rounds this row was timed in, each beside its own run of the peer. */
  rounds: number;
  /** Fraction of (sample, neuron) pairs with h != 0: at the timed steps (dense), averaged over the run (engineered). */
  active_fraction: number | null;
  /** Engineered wasm run only: mean step time over the run's last quarter, when most neurons are awake (the regime
   * that dominates a paper-length run), and its ratio to the peer. */
  late_ms_per_step: number | null;
  late_ratio_vs_peer: number | null;
  /** Time to sample one batch in TypeScript (not included above). */
  data_ms_per_step: number;
  /** Peer's step time / this engine's, median over the rounds (each against the same round's peer); null when the
   * peer is unavailable. */
  ratio_vs_peer: number | null;
  ratio_per_round: number[] | null;
  /** Multi-threaded native rows: the same round's 1-thread time / this row's, median over the rounds (pairing each round
   * with its own 1-thread run cancels the machine's drift between rounds); null for 1-thread rows. */
  speedup_vs_one_thread: number | null;
  speedup_per_round: number[] | null;
  final_loss: number | null;
  /** Dense-equivalent GFLOP/s (denseStepFlop / time) and that as a share of the threads' measured fp32 peak (native only). */
  dense_gflops: number;
  share_of_peak: number | null;
  /** Native rows: the median step time of the profiled steps that follow the timed ones (kernel timers on), and each
   * kernel's share of them (bench/kernels.ts); null elsewhere. Absent from reports saved before they existed. */
  profiled_ms_per_step?: number | null;
  kernels?: KernelRow[] | null;
}

/** A median ratio, with the range of the rounds' ratios beside it when there were several. */
function medianText(median: number | null, rounds: number[] | null): string {
  if (median === null) return "n/a";
  const all = rounds ?? [];
  return `${median.toFixed(2)}x${all.length > 1 ? ` (${Math.min(...all).toFixed(2)}-${Math.max(...all).toFixed(2)})` : ""}`;
}
const ratioText = (r: Row) => medianText(r.ratio_vs_peer, r.ratio_per_round);
// `== null`: reports saved before the field existed lack it.
const speedupText = (r: Row) => (r.speedup_vs_one_thread == null ? "" : medianText(r.speedup_vs_one_thread, r.speedup_per_round));

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
    "vs peer (median of rounds; range)",
    "vs 1 thread (median of rounds; range)",
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
            "",
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
        ratioText(r),
        speedupText(r),
        r.dense_gflops.toFixed(1),
        r.share_of_peak === null ? "" : `${(100 * r.share_of_peak).toFixed(0)}%`,
        r.late_ms_per_step === null
          ? ""
          : `${r.late_ms_per_step.toFixed(2)}, ${r.late_ratio_vs_peer === null ? "n/a" : `${r.late_ratio_vs_peer.toFixed(2)}x`}`,
      ].join("\t"),
    );
  return lines.join("\n");
}

/** The same rows as a Markdown table (for the README: pasted from the bench's own output, never typed). */
export function formatMarkdown(rows: Row[], peers: Map<string, PeerRow | { error: string }>): string {
  const lines = [
    "| batch | regime | engine | threads | ms/step | active | vs peer (same threads; median of rounds, range) | vs 1 thread (median of rounds, range) | dense-eq GFLOP/s | of peak |",
    "|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const [key, p] of peers) {
    const [, batch, threads] = key.split("x");
    if (!("error" in p))
      lines.push(
        `| ${batch} | any (dense) | PyTorch ${p.torch}${p.cores_used === undefined ? "" : ` (${p.cores_used.toFixed(2)} cores)`} | ${threads} | ${p.ms_per_step.toFixed(2)} | ${(p.active_per_sample / p.k).toFixed(3)} | 1 | | ${(denseStepFlop(p.batch, p.k, 64, 512) / p.ms_per_step / 1e6).toFixed(1)} | |`,
      );
  }
  for (const r of [...rows].sort((a, b) => a.batch - b.batch))
    lines.push(
      `| ${r.batch} | ${r.regime} | ${r.engine} | ${r.threads} | ${r.ms_per_step.toFixed(2)} | ${r.active_fraction === null ? "" : r.active_fraction.toFixed(3)} | ${ratioText(
        r,
      )} | ${speedupText(r)} | ${r.dense_gflops.toFixed(1)} | ${r.share_of_peak === null ? "" : `${(100 * r.share_of_peak).toFixed(0)}%`} |`,
    );
  return lines.join("\n");
}

/** Everything the bench measured, to stdout: JSON with --json, else the table (Markdown with --markdown), the awake
 * checkpoints and the notes. */
export function printReport({
  options,
  load,
  ghz,
  peak,
  checkpoints,
  peers,
  rows,
}: {
  options: { json: boolean; markdown: boolean; clock: "wall" | "cpu" };
  load: number;
  ghz: number | null;
  peak: { isa: string; gflopsPerCore: number } | null;
  checkpoints: Map<number, Checkpoint>;
  peers: Map<string, PeerRow | { error: string }>;
  rows: Row[];
}): void {
  const awake = [...checkpoints.values()].map((c) => ({
    description: c.description,
    engine: c.engine,
    final_loss: c.final_loss,
    active_fraction: c.active_fraction,
  }));
  if (options.json) {
    process.stdout.write(
      `${JSON.stringify({ options, load_average: load, clock_ghz: ghz, peak_gflops_per_core: peak, awake_checkpoints: awake, peers: Object.fromEntries(peers), rows }, null, 2)}\n`,
    );
  } else {
    process.stdout.write(
      `clock: ${options.clock}, load average at start ${load.toFixed(1)}, nominal ${ghz ?? "?"} GHz, measured peak ${peak ? `${peak.gflopsPerCore.toFixed(1)} GFLOP/s per core (${peak.isa})` : "?"}\n${(options.markdown ? formatMarkdown : formatTable)(rows, peers)}\n`,
    );
    for (const c of awake)
      process.stdout.write(
        `awake checkpoint: ${c.description} (trained by ${c.engine}; final loss ${c.final_loss.toFixed(4)}, ${(100 * c.active_fraction).toFixed(1)}% of pairs active)\n`,
      );
    process.stdout.write(
      "dense-eq GFLOP/s counts every pair as a dense step does; 'of peak' is against threads x the measured per-core peak.\n",
    );
    if (rows.some((r) => r.kernels?.length))
      process.stdout.write(
        `\nwhere a native step goes (profiled steps after the timed ones, kernel timers on; GFLOP/s of issued multiply-adds per core):\n${formatKernels(rows, options.markdown)}\n`,
      );
    const missing = [...peers.values()].some((p) => "error" in p);
    if (missing) process.stdout.write("PyTorch peer unavailable for some sizes: ratios there are n/a.\n");
  }
}

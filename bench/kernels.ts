/**
 * The bench's per-kernel report: where a native step's time goes and how close each kernel runs to the machine's
 * limit. The engine tallies every kernel's thread-seconds and work on a few profiled steps after the timed ones
 * (`NativeEngine.kernelTally`); here each becomes milliseconds a step, a rate per core (GFLOP/s of issued multiply-adds,
 * or GB/s for the memory-bound update) and, for the arithmetic, a share of one core's measured fp32 peak.
 */
import { NATIVE_KERNELS, type KernelTally, type NativeKernelId } from "../src/lib/engines/native/index.js";

export interface KernelRow {
  kernel: NativeKernelId;
  label: string;
  /** Thread-milliseconds a step: on 2 threads a kernel that kept both busy for 1 ms counts 2. */
  thread_ms_per_step: number;
  /** This kernel's share of the step's thread-time (threads x the profiled step time). */
  share_of_step: number;
  /** GFLOP/s (unit flop) or GB/s (unit byte) per thread; null for the bookkeeping, which counts no work. */
  rate_per_core: number | null;
  unit: "flop" | "byte" | null;
  /** rate_per_core against one core's measured fp32 peak (FLOP kernels only). */
  share_of_core_peak: number | null;
}

/** One row per kernel that did work (and the bookkeeping), from a tally of `steps` profiled steps of `profiledMs` each on `threads` threads. */
export function kernelReport(
  tally: KernelTally[],
  steps: number,
  profiledMs: number,
  threads: number,
  peakGflopsPerCore: number | null,
): KernelRow[] {
  if (!(steps > 0) || !(profiledMs > 0))
    throw new RangeError(`kernelReport: steps and profiledMs must be positive (got ${steps}, ${profiledMs})`);
  // A kernel that counts work but did none this time (the dense product in a sparse regime) only spent its marks.
  const kindOf = (id: NativeKernelId) => {
    const kind = NATIVE_KERNELS.find((k) => k.id === id);
    if (!kind) throw new Error(`kernelReport: unknown kernel ${id}`);
    return kind;
  };
  return tally
    .filter((t) => t.seconds > 0 && (kindOf(t.id).unit === null || t.work > 0))
    .map((t) => {
      const kind = kindOf(t.id);
      const rate = kind.unit === null ? null : t.work / t.seconds / 1e9;
      return {
        kernel: t.id,
        label: kind.label,
        thread_ms_per_step: (1000 * t.seconds) / steps,
        share_of_step: (1000 * t.seconds) / steps / (threads * profiledMs),
        rate_per_core: rate,
        unit: kind.unit,
        share_of_core_peak: kind.unit === "flop" && rate !== null && peakGflopsPerCore ? rate / peakGflopsPerCore : null,
      };
    });
}

const percent = (x: number | null) => (x === null ? "" : `${(100 * x).toFixed(0)}%`);
const rateText = (r: KernelRow) =>
  r.rate_per_core === null ? "" : `${r.rate_per_core.toFixed(1)} ${r.unit === "byte" ? "GB/s" : "GFLOP/s"}`;

/** The per-kernel rows of every native row that has them, as a Markdown table (markdown) or tab-separated lines. */
export function formatKernels(
  rows: {
    batch: number;
    regime: string;
    engine: string;
    threads: number;
    profiled_ms_per_step?: number | null;
    kernels?: KernelRow[] | null;
  }[],
  markdown: boolean,
): string {
  const header = ["batch", "regime", "engine", "profiled ms/step", "kernel", "thread-ms/step", "of step", "per core", "of a core's peak"];
  const lines = markdown ? [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`] : [header.join("\t")];
  for (const r of [...rows].sort((a, b) => a.batch - b.batch))
    for (const k of r.kernels ?? []) {
      const cells = [
        r.batch,
        r.regime,
        r.engine,
        r.profiled_ms_per_step?.toFixed(2) ?? "",
        k.label,
        k.thread_ms_per_step.toFixed(2),
        percent(k.share_of_step),
        rateText(k),
        percent(k.share_of_core_peak),
      ];
      lines.push(markdown ? `| ${cells.join(" | ")} |` : cells.join("\t"));
    }
  return lines.join("\n");
}

/**
 * What the bench needs to know about the machine to put GFLOP/s against the limit: the nominal clock (from
 * /proc/cpuinfo, for the record) and the fp32 peak of one core, measured. A table of FLOP per cycle by instruction
 * set gets it wrong both ways: Zen 4 runs AVX-512 as two 256-bit halves (32 FLOP per cycle, as AVX2, not 64), and the
 * boost clock is well above the nominal one. So the native addon times a burst of independent vector multiply-adds
 * with the instruction set the engine runs (nativeFmaPeak); that is what the machine can really do.
 */
import { readFileSync } from "node:fs";
import { nativeFmaPeak } from "../src/lib/engines/native/index.js";

/** One core's measured fp32 peak (GFLOP/s) for the native engine's instruction set, or null without the addon. */
export function measuredPeak(): { isa: string; gflopsPerCore: number } | null {
  const probe = nativeFmaPeak();
  return probe && { isa: probe.isa, gflopsPerCore: probe.gflops };
}

/** The nominal clock in GHz: the first "cpu MHz" of /proc/cpuinfo (null where there is none). */
export function clockGHz(): number | null {
  try {
    const match = /cpu MHz\s*:\s*([\d.]+)/.exec(readFileSync("/proc/cpuinfo", "utf8"));
    return match ? Number(match[1]) / 1000 : null;
  } catch {
    return null;
  }
}

/** The ISA name out of an engine name such as native-avx512-t2 (null for other engines). */
export function isaOf(engineName: string): string | null {
  const match = /^native-(avx512|avx2|generic)/.exec(engineName);
  return match ? match[1] : null;
}

/**
 * FLOP of one dense training step (every pair counted, as a dense implementation does them): the pre-activations
 * W1 x (2 B k m), the outputs W2 h (2 B k N), dh = W2^T dy (2 B k N), grad W2 (2 B k N), grad W1 (2 B k m). Engines
 * that skip silent pairs do less; their "dense-equivalent" GFLOP/s can then exceed what the arithmetic units do.
 */
export function denseStepFlop(batch: number, k: number, m: number, outputs: number): number {
  return 2 * batch * k * (2 * m + 3 * outputs);
}

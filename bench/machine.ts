/**
 * What the bench needs to know about the machine to put GFLOP/s against the limit: the clock (from /proc/cpuinfo)
 * and the fp32 FLOP per cycle per core of the instruction set the native engine runs (two FMA units on these
 * x86-64 cores: AVX-512 16 lanes x 2 FLOP x 2 = 64, AVX2 8 x 2 x 2 = 32, SSE without FMA 4 x 2 = 8 at best).
 */
import { readFileSync } from "node:fs";

export const FLOP_PER_CYCLE: Record<string, number> = { avx512: 64, avx2: 32, generic: 8 };

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

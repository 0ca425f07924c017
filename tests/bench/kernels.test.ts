import { describe, expect, it } from "vitest";
import { formatKernels, kernelReport } from "../../bench/kernels.js";
import { NATIVE_KERNELS, type KernelTally } from "../../src/lib/engines/native/index.js";

const tally = (entries: Partial<Record<(typeof NATIVE_KERNELS)[number]["id"], [number, number]>>): KernelTally[] =>
  NATIVE_KERNELS.map(({ id }) => ({ id, seconds: entries[id]?.[0] ?? 0, work: entries[id]?.[1] ?? 0 }));

describe("kernelReport", () => {
  // 4 profiled steps of 10 ms on 2 threads: 80 thread-ms in all.
  const rows = kernelReport(
    tally({ forward_tiles: [0.04, 2e9], bookkeeping: [0.008, 0], update: [0.004, 1e8], backward_dense: [0.0001, 0] }),
    4,
    10,
    2,
    100,
  );

  it("gives each kernel that did work its thread-ms a step, its share of the step, its rate per core and its share of the peak", () => {
    const tiles = rows.find((r) => r.kernel === "forward_tiles")!;
    expect(tiles.thread_ms_per_step).toBeCloseTo(10, 12);
    expect(tiles.share_of_step).toBeCloseTo(0.5, 12);
    expect(tiles.rate_per_core).toBeCloseTo(50, 12); // 2e9 FLOP in 0.04 s
    expect(tiles.share_of_core_peak).toBeCloseTo(0.5, 12);
    const update = rows.find((r) => r.kernel === "update")!;
    expect(update.unit).toBe("byte");
    expect(update.rate_per_core).toBeCloseTo(25, 12); // GB/s
    expect(update.share_of_core_peak).toBeNull();
  });

  it("keeps the bookkeeping's time without a rate, and leaves out what did no work", () => {
    expect(rows.find((r) => r.kernel === "bookkeeping")).toMatchObject({ rate_per_core: null, share_of_step: 0.1 });
    expect(rows.map((r) => r.kernel)).toEqual(["forward_tiles", "bookkeeping", "update"]);
  });

  it("has no share of the peak without a measured peak, and refuses an empty profile", () => {
    expect(kernelReport(tally({ pt: [1, 1e9] }), 1, 1000, 1, null)[0].share_of_core_peak).toBeNull();
    expect(() => kernelReport(tally({}), 0, 10, 1, 100)).toThrow(/positive/);
  });

  it("prints one line per kernel under its run's row, in Markdown or tab-separated", () => {
    const markdown = formatKernels(
      [{ batch: 1024, regime: "awake", engine: "native-avx2-t2", threads: 2, profiled_ms_per_step: 10, kernels: rows }],
      true,
    );
    const lines = markdown.split("\n");
    expect(lines).toHaveLength(2 + rows.length);
    expect(lines[2]).toBe("| 1024 | awake | native-avx2-t2 | 10.00 | forward: register tiles | 10.00 | 50% | 50.0 GFLOP/s | 50% |");
    expect(lines[4]).toContain("25.0 GB/s");
    expect(
      formatKernels([{ batch: 1024, regime: "dense", engine: "wasm-simd", threads: 1, kernels: null }], false).split("\n"),
    ).toHaveLength(1);
  });
});

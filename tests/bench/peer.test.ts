// The peer's thread count is enforced through its environment, because torch.set_num_threads does not reach
// OpenBLAS's pthread pool; where Debian's torch is installed, the peer is also run to check the cores it used.
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { peer, peerEnvironment } from "../../bench/peer.js";

describe("peerEnvironment", () => {
  it("pins OpenBLAS, OpenMP and MKL to the row's threads and lets idle OpenMP threads sleep", () => {
    for (const threads of [1, 2]) {
      const env = peerEnvironment(threads, { PATH: "/usr/bin", OPENBLAS_NUM_THREADS: "8" });
      expect(env.OPENBLAS_NUM_THREADS).toBe(String(threads));
      expect(env.OMP_NUM_THREADS).toBe(String(threads));
      expect(env.MKL_NUM_THREADS).toBe(String(threads));
      expect(env.OMP_WAIT_POLICY).toBe("PASSIVE");
      expect(env.PATH).toBe("/usr/bin");
    }
  });
});

const torchInstalled = existsSync("/usr/lib/python3/dist-packages/torch") && existsSync("/work/shared/peer/torch_step.py");

describe.skipIf(!torchInstalled)("peer on one thread", () => {
  it("uses about one core, not every core", async () => {
    const row = await peer(256, 4096, 1, "wall");
    if ("error" in row) throw new Error(row.error);
    expect(row.ms_per_step).toBeGreaterThan(0);
    expect(row.cores_used).toBeLessThan(1.25);
  });
});

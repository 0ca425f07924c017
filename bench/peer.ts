/**
 * The bench's PyTorch peer: /work/shared/peer/torch_step.py (dense, as the authors wrote it) run with Debian's python3
 * at a size and thread count, on the chosen clock; its step time, or why it is unavailable.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";

const PEER_SCRIPT = process.env.PEER_SCRIPT ?? "/work/shared/peer/torch_step.py";
const PYTHON = process.env.PEER_PYTHON ?? "/usr/bin/python3";

export interface PeerRow {
  k: number;
  batch: number;
  threads: number;
  ms_per_step: number;
  samples_per_s: number;
  active_per_sample: number;
  torch: string;
}

/** Runs the peer with its step timer on CPU time instead of elapsed time. */
const PEER_ON_CPU_CLOCK =
  "import runpy, sys, time; time.perf_counter = time.process_time; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')";

export async function peer(k: number, batch: number, threads: number, clock: "wall" | "cpu"): Promise<PeerRow | { error: string }> {
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

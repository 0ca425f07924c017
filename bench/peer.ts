/**
 * The bench's PyTorch peer: /work/shared/peer/torch_step.py (dense, as the authors wrote it) run with Debian's python3
 * at a size and thread count, on the chosen clock; its step time, or why it is unavailable.
 *
 * "Equal threads" has to be enforced, not assumed: the script's torch.set_num_threads(n) sizes torch's own OpenMP pool
 * only, while Debian's libopenblas0-pthread starts one BLAS thread per core whatever it says. Unpinned, the peer's
 * "1 thread" ran on both cores (189% CPU over 300 steps, 2026-12-04) and its "2 threads" ran 2 OpenMP threads spinning
 * against 2 BLAS threads (slower than 1). So the peer runs with OpenBLAS and OpenMP pinned to `threads` and OpenMP's
 * idle threads sleeping instead of spinning (its fastest set-up on 2 cores that we found), and every row records the
 * cores it actually used (CPU time / elapsed time of the whole process, start-up included).
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
  /** CPU time / elapsed time of the peer's whole process (start-up included): at most about `threads`. */
  cores_used: number;
}

/** Runs the peer script (optionally with its step timer on CPU time instead of elapsed time), then prints the cores
 * the whole process used on a last JSON line. */
const peerRunner = (clock: "wall" | "cpu") =>
  [
    "import json, resource, runpy, sys, time",
    "wall0 = time.perf_counter()",
    "wall = time.perf_counter",
    ...(clock === "cpu" ? ["time.perf_counter = time.process_time"] : []),
    "sys.argv = sys.argv[1:]",
    "runpy.run_path(sys.argv[0], run_name='__main__')",
    "usage = resource.getrusage(resource.RUSAGE_SELF)",
    "print(json.dumps(dict(cores_used=(usage.ru_utime + usage.ru_stime) / (wall() - wall0))))",
  ].join("\n");

/** The peer's environment at `threads`: its BLAS and OpenMP pools pinned to that many threads (see above). */
export function peerEnvironment(threads: number, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const n = String(threads);
  return { ...base, OPENBLAS_NUM_THREADS: n, OMP_NUM_THREADS: n, MKL_NUM_THREADS: n, OMP_WAIT_POLICY: "PASSIVE" };
}

export async function peer(k: number, batch: number, threads: number, clock: "wall" | "cpu"): Promise<PeerRow | { error: string }> {
  if (!existsSync(PEER_SCRIPT)) return { error: `${PEER_SCRIPT} not found` };
  const steps = batch * k >= 8192 * 1024 ? 6 : 12;
  try {
    const { stdout } = await promisify(execFile)(
      PYTHON,
      [
        "-c",
        peerRunner(clock),
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
      { timeout: 600_000, env: peerEnvironment(threads) },
    );
    const lines = stdout.trim().split("\n");
    const { cores_used } = JSON.parse(lines.pop()!);
    const row = JSON.parse(lines.pop()!);
    return {
      k,
      batch,
      threads,
      ms_per_step: row.ms_per_step,
      samples_per_s: row.samples_per_s,
      active_per_sample: row.active_per_sample,
      torch: row.torch,
      cores_used,
    };
  } catch (error) {
    return { error: String((error as Error).message ?? error).split("\n")[0] };
  }
}

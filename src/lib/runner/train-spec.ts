/**
 * What a sweep worker does with one run (./worker.ts is the thread's entry). Kept apart from the entry, so that
 * importing it, as the runner does, never registers a message handler in whichever thread imports it.
 */
import type { RunSpec } from "../experiments/sweep.js";
import { engineById } from "../engines/index.js";
import { inflightStore } from "./inflight.js";
import { nativeSingleFeaturePre } from "./metric-kernels.js";
import { toRecord } from "./record.js";
import { train } from "./train.js";

export type WorkerRequest = { spec: RunSpec; engine: string };
export type WorkerMessage =
  | { type: "progress"; run_id: string; step: number; steps: number; loss: number }
  | { type: "done"; run_id: string; record: ReturnType<typeof toRecord> }
  | { type: "failed"; run_id: string; error: string };

export async function trainSpec(request: WorkerRequest, post: (message: WorkerMessage) => void): Promise<void> {
  const { spec } = request;
  try {
    let lastReport = 0;
    const factory = engineById(request.engine);
    const outcome = await train(
      spec.config,
      factory,
      (p) => {
        const now = Date.now();
        if (now - lastReport < 1000 && p.step !== p.steps) return;
        lastReport = now;
        post({ type: "progress", run_id: spec.run_id, ...p });
      },
      { inflight: inflightStore(spec.config, factory), singleFeaturePre: nativeSingleFeaturePre() ?? undefined },
    );
    post({ type: "done", run_id: spec.run_id, record: toRecord(spec, outcome) });
  } catch (error) {
    post({ type: "failed", run_id: spec.run_id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
}

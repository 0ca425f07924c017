/**
 * The Web Worker behind "Re-run in your browser" and the playground: trains one run with the project's own training
 * loop (train.ts) on the wasm engine shipped with the site, and streams progress and snapshots to the page. It is
 * bundled into one self-contained file by rerun-bundle.js.ts (the tfjs fallback that train.ts keeps for GBA runs is
 * replaced there by a stub, so GBA runs are refused here instead of pulling TensorFlow.js into the page).
 */
import { RunConfigSchema, type RunConfig } from "../lib/protocol/config.js";
import { modelMetrics } from "../lib/protocol/metrics.js";
import { snapshotSteps } from "../lib/protocol/schedule.js";
import type { Engine, EngineFactory } from "../lib/engines/engine.js";
import { loadWasmFromUrl, wasmEngineFactory } from "../lib/engines/wasm/index.js";
import { train } from "../lib/runner/train.js";
import { toRecord } from "../lib/runner/record.js";
import type { RunSpec } from "../lib/experiments/sweep.js";

export interface StartMessage {
  type: "start";
  spec: RunSpec;
  wasmUrl: string;
  /** Send each snapshot's single-feature activations and biases (the playground draws them; the re-run does not). */
  withSfa?: boolean;
}

export interface SnapshotMessage {
  type: "snapshot";
  step: number;
  /** Mean task loss of the steps since the previous snapshot (as the published checkpoints define it). */
  loss: number;
  mono_per_feature: number;
  mono_neurons: number;
  mean_bias: number;
  dead_neurons: number;
  features_covered: number;
  sfa?: Float32Array;
  bias?: Float32Array;
}

export type WorkerMessage =
  | { type: "progress"; step: number; steps: number; loss: number; elapsed_ms: number }
  | SnapshotMessage
  | {
      type: "done";
      row: Record<string, string | number | boolean | null>;
      checkpoints: { step: number; loss: number; mono_per_feature: number; mean_bias: number }[];
      wall_s: number;
      sfa?: Float32Array;
      bias?: Float32Array;
    }
  | { type: "error"; message: string };

const post = (message: WorkerMessage, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(message, transfer);

/**
 * The wasm factory, wrapped so that the page sees each snapshot as soon as train() reaches it. The wrapper only
 * observes: it counts steps and, when the loop asks the engine for its parameters at a snapshot step, measures the
 * same parameters a second time for the page. train()'s own numbers are untouched.
 */
function observed(inner: EngineFactory, config: RunConfig, withSfa: boolean): EngineFactory {
  const snapshots = new Set(snapshotSteps(config.steps));
  return {
    id: inner.id,
    version: inner.version,
    async create(context) {
      const engine = await inner.create(context);
      let steps = 0;
      let sum = 0;
      let n = 0;
      let lastPosted = 0;
      const wrapped: Engine = Object.create(engine);
      wrapped.step = (batch, lr, decay) => {
        const loss = engine.step(batch, lr, decay);
        steps++;
        sum += loss;
        n++;
        return loss;
      };
      wrapped.params = () => {
        const params = engine.params();
        if (snapshots.has(steps) && steps !== lastPosted) {
          lastPosted = steps;
          const { metrics, sfa } = modelMetrics(params, context.world.embedder, config.n_features, config.activation, {
            task: config.task,
            form: config.metric_form,
          });
          const bias = withSfa ? params.b.slice() : undefined;
          const message: SnapshotMessage = {
            type: "snapshot",
            step: steps,
            loss: sum / n,
            ...metrics,
            sfa: withSfa ? sfa : undefined,
            bias,
          };
          post(message, withSfa ? [sfa.buffer, bias!.buffer] : []);
          sum = 0;
          n = 0;
        }
        return params;
      };
      return wrapped;
    },
  };
}

self.onmessage = async (event: MessageEvent<StartMessage>) => {
  const { spec, wasmUrl, withSfa = false } = event.data;
  try {
    const parsed = RunConfigSchema.safeParse(spec.config);
    if (!parsed.success)
      throw new Error(`invalid config: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    if (spec.config.bias_rule === "gba")
      throw new Error("GBA runs are not re-run in the browser (train.ts trains them with a tfjs fallback that the page does not ship)");
    const started = performance.now();
    let lastPost = 0;
    const factory = observed(wasmEngineFactory(loadWasmFromUrl(wasmUrl)), spec.config, withSfa);
    const outcome = await train(spec.config, factory, (p) => {
      const now = performance.now();
      // A message every ~50 ms keeps the page informed without flooding its event loop.
      if (now - lastPost < 50 && p.step !== p.steps) return;
      lastPost = now;
      post({ type: "progress", step: p.step, steps: p.steps, loss: p.loss, elapsed_ms: now - started });
    });
    const record = toRecord(spec, outcome);
    const checkpoints = outcome.checkpoints.map((c) => ({
      step: c.step,
      loss: c.loss,
      mono_per_feature: c.mono_per_feature,
      mean_bias: c.mean_bias,
    }));
    const sfa = withSfa ? outcome.sfa : undefined;
    const bias = withSfa ? outcome.params.b : undefined;
    post(
      { type: "done", row: record.run, checkpoints, wall_s: outcome.wall_s, sfa, bias },
      withSfa ? [outcome.sfa.buffer, outcome.params.b.buffer] : [],
    );
  } catch (error) {
    post({ type: "error", message: error instanceof Error ? error.message : String(error) });
  }
};

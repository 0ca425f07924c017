// The engine registry: naming the tfjs engine must not load TensorFlow.js, which slows every other engine of the
// process (a sweep worker's small runs took up to three times longer with it loaded).
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { workerBootstrap } from "../../../src/lib/runner/sweep.js";
import { tfjsEngine } from "../../../src/lib/engines/tfjs.js";

describe("engine registry", () => {
  it("a sweep worker's imports leave TensorFlow.js unloaded, and the lazy tfjs entry names the real engine", async () => {
    const worker = new Worker(workerBootstrap(new URL("./tfjs-probe.ts", import.meta.url)), { eval: true });
    try {
      const report = await new Promise((resolve, reject) => {
        worker.once("message", resolve);
        worker.once("error", reject);
      });
      expect(report).toEqual({ before: "undefined", id: tfjsEngine.id, version: tfjsEngine.version });
    } finally {
      await worker.terminate();
    }
  }, 60_000);
});

// The worker entries: importing the runner in a worker thread must register no message handler of its own.
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { workerBootstrap } from "../../../src/lib/runner/sweep.js";

describe("worker entries", () => {
  // An SAE worker once also ran the sweep worker's handler (imported through the runner), which crashed on the SAE
  // request and failed SAE1 now and then.
  it("importing the runner in a worker thread registers no message handler: only the entry modules do", async () => {
    const worker = new Worker(workerBootstrap(new URL("./listener-probe.ts", import.meta.url)), { eval: true });
    try {
      const handlers = await new Promise((resolve, reject) => {
        worker.once("message", resolve);
        worker.once("error", reject);
      });
      expect(handlers).toBe(0);
    } finally {
      await worker.terminate();
    }
  }, 60_000);
});

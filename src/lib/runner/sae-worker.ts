/** An SAE1 worker: trains the SAEs it is sent into the shared cache (the parent assembles the rows from it). */
import { parentPort } from "node:worker_threads";
import { runSaeExperiment, type SaeWorkerMessage, type SaeWorkerRequest } from "./sae.js";

parentPort?.on("message", (request: SaeWorkerRequest) => {
  const post = (message: SaeWorkerMessage) => parentPort!.postMessage(message);
  runSaeExperiment(request.specs, {
    engine: request.engine,
    cacheDir: request.cacheDir,
    workers: 1,
    log: (line) => post({ type: "log", line }),
  })
    .then(() => post({ type: "done" }))
    .catch((error: unknown) => post({ type: "failed", error: error instanceof Error ? (error.stack ?? error.message) : String(error) }));
});

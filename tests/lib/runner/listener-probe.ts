// Loaded in a worker thread by worker-entry.test.ts: imports the runner's modules, as the SAE worker does, and
// reports how many message handlers that import alone registered.
import { parentPort } from "node:worker_threads";
import "../../../src/lib/runner/sae.js";
import "../../../src/lib/runner/sweep.js";

parentPort!.postMessage(parentPort!.listenerCount("message"));

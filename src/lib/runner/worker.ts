/** A sweep worker's entry: trains the runs it is sent, one at a time, each with a fresh engine. */
import { parentPort } from "node:worker_threads";
import { trainSpec, type WorkerRequest } from "./train-spec.js";

parentPort?.on("message", (request: WorkerRequest) => {
  void trainSpec(request, (message) => parentPort!.postMessage(message));
});

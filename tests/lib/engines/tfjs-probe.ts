// Run in a fresh worker by registry.test.ts: import what a sweep worker imports, and report whether TensorFlow.js
// got loaded (tfjs-core sets globalThis._tfengine when it loads).
import { parentPort } from "node:worker_threads";
import "../../../src/lib/runner/train-spec.js";
import { engineById } from "../../../src/lib/engines/index.js";

const before = typeof (globalThis as { _tfengine?: unknown })._tfengine;
const tfjs = engineById("tfjs");
parentPort!.postMessage({ before, id: tfjs.id, version: tfjs.version });

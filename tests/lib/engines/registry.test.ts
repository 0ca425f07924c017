// The engine registry: naming the tfjs engine must not load TensorFlow.js, which slows every other engine of the
// process (a sweep worker's small runs took up to three times longer with it loaded).
import { describe, expect, it } from "vitest";
import { tfjsEngine } from "../../../src/lib/engines/tfjs.js";
import { probeInWorker } from "../runner/helpers.js";

describe("engine registry", () => {
  it("a sweep worker's imports leave TensorFlow.js unloaded, and the lazy tfjs entry names the real engine", async () => {
    const report = await probeInWorker(new URL("./tfjs-probe.ts", import.meta.url));
    expect(report).toEqual({ before: "undefined", id: tfjsEngine.id, version: tfjsEngine.version });
  }, 60_000);
});

// The worker entries: importing the runner in a worker thread must register no message handler of its own.
import { describe, expect, it } from "vitest";
import { probeInWorker } from "./helpers.js";

describe("worker entries", () => {
  // An SAE worker once also ran the sweep worker's handler (imported through the runner), which crashed on the SAE
  // request and failed SAE1 now and then.
  it("importing the runner in a worker thread registers no message handler: only the entry modules do", async () => {
    expect(await probeInWorker(new URL("./listener-probe.ts", import.meta.url))).toBe(0);
  }, 60_000);
});

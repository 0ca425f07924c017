// The training loop's protocol on a recording fake engine and tfjs: schedule, bias decay, snapshots, final loss,
// divergence, and reproducibility per seed.
import { describe, expect, it } from "vitest";
import { tfjsEngine } from "../../../src/lib/engines/tfjs.js";
import { learningRate } from "../../../src/lib/protocol/schedule.js";
import { train } from "../../../src/lib/runner/train.js";
import { fakeEngineFactory, smallConfig } from "../engines/fixtures.js";

/** An engine that records what the protocol asks of it and reports a scripted loss. */
function recordingEngine(losses: (t: number) => number) {
  const calls: { lr: number; biasDecay: number; batchSize: number }[] = [];
  const factory = fakeEngineFactory({
    step(_params, batch, lr, biasDecay) {
      calls.push({ lr, biasDecay, batchSize: batch.size });
      return losses(calls.length - 1);
    },
  });
  return { factory, calls };
}

describe("train", () => {
  it("follows the cosine schedule, decays biases in the first half only, and snapshots at powers of two", async () => {
    const config = smallConfig({ steps: 64, lr: 0.01, decay: 0.5, batch: 8 });
    const { factory, calls } = recordingEngine(() => 1);
    const outcome = await train(config, factory);
    expect(calls).toHaveLength(64);
    calls.forEach((c, t) => {
      expect(c.lr).toBeCloseTo(learningRate(0.01, t), 12);
      expect(c.biasDecay).toBeCloseTo(t < 32 ? 1 - 0.5 * 0.01 : 1, 12);
      expect(c.batchSize).toBe(8);
    });
    expect(outcome.checkpoints.map((c) => c.step)).toEqual([1, 2, 4, 8, 16, 32, 64]);
    expect(outcome.lossLog.map((l) => l.step)).toEqual([16, 32, 48, 64]);
  });

  it("reports the mean loss of the last 1/32 of the steps as the final loss", async () => {
    const config = smallConfig({ steps: 64 });
    const { factory } = recordingEngine((t) => t); // the last 2 steps have losses 62 and 63
    const outcome = await train(config, factory);
    expect(outcome.final_loss).toBe(62.5);
    expect(outcome.status).toBe("ok");
  });

  it("stops a run whose loss is not finite and marks it diverged at that step", async () => {
    const config = smallConfig({ steps: 64 });
    const { factory, calls } = recordingEngine((t) => (t === 9 ? Number.NaN : 1));
    const outcome = await train(config, factory);
    expect(outcome.status).toBe("diverged");
    expect(outcome.diverged_at).toBe(10);
    expect(calls).toHaveLength(10);
  });

  it("gives identical numbers for the same config, seed and engine, and different ones for another seed", async () => {
    const config = smallConfig({ steps: 40, init_bias: -0.2, decay: 1 });
    const a = await train(config, tfjsEngine);
    const b = await train(config, tfjsEngine);
    const c = await train({ ...config, seed: 2 }, tfjsEngine);
    expect(b.final_loss).toBe(a.final_loss);
    expect(b.checkpoints).toEqual(a.checkpoints);
    expect(Array.from(b.params.w2)).toEqual(Array.from(a.params.w2));
    expect(c.final_loss).not.toBe(a.final_loss);
  });
});

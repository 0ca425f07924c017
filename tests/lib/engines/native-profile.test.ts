// The native engine's kernel tallies (for the bench's per-kernel report): profiled steps change no number, only
// profiled steps are tallied, and the work counted is what the step had to do: the P^T product exactly, and the
// products between what every active pair needs and what a fully dense step would issue.
import { execFileSync } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import { NATIVE_KERNELS, nativeEngineFactory, type KernelTally } from "../../../src/lib/engines/native/index.js";
import { initParams } from "../../../src/lib/protocol/params.js";
import { Rng } from "../../../src/lib/protocol/rng.js";
import { makeWorld } from "../../../src/lib/protocol/world.js";
import { smallConfig } from "./fixtures.js";

beforeAll(() => {
  execFileSync(process.execPath, ["src/lib/engines/native/build.mjs"], { stdio: "inherit" });
});

const pad = (n: number, to: number) => Math.ceil(n / to) * to;
const workOf = (tally: KernelTally[], ids: string[]) => tally.filter((t) => ids.includes(t.id)).reduce((sum, t) => sum + t.work, 0);

describe("native engine kernel tallies", () => {
  // 1181 samples against 96 features: the pre-activations go through P^T. 37 blocks, 2 neuron tiles; half the ReLUs fire.
  const config = smallConfig({ n_features: 96, m: 20, k: 70, eps: 0.05, batch: 1181, init_bias: 0 });
  const STEPS = 3;

  async function train(threads: number, profile: boolean) {
    const world = makeWorld(config);
    const engine = await nativeEngineFactory({ threads }).create({
      config,
      world,
      initial: initParams(config, new Rng(config.seed, "init")),
    });
    engine.profileKernels(profile);
    const losses: number[] = [];
    let pairs = 0;
    for (let t = 0; t < STEPS; t++) {
      losses.push(engine.step(world.nextBatch(config.batch), 0.01, 1));
      pairs += engine.activeFraction * config.batch * config.k;
    }
    const result = { params: engine.params(), losses, tally: engine.kernelTally(), pairs };
    engine.dispose();
    return result;
  }

  it("changes no number, and tallies only the profiled steps", async () => {
    const plain = await train(2, false);
    const profiled = await train(2, true);
    expect(profiled.losses).toEqual(plain.losses);
    for (const name of ["w1", "b", "w2"] as const)
      expect(Buffer.from(profiled.params[name].buffer)).toEqual(Buffer.from(plain.params[name].buffer));
    expect(plain.tally.every((t) => t.seconds === 0 && t.work === 0)).toBe(true);
    expect(profiled.tally.map((t) => t.id)).toEqual(NATIVE_KERNELS.map((k) => k.id));
    for (const id of ["pt", "inputs", "forward_tiles", "gradient_tiles", "bookkeeping", "update"])
      expect(profiled.tally.find((t) => t.id === id)!.seconds, id).toBeGreaterThan(0);
    expect(profiled.tally.find((t) => t.id === "bookkeeping")!.work).toBe(0);
  });

  it.each([1, 2])("counts the work a step does (%i threads)", async (threads) => {
    const { tally, pairs } = await train(threads, true);
    const [kp, mp, op] = [pad(config.k, 64), pad(config.m, 64), pad(config.n_features, 64)];
    // P^T: n (rounded up to 4) x kp outputs, m multiply-adds each, once a step.
    expect(workOf(tally, ["pt"])).toBe(STEPS * 2 * pad(config.n_features, 4) * kp * config.m);
    // Every active pair is multiplied by its W2 row forward, by dy backward, and into its gradient row, at least.
    const products = workOf(tally, [
      "forward_tiles",
      "forward_rows",
      "backward_dense",
      "backward_pairs",
      "gradient_tiles",
      "gradient_rows",
    ]);
    expect(products).toBeGreaterThanOrEqual(3 * 2 * pairs * op);
    // And no more than a dense step issues: forward, backward and grad W2 over every padded (sample, neuron) pair, grad
    // W1, and the deferred neurons' second pass over dy.
    const padded = STEPS * pad(config.batch, 64) * kp;
    expect(products).toBeLessThanOrEqual(2 * padded * (4 * op + mp));
    // LAMB's sweeps read or write at least 10 floats per parameter.
    expect(workOf(tally, ["update"])).toBeGreaterThanOrEqual(STEPS * 4 * 10 * (kp * mp + kp + kp * op));
  });
});

// The native (C++ addon) engine against the plain-loop specification: gradients and LAMB steps for every task x
// activation x sampler, sparse and dense, on 1 and 2 threads; bit-identical runs whatever the thread count; state
// export and import; biases and firing statistics; and a clear error when the addon is not there.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { nativeAvailable, nativeEngineFactory } from "../../../src/lib/engines/native/index.js";
import { ACTIVATIONS, SAMPLERS, TASKS, type RunConfig } from "../../../src/lib/protocol/config.js";
import { GbaAccumulator } from "../../../src/lib/protocol/gba.js";
import { lambState, lambUpdate } from "../../../src/lib/protocol/lamb.js";
import { referenceLossAndGradients } from "../../../src/lib/protocol/model.js";
import { cloneParams, initParams, type Params } from "../../../src/lib/protocol/params.js";
import { Rng } from "../../../src/lib/protocol/rng.js";
import type { SparseBatch } from "../../../src/lib/protocol/samplers.js";
import { biasDecayFactor, learningRate } from "../../../src/lib/protocol/schedule.js";
import { denseTarget, makeWorld } from "../../../src/lib/protocol/world.js";
import { GbaController } from "../../../src/lib/runner/gba-controller.js";
import { fixture, relativeError, smallConfig } from "./fixtures.js";

// `npx vitest` does not run npm's pretest hook: compile the addon here too (a no-op when it is up to date).
beforeAll(() => {
  execFileSync(process.execPath, ["src/lib/engines/native/build.mjs"], { stdio: "inherit" });
});

/** k, m and the output size are not multiples of the 64-float padding; the batch spans several 32-sample blocks and
 * ends in a partial 4-sample tile. */
function nativeConfig(overrides: Partial<RunConfig>): RunConfig {
  return smallConfig({ n_features: 40, m: 12, k: 37, eps: 0.1, batch: 301, l1: 0.003, ...overrides });
}

/** Dense (~50% of ReLUs fire: the 4-sample register tiles) and sparse (a few %: each sample's own neurons). */
const REGIMES = [
  { regime: "dense", init_bias: 0, active: [0.3, 0.7] },
  { regime: "sparse", init_bias: -0.45, active: [0.005, 0.1] },
] as const;
const THREADS = [1, 2] as const;
const factories = { 1: nativeEngineFactory({ threads: 1 }), 2: nativeEngineFactory({ threads: 2 }) };

/** Pre-activations go through P = W1 E when the batch is large against the features (batch 301 here) and directly as
 * b + W1 x when it is small (batch 24): both paths for every case. */
const BATCHES = [301, 24] as const;

const cases = TASKS.flatMap((task) =>
  ACTIVATIONS.flatMap((activation) =>
    SAMPLERS.flatMap((sampler) =>
      REGIMES.flatMap((r) => THREADS.flatMap((threads) => BATCHES.map((batch) => ({ task, activation, sampler, threads, batch, ...r })))),
    ),
  ),
);

/** Whether /proc/cpuinfo lists every one of these flags (false where there is no such file). */
function cpuHas(...flags: string[]): boolean {
  const info = existsSync("/proc/cpuinfo") ? readFileSync("/proc/cpuinfo", "utf8") : "";
  const listed = new Set((/^flags\s*:(.*)$/m.exec(info)?.[1] ?? "").trim().split(/\s+/));
  return flags.every((flag) => listed.has(flag));
}

/** w_after - w_before: compared instead of the weights, whose size would hide an error in the (small) update. */
function delta(after: Float32Array, before: Float32Array): Float32Array {
  return after.map((v, i) => v - before[i]);
}

function expectSameUpdate(got: Params, want: Params, initial: Params, tolerance: number): void {
  for (const name of ["w1", "b", "w2"] as const)
    expect(relativeError(delta(got[name], initial[name]), delta(want[name], initial[name])), name).toBeLessThan(tolerance);
}

/** The plain specification of one step: reference gradients, lambUpdate per tensor, then the bias decay. */
function specStep(
  params: Params,
  states: ReturnType<typeof lambState>[],
  config: RunConfig,
  batch: SparseBatch,
  lr: number,
  decay: number,
): number {
  const world = makeWorld(config);
  const { loss, grads } = referenceLossAndGradients(params, batch, denseTarget(batch, world), world.embedder, config.activation, config.l1);
  lambUpdate(params.w1, Float32Array.from(grads.w1), states[0], lr);
  lambUpdate(params.b, Float32Array.from(grads.b), states[1], lr);
  lambUpdate(params.w2, Float32Array.from(grads.w2), states[2], lr);
  params.b.forEach((v, i) => (params.b[i] = Math.fround(v * decay)));
  return loss;
}

function expectIdentical(a: Params, b: Params): void {
  for (const name of ["w1", "b", "w2"] as const) expect(Buffer.from(a[name].buffer).equals(Buffer.from(b[name].buffer)), name).toBe(true);
}

describe("native engine", () => {
  it("is built on this machine (g++ and Node's headers are present here)", () => {
    expect(nativeAvailable()).toBe(true);
  });

  it("runs the instruction set that MONO_NATIVE_ISA forces (the vitest projects native-avx2 and native-generic)", async () => {
    const forced = process.env.MONO_NATIVE_ISA;
    const config = nativeConfig({});
    const { world, initial } = fixture(config);
    const engine = await factories[1].create({ config, world, initial });
    const name = engine.name;
    engine.dispose();
    if (forced === "generic") expect(name).toBe("native-generic-t1");
    else if (forced === "avx2") expect(name).toBe(cpuHas("avx2", "fma") ? "native-avx2-t1" : "native-generic-t1");
    else expect(name).toMatch(/^native-(avx512|avx2|generic)-t1$/);
  });

  it.each(cases)(
    "matches the plain-loop gradients and steps: $task / $activation / $sampler, $regime, $threads thread(s), batch $batch",
    async (c) => {
      const config = nativeConfig({ task: c.task, activation: c.activation, sampler: c.sampler, init_bias: c.init_bias, batch: c.batch });
      const { world, initial, batch, target } = fixture(config);
      const engine = await factories[c.threads].create({ config, world, initial });
      try {
        const got = engine.lossAndGradients(batch);
        const want = referenceLossAndGradients(initial, batch, target, world.embedder, config.activation, config.l1);
        expect(Math.abs(got.loss - want.loss) / want.loss).toBeLessThan(1e-5);
        expect(relativeError(got.w1, want.grads.w1), "grad w1").toBeLessThan(1e-4);
        expect(relativeError(got.b, want.grads.b), "grad b").toBeLessThan(1e-4);
        expect(relativeError(got.w2, want.grads.w2), "grad w2").toBeLessThan(1e-4);
        if (c.activation === "relu" && c.batch > 100) {
          expect(engine.activeFraction).toBeGreaterThan(c.active[0]);
          expect(engine.activeFraction).toBeLessThan(c.active[1]);
        }
        // Three LAMB steps with the schedule and a decaying bias, against the specification.
        const expected = cloneParams(initial);
        const states = [lambState(initial.w1.length), lambState(initial.b.length), lambState(initial.w2.length)];
        for (let t = 0; t < 3; t++) {
          const next = world.nextBatch(config.batch);
          const lr = learningRate(0.02, t, 2);
          const decay = biasDecayFactor(2, 0.05, t, 4);
          const lossGot = engine.step(next, lr, decay);
          const lossWant = specStep(expected, states, config, next, lr, decay);
          expect(Math.abs(lossGot - lossWant) / lossWant).toBeLessThan(1e-5);
        }
        expectSameUpdate(engine.params(), expected, initial, 1e-4);
      } finally {
        engine.dispose();
      }
    },
  );

  // The converged paper-scale pattern in miniature: some neurons always fire (shared by every sample of a tile), others
  // now and then (in one sample of a tile, or two, or none). A tile then takes the tiled forward (in the second
  // pattern mostly as two 2-sample tiles, each on its own union, on AVX-512); its backward goes as a register tile over
  // the neurons that fired in two or more of its samples and pair by pair over the others.
  const SHARED_PATTERNS = {
    "always or never": (j: number) => (j % 8 === 3 ? 3 : -30),
    "always, sometimes or never": (j: number) => (j % 8 === 3 ? 3 : j % 8 === 5 ? 0 : -30),
  };
  it.each(
    THREADS.flatMap((threads) =>
      (Object.keys(SHARED_PATTERNS) as (keyof typeof SHARED_PATTERNS)[]).map((pattern) => [threads, pattern] as const),
    ),
  )("matches the plain-loop gradients when a tile's samples share neurons (%i thread(s), neurons firing %s)", async (threads, pattern) => {
    const config = smallConfig({ n_features: 48, m: 16, k: 128, eps: 0.1, batch: 203, l1: 0.003 });
    const { world, initial, batch, target } = fixture(config);
    const params = cloneParams(initial);
    params.b = Float32Array.from({ length: config.k }, (_, j) => SHARED_PATTERNS[pattern](j));
    const engine = await factories[threads].create({ config, world, initial: params });
    try {
      const got = engine.lossAndGradients(batch);
      // 16 of 128 neurons always fire; in the second pattern 16 more fire on about half of the samples.
      expect(engine.activeFraction).toBeGreaterThan(pattern === "always or never" ? 0.124 : 0.15);
      expect(engine.activeFraction).toBeLessThan(pattern === "always or never" ? 0.126 : 0.22);
      const want = referenceLossAndGradients(params, batch, target, world.embedder, config.activation, config.l1);
      expect(Math.abs(got.loss - want.loss) / want.loss).toBeLessThan(1e-5);
      expect(relativeError(got.w1, want.grads.w1), "grad w1").toBeLessThan(1e-4);
      expect(relativeError(got.b, want.grads.b), "grad b").toBeLessThan(1e-4);
      expect(relativeError(got.w2, want.grads.w2), "grad w2").toBeLessThan(1e-4);
    } finally {
      engine.dispose();
    }
  });

  it("times the step's phases, every one of them, for the bench", async () => {
    const config = nativeConfig({ init_bias: 0 });
    const { world, initial, batch } = fixture(config);
    const engine = (await factories[1].create({ config, world, initial })) as unknown as {
      step: (b: SparseBatch, lr: number, decay: number) => number;
      phaseSeconds: () => Record<string, number>;
      dispose: () => void;
    };
    const before = engine.phaseSeconds();
    engine.step(batch, 0.01, 1);
    const after = engine.phaseSeconds();
    expect(Object.keys(after)).toEqual(["pt", "copies", "blocks", "gradients", "lamb"]);
    for (const name of ["pt", "blocks", "gradients", "lamb"]) expect(after[name], name).toBeGreaterThan(before[name]);
    engine.dispose();
  });

  it.each(["relu", "gelu"] as const)(
    "gives bit-identical parameters on 1, 2 and 3 threads after several steps (%s)",
    async (activation) => {
      // Large enough that every phase splits into many work items: 37 blocks of samples, 16 neuron tiles.
      const config = smallConfig({ n_features: 96, m: 20, k: 70, eps: 0.05, batch: 1181, l1: 0.002, init_bias: -0.1, activation });
      const results: Params[] = [];
      const losses: number[][] = [];
      for (const threads of [1, 2, 3]) {
        const world = makeWorld(config);
        const engine = await nativeEngineFactory({ threads }).create({
          config,
          world,
          initial: initParams(config, new Rng(config.seed, "init")),
        });
        const trace: number[] = [];
        for (let t = 0; t < 6; t++)
          trace.push(engine.step(world.nextBatch(config.batch), learningRate(0.03, t), biasDecayFactor(1, 0.03, t, 12)));
        results.push(engine.params());
        losses.push(trace);
        engine.dispose();
      }
      expectIdentical(results[1], results[0]);
      expectIdentical(results[2], results[0]);
      expect(losses[1]).toEqual(losses[0]);
      expect(losses[2]).toEqual(losses[0]);
    },
  );

  it("continues a run bit for bit from exportState in a fresh engine (parameters and LAMB moments)", async () => {
    const config = nativeConfig({ init_bias: -0.2, decay: 0 });
    const world = makeWorld(config);
    const initial = initParams(config, new Rng(config.seed, "init"));
    const batches = Array.from({ length: 6 }, () => world.nextBatch(config.batch));
    const straight = await factories[2].create({ config, world, initial });
    for (const b of batches) straight.step(b, 0.02, 0.999);
    const first = await factories[1].create({ config, world, initial });
    for (const b of batches.slice(0, 3)) first.step(b, 0.02, 0.999);
    const saved = first.exportState();
    first.dispose();
    expect(saved.moments.w2.v.some((v) => v > 0)).toBe(true);
    const resumed = await factories[2].create({ config, world, initial: initParams(config, new Rng(99, "init")) });
    resumed.importState(saved);
    expect(resumed.exportState()).toEqual(saved);
    for (const b of batches.slice(3)) resumed.step(b, 0.02, 0.999);
    expectIdentical(resumed.params(), straight.params());
    const wrong = { ...saved, params: { ...saved.params, b: new Float32Array(3) } };
    expect(() => resumed.importState(wrong)).toThrow(RangeError);
  });

  it("computes the same gradients whether rare neurons' backward and busy neurons' gradients take their own paths or not", async () => {
    // Always-on neurons (positive biases) beside rare ones, as in a converged model: tiles that share neurons, pairs
    // alone in their tile, and neurons that fired in under a quarter of the last step's samples (deferred).
    const config = nativeConfig({ k: 150, batch: 1100, init_bias: -0.3, decay: 0 });
    const world = makeWorld(config);
    const initial = initParams(config, new Rng(config.seed, "init"));
    const batches = Array.from({ length: 4 }, () => world.nextBatch(config.batch));
    const stepped = await factories[2].create({ config, world, initial });
    stepped.setBiases(Float32Array.from({ length: config.k }, (_, j) => (j % 8 === 0 ? 0.6 : -0.5)));
    for (const b of batches.slice(0, 3)) stepped.step(b, 0.01, 1);
    // A fresh engine has no last step, so it defers nothing on its first.
    const fresh = await factories[1].create({ config, world, initial });
    fresh.importState(stepped.exportState());
    const deferred = stepped.lossAndGradients(batches[3]);
    expect(stepped.deferredNeurons()).toBeGreaterThan(20);
    expect(stepped.deferredNeurons()).toBeLessThan(config.k - 10);
    const direct = fresh.lossAndGradients(batches[3]);
    expect(fresh.deferredNeurons()).toBe(0);
    // The always-on neurons (every 8th) share a tile of 4 with 3 others: busy, their gradient rows summed apart.
    expect(stepped.busyNeurons()).toBeGreaterThanOrEqual(config.k / 8 - 2);
    expect(fresh.busyNeurons()).toBe(0);
    expect(deferred.loss).toBe(direct.loss);
    expectIdentical(
      { ...deferred, k: config.k, m: config.m, outDim: config.n_features },
      { ...direct, k: config.k, m: config.m, outDim: config.n_features },
    );
    stepped.dispose();
    fresh.dispose();
  });

  it("sets the biases, keeping W1, W2 and the optimiser state (for GBA)", async () => {
    const config = nativeConfig({ init_bias: -0.3 });
    const { world, initial, batch } = fixture(config);
    const engine = await factories[1].create({ config, world, initial });
    engine.step(batch, 0.02, 1);
    const before = engine.exportState();
    const biases = Float32Array.from({ length: config.k }, (_, j) => -0.1 - 0.01 * j);
    engine.setBiases(biases);
    const after = engine.exportState();
    expect(after.params.b).toEqual(biases);
    expect(after.params.w1).toEqual(before.params.w1);
    expect(after.moments).toEqual(before.moments);
    expect(() => engine.setBiases(new Float32Array(3))).toThrow(RangeError);
  });

  it("counts positive pre-activations and their maxima exactly as the plain measurement, leaving no trace", async () => {
    const config = nativeConfig({ init_bias: -0.2 });
    const { world, initial, batch } = fixture(config);
    const engine = await factories[2].create({ config, world, initial });
    const measured = engine.firingStats(batch)!;
    const plain = new GbaAccumulator(config.k);
    GbaController.measure(initial, world.embedder, config.n_features, batch, initial.b, plain);
    const want = plain.stats();
    expect(Array.from(measured.fired, (f) => f / batch.size)).toEqual(Array.from(want.q));
    expect(want.q.some((q) => q > 0) && want.q.some((q) => q === 0)).toBe(true);
    expect(relativeError(Float32Array.from(measured.maxPre), Float32Array.from(want.r))).toBeLessThan(1e-5);
    const reference = await factories[2].create({ config, world, initial });
    expect(engine.step(batch, 0.01, 1)).toBe(reference.step(batch, 0.01, 1));
    const gelu = nativeConfig({ activation: "gelu" });
    expect((await factories[1].create({ config: gelu, world: makeWorld(gelu), initial })).firingStats(batch)).toBeNull();
  });

  it("lets a NaN reach the loss (so the runner can see a diverged model)", async () => {
    const config = nativeConfig({ init_bias: -0.3 });
    const { world, initial, batch } = fixture(config);
    const engine = await factories[1].create({ config, world, initial });
    const biases = initial.b.slice();
    biases[5] = Number.NaN;
    engine.setBiases(biases);
    expect(engine.lossAndGradients(batch).loss).toBeNaN();
  });

  it("refuses bad input with clear errors", async () => {
    const config = nativeConfig({});
    const { world, initial, batch } = fixture(config);
    expect(() => nativeEngineFactory({ threads: 0 })).toThrow(/threads/);
    const engine = await factories[1].create({ config, world, initial });
    const bad = { ...batch, indices: batch.indices.map(() => 4000) };
    expect(() => engine.step(bad, 0.01, 1)).toThrow(/out of range/);
    engine.dispose();
    expect(() => engine.params()).toThrow(/after dispose/);
  });
});

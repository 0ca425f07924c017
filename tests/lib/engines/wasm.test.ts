// The wasm engine against the plain-loop specification and tfjs: gradients and steps at sizes that hit the kernels'
// padding edges, a 200-step run, setBiases, NaN, independent instances, loading from a URL, and GBA's firing stats.
import { execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "../../../src/lib/engines/engine.js";
import { tfjsEngine } from "../../../src/lib/engines/tfjs.js";
import { loadWasmFromUrl, wasmEngine, wasmEngineFactory } from "../../../src/lib/engines/wasm/index.js";
import { ACTIVATIONS, SAMPLERS, TASKS, type RunConfig } from "../../../src/lib/protocol/config.js";
import { lambState, lambUpdate } from "../../../src/lib/protocol/lamb.js";
import { referenceLossAndGradients } from "../../../src/lib/protocol/model.js";
import { cloneParams, initParams, type Params } from "../../../src/lib/protocol/params.js";
import { Rng } from "../../../src/lib/protocol/rng.js";
import { biasDecayFactor, learningRate } from "../../../src/lib/protocol/schedule.js";
import { denseTarget, makeWorld } from "../../../src/lib/protocol/world.js";
import { GbaAccumulator } from "../../../src/lib/protocol/gba.js";
import { GbaController } from "../../../src/lib/runner/gba-controller.js";
import { fixture, relativeError, smallConfig } from "./fixtures.js";

// `npx vitest` does not run npm's pretest hook: compile the kernels here too (a no-op when they are up to date).
beforeAll(() => {
  execFileSync(process.execPath, ["src/lib/engines/wasm/build.mjs"], { stdio: "inherit" });
});

const wasmUrl = new URL("../../../src/lib/engines/wasm/build/engine.wasm", import.meta.url);

/**
 * Sizes chosen to exercise the kernels' edge cases: k, m and the output size are not multiples of the 16-float
 * padding, and the batch spans several sample blocks (a block holds at most 256 samples).
 */
function wasmConfig(overrides: Partial<RunConfig>): RunConfig {
  return smallConfig({ n_features: 40, m: 12, k: 37, eps: 0.1, batch: 300, l1: 0.003, ...overrides });
}

/** Bias offsets that give the two regimes at these sizes: dense (~40% of ReLUs fire) and sparse (a few %). */
const REGIMES = [
  { regime: "dense", init_bias: 0, active: [0.2, 0.7] },
  { regime: "sparse", init_bias: -0.45, active: [0.005, 0.1] },
] as const;

/** Both ways the kernels compute pre-activations (see Preactivation): each must match the specification. */
const PATHS = ["via-p", "direct"] as const;
const engines = {
  "via-p": wasmEngineFactory(undefined, { preactivation: "via-p" }),
  direct: wasmEngineFactory(undefined, { preactivation: "direct" }),
};

const cases = TASKS.flatMap((task) =>
  ACTIVATIONS.flatMap((activation) =>
    SAMPLERS.flatMap((sampler) => REGIMES.flatMap((r) => PATHS.map((path) => ({ task, activation, sampler, path, ...r })))),
  ),
);

/** The Adam-step part of one update, w_after - w_before: compared instead of the weights themselves, whose size would
 * hide any error in the (small) update. */
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
  batch: ReturnType<typeof fixture>["batch"],
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

describe("wasm engine", () => {
  it.each(cases)("matches the plain-loop gradients and the tfjs step: $task / $activation / $sampler, $regime, $path", async (c) => {
    const config = wasmConfig({ task: c.task, activation: c.activation, sampler: c.sampler, init_bias: c.init_bias });
    const { world, initial, batch, target } = fixture(config);
    const engine = await engines[c.path].create({ config, world, initial });
    const reference = await tfjsEngine.create({ config, world, initial });
    try {
      // Gradients against the float64 specification.
      const got = engine.lossAndGradients(batch);
      const want = referenceLossAndGradients(initial, batch, target, world.embedder, config.activation, config.l1);
      expect(Math.abs(got.loss - want.loss) / want.loss).toBeLessThan(1e-5);
      expect(relativeError(got.w1, want.grads.w1), "grad w1").toBeLessThan(1e-4);
      expect(relativeError(got.b, want.grads.b), "grad b").toBeLessThan(1e-4);
      expect(relativeError(got.w2, want.grads.w2), "grad w2").toBeLessThan(1e-4);
      if (c.activation === "relu") {
        const fraction = engine.activeFraction;
        expect(fraction).toBeGreaterThan(c.active[0]);
        expect(fraction).toBeLessThan(c.active[1]);
      }
      // Three steps with a decaying bias, against tfjs: the parameters' updates agree.
      for (let t = 0; t < 3; t++) {
        const next = world.nextBatch(config.batch);
        const lossWasm = engine.step(next, 0.02, 0.99);
        const lossTfjs = reference.step(next, 0.02, 0.99);
        expect(Math.abs(lossWasm - lossTfjs) / lossTfjs).toBeLessThan(1e-4);
      }
      expectSameUpdate(engine.params(), reference.params(), initial, 1e-4);
    } finally {
      engine.dispose();
      reference.dispose();
    }
  });

  it.each(PATHS)(
    "steps exactly as the plain specification (LAMB, trust ratios, bias decay), including after lossAndGradients (%s)",
    async (path) => {
      for (const activation of ACTIVATIONS) {
        const config = wasmConfig({ activation, init_bias: -0.2 });
        const { world, initial, batch } = fixture(config);
        const engine = await engines[path].create({ config, world, initial });
        engine.lossAndGradients(batch); // must leave no trace in the next step
        const expected = cloneParams(initial);
        const states = [lambState(initial.w1.length), lambState(initial.b.length), lambState(initial.w2.length)];
        for (let t = 0; t < 4; t++) {
          const next = world.nextBatch(config.batch);
          const lr = learningRate(0.05, t, 2);
          const decay = biasDecayFactor(2, 0.05, t, 4);
          const lossGot = engine.step(next, lr, decay);
          const lossWant = specStep(expected, states, config, next, lr, decay);
          expect(Math.abs(lossGot - lossWant) / lossWant).toBeLessThan(1e-5);
        }
        expectSameUpdate(engine.params(), expected, initial, 1e-4);
      }
    },
  );

  it("trains like tfjs over 200 steps with the real schedule and bias decay (same final loss)", async () => {
    const config = wasmConfig({
      k: 48,
      m: 16,
      n_features: 64,
      eps: 1 / 16,
      batch: 128,
      lr: 0.01,
      init_bias: -0.5,
      decay: 0.03,
      l1: 0,
      steps: 200,
    });
    const losses: number[][] = [];
    for (const factory of [wasmEngine, tfjsEngine]) {
      const world = makeWorld(config);
      const engine: Engine = await factory.create({ config, world, initial: initParams(config, new Rng(config.seed, "init")) });
      const trace: number[] = [];
      for (let t = 0; t < config.steps; t++)
        trace.push(
          engine.step(world.nextBatch(config.batch), learningRate(config.lr, t), biasDecayFactor(config.decay, config.lr, t, config.steps)),
        );
      engine.dispose();
      losses.push(trace);
    }
    const tail = (trace: number[]) => trace.slice(-20).reduce((a, b) => a + b, 0) / 20;
    const [wasm, tfjs] = losses.map(tail);
    expect(wasm).toBeLessThan(losses[0][0] * 0.9); // it learned something
    expect(Math.abs(wasm - tfjs) / tfjs).toBeLessThan(0.02);
  });

  it("sets the biases like tfjs (for feedback rules such as GBA), keeping the optimiser state", async () => {
    const config = wasmConfig({ init_bias: -0.3 });
    const { world, initial } = fixture(config);
    const engines = [await wasmEngine.create({ config, world, initial }), await tfjsEngine.create({ config, world, initial })];
    const batches = [world.nextBatch(config.batch), world.nextBatch(config.batch)];
    const biases = Float32Array.from({ length: config.k }, (_, j) => -0.1 - 0.01 * j);
    type WithSetBiases = Engine & { setBiases(b: Float32Array): void };
    for (const engine of engines as WithSetBiases[]) {
      engine.step(batches[0], 0.02, 1);
      engine.setBiases(biases);
      expect(engine.params().b).toEqual(biases);
      engine.step(batches[1], 0.02, 1);
    }
    expectSameUpdate(engines[0].params(), engines[1].params(), initial, 1e-4);
    expect(() => (engines[0] as WithSetBiases).setBiases(new Float32Array(3))).toThrow(RangeError);
  });

  it("lets a NaN reach the loss, as tfjs does (so the runner can see a diverged model)", async () => {
    for (const activation of ACTIVATIONS) {
      const config = wasmConfig({ activation, init_bias: -0.3 });
      const { world, initial, batch } = fixture(config);
      const engine = await wasmEngine.create({ config, world, initial });
      const biases = initial.b.slice();
      biases[5] = Number.NaN;
      engine.setBiases(biases);
      expect(engine.lossAndGradients(batch).loss).toBeNaN();
      expect(engine.step(batch, 0.01, 1)).toBeNaN();
    }
  });

  it("keeps engines independent: interleaved runs equal separate runs", async () => {
    const configs = [wasmConfig({ seed: 1 }), wasmConfig({ seed: 2, task: "reprojector", activation: "gelu" })];
    const run = async (interleave: boolean) => {
      const engines = await Promise.all(
        configs.map((config) => {
          const world = makeWorld(config);
          return wasmEngine
            .create({ config, world, initial: initParams(config, new Rng(config.seed, "init")) })
            .then((engine) => ({ engine, world }));
        }),
      );
      const order = interleave ? [0, 1, 0, 1, 0, 1] : [0, 0, 0, 1, 1, 1];
      for (const i of order) engines[i].engine.step(engines[i].world.nextBatch(64), 0.01, 0.999);
      return engines.map(({ engine }) => engine.params());
    };
    const [a, b] = [await run(true), await run(false)];
    for (let i = 0; i < 2; i++) for (const name of ["w1", "b", "w2"] as const) expect(a[i][name]).toEqual(b[i][name]);
  });

  it("loads the same bytes from a URL, as a browser does (compileStreaming over HTTP)", async () => {
    const bytes = await readFile(wasmUrl);
    const server = createServer((_, response) => {
      response.writeHead(200, { "content-type": "application/wasm" });
      response.end(bytes);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const factory = wasmEngineFactory(loadWasmFromUrl(`http://127.0.0.1:${port}/engine.wasm`));
      const config = wasmConfig({});
      const { world, initial, batch } = fixture(config);
      const fromUrl = await factory.create({ config, world, initial });
      const fromDisk = await wasmEngine.create({ config, world, initial });
      expect(fromUrl.name).toBe("wasm-simd");
      expect(fromUrl.lossAndGradients(batch).loss).toBe(fromDisk.lossAndGradients(batch).loss);
    } finally {
      server.close();
    }
  });
});

describe("wasm engine: firing statistics (what GBA measures)", () => {
  it.each(PATHS)("counts positive pre-activations and their maxima exactly as the plain measurement (%s)", async (path) => {
    const config = wasmConfig({ init_bias: -0.2 });
    const { world, initial, batch } = fixture(config);
    const engine = await engines[path].create({ config, world, initial });
    const measured = engine.firingStats(batch)!;
    const plain = new GbaAccumulator(config.k);
    GbaController.measure(initial, world.embedder, config.n_features, batch, initial.b, plain);
    const want = plain.stats();
    expect(measured.samples).toBe(batch.size);
    expect(Array.from(measured.fired, (f) => f / batch.size)).toEqual(Array.from(want.q));
    expect(want.q.some((q) => q > 0) && want.q.some((q) => q === 0)).toBe(true); // both kinds of neuron occur
    expect(relativeError(Float32Array.from(measured.maxPre), Float32Array.from(want.r))).toBeLessThan(1e-5);
    // Measuring leaves no trace: the next step is the plain specification's.
    const reference = await engines[path].create({ config, world, initial });
    expect(engine.step(batch, 0.01, 1)).toBe(reference.step(batch, 0.01, 1));
  });

  it("declines for activations other than ReLU", async () => {
    const config = wasmConfig({ activation: "gelu" });
    const { world, initial, batch } = fixture(config);
    expect((await wasmEngine.create({ config, world, initial })).firingStats(batch)).toBeNull();
  });
});

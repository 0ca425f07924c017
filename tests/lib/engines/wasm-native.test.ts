// The wasm engine's kernels compiled natively (src/lib/engines/native/src/wasm_kernels.cc) against engine.wasm itself:
// the same bits for every tensor, loss and firing count, over every task x activation x sampler, sparse and dense,
// both pre-activation paths, batches of several blocks, L1, bias decay, setBiases and a state round trip, and at the
// paper's sizes. The build trains on them, and the browser re-runs its rows with engine.wasm, so any difference
// would make a published run irreproducible.
import { execFileSync } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import type { Engine, EngineState } from "../../../src/lib/engines/engine.js";
import type { engineById as EngineById } from "../../../src/lib/engines/index.js";
import { wasmEngineFactory, type Preactivation } from "../../../src/lib/engines/wasm/index.js";
import type { nativeWasmKernels as NativeWasmKernels } from "../../../src/lib/engines/wasm/native-kernels.js";
import { ACTIVATIONS, SAMPLERS, TASKS, type RunConfig } from "../../../src/lib/protocol/config.js";
import { initParams } from "../../../src/lib/protocol/params.js";
import { Rng } from "../../../src/lib/protocol/rng.js";
import { makeWorld } from "../../../src/lib/protocol/world.js";
import { smallConfig } from "./fixtures.js";

// The addon is loaded by the first module that imports the engine registry, so the modules that load it are imported
// only after it is compiled (`npx vitest` does not run npm's pretest hook).
let nativeWasmKernels: typeof NativeWasmKernels;
let engineById: typeof EngineById;
beforeAll(async () => {
  execFileSync(process.execPath, ["src/lib/engines/wasm/build.mjs"], { stdio: "inherit" });
  execFileSync(process.execPath, ["src/lib/engines/native/build.mjs"], { stdio: "inherit" });
  ({ nativeWasmKernels } = await import("../../../src/lib/engines/wasm/native-kernels.js"));
  ({ engineById } = await import("../../../src/lib/engines/index.js"));
});

const factories = (preactivation: Preactivation) => ({
  wasm: wasmEngineFactory(undefined, { preactivation }),
  native: wasmEngineFactory(undefined, { preactivation, nativeKernels: () => nativeWasmKernels() }),
});

/** Indices where two float arrays differ in their bits (any NaN equals any NaN: wasm does not fix NaN payloads). */
function differing(a: Float32Array, b: Float32Array): number[] {
  expect(a.length).toBe(b.length);
  const bitsA = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const bitsB = new Uint32Array(b.buffer, b.byteOffset, b.length);
  const out: number[] = [];
  for (let i = 0; i < a.length && out.length < 5; i++)
    if (bitsA[i] !== bitsB[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) out.push(i);
  return out;
}

function expectSameState(a: EngineState, b: EngineState): void {
  for (const t of ["w1", "b", "w2"] as const) {
    expect(differing(a.params[t], b.params[t]), `params ${t}`).toEqual([]);
    expect(differing(a.moments[t].m, b.moments[t].m), `first moment ${t}`).toEqual([]);
    expect(differing(a.moments[t].v, b.moments[t].v), `second moment ${t}`).toEqual([]);
  }
}

/** Steps `steps` times (with a bias decay, and biases overwritten halfway as GBA does) and records everything. */
async function trace(factory: ReturnType<typeof factories>["wasm"], config: RunConfig, steps: number) {
  const world = makeWorld(config);
  const engine = await factory.create({ config, world, initial: initParams(config, new Rng(config.seed, "init")) });
  const losses: number[] = [];
  for (let t = 0; t < steps; t++) {
    losses.push(engine.step(world.nextBatch(config.batch), config.lr * (1 - t / (2 * steps)), 0.999));
    if (t === steps >> 1) engine.setBiases(engine.params().b.map((x, j) => x - 0.01 * (j % 3)));
  }
  const state = engine.exportState!();
  const gradients = engine.lossAndGradients(world.nextBatch(config.batch));
  const firing = engine.firingStats(world.nextBatch(Math.max(1, config.batch >> 1)));
  return { engine: engine as Engine, losses, state, gradients, firing, world };
}

async function expectSameRun(config: RunConfig, steps: number, preactivation: Preactivation = "auto") {
  const { wasm, native } = factories(preactivation);
  const a = await trace(wasm, config, steps);
  const b = await trace(native, config, steps);
  expect(b.losses).toEqual(a.losses);
  expectSameState(a.state, b.state);
  expect(b.gradients.loss).toBe(a.gradients.loss);
  for (const t of ["w1", "b", "w2"] as const) expect(differing(a.gradients[t], b.gradients[t]), `gradient ${t}`).toEqual([]);
  expect(b.firing === null).toBe(a.firing === null);
  if (a.firing && b.firing) {
    expect(Array.from(b.firing.fired)).toEqual(Array.from(a.firing.fired));
    expect(differing(a.firing.maxPre, b.firing.maxPre)).toEqual([]);
  }
  // A state written into the native kernels continues exactly as engine.wasm continues it.
  b.engine.importState!(a.state);
  const batch = a.world.nextBatch(config.batch);
  expect(b.engine.step(batch, config.lr, 1)).toBe(a.engine.step(batch, config.lr, 1));
  expectSameState(a.engine.exportState!(), b.engine.exportState!());
}

describe("wasm kernels compiled natively", () => {
  it("are available on this kind of machine (x86-64 with AVX2), and the Node registry's wasm engine uses them", async () => {
    if (process.arch !== "x64") return;
    expect(nativeWasmKernels()).not.toBeNull();
    const config = smallConfig();
    const engine = await engineById("wasm").create({ config, world: makeWorld(config), initial: initParams(config, new Rng(1, "init")) });
    expect((engine as unknown as { kernels: string }).kernels).toBe("native");
  });

  const cases = TASKS.flatMap((task) =>
    ACTIVATIONS.flatMap((activation) =>
      SAMPLERS.flatMap((sampler) =>
        [0, -0.45].flatMap((init_bias) => (["via-p", "direct"] as const).map((path) => ({ task, activation, sampler, init_bias, path }))),
      ),
    ),
  );
  it.each(cases)("give engine.wasm's bits: $task $activation $sampler bias $init_bias $path", async ({ path, ...c }) => {
    // k, m and the outputs are not multiples of the padding, and 300 samples are two blocks.
    const config = smallConfig({ n_features: 40, m: 12, k: 37, eps: 0.1, batch: 300, l1: 0.003, seed: 5, ...c });
    await expectSameRun(config, 12, path);
  });

  it.each([
    { batch: 16, init_bias: 0 },
    { batch: 16, init_bias: -1 },
    { batch: 1024, init_bias: -1 },
  ])("give engine.wasm's bits at the paper's sizes (k 1024, batch $batch, bias $init_bias)", async (c) => {
    const config = smallConfig({ n_features: 512, m: 64, k: 1024, eps: 1 / 64, lr: 0.01, seed: 2, ...c });
    await expectSameRun(config, 6);
  });

  it("diverge as engine.wasm does (NaN losses at the same steps)", async () => {
    const config = smallConfig({ n_features: 40, m: 12, k: 37, eps: 0.1, batch: 64, lr: 1e4, seed: 3 });
    const { wasm, native } = factories("auto");
    const [a, b] = [await trace(wasm, config, 10), await trace(native, config, 10)];
    expect(a.losses.some(Number.isNaN) || a.losses.some((l) => l > 1e6)).toBe(true);
    expect(b.losses).toEqual(a.losses);
  });
});

/** The registry of training engines (wasm, native, tfjs): the runner and the CLI look an engine up here by its id. */
import type { EngineFactory } from "./engine.js";
import { nativeEngine } from "./native/index.js";
import { loadWasmFromDisk, wasmEngineFactory } from "./wasm/index.js";
import { nativeWasmKernels } from "./wasm/native-kernels.js";

/** The tfjs engine's id and version, here so that naming it does not load TensorFlow.js. */
export const TFJS_ENGINE = { id: "tfjs", version: "tfjs-1" } as const;

/**
 * The tfjs engine, loaded on first use. Importing TensorFlow.js makes every other engine of the process slower: with
 * it loaded, a sweep worker's garbage collection took up to three times longer per batch (K1 at k = 16 went from
 * 3.3 s to 9.6 s, measured 2026-12-02), and every worker imports this registry.
 */
const tfjsEngine: EngineFactory = {
  ...TFJS_ENGINE,
  async create(context) {
    const { tfjsEngine: loaded } = await import("./tfjs.js");
    return loaded.create(context);
  },
};

/**
 * The wasm engine as Node runs it: engine.wasm's kernels compiled natively where the CPU has AVX2 (the same bits,
 * about twice as fast; tests/lib/engines/wasm-native.test.ts), engine.wasm itself elsewhere or with
 * MONO_WASM_KERNELS=wasm. Same id and version either way, so their runs share the cache.
 */
const wasmEngine = wasmEngineFactory(loadWasmFromDisk, { nativeKernels: nativeWasmKernels });

/** Every engine the runner can use; the default is the first. `native` is opt-in (`--engine native`): the browser
 * re-runs published rows with wasm, bit for bit, so the default build stays on wasm. */
export const ENGINES: EngineFactory[] = [wasmEngine, nativeEngine, tfjsEngine];

export const ENGINE_IDS = ENGINES.map((e) => e.id);

export function engineById(id: string | undefined): EngineFactory {
  if (id === undefined) return ENGINES[0];
  const found = ENGINES.find((e) => e.id === id);
  if (!found) throw new Error(`unknown engine "${id}" (available: ${ENGINE_IDS.join(", ")})`);
  return found;
}

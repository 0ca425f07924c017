/** The registry of training engines (wasm, native, tfjs): the runner and the CLI look an engine up here by its id. */
import type { EngineFactory } from "./engine.js";
import { nativeEngine } from "./native/index.js";
import { tfjsEngine } from "./tfjs.js";
import { wasmEngine } from "./wasm/index.js";

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

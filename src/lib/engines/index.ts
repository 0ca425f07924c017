import type { EngineFactory } from "./engine.js";
import { tfjsEngine } from "./tfjs.js";
import { wasmEngine } from "./wasm/index.js";

/** Every engine the runner can use, fastest first: the default is the first one that is available. */
export const ENGINES: EngineFactory[] = [wasmEngine, tfjsEngine];

export const ENGINE_IDS = ENGINES.map((e) => e.id);

export function engineById(id: string | undefined): EngineFactory {
  if (id === undefined) return ENGINES[0];
  const found = ENGINES.find((e) => e.id === id);
  if (!found) throw new Error(`unknown engine "${id}" (available: ${ENGINE_IDS.join(", ")})`);
  return found;
}

// Saved state of runs in flight, so that a long run killed at any point (kill -9, pre-emption) resumes from its last
// save when the same command is rerun, and ends bit-identical to an uninterrupted run. Node only: train.ts takes
// the store as an option (train-spec.ts passes this one), so the training loop itself still bundles for the browser.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { deserialize, serialize } from "node:v8";
import type { EngineFactory, EngineState } from "../engines/engine.js";
import type { RunConfig } from "../protocol/config.js";
import { cacheKey, defaultCacheDir } from "./cache.js";

/** Everything the training loop needs to continue a run after `step` steps (the data stream is replayed). */
export interface LoopState {
  step: number;
  engine: EngineState;
  /** The loop's own accumulators and records so far, exactly as train.ts keeps them. */
  loop: Record<string, unknown>;
}

/** What train() uses to save and restore; `due` says whether a save is due after `step` steps. */
export interface InflightStore {
  due(step: number): boolean;
  load(): LoopState | null;
  save(state: LoopState): void;
  clear(): void;
}

const FORMAT = 1;

function positiveEnv(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined || text.trim() === "") return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got "${text}"`);
  return value;
}

/** The state file of a run: keyed like the run cache (config, engine and version), so a changed run never resumes
 * from another's state. */
export function inflightPath(config: RunConfig, engine: Pick<EngineFactory, "id" | "version">, cacheDir = defaultCacheDir()): string {
  return join(cacheDir, "inflight", `${cacheKey(config, engine)}.state`);
}

/**
 * A store under the cache directory. Saves every MONO_SAVE_EVERY_SECONDS of wall time (default 120), or every
 * MONO_SAVE_EVERY_STEPS steps when that is set (for tests: a step count is deterministic, seconds are not).
 * Writes go to a temporary file that is then renamed over the old one, so a kill during a save leaves the previous
 * save whole.
 */
export function inflightStore(
  config: RunConfig,
  engine: Pick<EngineFactory, "id" | "version">,
  cacheDir = defaultCacheDir(),
): InflightStore {
  const path = inflightPath(config, engine, cacheDir);
  const everySteps = positiveEnv("MONO_SAVE_EVERY_STEPS");
  const everyMs = (positiveEnv("MONO_SAVE_EVERY_SECONDS") ?? 120) * 1000;
  const key = cacheKey(config, engine);
  let last = Date.now();
  return {
    due(step) {
      if (everySteps !== undefined) return step % everySteps === 0;
      return Date.now() - last >= everyMs;
    },
    load() {
      if (!existsSync(path)) return null;
      try {
        const saved = deserialize(readFileSync(path)) as { format: number; key: string; state: LoopState };
        if (saved.format !== FORMAT || saved.key !== key) return null;
        return saved.state;
      } catch {
        // A state file that does not read back (another format, a foreign file) is ignored: the run starts over.
        return null;
      }
    },
    save(state) {
      mkdirSync(dirname(path), { recursive: true });
      const temp = `${path}.${process.pid}.tmp`;
      writeFileSync(temp, serialize({ format: FORMAT, key, state }));
      renameSync(temp, path);
      last = Date.now();
    },
    clear() {
      rmSync(path, { force: true });
    },
  };
}

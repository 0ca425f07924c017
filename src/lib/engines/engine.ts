/**
 * The contract between the runner and its training engines: the Engine a run trains on, the factory that makes one,
 * the state a run saves and resumes from, and the firing statistics GBA reads.
 */
import type { RunConfig } from "../protocol/config.js";
import type { LambState } from "../protocol/lamb.js";
import type { Params } from "../protocol/params.js";
import type { SparseBatch } from "../protocol/samplers.js";
import type { World } from "../protocol/world.js";

/** What GBA measures on a buffer of samples (see Engine.firingStats). */
export interface FiringStats {
  samples: number;
  fired: Int32Array;
  maxPre: Float32Array;
}

/**
 * Everything an engine holds for one run, in the canonical layout: the parameters and LAMB's first and second
 * moments per tensor (each the same length and layout as its tensor). Saving it and restoring it into a fresh engine
 * of the same family must continue the run bit for bit (the resume test checks it).
 */
export interface EngineState {
  params: Params;
  moments: { w1: LambState; b: LambState; w2: LambState };
}

/**
 * What the runner needs from a training engine. An engine owns the parameters and optimiser state of one run; the
 * protocol (data, schedule, decay, metrics) stays outside it, so engines are interchangeable and comparable.
 */
export interface Engine {
  /** Recorded with every run, e.g. "tfjs-wasm". */
  readonly name: string;
  /**
   * One training step: gradients of the objective on this batch, one LAMB update at learning rate `lr`, then every
   * first-layer bias multiplied by `biasDecay` (1 when decay is off). Returns the task loss before the update.
   */
  step(batch: SparseBatch, lr: number, biasDecay: number): number;
  /** Task loss and gradients of the objective at the current parameters, without updating (for tests). */
  lossAndGradients(batch: SparseBatch): { loss: number; w1: Float32Array; b: Float32Array; w2: Float32Array };
  /**
   * Overwrite the first-layer biases (length k). Optional: needed by bias_rule = gba, whose controller sets the
   * biases by feedback; the training loop calls it after every step, so the biases' gradient update is discarded.
   * Must not touch W1, W2 or any optimiser state of theirs.
   */
  setBiases?(b: Float32Array): void;
  /**
   * Optional, for rules that measure firing (GBA): per neuron, on how many samples of `batch` its pre-activation is
   * positive and its largest pre-activation (0 if never positive), at the current parameters. Null when the engine
   * cannot (e.g. for activations other than ReLU); callers then measure in plain TypeScript.
   */
  firingStats?(batch: SparseBatch): FiringStats | null;
  /** A copy of the whole optimiser state (parameters and moments), for checkpoints that a run resumes from. */
  exportState?(): EngineState;
  /** Overwrite the whole optimiser state with one made by exportState of an engine of the same family. */
  importState?(state: EngineState): void;
  /** A copy of the current parameters in the canonical layout (W1 k x m, b, W2 out x k). */
  params(): Params;
  dispose(): void;
}

export interface EngineContext {
  config: RunConfig;
  world: World;
  initial: Params;
}

/** The layer sizes an engine is built for, checked against its world: every engine starts from this. */
export function engineShape(context: EngineContext): { k: number; m: number; outDim: number } {
  const { world, initial } = context;
  const { k, m, outDim } = initial;
  if (m !== world.m || outDim !== world.outDim) throw new Error("initial parameters do not match the world");
  return { k, m, outDim };
}

export interface EngineFactory {
  /** The engine family as chosen on the command line (`--engine tfjs`). */
  readonly id: string;
  /** Bumped whenever the engine's numbers could change: part of the run cache key. */
  readonly version: string;
  create(context: EngineContext): Promise<Engine>;
}

/**
 * The native engine: the model's step as a C++ Node-API addon (src/, compiled by build.mjs to build/native.node) with
 * SIMD kernels for AVX-512, AVX2+FMA or baseline x86-64, chosen at load time, and threads inside the step. Node only;
 * the browser keeps the wasm engine. When the addon is missing (not compiled, or the compiler failed), the factory
 * reports itself unavailable and `create` throws a clear error; nothing else depends on it.
 *
 * Numbers do not depend on the thread count: the batch is cut into fixed blocks and the neurons into fixed tiles,
 * every output element is reduced by one work item in a fixed order, and the LAMB norms are summed over fixed chunks
 * in order (see src/addon.cc). The instruction set can change float rounding (vector width, FMA), so it is part of
 * the version.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import type { Activation, Task } from "../../protocol/config.js";
import type { Params } from "../../protocol/params.js";
import type { SparseBatch } from "../../protocol/samplers.js";
import { engineShape, type Engine, type EngineContext, type EngineFactory, type EngineState, type FiringStats } from "../engine.js";

type Handle = object;

/** The addon's exports (src/addon.cc, "bindings"). */
interface Addon {
  create(
    dims: Int32Array,
    embedder: Float32Array,
    projector: Float32Array | null,
    w1: Float32Array,
    b: Float32Array,
    w2: Float32Array,
  ): Handle;
  dispose(h: Handle): void;
  forwardBackward(h: Handle, offsets: Int32Array, indices: Int32Array, values: Float32Array, size: number, l1: number): number;
  lamb(h: Handle, lr: number, biasDecay: number): void;
  /** which: 0 parameters, 1 gradients, 2 first moments, 3 second moments; write: canonical -> engine. */
  transfer(h: Handle, which: number, write: boolean, w1: Float32Array, b: Float32Array, w2: Float32Array): void;
  setBiases(h: Handle, b: Float32Array): void;
  firingStats(
    h: Handle,
    offsets: Int32Array,
    indices: Int32Array,
    values: Float32Array,
    size: number,
    fired: Int32Array,
    maxPre: Float32Array,
  ): void;
  setThreads(h: Handle, threads: number): void;
  activePairs(h: Handle): number;
  /** Neurons whose pair-by-pair backward the last step computed in its gradient phase (same numbers either way). */
  deferredNeurons(h: Handle): number;
  /** Neurons whose gradient rows the last step summed in the busy neurons' register tiles (same numbers either way). */
  busyNeurons(h: Handle): number;
  /** Whether the next steps tally their kernels (NATIVE_KERNELS); a profiled step reads a clock a few times per work item. */
  profile(h: Handle, on: boolean): void;
  /** Fills `out` (2 NATIVE_KERNELS.length) with each kernel's seconds over the profiled steps so far, then its work. */
  kernels(h: Handle, out: Float64Array): void;
  /** Fills `out` with the seconds spent so far in each of NATIVE_PHASES. */
  phases(h: Handle, out: Float64Array): void;
  isa(): string;
  /** GFLOP/s of one core doing nothing but the selected instruction set's vector multiply-adds. */
  fmaPeak(): number;
}

/** The step's phases the addon times (engine.h's Phase, in order). */
export const NATIVE_PHASES = ["pt", "copies", "blocks", "gradients", "lamb"] as const;

/**
 * The kernels the addon tallies on profiled steps (kernels.h's Kernel, in order), for the bench's per-kernel report.
 * Work is FLOP as issued (2 per multiply-add, a register tile's products by zero included), or bytes moved where the
 * kernel is memory-bound; the bookkeeping (lists, gathers of coefficients, elementwise steps) counts none.
 */
export const NATIVE_KERNELS = [
  { id: "pt", label: "P^T product", unit: "flop" },
  { id: "inputs", label: "inputs, pre-activations, activations", unit: "flop" },
  { id: "forward_tiles", label: "forward: register tiles", unit: "flop" },
  { id: "forward_rows", label: "forward: rows", unit: "flop" },
  { id: "backward_dense", label: "backward: dense product", unit: "flop" },
  { id: "backward_pairs", label: "backward: pair by pair, shared tiles", unit: "flop" },
  { id: "gradient_tiles", label: "gradients: register tiles", unit: "flop" },
  { id: "gradient_rows", label: "gradients: rows, deferred neurons' backward", unit: "flop" },
  { id: "bookkeeping", label: "lists, gathers, elementwise", unit: null },
  { id: "update", label: "LAMB and weight copies", unit: "byte" },
] as const;
export type NativeKernelId = (typeof NATIVE_KERNELS)[number]["id"];
/** One kernel's tally: thread-seconds (a region timed as a whole counts once per thread) and work, summed over steps. */
export interface KernelTally {
  id: NativeKernelId;
  seconds: number;
  work: number;
}

const TASK_CODES: Record<Task, number> = { decoder: 0, abs: 1, reprojector: 2 };
const ACTIVATION_CODES: Record<Activation, number> = { relu: 0, gelu: 1, xexp: 2 };
const PARAMS = 0;
const GRADS = 1;
const FIRST = 2;
const SECOND = 3;

/** The native engine's arithmetic version: a run's engine version is this, a dash and the instruction set (native-3-avx512).
 * Bump it whenever any kernel's numbers change. */
export const NATIVE_ARITHMETIC = "native-3";

export const NATIVE_BINARY = fileURLToPath(new URL("./build/native.node", import.meta.url));

let loaded: { addon: Addon } | { error: string } | null = null;

/** The addon, or why it is unavailable. */
export function loadNative(): { addon: Addon } | { error: string } {
  if (loaded) return loaded;
  if (!existsSync(NATIVE_BINARY)) {
    loaded = { error: `the native engine is not built (${NATIVE_BINARY} is missing): run \`npm run build:native\` (needs g++)` };
    return loaded;
  }
  try {
    loaded = { addon: createRequire(import.meta.url)(NATIVE_BINARY) as Addon };
  } catch (cause) {
    loaded = { error: `the native engine failed to load (${NATIVE_BINARY}): ${cause instanceof Error ? cause.message : String(cause)}` };
  }
  return loaded;
}

/**
 * The addon's natively compiled twin of a TypeScript loop of the protocol layer (SAE1's loops, a measurement's
 * single-feature pre-activations), or null so that the TypeScript runs: when `variable` is "ts", without the addon,
 * or when the addon's `available` function says this CPU cannot run it. `variable` must be unset, "", "auto" or "ts".
 */
export function nativeProtocolLoops<T>(variable: string, available: string, env: NodeJS.ProcessEnv = process.env): T | null {
  const wanted = env[variable] ?? "auto";
  if (wanted !== "auto" && wanted !== "ts" && wanted !== "") throw new Error(`${variable} must be "auto" or "ts", got "${wanted}"`);
  if (wanted === "ts") return null;
  const state = loadNative();
  if (!("addon" in state)) return null;
  const check = (state.addon as unknown as Record<string, unknown>)[available];
  return typeof check === "function" && check() === true ? (state.addon as unknown as T) : null;
}

/**
 * The fp32 limit of one core as measured by the addon's multiply-add probe (GFLOP/s, with the instruction set the
 * engine runs), or null without the addon: the bench's yardstick for "share of peak".
 */
export function nativeFmaPeak(): { isa: string; gflops: number } | null {
  const state = loadNative();
  return "addon" in state ? { isa: state.addon.isa(), gflops: state.addon.fmaPeak() } : null;
}

export function nativeAvailable(): boolean {
  return "addon" in loadNative();
}

/** Threads per run when none is given: MONO_NATIVE_THREADS (set by the CLI's --threads), else 1. */
export function defaultThreads(): number {
  const raw = process.env.MONO_NATIVE_THREADS;
  if (raw === undefined || raw === "") return 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new Error(`MONO_NATIVE_THREADS must be an integer from 1 to 256, got "${raw}"`);
  return n;
}

class NativeEngine implements Engine {
  readonly name: string;
  private readonly k: number;
  private readonly m: number;
  private readonly outDim: number;
  private handle: Handle | null;
  /** Active (sample, neuron) pairs / (batch * k) of the last step. */
  activeFraction = 0;

  constructor(
    private readonly addon: Addon,
    private readonly context: EngineContext,
    readonly threads: number,
  ) {
    const { world, initial, config } = context;
    const { k, m, outDim } = ({ k: this.k, m: this.m, outDim: this.outDim } = engineShape(context));
    // The run's recorded engine says the instruction set and the threads it trained with, e.g. native-avx512-t2.
    this.name = `native-${addon.isa()}-t${threads}`;
    const dims = Int32Array.of(world.nFeatures, m, k, outDim, TASK_CODES[world.task], ACTIVATION_CODES[config.activation], threads);
    this.handle = addon.create(dims, world.embedder, world.projector, initial.w1, initial.b, initial.w2);
  }

  private get h(): Handle {
    if (!this.handle) throw new Error("native engine: used after dispose");
    return this.handle;
  }

  private forwardBackward(batch: SparseBatch): number {
    if (batch.nFeatures !== this.context.world.nFeatures) throw new Error("batch feature count does not match the world");
    const loss = this.addon.forwardBackward(this.h, batch.offsets, batch.indices, batch.values, batch.size, this.context.config.l1);
    this.activeFraction = this.addon.activePairs(this.h) / (batch.size * this.k);
    return loss;
  }

  step(batch: SparseBatch, lr: number, biasDecay: number): number {
    const loss = this.forwardBackward(batch);
    this.addon.lamb(this.h, lr, biasDecay);
    return loss;
  }

  lossAndGradients(batch: SparseBatch) {
    const loss = this.forwardBackward(batch);
    const { w1, b, w2 } = this.read(GRADS);
    return { loss, w1, b, w2 };
  }

  private read(which: number): { w1: Float32Array; b: Float32Array; w2: Float32Array } {
    const out = { w1: new Float32Array(this.k * this.m), b: new Float32Array(this.k), w2: new Float32Array(this.outDim * this.k) };
    this.addon.transfer(this.h, which, false, out.w1, out.b, out.w2);
    return out;
  }

  params(): Params {
    return { k: this.k, m: this.m, outDim: this.outDim, ...this.read(PARAMS) };
  }

  setBiases(b: Float32Array): void {
    if (b.length !== this.k) throw new RangeError(`setBiases: expected ${this.k} biases, got ${b.length}`);
    this.addon.setBiases(this.h, b);
  }

  /** For ReLU models: per neuron, the samples of `batch` where it fired and its largest pre-activation. */
  firingStats(batch: SparseBatch): FiringStats | null {
    if (this.context.config.activation !== "relu") return null;
    const fired = new Int32Array(this.k);
    const maxPre = new Float32Array(this.k);
    this.addon.firingStats(this.h, batch.offsets, batch.indices, batch.values, batch.size, fired, maxPre);
    return { samples: batch.size, fired, maxPre };
  }

  exportState(): EngineState {
    const first = this.read(FIRST);
    const second = this.read(SECOND);
    return {
      params: this.params(),
      moments: {
        w1: { m: first.w1, v: second.w1 },
        b: { m: first.b, v: second.b },
        w2: { m: first.w2, v: second.w2 },
      },
    };
  }

  importState(state: EngineState): void {
    const { params, moments } = state;
    if (params.k !== this.k || params.m !== this.m || params.outDim !== this.outDim)
      throw new RangeError(`importState: shape ${params.k}x${params.m}x${params.outDim} does not match ${this.k}x${this.m}x${this.outDim}`);
    const sizes = { w1: this.k * this.m, b: this.k, w2: this.outDim * this.k };
    for (const name of ["w1", "b", "w2"] as const)
      for (const array of [params[name], moments[name].m, moments[name].v])
        if (array.length !== sizes[name]) throw new RangeError(`importState: ${name} has ${array.length} values, expected ${sizes[name]}`);
    this.addon.transfer(this.h, PARAMS, true, params.w1, params.b, params.w2);
    this.addon.transfer(this.h, FIRST, true, moments.w1.m, moments.b.m, moments.w2.m);
    this.addon.transfer(this.h, SECOND, true, moments.w1.v, moments.b.v, moments.w2.v);
  }

  /** Seconds spent in each phase of the step since this engine was made (for the bench's breakdown). */
  phaseSeconds(): Record<(typeof NATIVE_PHASES)[number], number> {
    const out = new Float64Array(NATIVE_PHASES.length);
    this.addon.phases(this.h, out);
    return Object.fromEntries(NATIVE_PHASES.map((name, i) => [name, out[i]])) as Record<(typeof NATIVE_PHASES)[number], number>;
  }

  /** Whether the next steps tally their kernels (kernelTally); profiling changes no number, only adds clock reads. */
  profileKernels(on: boolean): void {
    this.addon.profile(this.h, on);
  }

  /** Each kernel's thread-seconds and work over this engine's profiled steps so far (NATIVE_KERNELS, in order). */
  kernelTally(): KernelTally[] {
    const out = new Float64Array(2 * NATIVE_KERNELS.length);
    this.addon.kernels(this.h, out);
    return NATIVE_KERNELS.map(({ id }, i) => ({ id, seconds: out[i], work: out[NATIVE_KERNELS.length + i] }));
  }

  /** Neurons whose pair-by-pair backward the last step left to its gradient phase, where each one's W2T row is loaded
   * once for all its samples (a choice of path that changes no number; for tests and the bench). */
  deferredNeurons(): number {
    return this.addon.deferredNeurons(this.h);
  }

  /** Neurons whose gradient rows the last step summed with the layer's other busy neurons (those that fired in at
   * least half of the step before's samples), BUSY_ROWS to a register tile, instead of in their 64-neuron item. */
  busyNeurons(): number {
    return this.addon.busyNeurons(this.h);
  }

  /** Change the number of threads of this run's pool (numbers do not change). */
  setThreads(threads: number): void {
    this.addon.setThreads(this.h, threads);
  }

  dispose(): void {
    if (this.handle) this.addon.dispose(this.handle);
    this.handle = null;
  }
}

export type NativeEngineInstance = NativeEngine;
export type NativeEngineFactory = Omit<EngineFactory, "create"> & {
  available(): boolean;
  create(context: EngineContext): Promise<NativeEngine>;
};

/** A factory whose engines use `threads` threads each (default: defaultThreads(), read when an engine is made). */
export function nativeEngineFactory(options: { threads?: number } = {}): NativeEngineFactory {
  if (options.threads !== undefined && (!Number.isInteger(options.threads) || options.threads < 1))
    throw new RangeError(`native engine: threads must be a positive integer, got ${options.threads}`);
  const state = loadNative();
  return {
    id: "native",
    // The instruction set's vector width decides the order of some sums (and baseline x86-64 has no FMA), so runs on
    // different instruction sets may differ in rounding: each has its own cache entries.
    version: `${NATIVE_ARITHMETIC}-${"addon" in state ? state.addon.isa() : "unavailable"}`,
    available: nativeAvailable,
    async create(context) {
      const current = loadNative();
      if ("error" in current) throw new Error(current.error);
      const threads = options.threads ?? defaultThreads();
      if (threads > availableParallelism() * 4)
        throw new RangeError(`native engine: ${threads} threads is far more than this machine's ${availableParallelism()} cores`);
      return new NativeEngine(current.addon, context, threads);
    },
  };
}

export const nativeEngine: NativeEngineFactory = nativeEngineFactory();

/**
 * The fast engine: the model's step as WebAssembly SIMD kernels compiled from assembly/engine.as (see that file for
 * how sparsity is exploited). This wrapper moves tensors between the canonical layout (W1 k x m, b, W2 out x k) and
 * the kernels' padded one (W1 k x MP, W2 transposed KP x OP), and copies each batch into the instance's memory.
 *
 * Loading is injectable: in Node the default reads build/engine.wasm next to this file; a browser passes a loader
 * such as `() => WebAssembly.compileStreaming(fetch(url))` to `wasmEngineFactory`. One compiled module is shared by
 * every engine of a thread; each engine gets its own instance and memory, so engines are independent (and each
 * worker thread simply makes its own).
 */
import type { Activation, Task } from "../../protocol/config.js";
import type { Params } from "../../protocol/params.js";
import type { SparseBatch } from "../../protocol/samplers.js";
import { engineShape, type Engine, type EngineContext, type EngineFactory, type EngineState, type FiringStats } from "../engine.js";

/** Exports of engine.wasm (addresses are byte offsets into `memory`), or the same kernels compiled natively
 * (native-kernels.ts): the wrapper below drives either. */
export interface Kernels {
  readonly memory: { readonly buffer: ArrayBuffer };
  init(n: number, m: number, k: number, o: number, task: number, act: number): void;
  reserveBatch(size: number, nnz: number): void;
  forwardBackward(batchSize: number, l1: number): number;
  lamb(lr: number, biasDecay: number): void;
  ptrW1(): number;
  ptrB(): number;
  ptrW2T(): number;
  ptrGW1(): number;
  ptrGB(): number;
  ptrGW2T(): number;
  ptrET(): number;
  ptrQT(): number;
  ptrOffsets(): number;
  ptrIndices(): number;
  ptrValues(): number;
  strideM(): number;
  strideK(): number;
  strideO(): number;
  lastActivePairs(): number;
  setPreactivation(mode: number): void;
  firingStats(batchSize: number): void;
  ptrFiringCounts(): number;
  ptrFiringMax(): number;
  /** Give the memory back now (the native kernels' arena; an instance's memory simply becomes garbage). */
  release?(): void;
}

const TASK_CODES: Record<Task, number> = { decoder: 0, abs: 1, reprojector: 2 };
const ACTIVATION_CODES: Record<Activation, number> = { relu: 0, gelu: 1, xexp: 2 };

export type WasmModuleLoader = () => Promise<WebAssembly.Module>;

/** Names of the kernels' phases, in the order of the ids they report (see `phase` in assembly/engine.as). */
export const PHASES = ["P = W1 E", "hidden layer", "outputs", "output gradient", "backward", "LAMB"] as const;

/** Accumulates wall time per phase when profiling is on; otherwise the kernels' phase calls do nothing. */
class PhaseClock {
  readonly ms = new Float64Array(PHASES.length);
  private current = -1;
  private since = 0;

  constructor(
    readonly enabled: boolean,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  enter = (id: number): void => {
    if (!this.enabled) return;
    const now = this.clock();
    if (this.current >= 0) this.ms[this.current] += now - this.since;
    this.current = id;
    this.since = now;
  };

  stop(): void {
    if (this.current >= 0) this.ms[this.current] += this.clock() - this.since;
    this.current = -1;
  }
}

/** Node: compile build/engine.wasm (made by `npm run build:wasm`) from disk. */
export const loadWasmFromDisk: WasmModuleLoader = async () => {
  const { readFile } = await import("node:fs/promises");
  const url = new URL("./build/engine.wasm", import.meta.url);
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = new Uint8Array(await readFile(url));
  } catch (cause) {
    throw new Error(`the wasm engine is not built (${url.pathname} is missing): run \`npm run build:wasm\``, { cause });
  }
  return WebAssembly.compile(bytes);
};

/** Browser: compile the same bytes from a URL, streaming. */
export function loadWasmFromUrl(url: string | URL): WasmModuleLoader {
  return () => WebAssembly.compileStreaming(fetch(url));
}

class WasmSimdEngine implements Engine {
  /** The same for the wasm module and its native compilation: they compute the same bits (wasm-native.test.ts). */
  readonly name = "wasm-simd";
  private readonly k: number;
  private readonly m: number;
  private readonly outDim: number;
  private readonly mp: number;
  private readonly kp: number;
  private readonly op: number;
  /** Active (sample, neuron) pairs / (batch * k) of the last step: the fraction of neurons that fired. */
  activeFraction = 0;

  constructor(
    private readonly wasm: Kernels,
    /** Which kernels run the step: an instance of engine.wasm, or their native compilation (same numbers). */
    readonly kernels: "engine.wasm" | "native",
    private readonly context: EngineContext,
    /** Milliseconds spent per phase (indexed like PHASES), when the factory was made with `profile: true`. */
    readonly phases: PhaseClock,
  ) {
    const { world, initial, config } = context;
    const { k, m, outDim } = ({ k: this.k, m: this.m, outDim: this.outDim } = engineShape(context));
    wasm.init(world.nFeatures, m, k, outDim, TASK_CODES[world.task], ACTIVATION_CODES[config.activation]);
    this.mp = wasm.strideM();
    this.kp = wasm.strideK();
    this.op = wasm.strideO();
    // The world's embedders, transposed so that a feature's direction is a contiguous row.
    const n = world.nFeatures;
    const et = this.f32(wasm.ptrET(), n * this.mp);
    for (let d = 0; d < m; d++) for (let i = 0; i < n; i++) et[i * this.mp + d] = world.embedder[d * n + i];
    if (world.task === "reprojector") {
      const qt = this.f32(wasm.ptrQT(), n * this.op);
      for (let d = 0; d < m; d++) for (let i = 0; i < n; i++) qt[i * this.op + d] = world.projector![d * n + i];
    }
    const w1 = this.f32(wasm.ptrW1(), k * this.mp);
    for (let j = 0; j < k; j++) w1.set(initial.w1.subarray(j * m, (j + 1) * m), j * this.mp);
    this.f32(wasm.ptrB(), k).set(initial.b);
    const w2t = this.f32(wasm.ptrW2T(), this.kp * this.op);
    for (let o = 0; o < outDim; o++) for (let j = 0; j < k; j++) w2t[j * this.op + o] = initial.w2[o * k + j];
  }

  /** A fresh view: memory may have grown (which detaches older views) since the last call. */
  private f32(address: number, length: number): Float32Array {
    return new Float32Array(this.wasm.memory.buffer, address, length);
  }

  private loadBatch(batch: SparseBatch): void {
    const nnz = batch.offsets[batch.size];
    this.wasm.reserveBatch(batch.size, nnz);
    const buffer = this.wasm.memory.buffer;
    new Int32Array(buffer, this.wasm.ptrOffsets(), batch.size + 1).set(batch.offsets.subarray(0, batch.size + 1));
    new Int32Array(buffer, this.wasm.ptrIndices(), nnz).set(batch.indices.subarray(0, nnz));
    new Float32Array(buffer, this.wasm.ptrValues(), nnz).set(batch.values.subarray(0, nnz));
  }

  private forwardBackward(batch: SparseBatch): number {
    if (batch.nFeatures !== this.context.world.nFeatures) throw new Error("batch feature count does not match the world");
    this.loadBatch(batch);
    const loss = this.wasm.forwardBackward(batch.size, this.context.config.l1);
    this.phases.stop();
    this.activeFraction = this.wasm.lastActivePairs() / (batch.size * this.k);
    return loss;
  }

  step(batch: SparseBatch, lr: number, biasDecay: number): number {
    const loss = this.forwardBackward(batch);
    this.wasm.lamb(lr, biasDecay);
    this.phases.stop();
    return loss;
  }

  lossAndGradients(batch: SparseBatch) {
    const loss = this.forwardBackward(batch);
    const grads = this.canonical(this.wasm.ptrGW1(), this.wasm.ptrGB(), this.wasm.ptrGW2T());
    // The kernels keep gradients until the next update consumes them; clear them so that step() starts clean.
    for (const [address, length] of [
      [this.wasm.ptrGW1(), this.kp * this.mp],
      [this.wasm.ptrGB(), this.kp],
      [this.wasm.ptrGW2T(), this.kp * this.op],
    ])
      this.f32(address, length).fill(0);
    return { loss, w1: grads.w1, b: grads.b, w2: grads.w2 };
  }

  /** What GBA measures, for ReLU models: per neuron, the samples of `batch` on which it fired and its largest
   * pre-activation (0 when it never fired), at the current parameters. Null for other activations. */
  firingStats(batch: SparseBatch): FiringStats | null {
    if (this.context.config.activation !== "relu") return null;
    this.loadBatch(batch);
    this.wasm.firingStats(batch.size);
    this.phases.stop();
    return {
      samples: batch.size,
      fired: new Int32Array(this.wasm.memory.buffer, this.wasm.ptrFiringCounts(), this.k).slice(),
      maxPre: this.f32(this.wasm.ptrFiringMax(), this.k).slice(),
    };
  }

  /** Overwrite the first-layer biases (for rules that set them by feedback, e.g. GBA); the optimiser state is kept. */
  setBiases(b: Float32Array): void {
    if (b.length !== this.k) throw new RangeError(`setBiases: expected ${this.k} biases, got ${b.length}`);
    this.f32(this.wasm.ptrB(), this.k).set(b);
  }

  /** Copy tensors from the kernels' padded layout to the canonical one. */
  private canonical(w1At: number, bAt: number, w2tAt: number): { w1: Float32Array; b: Float32Array; w2: Float32Array } {
    const { k, m, outDim, mp, op } = this;
    const w1 = new Float32Array(k * m);
    const paddedW1 = this.f32(w1At, k * mp);
    for (let j = 0; j < k; j++) w1.set(paddedW1.subarray(j * mp, j * mp + m), j * m);
    const b = this.f32(bAt, k).slice();
    const w2 = new Float32Array(outDim * k);
    const w2t = this.f32(w2tAt, k * op);
    for (let j = 0; j < k; j++) for (let o = 0; o < outDim; o++) w2[o * k + j] = w2t[j * op + o];
    return { w1, b, w2 };
  }

  /**
   * Where LAMB's moments live. The kernels export no pointer to them, but init() lays every tensor out in a fixed
   * order with 64-byte alignment (assembly/engine.as: ... GW2T, M1, V1, MB, VB, M2, V2, ET ...), so they follow from
   * GW2T; the address of ET, which is exported, checks the arithmetic.
   */
  private momentAddresses() {
    const align = (x: number) => (x + 63) & ~63;
    const rows = this.kp * 4;
    const m1 = align(this.wasm.ptrGW2T() + rows * this.op);
    const v1 = align(m1 + rows * this.mp);
    const mb = align(v1 + rows * this.mp);
    const vb = align(mb + rows);
    const m2 = align(vb + rows);
    const v2 = align(m2 + rows * this.op);
    if (align(v2 + rows * this.op) !== this.wasm.ptrET())
      throw new Error("wasm engine: the kernels' memory layout is not the one exportState expects");
    return { m1, v1, mb, vb, m2, v2 };
  }

  /** Copy tensors from the canonical layout into the kernels' padded one (the inverse of `canonical`). */
  private writePadded(w1At: number, bAt: number, w2tAt: number, t: { w1: Float32Array; b: Float32Array; w2: Float32Array }): void {
    const { k, m, outDim, mp, op } = this;
    if (t.w1.length !== k * m || t.b.length !== k || t.w2.length !== outDim * k)
      throw new RangeError("importState: tensor sizes do not match this engine");
    const paddedW1 = this.f32(w1At, k * mp);
    for (let j = 0; j < k; j++) paddedW1.set(t.w1.subarray(j * m, (j + 1) * m), j * mp);
    this.f32(bAt, k).set(t.b);
    const w2t = this.f32(w2tAt, k * op);
    for (let j = 0; j < k; j++) for (let o = 0; o < outDim; o++) w2t[j * op + o] = t.w2[o * k + j];
  }

  exportState(): EngineState {
    const a = this.momentAddresses();
    const first = this.canonical(a.m1, a.mb, a.m2);
    const second = this.canonical(a.v1, a.vb, a.v2);
    return {
      params: this.params(),
      moments: { w1: { m: first.w1, v: second.w1 }, b: { m: first.b, v: second.b }, w2: { m: first.w2, v: second.w2 } },
    };
  }

  importState(state: EngineState): void {
    const a = this.momentAddresses();
    const { moments: mo } = state;
    this.writePadded(this.wasm.ptrW1(), this.wasm.ptrB(), this.wasm.ptrW2T(), state.params);
    this.writePadded(a.m1, a.mb, a.m2, { w1: mo.w1.m, b: mo.b.m, w2: mo.w2.m });
    this.writePadded(a.v1, a.vb, a.v2, { w1: mo.w1.v, b: mo.b.v, w2: mo.w2.v });
  }

  params(): Params {
    const { w1, b, w2 } = this.canonical(this.wasm.ptrW1(), this.wasm.ptrB(), this.wasm.ptrW2T());
    return { k: this.k, m: this.m, outDim: this.outDim, w1, b, w2 };
  }

  dispose(): void {
    // An instance and its memory are garbage once this engine is dropped; the native kernels' arena is returned now,
    // since the collector does not see its size.
    this.wasm.release?.();
  }
}

/** What a wasm engine shows beyond `Engine`: the fraction of neurons that fired in the last step, and phase times. */
export type WasmEngine = Engine & {
  readonly activeFraction: number;
  readonly kernels: "engine.wasm" | "native";
  readonly phases: { readonly ms: Float64Array };
  setBiases(b: Float32Array): void;
  firingStats(batch: SparseBatch): FiringStats | null;
};
export type WasmEngineFactory = Omit<EngineFactory, "create"> & { create(context: EngineContext): Promise<WasmEngine> };

/**
 * How the kernels compute pre-activations: `via-p` gathers columns of P = W1 E (N k m per step, then nnz k per
 * sample), `direct` computes b + W1 x per sample (batch k m). `auto` picks the cheaper one each step: direct below
 * a few hundred samples per batch. Both give the same numbers to float32 rounding; the tests run both.
 */
export type Preactivation = "auto" | "via-p" | "direct";
const PREACTIVATION_CODES: Record<Preactivation, number> = { auto: 0, "via-p": 1, direct: 2 };

/** An engine factory that compiles the kernels with `load` (once) and gives each run its own instance. With
 * `profile`, engines time their phases (for the benchmark) with `clock` (milliseconds; wall time by default, a CPU
 * clock is steadier on a busy machine). */
export function wasmEngineFactory(
  load: WasmModuleLoader = loadWasmFromDisk,
  options: {
    profile?: boolean;
    clock?: () => number;
    preactivation?: Preactivation;
    /** Kernels to use instead of an instance of the module, when this returns any (Node: the same kernels compiled
     * natively, native-kernels.ts; they give the same bits). Phases are not timed on them. */
    nativeKernels?: () => Kernels | null;
  } = {},
): WasmEngineFactory {
  let compiled: Promise<WebAssembly.Module> | null = null;
  return {
    id: "wasm",
    version: "wasm-4",
    async create(context): Promise<WasmEngine> {
      const native = options.nativeKernels?.() ?? null;
      if (native) {
        native.setPreactivation(PREACTIVATION_CODES[options.preactivation ?? "auto"]);
        return new WasmSimdEngine(native, "native", context, new PhaseClock(false));
      }
      compiled ??= load().catch((error) => {
        compiled = null; // let a later call retry, e.g. after `npm run build:wasm`
        throw error;
      });
      const clock = new PhaseClock(options.profile ?? false, options.clock);
      const instance = await WebAssembly.instantiate(await compiled, {
        env: {
          abort: () => {
            throw new Error("wasm engine: abort");
          },
          phase: clock.enter,
        },
      });
      const kernels = instance.exports as unknown as Kernels;
      kernels.setPreactivation(PREACTIVATION_CODES[options.preactivation ?? "auto"]);
      return new WasmSimdEngine(kernels, "engine.wasm", context, clock);
    },
  };
}

export const wasmEngine: WasmEngineFactory = wasmEngineFactory();

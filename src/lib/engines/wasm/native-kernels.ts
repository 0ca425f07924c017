/**
 * The wasm engine's kernels compiled natively (../native/src/wasm_kernels.cc, built into the native addon): the same
 * float32 operations in the same order as engine.wasm, with 256-bit vectors where an operation is element by element,
 * so a run gives the same bits as in the browser, about twice as fast (LAMB's divisions and square roots are half of
 * a small-batch step, and AVX2 does eight at the cost of four). Node only; `nativeWasmKernels()` returns null when
 * the addon is missing or the CPU has no AVX2, and the wrapper then instantiates engine.wasm as before.
 */
import { loadNative } from "../native/index.js";
import type { Kernels } from "./index.js";

/** The addon's entry points for these kernels (src/addon.cc, "the wasm engine's kernels, compiled natively"). */
export interface WasmKernelsAddon {
  wasmKernels(): object | null;
  wasmInit(h: object, n: number, m: number, k: number, o: number, task: number, act: number): ArrayBuffer;
  wasmLayout(h: object, out: Float64Array): void;
  wasmCall(h: object, op: number, x: number, y: number): number | undefined;
}

const RESERVE_BATCH = 0;
const FORWARD_BACKWARD = 1;
const LAMB = 2;
const FIRING_STATS = 3;
const SET_PREACTIVATION = 4;
const ACTIVE_PAIRS = 5;
const RELEASE = 6;

/** Which kernels the Node engines use: MONO_WASM_KERNELS=wasm forces engine.wasm itself (same numbers, slower). */
export function nativeKernelsWanted(): boolean {
  const raw = process.env.MONO_WASM_KERNELS;
  if (raw === undefined || raw === "" || raw === "auto") return true;
  if (raw === "wasm") return false;
  throw new Error(`MONO_WASM_KERNELS must be "auto" or "wasm", got "${raw}"`);
}

/** One run's kernels, or null when they cannot run here. */
export function nativeWasmKernels(): Kernels | null {
  if (!nativeKernelsWanted()) return null;
  const state = loadNative();
  if (!("addon" in state)) return null;
  const addon = state.addon as unknown as WasmKernelsAddon;
  if (typeof addon.wasmKernels !== "function") return null;
  const h = addon.wasmKernels();
  if (h === null) return null;
  let buffer: ArrayBuffer | null = null;
  const layout = new Float64Array(16);
  const refresh = () => addon.wasmLayout(h, layout);
  const at = (i: number) => () => layout[i];
  return {
    get memory() {
      if (!buffer) throw new Error("wasm kernels: memory read before init");
      return { buffer };
    },
    init(n, m, k, o, task, act) {
      buffer = addon.wasmInit(h, n, m, k, o, task, act);
      refresh();
    },
    reserveBatch(size, nnz) {
      addon.wasmCall(h, RESERVE_BATCH, size, nnz);
      refresh();
    },
    forwardBackward: (batchSize, l1) => addon.wasmCall(h, FORWARD_BACKWARD, batchSize, l1) as number,
    lamb: (lr, biasDecay) => void addon.wasmCall(h, LAMB, lr, biasDecay),
    firingStats: (batchSize) => void addon.wasmCall(h, FIRING_STATS, batchSize, 0),
    setPreactivation: (mode) => void addon.wasmCall(h, SET_PREACTIVATION, mode, 0),
    lastActivePairs: () => addon.wasmCall(h, ACTIVE_PAIRS, 0, 0) as number,
    release: () => void addon.wasmCall(h, RELEASE, 0, 0),
    ptrW1: at(0),
    ptrB: at(1),
    ptrW2T: at(2),
    ptrGW1: at(3),
    ptrGB: at(4),
    ptrGW2T: at(5),
    ptrET: at(6),
    ptrQT: at(7),
    ptrOffsets: at(8),
    ptrIndices: at(9),
    ptrValues: at(10),
    ptrFiringCounts: at(11),
    ptrFiringMax: at(12),
    strideM: at(13),
    strideK: at(14),
    strideO: at(15),
  };
}

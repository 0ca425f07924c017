/**
 * SAE1's two hottest loops (protocol/sae.ts's SaeKernels) compiled natively in the native addon
 * (engines/native/src/sae_kernels.cc): the same float64 operations in the same order as V8 runs the TypeScript, so
 * the same bits (tests/lib/runner/sae-kernels.test.ts), several times faster. Null without the addon or AVX2, or
 * with MONO_SAE_KERNELS=ts, and the TypeScript runs.
 */
import { loadNative } from "../engines/native/index.js";
import type { SaeKernels } from "../protocol/sae.js";

interface SaeAddon {
  saeAvailable(): boolean;
  saePre(dirs: Float32Array, bEnc: Float32Array, xc: Float32Array, size: number, latents: number, d: number, pre: Float32Array): void;
  saeBackward(
    ...args: [
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array,
      Int32Array,
      Int32Array,
      number,
      number,
      number,
      number,
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array,
    ]
  ): number;
}

export function nativeSaeKernels(): SaeKernels | null {
  const wanted = process.env.MONO_SAE_KERNELS ?? "auto";
  if (wanted !== "auto" && wanted !== "ts" && wanted !== "") throw new Error(`MONO_SAE_KERNELS must be "auto" or "ts", got "${wanted}"`);
  if (wanted === "ts") return null;
  const state = loadNative();
  if (!("addon" in state)) return null;
  const addon = state.addon as unknown as Partial<SaeAddon>;
  if (typeof addon.saeAvailable !== "function" || !addon.saeAvailable()) return null;
  const { saePre, saeBackward } = addon as SaeAddon;
  return {
    preActivations: (dirs, bEnc, xc, size, latents, d, pre) => saePre(dirs, bEnc, xc, size, latents, d, pre),
    backward: (x, xhat, sae, enc, size, lambda, g) =>
      saeBackward(
        x,
        xhat,
        sae.dirs,
        sae.scale,
        sae.bPre,
        enc.codes,
        enc.active,
        enc.counts,
        size,
        sae.d,
        sae.latents,
        lambda,
        g.dirs,
        g.scale,
        g.enc,
        g.pre,
      ),
  };
}

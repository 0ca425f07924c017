/**
 * SAE1's two hottest loops (protocol/sae.ts's SaeKernels) compiled natively in the native addon
 * (engines/native/src/sae_kernels.cc): the same float64 operations in the same order as V8 runs the TypeScript, so
 * the same bits (tests/lib/runner/sae-kernels.test.ts), several times faster. Null without the addon or AVX2, or
 * with MONO_SAE_KERNELS=ts, and the TypeScript runs.
 */
import { nativeProtocolLoops } from "../engines/native/index.js";
import type { SaeKernels } from "../protocol/sae.js";

interface SaeAddon {
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

export function nativeSaeKernels(env: NodeJS.ProcessEnv = process.env): SaeKernels | null {
  const addon = nativeProtocolLoops<SaeAddon>("MONO_SAE_KERNELS", "saeAvailable", env);
  if (!addon) return null;
  const { saePre, saeBackward } = addon;
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

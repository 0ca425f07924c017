/** The hidden layer's nonlinearities (ReLU, exact erf-form GeLU, x·exp(x)) and their derivatives, in plain TypeScript. */
import type { Activation } from "./config.js";

/** erf to ~1.2e-7 absolute (Numerical Recipes' erfc Chebyshev fit): below float32 resolution, so the exact
 * (erf-form) GeLU here matches PyTorch's and tfjs's to float32 precision. */
export function erf(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const erfc =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? 1 - erfc : erfc - 1;
}

const INV_SQRT2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** The hidden-layer nonlinearities. `xexp` is what the authors' code called "SoLU": x * exp(x). */
export const activationFunctions: Record<Activation, { f: (x: number) => number; df: (x: number) => number }> = {
  relu: { f: (x) => (x > 0 ? x : 0), df: (x) => (x > 0 ? 1 : 0) },
  gelu: {
    f: (x) => 0.5 * x * (1 + erf(x * INV_SQRT2)),
    df: (x) => 0.5 * (1 + erf(x * INV_SQRT2)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x),
  },
  xexp: { f: (x) => x * Math.exp(x), df: (x) => (1 + x) * Math.exp(x) },
};

/**
 * A measurement's single-feature pre-activations (protocol/metrics.ts's SingleFeaturePre) compiled natively in the
 * native addon (engines/native/src/metrics_kernels.cc): the same float64 operations in the same order as V8 runs
 * the TypeScript, so the same bits (tests/lib/runner/metric-kernels.test.ts), many times faster. Null without the
 * addon or AVX2, or with MONO_METRIC_KERNELS=ts, and the TypeScript runs.
 */
import { nativeProtocolLoops } from "../engines/native/index.js";
import type { SingleFeaturePre } from "../protocol/metrics.js";

export function nativeSingleFeaturePre(env: NodeJS.ProcessEnv = process.env): SingleFeaturePre | null {
  return (
    nativeProtocolLoops<{ singleFeaturePre: SingleFeaturePre }>("MONO_METRIC_KERNELS", "metricsAvailable", env)?.singleFeaturePre ?? null
  );
}

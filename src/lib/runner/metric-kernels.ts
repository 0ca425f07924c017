/**
 * A measurement's single-feature pre-activations (protocol/metrics.ts's SingleFeaturePre) compiled natively in the
 * native addon (engines/native/src/metrics_kernels.cc): the same float64 operations in the same order as V8 runs
 * the TypeScript, so the same bits (tests/lib/runner/metric-kernels.test.ts), many times faster. Null without the
 * addon or AVX2, or with MONO_METRIC_KERNELS=ts, and the TypeScript runs.
 */
import { loadNative } from "../engines/native/index.js";
import type { SingleFeaturePre } from "../protocol/metrics.js";

interface MetricsAddon {
  metricsAvailable(): boolean;
  singleFeaturePre: SingleFeaturePre;
}

export function nativeSingleFeaturePre(env: NodeJS.ProcessEnv = process.env): SingleFeaturePre | null {
  const wanted = env.MONO_METRIC_KERNELS ?? "auto";
  if (wanted !== "auto" && wanted !== "ts" && wanted !== "") throw new Error(`MONO_METRIC_KERNELS must be "auto" or "ts", got "${wanted}"`);
  if (wanted === "ts") return null;
  const state = loadNative();
  if (!("addon" in state)) return null;
  const addon = state.addon as unknown as Partial<MetricsAddon>;
  if (typeof addon.metricsAvailable !== "function" || !addon.metricsAvailable()) return null;
  return (addon as MetricsAddon).singleFeaturePre;
}

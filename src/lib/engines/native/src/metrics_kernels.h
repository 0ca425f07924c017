// The loop that is most of a run's measurement (singleFeatureActivations in src/lib/protocol/metrics.ts), compiled
// natively, bit for bit as V8 runs the TypeScript (metrics_kernels.cc).
#pragma once

namespace mono_metrics {
bool available();
void singleFeaturePre(const float *w1, const float *b, const float *embedder, int k, int m, int nFeatures, double *out);
}  // namespace mono_metrics

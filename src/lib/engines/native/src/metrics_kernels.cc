// singleFeatureActivations' pre-activations (src/lib/protocol/metrics.ts, plainSingleFeaturePre), natively: for every
// neuron j and feature i, out[j * N + i] = b[j] + w1[j, 0] E[0, i] + w1[j, 1] E[1, i] + ..., in double, each product
// and each sum rounded as V8 rounds them and the sum taken over d in order. Vectors only go across features (every
// feature's sum is independent), so the bits are the TypeScript's. No FMA (-mavx2 without -mfma,
// -ffp-contract=off). tests/lib/runner/metric-kernels.test.ts compares the bits.
#include "metrics_kernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#include <vector>

namespace mono_metrics {

void singleFeaturePre(const float *w1, const float *b, const float *embedder, int k, int m, int nFeatures, double *out) {
  // The embedder widened once (m x N doubles), padded to whole tiles of 16 features so the tile loop has no tail.
  const int np = (nFeatures + 15) & ~15;
  std::vector<double> e((size_t)m * np, 0.0);
  for (int d = 0; d < m; d++)
    for (int i = 0; i < nFeatures; i++) e[(size_t)d * np + i] = (double)embedder[(size_t)d * nFeatures + i];
  alignas(32) double tile[16];
  for (int j = 0; j < k; j++) {
    const float *wj = w1 + (size_t)j * m;
    const __m256d bj = _mm256_set1_pd((double)b[j]);
    for (int i0 = 0; i0 < np; i0 += 16) {
      // 16 features' sums in 4 registers, over every d in order.
      __m256d z0 = bj, z1 = bj, z2 = bj, z3 = bj;
      const double *ed = e.data() + i0;
      for (int d = 0; d < m; d++, ed += np) {
        const __m256d w = _mm256_set1_pd((double)wj[d]);
        z0 = _mm256_add_pd(z0, _mm256_mul_pd(w, _mm256_loadu_pd(ed)));
        z1 = _mm256_add_pd(z1, _mm256_mul_pd(w, _mm256_loadu_pd(ed + 4)));
        z2 = _mm256_add_pd(z2, _mm256_mul_pd(w, _mm256_loadu_pd(ed + 8)));
        z3 = _mm256_add_pd(z3, _mm256_mul_pd(w, _mm256_loadu_pd(ed + 12)));
      }
      double *o = out + (size_t)j * nFeatures + i0;
      if (i0 + 16 <= nFeatures) {
        _mm256_storeu_pd(o, z0);
        _mm256_storeu_pd(o + 4, z1);
        _mm256_storeu_pd(o + 8, z2);
        _mm256_storeu_pd(o + 12, z3);
      } else {
        _mm256_store_pd(tile, z0);
        _mm256_store_pd(tile + 4, z1);
        _mm256_store_pd(tile + 8, z2);
        _mm256_store_pd(tile + 12, z3);
        for (int i = 0; i < nFeatures - i0; i++) o[i] = tile[i];
      }
    }
  }
}

bool available() { return __builtin_cpu_supports("avx2"); }

}  // namespace mono_metrics

#else  // not x86: not compiled; available() says so and the TypeScript runs

namespace mono_metrics {
bool available() { return false; }
void singleFeaturePre(const float *, const float *, const float *, int, int, int, double *) {}
}  // namespace mono_metrics

#endif

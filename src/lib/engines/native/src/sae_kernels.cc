// The two loops that are most of an SAE1 step (src/lib/protocol/sae.ts), compiled natively with the same float64
// arithmetic in the same order as V8 runs the TypeScript: Float32Array reads widen to double, every sum runs in
// its original order, and a store to a Float32Array rounds to float. Vectors only go across independent sums (four
// samples' pre-activations, four latents' dot products) or element by element, never inside one sum. No FMA
// (-mavx2 without -mfma, -ffp-contract=off): V8 rounds every multiply and add. tests/lib/protocol/sae-native.test.ts
// checks every output bit for bit against the TypeScript.
#include "sae_kernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#include <cmath>
#include <vector>

namespace mono_sae {

// pre[s * latents + l] = float(bEnc[l] + sum over c, in order, of dirs[l * d + c] * xc[s * d + c]), in double.
void preActivations(const float *dirs, const float *bEnc, const float *xc, int size, int latents, int d, float *pre) {
  // xc transposed to d x size doubles, so that four samples' values at one c are one vector.
  const int sp = (size + 3) & ~3;
  std::vector<double> xt((size_t)d * sp, 0.0);
  for (int s = 0; s < size; s++)
    for (int c = 0; c < d; c++) xt[(size_t)c * sp + s] = (double)xc[(size_t)s * d + c];
  for (int s0 = 0; s0 < size; s0 += 4) {
    const int n = size - s0 < 4 ? size - s0 : 4;
    for (int l = 0; l < latents; l += 2) {
      const bool two = l + 1 < latents;
      const float *w0 = dirs + (size_t)l * d, *w1 = two ? w0 + d : w0;
      __m256d z0 = _mm256_set1_pd((double)bEnc[l]), z1 = _mm256_set1_pd((double)bEnc[two ? l + 1 : l]);
      for (int c = 0; c < d; c++) {
        const __m256d x = _mm256_loadu_pd(&xt[(size_t)c * sp + s0]);
        z0 = _mm256_add_pd(z0, _mm256_mul_pd(_mm256_set1_pd((double)w0[c]), x));
        z1 = _mm256_add_pd(z1, _mm256_mul_pd(_mm256_set1_pd((double)w1[c]), x));
      }
      alignas(32) double r0[4], r1[4];
      _mm256_store_pd(r0, z0);
      _mm256_store_pd(r1, z1);
      for (int j = 0; j < n; j++) {
        pre[(size_t)(s0 + j) * latents + l] = (float)r0[j];
        if (two) pre[(size_t)(s0 + j) * latents + l + 1] = (float)r1[j];
      }
    }
  }
}

static inline double jsSign(double x) { return x > 0 ? 1.0 : x < 0 ? -1.0 : x; }

// SaeTrainer.step's loop over the batch (without the GBA accumulator, which only reads pre): the loss, and the
// gradients added into gDirs, gScale, gEnc, gPre (which the caller zeroes).
double backward(const float *x, const float *xhat, const float *dirs, const float *scale, const float *bPre, const float *codes,
                const int32_t *active, const int32_t *counts, int size, int d, int latents, double lambda, float *gDirs,
                float *gScale, float *gEnc, float *gPre) {
  std::vector<float> g(d);
  std::vector<double> dots(latents + 4);
  const double sizeD = size;
  double loss = 0;
  for (int s = 0; s < size; s++) {
    const size_t o = (size_t)s * d;
    for (int c = 0; c < d; c++) {
      const double diff = (double)xhat[o + c] - (double)x[o + c];
      loss += diff * diff;
      g[c] = (float)((2 * diff) / sizeD);
      gPre[c] = (float)((double)gPre[c] + (double)g[c]);
    }
    const int count = counts[s];
    const int32_t *act = active + (size_t)s * latents;
    // Every active latent's dot product with g, four latents at a time (each lane one sum, in order over c).
    int e = 0;
    for (; e + 4 <= count; e += 4) {
      const float *w0 = dirs + (size_t)act[e] * d, *w1 = dirs + (size_t)act[e + 1] * d;
      const float *w2 = dirs + (size_t)act[e + 2] * d, *w3 = dirs + (size_t)act[e + 3] * d;
      __m256d dot = _mm256_setzero_pd();
      for (int c = 0; c < d; c++)
        dot = _mm256_add_pd(dot, _mm256_mul_pd(_mm256_set_pd((double)w3[c], (double)w2[c], (double)w1[c], (double)w0[c]),
                                               _mm256_set1_pd((double)g[c])));
      _mm256_storeu_pd(&dots[e], dot);
    }
    for (; e < count; e++) {
      const float *w = dirs + (size_t)act[e] * d;
      double dot = 0;
      for (int c = 0; c < d; c++) dot += (double)w[c] * (double)g[c];
      dots[e] = dot;
    }
    for (e = 0; e < count; e++) {
      const int l = act[e];
      const double a = (double)codes[(size_t)s * latents + l];
      const size_t w = (size_t)l * d;
      const double dot = dots[e];
      const double sl = (double)scale[l];
      gScale[l] = (float)((double)gScale[l] + (a * dot + (lambda * a * jsSign(sl)) / sizeD));
      const double dpre = sl * dot + (lambda * std::fabs(sl)) / sizeD;
      gEnc[l] = (float)((double)gEnc[l] + dpre);
      const double as = a * sl;
      for (int c = 0; c < d; c++) {
        const double xcv = (double)x[o + c] - (double)bPre[c];
        gDirs[w + c] = (float)((double)gDirs[w + c] + (as * (double)g[c] + dpre * xcv));
        gPre[c] = (float)((double)gPre[c] - dpre * (double)dirs[w + c]);
      }
    }
  }
  return loss;
}

bool available() { return __builtin_cpu_supports("avx2"); }

}  // namespace mono_sae

#else

namespace mono_sae {
void preActivations(const float *, const float *, const float *, int, int, int, float *) {}
double backward(const float *, const float *, const float *, const float *, const float *, const float *, const int32_t *,
                const int32_t *, int, int, int, double, float *, float *, float *, float *) {
  return 0;
}
bool available() { return false; }
}  // namespace mono_sae

#endif

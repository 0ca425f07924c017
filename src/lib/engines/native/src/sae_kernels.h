// SAE1's two hottest loops compiled natively, bit for bit as V8 runs src/lib/protocol/sae.ts (sae_kernels.cc).
#pragma once
#include <cstdint>

namespace mono_sae {
bool available();
void preActivations(const float *dirs, const float *bEnc, const float *xc, int size, int latents, int d, float *pre);
double backward(const float *x, const float *xhat, const float *dirs, const float *scale, const float *bPre, const float *codes,
                const int32_t *active, const int32_t *counts, int size, int d, int latents, double lambda, float *gDirs,
                float *gScale, float *gEnc, float *gPre);
}  // namespace mono_sae

// The wasm engine's kernels (../../wasm/assembly/engine.as), compiled natively: the same operations on the same
// float32 values in the same order, so every run gives the same bits as the wasm engine (the browser's engine) while
// using the CPU's 256-bit vectors where an operation is element by element. Compiled with -mavx2 and without -mfma
// (and with -ffp-contract=off): a fused multiply-add rounds once where wasm rounds twice, so none may be formed.
//
// What may be widened and what may not: an element-by-element operation (y += h W2T[j], the moments, the step) gives
// the same bits at any width. A sum kept in 4 lanes (the output gradient's squared error, the backward's dot
// products, the LAMB norms) must keep wasm's 4 lanes and its order: lane l adds elements l, l + 4, l + 8, ... in turn,
// and the lanes are added at the end as engine.as adds them. Those stay 128-bit (or add a 256-bit product's two
// halves in turn). tests/lib/engines/wasm-native.test.ts checks every tensor bit for bit against the wasm engine.
//
// The layout is engine.as's: one arena, tensors laid out by the same bump allocator (64-byte aligned, same order), so
// the wrapper (../../wasm/index.ts) reads and writes it through the same addresses. The arena is reserved once and
// never moves (pages are committed as they are touched), so views of it never go stale.
#include "wasm_kernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#include <sys/mman.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <new>

namespace mono_wasm {

namespace {

inline int pad16(int n) { return (n + 15) & ~15; }
inline int pad32(int n) { return (n + 31) & ~31; }

// Constants are double literals rounded to float32, as AssemblyScript folds them (not decimal-to-float32 directly,
// which can differ in the last bit).
const float BETA1 = (float)0.9, BETA2 = (float)0.999, EPSILON = (float)1e-6;
const double MAX_WEIGHT_NORM = 10;
const float INV_SQRT2 = (float)0.7071067811865476;
const float INV_SQRT_2PI = (float)0.3989422804014327;

// exp of eight lanes, lane for lane engine.as's expv (Cephes' expf). max(lo, x) and min(hi, .) return x when it is
// NaN, as wasm's min and max do (x86's return their second operand when either is NaN).
inline __m256 expv(__m256 x0) {
  const __m256 x = _mm256_min_ps(_mm256_set1_ps((float)88.72283), _mm256_max_ps(_mm256_set1_ps((float)-87.33654), x0));
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps((float)1.44269504088896341)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_sub_ps(x, _mm256_mul_ps(n, _mm256_set1_ps((float)0.693359375)));
  r = _mm256_sub_ps(r, _mm256_mul_ps(n, _mm256_set1_ps((float)-2.12194440e-4)));
  __m256 p = _mm256_set1_ps((float)1.9875691500e-4);
  p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps((float)1.3981999507e-3));
  p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps((float)8.3334519073e-3));
  p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps((float)4.1665795894e-2));
  p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps((float)1.6666665459e-1));
  p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps((float)5.0000001201e-1));
  const __m256 er = _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(_mm256_mul_ps(p, r), r), r), _mm256_set1_ps(1));
  const __m256i pow2 = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvttps_epi32(n), _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(er, _mm256_castsi256_ps(pow2));
}

inline __m256 erfv(__m256 x) {
  const __m256 z = _mm256_and_ps(x, _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff)));
  const __m256 t = _mm256_div_ps(_mm256_set1_ps(1), _mm256_add_ps(_mm256_set1_ps(1), _mm256_mul_ps(_mm256_set1_ps((float)0.5), z)));
  __m256 p = _mm256_set1_ps((float)0.17087277);
  const double coefficients[] = {-0.82215223, 1.48851587, -1.13520398, 0.27886807, -0.18628806,
                                 0.09678418,  0.37409196, 1.00002368,  -1.26551223};
  for (double c : coefficients) p = _mm256_add_ps(_mm256_mul_ps(p, t), _mm256_set1_ps((float)c));
  const __m256 erfc = _mm256_mul_ps(t, expv(_mm256_sub_ps(p, _mm256_mul_ps(z, z))));
  const __m256 one = _mm256_set1_ps(1);
  const __m256 positive = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_GE_OQ);
  return _mm256_blendv_ps(_mm256_sub_ps(erfc, one), _mm256_sub_ps(one, erfc), positive);
}

// Lane sums as engine.as writes them: ((l0 + l1) + l2) + l3, in float32 or in float64.
inline float lanes32(__m128 v) {
  alignas(16) float l[4];
  _mm_store_ps(l, v);
  return ((l[0] + l[1]) + l[2]) + l[3];
}
inline double lanes64(__m128 v) {
  alignas(16) float l[4];
  _mm_store_ps(l, v);
  return (((double)l[0] + (double)l[1]) + (double)l[2]) + (double)l[3];
}
inline __m128 lo(__m256 v) { return _mm256_castps256_ps128(v); }
inline __m128 hi(__m256 v) { return _mm256_extractf128_ps(v, 1); }

}  // namespace

uint8_t *Kernels::arena(size_t bytes) {
  reserved = bytes;
  void *p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  base = p == MAP_FAILED ? nullptr : static_cast<uint8_t *>(p);
  return base;
}

size_t Kernels::alloc(size_t bytes) {
  if (top == 0) top = 64;  // engine.as starts at __heap_base rounded up to 64; any 64-byte-aligned start is the same
  const size_t at = top;
  top = (top + bytes + 63) & ~size_t(63);
  if (top > reserved) throw std::bad_alloc();
  return at;
}

bool Kernels::init(int n, int m, int k, int o, int task, int act) {
  N = n, M = m, K = k, O = o;
  MP = pad16(m), KP = pad16(k), OP = pad32(o), OS = OP, KS = KP + 16;
  TASK = task, ACT = act;
  SB = std::min(256, std::max(16, 65536 / OP));
  TN = std::min(KP, std::max(16, (131072 / OP) & ~15));
  HN = std::min(KP, std::max(16, (131072 / N) & ~15));
  const size_t k4 = (size_t)KP << 2, pairs = ((size_t)SB * KP) << 2;
  const size_t tensors = k4 * MP * 6 + k4 * 5 + k4 * OS * 4 + ((size_t)N * MP * 4) + ((size_t)N * OS * 4) +
                         ((size_t)N * KS * 4) + ((size_t)SB * (MP + OS + 2) * 4) + pairs * 5 + 64 * 64;
  // The batch buffers grow by doubling and are never freed (as in engine.as); 1 GiB of address space beyond the
  // tensors holds batches of tens of millions of active features.
  if (!arena(tensors + (size_t(1) << 30))) return false;
  W1 = alloc(k4 * MP); B = alloc(k4); W2T = alloc(k4 * OS);
  GW1 = alloc(k4 * MP); GB = alloc(k4); GW2T = alloc(k4 * OS);
  M1 = alloc(k4 * MP); V1 = alloc(k4 * MP); MB = alloc(k4); VB = alloc(k4); M2 = alloc(k4 * OS); V2 = alloc(k4 * OS);
  ET = alloc(((size_t)N * MP) << 2);
  if (TASK == 2) QT = alloc(((size_t)N * OS) << 2);
  W1T = alloc(k4 * MP);
  PT = alloc(((size_t)N * KS) << 2);
  PRE = alloc(64); PRE_H = alloc(64); PRE_S = alloc(64);
  XB = alloc(((size_t)SB * MP) << 2);
  YB = alloc(((size_t)SB * OS) << 2);
  ROWN = alloc((size_t)SB << 2);
  CUR = alloc((size_t)SB << 2);
  CJ = alloc(pairs); CH = alloc(pairs);
  CNT = alloc(k4);
  TS = alloc(pairs); TH = alloc(pairs); TSL = alloc(pairs);
  DPRE = alloc((size_t)SB << 2);
  FCNT = alloc(k4); FMAX = alloc(k4);
  return true;
}

void Kernels::reserveBatch(int size, int nnz) {
  if (size > batchCapacity) {
    batchCapacity = std::max(size, batchCapacity * 2);
    OFFS = alloc(((size_t)batchCapacity + 1) << 2);
  }
  if (nnz > nnzCapacity) {
    nnzCapacity = std::max(nnz, nnzCapacity * 2);
    IDX = alloc((size_t)nnzCapacity << 2);
    VAL = alloc((size_t)nnzCapacity << 2);
  }
}

void Kernels::packW1() {
  for (int j = 0; j < K; j++) {
    float *panel = f(W1T) + (size_t)(j >> 3) * MP * 8 + (j & 7);
    const float *w = f(W1) + (size_t)j * MP;
    for (int d = 0; d < MP; d++) panel[(size_t)d * 8] = w[d];
  }
}

void Kernels::computeP() {
  packW1();
  if (DIRECT) return;
  // engine.as's 4 features x 8 neurons tile (8 accumulators of 4 lanes) is 4 accumulators of 8 lanes here.
  for (int j = 0; j < KP; j += 8) {
    const float *w = f(W1T) + (size_t)(j >> 3) * MP * 8;
    int i = 0;
    for (; i + 4 <= N; i += 4) {
      const float *e = f(ET) + (size_t)i * MP;
      __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
      for (int d = 0; d < MP; d++) {
        const __m256 wd = _mm256_load_ps(w + (size_t)d * 8);
        a0 = _mm256_add_ps(a0, _mm256_mul_ps(_mm256_broadcast_ss(e + d), wd));
        a1 = _mm256_add_ps(a1, _mm256_mul_ps(_mm256_broadcast_ss(e + MP + d), wd));
        a2 = _mm256_add_ps(a2, _mm256_mul_ps(_mm256_broadcast_ss(e + 2 * MP + d), wd));
        a3 = _mm256_add_ps(a3, _mm256_mul_ps(_mm256_broadcast_ss(e + 3 * MP + d), wd));
      }
      float *p = f(PT) + (size_t)i * KS + j;
      _mm256_store_ps(p, a0);
      _mm256_store_ps(p + KS, a1);
      _mm256_store_ps(p + 2 * KS, a2);
      _mm256_store_ps(p + 3 * KS, a3);
    }
    for (; i < N; i++) {
      const float *e = f(ET) + (size_t)i * MP;
      __m256 a = _mm256_setzero_ps();
      for (int d = 0; d < MP; d++) a = _mm256_add_ps(a, _mm256_mul_ps(_mm256_broadcast_ss(e + d), _mm256_load_ps(w + (size_t)d * 8)));
      _mm256_store_ps(f(PT) + (size_t)i * KS + j, a);
    }
  }
}

inline void Kernels::appendPair(int sl, int rowCount, int j, float h, float slope) {
  const size_t r = (size_t)sl * KP + rowCount;
  ip(CJ)[r] = j;
  f(CH)[r] = h;
  const int c = ip(CNT)[j]++;
  const size_t t = (size_t)j * SB + c;
  ip(TS)[t] = sl;
  f(TH)[t] = h;
  f(TSL)[t] = slope;
}

inline void Kernels::activateDense(__m256 z, float *h, float *slope) {
  if (ACT == 1) {
    const __m256 cdf = _mm256_mul_ps(_mm256_set1_ps((float)0.5), _mm256_add_ps(_mm256_set1_ps(1), erfv(_mm256_mul_ps(z, _mm256_set1_ps(INV_SQRT2)))));
    const __m256 pdf = _mm256_mul_ps(_mm256_set1_ps(INV_SQRT_2PI), expv(_mm256_mul_ps(_mm256_set1_ps((float)-0.5), _mm256_mul_ps(z, z))));
    _mm256_store_ps(h, _mm256_mul_ps(z, cdf));
    _mm256_store_ps(slope, _mm256_add_ps(cdf, _mm256_mul_ps(z, pdf)));
  } else {
    const __m256 ez = expv(z);
    _mm256_store_ps(h, _mm256_mul_ps(z, ez));
    _mm256_store_ps(slope, _mm256_mul_ps(_mm256_add_ps(_mm256_set1_ps(1), z), ez));
  }
}

int Kernels::hiddenLayer(int s0, int nb) {
  const int32_t *offs = ip(OFFS), *idx = ip(IDX);
  const float *val = f(VAL);
  std::memset(ip(CNT), 0, (size_t)KP << 2);
  std::memset(ip(ROWN), 0, (size_t)nb << 2);
  for (int sl = 0; sl < nb; sl++) {
    float *x = f(XB) + (size_t)sl * MP;
    std::memset(x, 0, (size_t)MP << 2);
    for (int e = offs[s0 + sl]; e < offs[s0 + sl + 1]; e++) {
      const __m256 v = _mm256_set1_ps(val[e]);
      const float *row = f(ET) + (size_t)idx[e] * MP;
      for (int d = 0; d < MP; d += 8) _mm256_store_ps(x + d, _mm256_add_ps(_mm256_load_ps(x + d), _mm256_mul_ps(v, _mm256_load_ps(row + d))));
    }
  }
  int pairs = 0;
  const __m256 zero = _mm256_setzero_ps();
  float *pre = f(PRE);
  for (int t = 0; t < KP; t += HN) {
    const int tileEnd = std::min(KP, t + HN);
    for (int sl = 0; sl < nb; sl++) {
      const int e0 = offs[s0 + sl], e1 = offs[s0 + sl + 1];
      int rowCount = ip(ROWN)[sl];
      const int before = rowCount;
      for (int j = t; j < tileEnd; j += 16) {
        __m256 p0 = _mm256_load_ps(f(B) + j), p1 = _mm256_load_ps(f(B) + j + 8);
        if (DIRECT) {
          const float *xs = f(XB) + (size_t)sl * MP;
          const float *wa = f(W1T) + (size_t)(j >> 3) * MP * 8, *wb = wa + (size_t)MP * 8;
          for (int d = 0; d < MP; d++) {
            const __m256 xd = _mm256_broadcast_ss(xs + d);
            p0 = _mm256_add_ps(p0, _mm256_mul_ps(xd, _mm256_load_ps(wa + (size_t)d * 8)));
            p1 = _mm256_add_ps(p1, _mm256_mul_ps(xd, _mm256_load_ps(wb + (size_t)d * 8)));
          }
        } else {
          for (int e = e0; e < e1; e++) {
            const __m256 v = _mm256_broadcast_ss(val + e);
            const float *row = f(PT) + (size_t)idx[e] * KS + j;
            p0 = _mm256_add_ps(p0, _mm256_mul_ps(v, _mm256_load_ps(row)));
            p1 = _mm256_add_ps(p1, _mm256_mul_ps(v, _mm256_load_ps(row + 8)));
          }
        }
        _mm256_store_ps(pre, p0);
        _mm256_store_ps(pre + 8, p1);
        if (ACT == 0) {
          // Not <= 0: positive, or NaN (so that a diverged model's NaN reaches the loss), as engine.as tests it.
          unsigned mask = (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(p0, zero, _CMP_NLE_UQ)) |
                          ((unsigned)_mm256_movemask_ps(_mm256_cmp_ps(p1, zero, _CMP_NLE_UQ)) << 8);
          while (mask != 0) {
            const int l = __builtin_ctz(mask);
            mask &= mask - 1;
            appendPair(sl, rowCount++, j + l, pre[l], 1);
          }
        } else {
          float *ph = f(PRE_H), *ps = f(PRE_S);
          activateDense(p0, ph, ps);
          activateDense(p1, ph + 8, ps + 8);
          const int end = std::min(16, K - j);
          for (int l = 0; l < end; l++) appendPair(sl, rowCount++, j + l, ph[l], ps[l]);
        }
      }
      ip(ROWN)[sl] = rowCount;
      pairs += rowCount - before;
    }
  }
  return pairs;
}

void Kernels::forwardOutputs(int nb) {
  std::memset(f(YB), 0, ((size_t)nb * OS) << 2);
  std::memset(ip(CUR), 0, (size_t)nb << 2);
  const int32_t *cj = ip(CJ);
  const float *ch = f(CH), *w2t = f(W2T);
  for (int t = 0; t < KP; t += TN) {
    const int tileEnd = t + TN;
    for (int sl = 0; sl < nb; sl++) {
      const int base = sl * KP;
      const int q0 = base + ip(CUR)[sl];
      const int qEnd = base + ip(ROWN)[sl];
      int q1 = q0;
      while (q1 < qEnd && cj[q1] < tileEnd) q1++;
      ip(CUR)[sl] = q1 - base;
      if (q1 == q0) continue;
      float *y = f(YB) + (size_t)sl * OS;
      int q = q0;
      for (; q + 4 <= q1; q += 4) {
        const float *w0 = w2t + (size_t)cj[q] * OS, *w1 = w2t + (size_t)cj[q + 1] * OS;
        const float *w2 = w2t + (size_t)cj[q + 2] * OS, *w3 = w2t + (size_t)cj[q + 3] * OS;
        const __m256 h0 = _mm256_set1_ps(ch[q]), h1 = _mm256_set1_ps(ch[q + 1]);
        const __m256 h2 = _mm256_set1_ps(ch[q + 2]), h3 = _mm256_set1_ps(ch[q + 3]);
        for (int c = 0; c < OP; c += 8) {
          const __m256 sum = _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(h0, _mm256_load_ps(w0 + c)), _mm256_mul_ps(h1, _mm256_load_ps(w1 + c))),
                                           _mm256_add_ps(_mm256_mul_ps(h2, _mm256_load_ps(w2 + c)), _mm256_mul_ps(h3, _mm256_load_ps(w3 + c))));
          _mm256_store_ps(y + c, _mm256_add_ps(_mm256_load_ps(y + c), sum));
        }
      }
      for (; q < q1; q++) {
        const float *w0 = w2t + (size_t)cj[q] * OS;
        const __m256 h0 = _mm256_set1_ps(ch[q]);
        for (int c = 0; c < OP; c += 8) _mm256_store_ps(y + c, _mm256_add_ps(_mm256_load_ps(y + c), _mm256_mul_ps(h0, _mm256_load_ps(w0 + c))));
      }
    }
  }
}

double Kernels::outputGradient(int s0, int nb, float twoOverB) {
  const int32_t *offs = ip(OFFS), *idx = ip(IDX);
  const float *val = f(VAL);
  const __m128 scale = _mm_set1_ps(twoOverB);
  double total = 0;
  for (int sl = 0; sl < nb; sl++) {
    float *y = f(YB) + (size_t)sl * OS;
    for (int e = offs[s0 + sl]; e < offs[s0 + sl + 1]; e++) {
      const int i = idx[e];
      const float v = val[e];
      if (TASK == 2) {
        const __m256 vv = _mm256_set1_ps(v);
        const float *row = f(QT) + (size_t)i * OS;
        for (int c = 0; c < OP; c += 8) _mm256_store_ps(y + c, _mm256_sub_ps(_mm256_load_ps(y + c), _mm256_mul_ps(vv, _mm256_load_ps(row + c))));
      } else {
        y[i] = y[i] - (TASK == 1 ? std::fabs(v) : v);
      }
    }
    __m128 sq = _mm_setzero_ps();
    for (int c = 0; c < OP; c += 4) {
      const __m128 diff = _mm_load_ps(y + c);
      sq = _mm_add_ps(sq, _mm_mul_ps(diff, diff));
      _mm_store_ps(y + c, _mm_mul_ps(diff, scale));
    }
    total += lanes64(sq);
  }
  return total;
}

inline float Kernels::pairGradient(int q, int q0, __m128 dhLanes, float l1OverB) {
  const float dh = lanes32(dhLanes);
  const float h = f(TH)[q];
  const float sign = h > 0 ? 1.0f : h < 0 ? -1.0f : 0.0f;
  const float dpre = (dh + sign * l1OverB) * f(TSL)[q];
  f(DPRE)[q - q0] = dpre;
  return dpre;
}

void Kernels::backward(int nb, float l1OverB) {
  (void)nb;
  const int32_t *ts = ip(TS);
  const float *th = f(TH);
  for (int j = 0; j < K; j++) {
    const int count = ip(CNT)[j];
    if (count == 0) continue;
    const int q0 = j * SB, q1 = q0 + count;
    const float *w = f(W2T) + (size_t)j * OS;
    float *g = f(GW2T) + (size_t)j * OS;
    float gb = 0;
    int q = q0;
    for (; q + 4 <= q1; q += 4) {
      const float *y0 = f(YB) + (size_t)ts[q] * OS, *y1 = f(YB) + (size_t)ts[q + 1] * OS;
      const float *y2 = f(YB) + (size_t)ts[q + 2] * OS, *y3 = f(YB) + (size_t)ts[q + 3] * OS;
      const __m256 h0 = _mm256_set1_ps(th[q]), h1 = _mm256_set1_ps(th[q + 1]);
      const __m256 h2 = _mm256_set1_ps(th[q + 2]), h3 = _mm256_set1_ps(th[q + 3]);
      __m128 s0 = _mm_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
      for (int c = 0; c < OP; c += 8) {
        const __m256 wc = _mm256_load_ps(w + c);
        const __m256 d0 = _mm256_load_ps(y0 + c), d1 = _mm256_load_ps(y1 + c), d2 = _mm256_load_ps(y2 + c), d3 = _mm256_load_ps(y3 + c);
        // The dot products keep wasm's four lanes: the low half of the eight products, then the high half.
        const __m256 p0 = _mm256_mul_ps(wc, d0), p1 = _mm256_mul_ps(wc, d1), p2 = _mm256_mul_ps(wc, d2), p3 = _mm256_mul_ps(wc, d3);
        s0 = _mm_add_ps(_mm_add_ps(s0, lo(p0)), hi(p0));
        s1 = _mm_add_ps(_mm_add_ps(s1, lo(p1)), hi(p1));
        s2 = _mm_add_ps(_mm_add_ps(s2, lo(p2)), hi(p2));
        s3 = _mm_add_ps(_mm_add_ps(s3, lo(p3)), hi(p3));
        const __m256 sum = _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(h0, d0), _mm256_mul_ps(h1, d1)), _mm256_add_ps(_mm256_mul_ps(h2, d2), _mm256_mul_ps(h3, d3)));
        _mm256_store_ps(g + c, _mm256_add_ps(_mm256_load_ps(g + c), sum));
      }
      const float a = pairGradient(q, q0, s0, l1OverB);
      gb += a + pairGradient(q + 1, q0, s1, l1OverB);
      const float b = pairGradient(q + 2, q0, s2, l1OverB);
      gb += b + pairGradient(q + 3, q0, s3, l1OverB);
    }
    for (; q < q1; q++) {
      const float *dy = f(YB) + (size_t)ts[q] * OS;
      const __m256 hv = _mm256_set1_ps(th[q]);
      // engine.as: two accumulators over 32-byte steps, s0 on the first 16 bytes of each, s1 on the second.
      __m128 s0 = _mm_setzero_ps(), s1 = s0;
      for (int c = 0; c < OP; c += 8) {
        const __m256 d = _mm256_load_ps(dy + c);
        const __m256 p = _mm256_mul_ps(_mm256_load_ps(w + c), d);
        s0 = _mm_add_ps(s0, lo(p));
        s1 = _mm_add_ps(s1, hi(p));
        _mm256_store_ps(g + c, _mm256_add_ps(_mm256_load_ps(g + c), _mm256_mul_ps(hv, d)));
      }
      gb += pairGradient(q, q0, _mm_add_ps(s0, s1), l1OverB);
    }
    f(GB)[j] = f(GB)[j] + gb;
    float *gw = f(GW1) + (size_t)j * MP;
    const float *dpre = f(DPRE);
    for (int c = 0; c < MP; c += 16) {
      __m256 a0 = _mm256_load_ps(gw + c), a1 = _mm256_load_ps(gw + c + 8);
      for (int r = q0; r < q1; r++) {
        const __m256 dp = _mm256_set1_ps(dpre[r - q0]);
        const float *x = f(XB) + (size_t)ts[r] * MP + c;
        a0 = _mm256_add_ps(a0, _mm256_mul_ps(dp, _mm256_load_ps(x)));
        a1 = _mm256_add_ps(a1, _mm256_mul_ps(dp, _mm256_load_ps(x + 8)));
      }
      _mm256_store_ps(gw + c, a0);
      _mm256_store_ps(gw + c + 8, a1);
    }
  }
}

void Kernels::choosePreactivation(int batchSize) {
  const int nnz = ip(OFFS)[batchSize] - ip(OFFS)[0];
  DIRECT = PREACTIVATION == 0 ? 2 * ((int64_t)batchSize * MP) < (int64_t)N * MP + 2 * (int64_t)nnz : PREACTIVATION == 2;
}

void Kernels::firingStats(int batchSize) {
  std::memset(ip(FCNT), 0, (size_t)KP << 2);
  std::memset(f(FMAX), 0, (size_t)KP << 2);
  choosePreactivation(batchSize);
  computeP();
  for (int s0 = 0; s0 < batchSize; s0 += SB) {
    const int nb = std::min(SB, batchSize - s0);
    hiddenLayer(s0, nb);
    for (int j = 0; j < K; j++) {
      const int count = ip(CNT)[j];
      if (count == 0) continue;
      ip(FCNT)[j] += count;
      float top = f(FMAX)[j];
      const int q0 = j * SB;
      // AssemblyScript's max of f32 is wasm's f32.max: NaN if either is NaN.
      for (int q = q0; q < q0 + count; q++) {
        const float h = f(TH)[q];
        top = std::isnan(top) || std::isnan(h) ? NAN : std::max(top, h);
      }
      f(FMAX)[j] = top;
    }
  }
}

double Kernels::forwardBackward(int batchSize, float l1) {
  choosePreactivation(batchSize);
  computeP();
  const float twoOverB = 2.0f / (float)batchSize;
  const float l1OverB = l1 / (float)batchSize;
  double loss = 0;
  activePairs = 0;
  for (int s0 = 0; s0 < batchSize; s0 += SB) {
    const int nb = std::min(SB, batchSize - s0);
    const int pairs = hiddenLayer(s0, nb);
    activePairs += (double)pairs;
    if (pairs > 0) forwardOutputs(nb);
    else std::memset(f(YB), 0, ((size_t)nb * OS) << 2);
    loss += outputGradient(s0, nb, twoOverB);
    if (pairs > 0) backward(nb, l1OverB);
  }
  return loss / (double)batchSize;
}

void Kernels::lambTensor(size_t wAt, size_t gAt, size_t mAt, size_t vAt, int count, float lr) {
  float *w = f(wAt), *g = f(gAt), *mo = f(mAt), *ve = f(vAt);
  const __m256 b1 = _mm256_set1_ps(BETA1), c1 = _mm256_set1_ps(1.0f - BETA1);
  const __m256 b2 = _mm256_set1_ps(BETA2), c2 = _mm256_set1_ps(1.0f - BETA2);
  const __m256 eps = _mm256_set1_ps(EPSILON);
  double weightSq = 0, stepSq = 0;
  for (int i0 = 0; i0 < count; i0 += 4096) {
    const int i1 = std::min(count, i0 + 4096);
    __m128 ws = _mm_setzero_ps(), ss = ws;
    int i = i0;
    for (; i + 8 <= i1; i += 8) {
      const __m256 gi = _mm256_load_ps(g + i);
      const __m256 mi = _mm256_add_ps(_mm256_mul_ps(_mm256_load_ps(mo + i), b1), _mm256_mul_ps(gi, c1));
      const __m256 vi = _mm256_add_ps(_mm256_mul_ps(_mm256_load_ps(ve + i), b2), _mm256_mul_ps(_mm256_mul_ps(gi, gi), c2));
      _mm256_store_ps(mo + i, mi);
      _mm256_store_ps(ve + i, vi);
      const __m256 step = _mm256_div_ps(mi, _mm256_add_ps(_mm256_sqrt_ps(vi), eps));
      _mm256_store_ps(g + i, step);
      const __m256 wi = _mm256_load_ps(w + i);
      const __m256 w2 = _mm256_mul_ps(wi, wi), s2 = _mm256_mul_ps(step, step);
      ws = _mm_add_ps(_mm_add_ps(ws, lo(w2)), hi(w2));
      ss = _mm_add_ps(_mm_add_ps(ss, lo(s2)), hi(s2));
    }
    for (; i < i1; i += 4) {  // a tail of 4 (counts are multiples of 4)
      const __m128 gi = _mm_load_ps(g + i);
      const __m128 mi = _mm_add_ps(_mm_mul_ps(_mm_load_ps(mo + i), lo(b1)), _mm_mul_ps(gi, lo(c1)));
      const __m128 vi = _mm_add_ps(_mm_mul_ps(_mm_load_ps(ve + i), lo(b2)), _mm_mul_ps(_mm_mul_ps(gi, gi), lo(c2)));
      _mm_store_ps(mo + i, mi);
      _mm_store_ps(ve + i, vi);
      const __m128 step = _mm_div_ps(mi, _mm_add_ps(_mm_sqrt_ps(vi), lo(eps)));
      _mm_store_ps(g + i, step);
      const __m128 wi = _mm_load_ps(w + i);
      ws = _mm_add_ps(ws, _mm_mul_ps(wi, wi));
      ss = _mm_add_ps(ss, _mm_mul_ps(step, step));
    }
    weightSq += lanes64(ws);
    stepSq += lanes64(ss);
  }
  const double weightNorm = std::min(std::sqrt(weightSq), MAX_WEIGHT_NORM);
  const double stepNorm = std::sqrt(stepSq);
  const double trust = weightNorm == 0 || stepNorm == 0 ? 1 : weightNorm / stepNorm;
  const float scale1 = (float)((double)lr * trust);
  const __m256 scale = _mm256_set1_ps(scale1);
  int i = 0;
  for (; i + 8 <= count; i += 8) {
    _mm256_store_ps(w + i, _mm256_sub_ps(_mm256_load_ps(w + i), _mm256_mul_ps(_mm256_load_ps(g + i), scale)));
    _mm256_store_ps(g + i, _mm256_setzero_ps());
  }
  for (; i < count; i++) {
    w[i] = w[i] - g[i] * scale1;
    g[i] = 0;
  }
}

void Kernels::lamb(float lr, float biasDecay) {
  lambTensor(W1, GW1, M1, V1, K * MP, lr);
  lambTensor(B, GB, MB, VB, KP, lr);
  lambTensor(W2T, GW2T, M2, V2, KP * OS, lr);
  if (biasDecay != 1) {
    float *b = f(B);
    for (int j = 0; j < KP; j++) b[j] = b[j] * biasDecay;
  }
}

bool available() { return __builtin_cpu_supports("avx2"); }

}  // namespace mono_wasm

#else  // not x86: the kernels are not compiled; available() says so and the wrapper uses the wasm engine itself

namespace mono_wasm {
bool available() { return false; }
bool Kernels::init(int, int, int, int, int, int) { return false; }
void Kernels::reserveBatch(int, int) {}
double Kernels::forwardBackward(int, float) { return 0; }
void Kernels::lamb(float, float) {}
void Kernels::firingStats(int) {}
}  // namespace mono_wasm

#endif

// The wasm engine's kernels compiled natively (wasm_kernels.cc): one run's tensors in an arena laid out as
// engine.as lays out its linear memory, and the same exported operations.
#pragma once
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#else
typedef float __m256 __attribute__((vector_size(32)));
typedef float __m128 __attribute__((vector_size(16)));
#endif

#include <cstddef>
#include <cstdint>

namespace mono_wasm {

/** True when this CPU can run the kernels (they are compiled for AVX2). */
bool available();

class Kernels {
 public:
  /** engine.as's init: sizes, options and every tensor's place. False when the arena cannot be reserved. */
  bool init(int n, int m, int k, int o, int task, int act);
  void reserveBatch(int size, int nnz);
  double forwardBackward(int batchSize, float l1);
  void lamb(float lr, float biasDecay);
  void firingStats(int batchSize);
  void setPreactivation(int mode) { PREACTIVATION = mode; }

  uint8_t *base = nullptr;  // the arena (unmapped by the finalizer of the ArrayBuffer over it, not here); addresses below are byte offsets into it, as in wasm's linear memory
  size_t reserved = 0;
  int MP = 0, KP = 0, OS = 0;
  size_t W1 = 0, B = 0, W2T = 0, GW1 = 0, GB = 0, GW2T = 0, ET = 0, QT = 0, OFFS = 0, IDX = 0, VAL = 0, FCNT = 0, FMAX = 0;
  double activePairs = 0;

 private:
  int N = 0, M = 0, K = 0, O = 0, OP = 0, KS = 0, TASK = 0, ACT = 0, SB = 0, TN = 0, HN = 0;
  size_t M1 = 0, V1 = 0, MB = 0, VB = 0, M2 = 0, V2 = 0, W1T = 0, PT = 0, PRE = 0, PRE_H = 0, PRE_S = 0, XB = 0,
         YB = 0, ROWN = 0, CUR = 0, CJ = 0, CH = 0, CNT = 0, TS = 0, TH = 0, TSL = 0, DPRE = 0;
  int batchCapacity = 0, nnzCapacity = 0;
  bool DIRECT = false;
  int PREACTIVATION = 0;
  size_t top = 0;

  float *f(size_t at) const { return reinterpret_cast<float *>(base + at); }
  int32_t *ip(size_t at) const { return reinterpret_cast<int32_t *>(base + at); }
  uint8_t *arena(size_t bytes);
  size_t alloc(size_t bytes);
  void packW1();
  void computeP();
  void appendPair(int sl, int rowCount, int j, float h, float slope);
  void activateDense(__m256 z, float *h, float *slope);
  int hiddenLayer(int s0, int nb);
  void forwardOutputs(int nb);
  double outputGradient(int s0, int nb, float twoOverB);
  float pairGradient(int q, int q0, __m128 dhLanes, float l1OverB);
  void backward(int nb, float l1OverB);
  void choosePreactivation(int batchSize);
  void lambTensor(size_t w, size_t g, size_t m, size_t v, int count, float lr);
};

}  // namespace mono_wasm

// The native engine's shared types: one run's tensors and scratch (Model) and the table of kernels compiled once per
// instruction set (kernels.inc, built three times: AVX-512, AVX2+FMA, baseline x86-64), picked at run time.
#pragma once
#include <cstddef>
#include <cstdint>

namespace mono {

// Every row stride is a multiple of 64 floats so that the 4-vector register tiles of kernels.inc need no remainder
// code; padded entries are zero and stay zero through the step and the optimiser.
constexpr int TILE = 64;
// n rounded up to a multiple of `to` (padded strides and counts).
static inline int pad(int n, int to) { return (n + to - 1) / to * to; }
// Samples per work item of the forward/backward phase: a fixed partition of the batch, independent of thread count.
constexpr int BLOCK = 64;
// Neurons per work item of the gradient phase (a multiple of 4 that divides TILE).
constexpr int NEURONS = 64;
static_assert(NEURONS == TILE, "the gradient phase sums grad b as one 64-float row per sample");
// Samples per span of the gradient phase at 512 outputs (proportionally more for fewer outputs): 512 KB of dy.
constexpr int PANEL_SPAN = 256;
// Rows of P^T per work item: each 16 KB panel of W1T is loaded into L1 once for all of them.
constexpr int PT_ROWS = 32;
// Busy neurons per register tile of the gradient phase's busyRows (6 rows by 2 vectors fill 16 registers).
constexpr int BUSY_ROWS = 6;
// Each LAMB tensor is cut into this many fixed chunks whose partial norms are summed in order (thread-independent).
constexpr int LAMB_CHUNKS = 16;
// How a 4-sample tile is computed (Model::tileDense bits, see prepare in kernels.inc).
constexpr uint8_t TILED_FORWARD = 1;
constexpr uint8_t DENSE_BACKWARD = 2;
constexpr uint8_t PAIRED_FORWARD = 4;  // the tiled forward as two 2-sample tiles (AVX-512 only)

// The step's kernels, for the bench's per-kernel report: the time each took and the work it did, tallied only while
// Model::profile is set (a few profiled steps after the bench's timed ones; never in a run, where the marks cost a
// branch each). Work is FLOP as issued (2 per multiply-add, a register tile's products by zero included; the
// pair-by-pair dot products without the repeats that pad their last group of 4), or bytes moved for K_UPDATE.
enum Kernel {
  K_PT,                // P^T = E^T W1^T, once a step (batches large enough to go through it)
  K_INPUTS,            // x = E v, pre-activations (gathered from P^T or a dense product), activations, bitmaps
  K_FORWARD_TILES,     // y = W2 h on a 4-sample tile's union of neurons, in register tiles
  K_FORWARD_ROWS,      // y = W2 h of a sample on its own neurons, row by row
  K_BACKWARD_DENSE,    // dh = W2^T dy as a dense product, for the tiles with many active pairs
  K_BACKWARD_PAIRS,    // dh of each active pair: its own dot product, or a register tile of the shared neurons
  K_GRADIENT_TILES,    // grad W2, W1 in register tiles: 4-neuron tiles on their union of samples, busy neurons' tiles
  K_GRADIENT_ROWS,     // grad W2, W1 row by row, and the deferred neurons' dh in the same pass over dy
  K_BOOKKEEPING,       // lists, gathers of coefficients, dy = 2 (y - target) / B, grad b, zeroing
  K_UPDATE,            // LAMB's two sweeps and the weights' transposed and panelled copies (bytes)
  KERNEL_COUNT
};
struct KernelTally {
  double seconds[KERNEL_COUNT] = {};
  double work[KERNEL_COUNT] = {};
};

struct Model {
  int n, m, k, o;       // features, embedding dims, hidden neurons, outputs
  int mp, kp, op;       // padded strides of m, k, o
  int task;             // 0 decoder, 1 abs, 2 re-projector
  int act;              // 0 relu, 1 gelu, 2 x exp(x)
  // Parameters (padded layouts) and their gradients and LAMB moments in the same layouts.
  float *w1;            // kp x mp (a neuron's input weights are one row)
  float *w1t;           // W1 transposed in 64-neuron panels (panel c, input d: the 64 floats at w1t + 64 (c MP + d)),
                        // rebuilt after every update, for the pre-activation products: a panel is 16 KB that stays in
                        // L1, where rows of a plain transpose 4 KB apart would all fall in the same cache set
  float *b;             // kp
  float *w2t;           // kp x op, W2 transposed (a neuron's output weights are one row)
  float *w2;            // W2 itself in 64-neuron panels (panel c, output q: the 64 floats at w2 + (64 c OP + 64 q)), for
                        // the backward product: each panel's rows are contiguous, so a 128-row block of it is 32 KB
                        // that stays in L1 (rows 4 KB apart would all fall in the same few cache sets)
  float *w2tp;          // W2T in 64-output panels (panel c, neuron j: w2tp + (64 c KP + 64 j)), for the forward tiles
  int w2tpFresh;        // whether w2tp is current (built when most tiles take the tiled forward; else they read w2t)
  float *gw1, *gb, *gw2t;
  float *m1, *v1, *mb, *vb, *m2, *v2;
  float *et;            // n x mp: the embedder transposed, feature i's direction is row i
  float *pt;            // n x kp: P^T = (W1 E)^T, when the step computes pre-activations through it (usePT)
  int usePT;
  float *qt;            // n x op: the re-projector's Q transposed (that task only)
  // Per step (capacity grows with the batch): inputs, activations, slopes, d objective / d pre, outputs then dy.
  int cap;              // rows allocated (a multiple of BLOCK)
  float *x, *h, *s, *dp, *y;  // s: act'(pre), smooth activations only (null for ReLU)
  double *sampleLoss;   // per sample, summed in order afterwards
  int64_t *blockPairs;  // per block, active (sample, neuron) pairs
  uint64_t *mask;       // per sample, one bit per neuron with h != 0 (kp / 64 words): the lists are read off it
  uint8_t *tileDense;   // per 4-sample tile: 1 when it takes the dense products (decided by its data alone)
  // Neurons whose pair-by-pair backward (d pre of a sample where it fired, in a tile without the dense backward) the
  // gradient phase computes instead of the block, one bit per neuron: there the neuron's W2T row is loaded once for
  // all its samples of a span, where the block loads it again for every pair. The sum is the same term for term either
  // way, so the choice (by how often each neuron fired in the previous step, neuronPairs) changes no number.
  uint64_t *deferMask;
  int *neuronPairs;     // per neuron, the pairs where it fired in the last step (written by the gradient phase)
  int *tileUnion;       // per 4-neuron tile, the samples where one of its neurons fired in the last step (likewise)
  // The step's busy neurons, one bit per neuron: ReLU neurons that fired in at least half the last step's samples,
  // in a tile of 4 that the gradient phase went through row by row. Their gradient rows go by busyRows, in tiles of
  // BUSY_ROWS of them, instead of inside their 64-neuron item; the sums are the same either way.
  uint64_t *busyMask;
  // Makes md.w2 current (rebuilding it from w2t if an update made it stale); thread-safe, called by a block whose
  // tiles take the dense backward product. w2 is a function of w2t alone, so when it is rebuilt changes nothing.
  void (*needW2)(Model &md);
  // Per-kernel tallies (profiled steps only): a work item's own tally goes to the engine's when the item ends.
  int profile;
  void (*addTally)(Model &md, const KernelTally &tally);
  void *owner;
  // The batch being processed (borrowed from the caller for the duration of one call).
  int size;
  const int32_t *offs, *idx;
  const float *val;
  float twoOverB, l1OverB;
};

struct Kernels {
  const char *isa;
  // Forward and backward of samples [s0, s0 + BLOCK) (rows past the batch are padding and give nothing).
  void (*block)(Model &md, int s0);
  // Gradients of neurons [j0, j0 + NEURONS) over samples [s0, s1), added to the sums of the spans before s0.
  void (*neurons)(Model &md, int j0, int s0, int s1);
  // Gradient rows of the busy neurons js[0..rows) (rows <= BUSY_ROWS) over samples [s0, s1), likewise.
  void (*busyRows)(Model &md, const int *js, int rows, int s0, int s1);
  // LAMB first sweep over [i0, i1): moments, the Adam step written over the gradient, squared norms.
  void (*lambMoments)(float *w, float *g, float *m, float *v, size_t i0, size_t i1, double *weightSq, double *stepSq);
  // LAMB second sweep: w -= scale * step.
  void (*lambApply)(float *w, const float *g, size_t i0, size_t i1, float scale);
  // Rows [i0, i0 + PT_ROWS) of P^T = E^T W1^T, clipped to n rounded up to 4 (i0 a multiple of PT_ROWS).
  void (*computePT)(Model &md, int i0);
  // Pre-activations only, for firing statistics: fills md.h with pre (not activated) for the block.
  void (*preOnly)(Model &md, int s0);
  // `iterations` rounds of independent vector multiply-adds on one core; returns the FLOP done (for the peak probe).
  double (*fmaProbe)(long iterations);
};

extern const Kernels kernelsAvx512;
extern const Kernels kernelsAvx2;
extern const Kernels kernelsBase;

}  // namespace mono

// One run of the native engine: its tensors (Model), a small persistent thread pool, and the step's phases in order.
// The arithmetic lives in kernels.inc; this decides which instruction set runs it (at load time, by what the CPU
// reports) and hands out the work items (fixed partitions of the batch, the neurons and the LAMB tensors) to threads.
#pragma once
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <sys/mman.h>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "kernels.h"

namespace mono {

static const Kernels &pickKernels() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
    return kernelsAvx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return kernelsAvx2;
#endif
  return kernelsBase;
}

static const Kernels *selectedKernels() {
  // MONO_NATIVE_ISA=avx2|generic forces a narrower set (for tests and comparisons); never a wider one.
  static const Kernels *chosen = [] {
    const Kernels *best = &pickKernels();
    const char *force = std::getenv("MONO_NATIVE_ISA");
    if (force && std::string(force) == "generic") return &kernelsBase;
    if (force && std::string(force) == "avx2" && best != &kernelsBase) return &kernelsAvx2;
    return best;
  }();
  return chosen;
}

// Workers wait on a condition variable; each parallel region hands out item indices from an atomic counter, and the
// caller's thread works too. Who runs an item never changes what it computes. A step has 5 or 6 regions a few hundred
// microseconds apart, so waiters first spin briefly (SPIN_SECONDS) before sleeping: a sleeping thread takes tens of
// microseconds to wake, which at batch 1024 on 2 threads (5 ms a step) would be several percent of the step.
class Pool {
 public:
  explicit Pool(int threads) {
    for (int i = 1; i < threads; i++) workers_.emplace_back([this] { loop(); });
  }
  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    wake_.notify_all();
    for (auto &t : workers_) t.join();
  }
  int threads() const { return (int)workers_.size() + 1; }
  void run(int items, const std::function<void(int)> &job) {
    if (workers_.empty() || items <= 1) {
      for (int i = 0; i < items; i++) job(i);
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      job_ = &job;
      total_ = items;
      next_.store(0);
      busy_.store((int)workers_.size());
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    work(job, items);
    spinWhile([this] { return busy_.load(std::memory_order_acquire) != 0; });
    std::unique_lock<std::mutex> lock(mu_);
    done_.wait(lock, [this] { return busy_.load() == 0; });
    job_ = nullptr;
  }

 private:
  static constexpr double SPIN_SECONDS = 50e-6;
  // Spins while cond() holds, for at most SPIN_SECONDS (the caller then sleeps on a condition variable).
  template <typename F>
  static void spinWhile(F &&cond) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(SPIN_SECONDS);
    for (int n = 0; cond(); n++) {
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
      if (n % 64 == 63 && std::chrono::steady_clock::now() > until) return;
    }
  }
  void work(const std::function<void(int)> &job, int total) {
    for (int i; (i = next_.fetch_add(1)) < total;) job(i);
  }
  void loop() {
    long seen = 0;
    for (;;) {
      spinWhile([&] { return generation_.load(std::memory_order_acquire) == seen; });
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait(lock, [&] { return stop_ || generation_.load() != seen; });
      if (stop_) return;
      seen = generation_.load();
      const std::function<void(int)> *job = job_;
      const int total = total_;
      lock.unlock();
      work(*job, total);
      // The last worker out tells a caller that went to sleep (under the mutex, so the wake-up cannot be lost).
      if (busy_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        std::lock_guard<std::mutex> relock(mu_);
        done_.notify_one();
      }
    }
  }
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable wake_, done_;
  const std::function<void(int)> *job_ = nullptr;
  std::atomic<int> next_{0}, busy_{0};
  int total_ = 0;
  std::atomic<long> generation_{0};
  bool stop_ = false;
};

static float *zeros(size_t count) {
  // Big arrays (the batch's h, d pre, dy at 4 KB a row) are read across rows, a page per row: on 2 MB pages (when
  // the kernel grants them) those reads stop missing the TLB.
  const size_t huge = 2 << 20, align = count * sizeof(float) >= 2 * huge ? huge : 64;
  const size_t bytes = std::max<size_t>(64, (count * sizeof(float) + align - 1) / align * align);
  void *p = std::aligned_alloc(align, bytes);
  if (!p) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
  if (align == huge) madvise(p, bytes, MADV_HUGEPAGE);
#endif
  std::memset(p, 0, bytes);
  return static_cast<float *>(p);
}

// The step's phases, for the bench's breakdown (seconds summed since the engine was made; two clock reads a phase).
enum Phase { PHASE_PT, PHASE_COPIES, PHASE_BLOCKS, PHASE_NEURONS, PHASE_LAMB, PHASES };

struct Engine {
  Model md{};
  const Kernels *kern = selectedKernels();
  Pool *pool;
  std::vector<float *> owned;
  double activePairs = 0;
  double phaseSeconds[PHASES] = {};
  // Per-kernel tallies summed over the profiled steps (md.profile); work items add theirs under the mutex.
  KernelTally kernelTally;
  std::mutex tallyMutex;
  static void addTally(Model &md, const KernelTally &t) {
    Engine &e = *static_cast<Engine *>(md.owner);
    std::lock_guard<std::mutex> lock(e.tallyMutex);
    for (int k = 0; k < KERNEL_COUNT; k++) {
      e.kernelTally.seconds[k] += t.seconds[k];
      e.kernelTally.work[k] += t.work[k];
    }
  }
  // Times fn() into phase p and, on a profiled step, into kernel k (with `work`) when k is not KERNEL_COUNT.
  template <typename F>
  void timed(Phase p, F &&fn, Kernel k = KERNEL_COUNT, double work = 0) {
    const auto t0 = std::chrono::steady_clock::now();
    fn();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    phaseSeconds[p] += seconds;
    if (md.profile && k != KERNEL_COUNT) {
      // Thread-seconds, as the work items' own tallies are: the region keeps every thread of the pool busy.
      kernelTally.seconds[k] += seconds * pool->threads();
      kernelTally.work[k] += work;
    }
  }

  float *alloc(size_t count) {
    owned.push_back(zeros(count));
    return owned.back();
  }

  Engine(int n, int m, int k, int o, int task, int act, int threads) : pool(new Pool(threads)) {
    md.needW2 = needW2;
    md.addTally = addTally;
    md.owner = this;
    md.n = n; md.m = m; md.k = k; md.o = o;
    md.mp = pad(m, TILE); md.kp = pad(k, TILE); md.op = pad(o, TILE);
    md.task = task; md.act = act;
    const size_t KP = md.kp, MP = md.mp, OP = md.op;
    md.w1 = alloc(KP * MP); md.w1t = alloc(MP * KP); md.b = alloc(KP); md.w2t = alloc(KP * OP); md.w2 = alloc(OP * KP); md.w2tp = alloc(KP * OP);
    md.gw1 = alloc(KP * MP); md.gb = alloc(KP); md.gw2t = alloc(KP * OP);
    md.m1 = alloc(KP * MP); md.v1 = alloc(KP * MP); md.mb = alloc(KP); md.vb = alloc(KP);
    md.m2 = alloc(KP * OP); md.v2 = alloc(KP * OP);
    md.et = alloc((size_t)pad(n, 4) * MP);
    md.pt = alloc((size_t)pad(n, 4) * KP);
    md.qt = task == 2 ? alloc((size_t)n * OP) : nullptr;
    md.deferMask = reinterpret_cast<uint64_t *>(alloc(KP / 64 * 2));
    md.neuronPairs = reinterpret_cast<int *>(alloc(KP));
    md.tileUnion = reinterpret_cast<int *>(alloc(KP / 4));
    md.busyMask = reinterpret_cast<uint64_t *>(alloc(KP / 64 * 2));
  }

  ~Engine() {
    delete pool;
    for (float *p : owned) std::free(p);
    freeBatch();
  }

  void freeBatch() {
    std::free(md.x); std::free(md.h); std::free(md.s); std::free(md.dp); std::free(md.y);
    std::free(md.sampleLoss); std::free(md.blockPairs); std::free(md.tileDense); std::free(md.mask);
    md.x = md.h = md.s = md.dp = md.y = nullptr;
    md.sampleLoss = nullptr;
    md.blockPairs = nullptr;
    md.tileDense = nullptr;
    md.mask = nullptr;
    md.cap = 0;
  }

  void reserve(int size) {
    if (size <= md.cap) return;
    freeBatch();
    const size_t cap = pad(std::max(size, 1), BLOCK);
    md.x = zeros(cap * md.mp); md.h = zeros(cap * md.kp);
    md.s = md.act != 0 ? zeros(cap * md.kp) : nullptr;  // ReLU's slope is read off h
    md.dp = zeros(cap * md.kp); md.y = zeros(cap * md.op);
    md.sampleLoss = reinterpret_cast<double *>(zeros(cap * 2));
    md.blockPairs = reinterpret_cast<int64_t *>(zeros(cap / BLOCK * 2));
    md.tileDense = reinterpret_cast<uint8_t *>(zeros(cap / 4));
    md.mask = reinterpret_cast<uint64_t *>(zeros(cap * (md.kp / 64) * 2));
    md.cap = (int)cap;
  }

  void setThreads(int threads) {
    if (threads == pool->threads()) return;
    delete pool;
    pool = new Pool(threads);
  }

  // W2 (untransposed) is only read by dense tiles' backward product, so it is rebuilt from W2T on demand: before the
  // step's blocks when the last step needed it (in parallel), else by the first block that asks (md.needW2).
  int lastSize = 0;  // samples of the last step, 0 before the first (for md.deferMask)
  std::vector<int> busy;  // the step's busy neurons (md.busyMask) in ascending order
  std::atomic<bool> w2Fresh{false};
  bool w2Wanted = false;
  std::mutex w2Mutex;

  // W1 rows [j0, j1) into W1T, in 16 x 16 blocks: element by element, every write of a W1 row lands in another W1T row
  // 4 KB away (a cache line and a TLB entry each): the LAMB phase, which ends with this copy, took 0.84 ms a step at
  // k = 1024 that way, 0.38 in blocks.
  void transposeW1Rows(int j0, int j1) {
    for (int jb = j0; jb < std::min(md.k, j1); jb += 16)
      for (int d0 = 0; d0 < md.m; d0 += 16)
        for (int d = d0; d < std::min(md.m, d0 + 16); d++)
          for (int j = jb; j < std::min({md.k, j1, jb + 16}); j++) md.w1t[((size_t)(j / TILE) * md.mp + d) * TILE + j % TILE] = md.w1[(size_t)j * md.mp + d];
  }
  // W2T rows [j0, j1) into 64-output panel c of md.w2tp.
  void copyW2TPanel(int c, int j0, int j1) {
    float *panel = md.w2tp + (size_t)c * TILE * md.kp;
    for (int j = j0; j < std::min(md.k, j1); j++) std::memcpy(panel + (size_t)j * TILE, md.w2t + (size_t)j * md.op + c * TILE, sizeof(float) * TILE);
  }
  // W2T rows [j0, j1) into every panel.
  void copyW2TPanelRows(int j0, int j1) {
    for (int c = 0; c < md.op / TILE; c++) copyW2TPanel(c, j0, j1);
  }

  // The transposed copy of W1 that the pre-activation product reads; W2 and the panelled W2T become stale.
  void rebuildCopies() {
    transposeW1Rows(0, md.k);
    w2Fresh = false;
    md.w2tpFresh = 0;
  }

  // W2T in 64-output panels, for steps whose tiles mostly take the tiled forward (dense ones): there, 128 rows of
  // a panel are 32 KB in L1, where rows of W2T 2 KB apart would share a few cache sets. Sparse steps skip the copy.
  // LAMB's apply items refresh the panels as they update W2T when the last step wanted them; otherwise (a first step,
  // a change of regime, parameters written from outside) they are rebuilt here, before the blocks that read them.
  bool w2tpWanted = false;
  void rebuildW2TPanels() {
    pool->run(md.op / TILE, [this](int c) { copyW2TPanel(c, 0, md.k); });
    md.w2tpFresh = 1;
  }

  // Neurons [16 i, 16 i + 16) of the panelled W2 (kernels.h) from W2T, in 16 x 16 blocks.
  void rebuildW2Rows(int i) {
    const int j0 = i * 16;
    float *panel = md.w2 + (size_t)(j0 / TILE) * TILE * md.op;
    for (int o0 = 0; o0 < md.o; o0 += 16)
      for (int j = j0; j < j0 + 16; j++)
        for (int q = o0; q < std::min(md.o, o0 + 16); q++) panel[(size_t)q * TILE + j % TILE] = md.w2t[(size_t)j * md.op + q];
  }

  static void needW2(Model &md) {
    Engine &e = *static_cast<Engine *>(md.owner);
    if (e.w2Fresh) return;
    std::lock_guard<std::mutex> lock(e.w2Mutex);
    if (e.w2Fresh) return;
    for (int i = 0; i < md.kp / 16; i++) e.rebuildW2Rows(i);
    e.w2Fresh = true;
  }

  void bindBatch(int size, const int32_t *offs, const int32_t *idx, const float *val) {
    reserve(size);
    md.size = size;
    md.offs = offs;
    md.idx = idx;
    md.val = val;
    // Through P costs n k m once plus nnz k, directly size k m; the P product is a register tile at about twice the
    // speed of the gathers, hence the factor. Decided by sizes alone, so any thread count takes the same path.
    const int64_t nnz = offs[size] - offs[0];
    md.usePT = 2 * (int64_t)size * md.m > (int64_t)md.n * md.m + 2 * nnz;
    if (md.usePT)
      timed(PHASE_PT, [this] { pool->run((pad(md.n, 4) + PT_ROWS - 1) / PT_ROWS, [this](int i) { kern->computePT(md, PT_ROWS * i); }); }, K_PT,
            2.0 * pad(md.n, 4) * md.kp * md.m);
  }

  // Loss of the bound batch; gradients land in gw1, gb, gw2t.
  double forwardBackward(float l1) {
    const int size = md.size;
    md.twoOverB = 2.0f / (float)size;
    md.l1OverB = l1 / (float)size;
    const int blocks = (size + BLOCK - 1) / BLOCK;
    // Defer the backward of the ReLU neurons that fired in under a quarter of the last step's samples (none on a
    // first step): their pairs are mostly alone in their tiles, each one a W2T row read from L2 for one dot product.
    for (int w = 0; w < md.kp / 64; w++) {
      uint64_t bits = 0;
      for (int b = 0; b < 64; b++)
        if (md.act == 0 && lastSize > 0 && 64 * w + b < md.k && 4 * md.neuronPairs[64 * w + b] < lastSize) bits |= 1ull << b;
      md.deferMask[w] = bits;
    }
    // The busy neurons (md.busyMask), by the last step's counts too: a ReLU neuron that fired in at least half its
    // samples, in a tile of 4 whose pairs were under twice its union (the gradient phase went through it row by
    // row). In a converged model these are the always-on neurons. None is deferred (those fired in under a quarter).
    busy.clear();
    for (int w = 0; w < md.kp / 64; w++) md.busyMask[w] = 0;
    for (int j = 0; md.act == 0 && lastSize > 0 && j < md.k; j++) {
      const int q = j / 4;
      const int tilePairs = md.neuronPairs[4 * q] + md.neuronPairs[4 * q + 1] + md.neuronPairs[4 * q + 2] + md.neuronPairs[4 * q + 3];
      if (2 * md.neuronPairs[j] >= lastSize && tilePairs < 2 * md.tileUnion[q]) {
        busy.push_back(j);
        md.busyMask[j / 64] |= 1ull << (j % 64);
      }
    }
    // Each copy reads and writes W2's 4 bytes an entry.
    const double copyBytes = 8.0 * md.kp * md.op * ((w2Wanted && !w2Fresh) + (w2tpWanted && !md.w2tpFresh));
    timed(PHASE_COPIES, [this] {
      if (w2Wanted && !w2Fresh) {
        pool->run(md.kp / 16, [this](int i) { rebuildW2Rows(i); });
        w2Fresh = true;
      }
      if (w2tpWanted && !md.w2tpFresh) rebuildW2TPanels();
    }, K_UPDATE, copyBytes);
    timed(PHASE_BLOCKS, [&] { pool->run(blocks, [this](int i) { kern->block(md, i * BLOCK); }); });
    const int tiles = blocks * BLOCK / 4;
    w2Wanted = std::any_of(md.tileDense, md.tileDense + tiles, [](uint8_t d) { return (d & DENSE_BACKWARD) != 0; });
    w2tpWanted = 2 * std::count_if(md.tileDense, md.tileDense + tiles, [](uint8_t d) { return (d & TILED_FORWARD) != 0; }) > tiles;
    double loss = 0;
    for (int s = 0; s < size; s++) loss += md.sampleLoss[s];
    int64_t pairs = 0;
    for (int i = 0; i < blocks; i++) pairs += md.blockPairs[i];
    activePairs = (double)pairs;
    // The gradient phase goes span by span of samples, every neuron tile on a span before the next, so the span's
    // dy (512 KB) stays in L2 across the tiles instead of coming from memory once per tile. Spans depend on sizes only.
    //
    // One parallel region for the whole phase, its items span-major: the threads move through the spans together,
    // with no barrier between them. An item adds to what its neuron tile's earlier spans summed, so it first waits
    // until that tile's previous span is done (handed out 16 items earlier, it almost always is); the sums, and their
    // order, are those of a span-by-span loop whoever runs what.
    const int span = PANEL_SPAN * std::max(1, 512 / md.op);
    // Each span's items: the neuron tiles, then the busy neurons' tiles of BUSY_ROWS (busyRows), which wait likewise.
    const int neuronTiles = md.kp / NEURONS, spans = (size + span - 1) / span;
    const int busyTiles = ((int)busy.size() + BUSY_ROWS - 1) / BUSY_ROWS, perSpan = neuronTiles + busyTiles;
    std::unique_ptr<std::atomic<int>[]> spansDone(new std::atomic<int>[perSpan]);
    for (int i = 0; i < perSpan; i++) spansDone[i].store(0);
    lastSize = size;
    timed(PHASE_NEURONS, [&] {
      pool->run(spans * perSpan, [&](int item) {
        const int sp = item / perSpan, i = item % perSpan;
        for (int spins = 0; spansDone[i].load(std::memory_order_acquire) < sp; spins++)
          if (spins > 64) std::this_thread::yield();
        const int s0 = sp * span, s1 = std::min(size, s0 + span);
        if (i < neuronTiles) {
          kern->neurons(md, i * NEURONS, s0, s1);
        } else {
          const int g = (i - neuronTiles) * BUSY_ROWS;
          kern->busyRows(md, busy.data() + g, std::min(BUSY_ROWS, (int)busy.size() - g), s0, s1);
        }
        spansDone[i].store(sp + 1, std::memory_order_release);
      });
    });
    return loss / size;
  }

  // LAMB on W1, b and W2 (one trust ratio each), then the bias decay. Each tensor's norms are summed over
  // LAMB_CHUNKS fixed chunks, in chunk order.
  void lamb(float lr, float biasDecay) {
    // Bytes: the moments sweep reads w, g, m, v and writes m, v and the step; the apply sweep reads w and the step and
    // writes w; W1T's transpose and (when wanted) W2T's panels read and write their tensor once more.
    const double w1 = (double)md.kp * md.mp, w2 = (double)md.kp * md.op;
    const double bytes = 4.0 * (10 * (w1 + md.kp + w2) + 2 * w1 + (w2tpWanted ? 2 * w2 : 0));
    timed(PHASE_LAMB, [&] { lambUntimed(lr, biasDecay); }, K_UPDATE, bytes);
  }
  void lambUntimed(float lr, float biasDecay) {
    struct Tensor { float *w, *g, *m, *v; size_t n; };
    const Tensor tensors[3] = {
        {md.w1, md.gw1, md.m1, md.v1, (size_t)md.kp * md.mp},
        {md.b, md.gb, md.mb, md.vb, (size_t)md.kp},
        {md.w2t, md.gw2t, md.m2, md.v2, (size_t)md.kp * md.op},
    };
    auto bound = [&](const Tensor &t, int c) { return (t.n / 16 * c / LAMB_CHUNKS) * 16; };
    double weightSq[3][LAMB_CHUNKS], stepSq[3][LAMB_CHUNKS];
    pool->run(3 * LAMB_CHUNKS, [&](int i) {
      const Tensor &t = tensors[i / LAMB_CHUNKS];
      const int c = i % LAMB_CHUNKS;
      kern->lambMoments(t.w, t.g, t.m, t.v, bound(t, c), bound(t, c + 1), &weightSq[i / LAMB_CHUNKS][c], &stepSq[i / LAMB_CHUNKS][c]);
    });
    float scale[3];
    for (int q = 0; q < 3; q++) {
      double ws = 0, ss = 0;
      for (int c = 0; c < LAMB_CHUNKS; c++) {
        ws += weightSq[q][c];
        ss += stepSq[q][c];
      }
      const double weightNorm = std::min(std::sqrt(ws), 10.0), stepNorm = std::sqrt(ss);
      const double trust = weightNorm == 0 || stepNorm == 0 ? 1 : weightNorm / stepNorm;
      scale[q] = (float)((double)lr * trust);
    }
    // Each chunk holds whole rows (every padded size is a multiple of 64), so the item that updates a chunk of W1 or W2T
    // also refreshes its rows' copies while they are in cache: W1T, and W2T's panels when the next step wants them.
    bool wholeRows = true;
    for (int c = 0; c <= LAMB_CHUNKS; c++) wholeRows = wholeRows && bound(tensors[0], c) % md.mp == 0 && bound(tensors[2], c) % md.op == 0;
    const bool panels = w2tpWanted && wholeRows;
    pool->run(3 * LAMB_CHUNKS, [&](int i) {
      const int q = i / LAMB_CHUNKS, c = i % LAMB_CHUNKS;
      const Tensor &t = tensors[q];
      const size_t i0 = bound(t, c), i1 = bound(t, c + 1);
      kern->lambApply(t.w, t.g, i0, i1, scale[q]);
      if (q == 0 && wholeRows) transposeW1Rows((int)(i0 / md.mp), (int)(i1 / md.mp));
      if (q == 2 && panels) copyW2TPanelRows((int)(i0 / md.op), (int)(i1 / md.op));
    });
    if (biasDecay != 1.0f)
      for (int j = 0; j < md.k; j++) md.b[j] *= biasDecay;
    if (!wholeRows) rebuildCopies();
    w2Fresh = false;
    md.w2tpFresh = panels;
  }

  // Per neuron: samples with pre-activation > 0, and the largest pre-activation (0 if none).
  void firingStats(int32_t *fired, float *maxPre) {
    const int blocks = (md.size + BLOCK - 1) / BLOCK;
    pool->run(blocks, [this](int i) { kern->preOnly(md, i * BLOCK); });
    for (int j = 0; j < md.k; j++) {
      fired[j] = 0;
      maxPre[j] = 0;
    }
    for (int s = 0; s < md.size; s++) {
      const float *pre = md.h + (size_t)s * md.kp;
      for (int j = 0; j < md.k; j++)
        if (pre[j] > 0) {
          fired[j]++;
          maxPre[j] = std::max(maxPre[j], pre[j]);
        }
    }
  }
};

}  // namespace mono


// The native engine's Node-API addon: one run's tensors (Model), a small persistent thread pool, the step's phases in
// order, and the JavaScript bindings used by ../index.ts. The arithmetic lives in kernels.inc; this file decides
// which instruction set runs it (at load time, by what the CPU reports) and which thread runs which work item.
#include <node_api.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <functional>
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
// caller's thread works too. Who runs an item never changes what it computes.
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
      busy_ = (int)workers_.size();
      generation_++;
    }
    wake_.notify_all();
    work(job, items);
    std::unique_lock<std::mutex> lock(mu_);
    done_.wait(lock, [this] { return busy_ == 0; });
    job_ = nullptr;
  }

 private:
  void work(const std::function<void(int)> &job, int total) {
    for (int i; (i = next_.fetch_add(1)) < total;) job(i);
  }
  void loop() {
    long seen = 0;
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
      const std::function<void(int)> *job = job_;
      const int total = total_;
      lock.unlock();
      work(*job, total);
      lock.lock();
      if (--busy_ == 0) done_.notify_one();
    }
  }
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable wake_, done_;
  const std::function<void(int)> *job_ = nullptr;
  std::atomic<int> next_{0};
  int total_ = 0, busy_ = 0;
  long generation_ = 0;
  bool stop_ = false;
};

static int pad(int n, int to) { return (n + to - 1) / to * to; }

static float *zeros(size_t count) {
  const size_t bytes = std::max<size_t>(64, (count * sizeof(float) + 63) / 64 * 64);
  void *p = std::aligned_alloc(64, bytes);
  if (!p) throw std::bad_alloc();
  std::memset(p, 0, bytes);
  return static_cast<float *>(p);
}

struct Engine {
  Model md{};
  const Kernels *kern = selectedKernels();
  Pool *pool;
  std::vector<float *> owned;
  double activePairs = 0;

  float *alloc(size_t count) {
    owned.push_back(zeros(count));
    return owned.back();
  }

  Engine(int n, int m, int k, int o, int task, int act, int threads) : pool(new Pool(threads)) {
    md.n = n; md.m = m; md.k = k; md.o = o;
    md.mp = pad(m, TILE); md.kp = pad(k, TILE); md.op = pad(o, TILE);
    md.task = task; md.act = act;
    const size_t KP = md.kp, MP = md.mp, OP = md.op;
    md.w1 = alloc(KP * MP); md.w1t = alloc(MP * KP); md.b = alloc(KP); md.w2t = alloc(KP * OP); md.w2 = alloc(OP * KP);
    md.gw1 = alloc(KP * MP); md.gb = alloc(KP); md.gw2t = alloc(KP * OP);
    md.m1 = alloc(KP * MP); md.v1 = alloc(KP * MP); md.mb = alloc(KP); md.vb = alloc(KP);
    md.m2 = alloc(KP * OP); md.v2 = alloc(KP * OP);
    md.et = alloc((size_t)n * MP);
    md.qt = task == 2 ? alloc((size_t)n * OP) : nullptr;
  }

  ~Engine() {
    delete pool;
    for (float *p : owned) std::free(p);
    freeBatch();
  }

  void freeBatch() {
    std::free(md.x); std::free(md.h); std::free(md.s); std::free(md.dp); std::free(md.y);
    std::free(md.sampleLoss); std::free(md.blockPairs); std::free(md.tileDense);
    md.x = md.h = md.s = md.dp = md.y = nullptr;
    md.sampleLoss = nullptr;
    md.blockPairs = nullptr;
    md.tileDense = nullptr;
    md.cap = 0;
  }

  void reserve(int size) {
    if (size <= md.cap) return;
    freeBatch();
    const size_t cap = pad(std::max(size, 1), BLOCK);
    md.x = zeros(cap * md.mp); md.h = zeros(cap * md.kp); md.s = zeros(cap * md.kp);
    md.dp = zeros(cap * md.kp); md.y = zeros(cap * md.op);
    md.sampleLoss = reinterpret_cast<double *>(zeros(cap * 2));
    md.blockPairs = reinterpret_cast<int64_t *>(zeros(cap / BLOCK * 2));
    md.tileDense = reinterpret_cast<uint8_t *>(zeros(cap / 4));
    md.cap = (int)cap;
  }

  void setThreads(int threads) {
    if (threads == pool->threads()) return;
    delete pool;
    pool = new Pool(threads);
  }

  // W2 (untransposed) is only read by dense tiles' backward product, so it is rebuilt from W2T lazily.
  bool w2Fresh = false;

  // The transposed copy of W1 that the pre-activation product reads; W2 becomes stale.
  void rebuildCopies() {
    for (int j = 0; j < md.k; j++)
      for (int d = 0; d < md.m; d++) md.w1t[(size_t)d * md.kp + j] = md.w1[(size_t)j * md.mp + d];
    w2Fresh = false;
  }

  // W2 from W2T, in 16 x 16 blocks.
  void rebuildW2() {
    pool->run(md.kp / 16, [this](int i) {
      const int j0 = i * 16;
      for (int o0 = 0; o0 < md.o; o0 += 16)
        for (int j = j0; j < j0 + 16; j++)
          for (int q = o0; q < std::min(md.o, o0 + 16); q++) md.w2[(size_t)q * md.kp + j] = md.w2t[(size_t)j * md.op + q];
    });
    w2Fresh = true;
  }

  void bindBatch(int size, const int32_t *offs, const int32_t *idx, const float *val) {
    reserve(size);
    md.size = size;
    md.offs = offs;
    md.idx = idx;
    md.val = val;
  }

  // Loss of the bound batch; gradients land in gw1, gb, gw2t.
  double forwardBackward(float l1) {
    const int size = md.size;
    md.twoOverB = 2.0f / (float)size;
    md.l1OverB = l1 / (float)size;
    const int blocks = (size + BLOCK - 1) / BLOCK;
    pool->run(blocks, [this](int i) { kern->prepare(md, i * BLOCK); });
    const int tiles = blocks * BLOCK / 4;
    if (!w2Fresh && std::any_of(md.tileDense, md.tileDense + tiles, [](uint8_t d) { return d != 0; })) rebuildW2();
    pool->run(blocks, [this](int i) { kern->block(md, i * BLOCK); });
    double loss = 0;
    for (int s = 0; s < size; s++) loss += md.sampleLoss[s];
    int64_t pairs = 0;
    for (int i = 0; i < blocks; i++) pairs += md.blockPairs[i];
    activePairs = (double)pairs;
    pool->run(md.kp / NEURONS, [this](int i) { kern->neurons(md, i * NEURONS); });
    return loss / size;
  }

  // LAMB on W1, b and W2 (one trust ratio each), then the bias decay. Each tensor's norms are summed over
  // LAMB_CHUNKS fixed chunks, in chunk order.
  void lamb(float lr, float biasDecay) {
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
    pool->run(3 * LAMB_CHUNKS, [&](int i) {
      const Tensor &t = tensors[i / LAMB_CHUNKS];
      const int c = i % LAMB_CHUNKS;
      kern->lambApply(t.w, t.g, bound(t, c), bound(t, c + 1), scale[i / LAMB_CHUNKS]);
    });
    if (biasDecay != 1.0f)
      for (int j = 0; j < md.k; j++) md.b[j] *= biasDecay;
    rebuildCopies();
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

// ---- bindings ----

using mono::Engine;

#define CHECK(call)                                                        \
  do {                                                                     \
    if ((call) != napi_ok) {                                               \
      napi_throw_error(env, nullptr, "native engine: N-API call failed"); \
      return nullptr;                                                      \
    }                                                                      \
  } while (0)

struct Args {
  napi_value argv[12];
  size_t argc = 12;
};

static bool getArgs(napi_env env, napi_callback_info info, Args &a, size_t need) {
  if (napi_get_cb_info(env, info, &a.argc, a.argv, nullptr, nullptr) != napi_ok || a.argc < need) {
    napi_throw_type_error(env, nullptr, "native engine: too few arguments");
    return false;
  }
  return true;
}

template <typename T>
static T *typed(napi_env env, napi_value v, size_t expected, const char *what) {
  napi_typedarray_type type;
  size_t length;
  void *data;
  napi_value buffer;
  size_t offset;
  bool is = false;
  napi_is_typedarray(env, v, &is);
  if (!is || napi_get_typedarray_info(env, v, &type, &length, &data, &buffer, &offset) != napi_ok) {
    napi_throw_type_error(env, nullptr, (std::string("native engine: ") + what + " must be a typed array").c_str());
    return nullptr;
  }
  if (expected != (size_t)-1 && length < expected) {
    napi_throw_range_error(env, nullptr, (std::string("native engine: ") + what + " is too short").c_str());
    return nullptr;
  }
  return static_cast<T *>(data);
}

static Engine *engineOf(napi_env env, napi_value v) {
  void *p = nullptr;
  napi_get_value_external(env, v, &p);
  Engine *e = *static_cast<Engine **>(p);
  if (!e) napi_throw_error(env, nullptr, "native engine: used after dispose");
  return e;
}

static double number(napi_env env, napi_value v) {
  double d = 0;
  napi_get_value_double(env, v, &d);
  return d;
}

static napi_value num(napi_env env, double d) {
  napi_value v;
  napi_create_double(env, d, &v);
  return v;
}

// create(dims Int32Array [n, m, k, o, task, act, threads], embedder m x n, projector m x n | null, w1, b, w2)
static napi_value Create(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 6)) return nullptr;
  const int32_t *dims = typed<int32_t>(env, a.argv[0], 7, "dims");
  if (!dims) return nullptr;
  const int n = dims[0], m = dims[1], k = dims[2], o = dims[3];
  const float *embedder = typed<float>(env, a.argv[1], (size_t)m * n, "embedder");
  if (!embedder) return nullptr;
  const float *w1 = typed<float>(env, a.argv[3], (size_t)k * m, "w1");
  const float *b = typed<float>(env, a.argv[4], k, "b");
  const float *w2 = typed<float>(env, a.argv[5], (size_t)o * k, "w2");
  if (!w1 || !b || !w2) return nullptr;
  Engine *e = new Engine(n, m, k, o, dims[4], dims[5], std::max(1, dims[6]));
  auto &md = e->md;
  for (int d = 0; d < m; d++)
    for (int i = 0; i < n; i++) md.et[(size_t)i * md.mp + d] = embedder[(size_t)d * n + i];
  if (dims[4] == 2) {
    const float *q = typed<float>(env, a.argv[2], (size_t)o * n, "projector");
    if (!q) { delete e; return nullptr; }
    for (int d = 0; d < o; d++)
      for (int i = 0; i < n; i++) md.qt[(size_t)i * md.op + d] = q[(size_t)d * n + i];
  }
  for (int j = 0; j < k; j++) std::memcpy(md.w1 + (size_t)j * md.mp, w1 + (size_t)j * m, sizeof(float) * m);
  std::memcpy(md.b, b, sizeof(float) * k);
  for (int q = 0; q < o; q++)
    for (int j = 0; j < k; j++) md.w2t[(size_t)j * md.op + q] = w2[(size_t)q * k + j];
  e->rebuildCopies();
  Engine **holder = new Engine *(e);
  napi_value external;
  CHECK(napi_create_external(env, holder, [](napi_env, void *data, void *) {
          Engine **h = static_cast<Engine **>(data);
          delete *h;
          delete h;
        }, nullptr, &external));
  return external;
}

static napi_value Dispose(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 1)) return nullptr;
  void *p = nullptr;
  CHECK(napi_get_value_external(env, a.argv[0], &p));
  Engine **h = static_cast<Engine **>(p);
  delete *h;
  *h = nullptr;
  return nullptr;
}

static bool bindBatch(napi_env env, Engine *e, napi_value *argv) {
  const int size = (int)number(env, argv[4]);
  const int32_t *offs = typed<int32_t>(env, argv[1], size + 1, "offsets");
  if (!offs) return false;
  const int nnz = offs[size];
  const int32_t *idx = typed<int32_t>(env, argv[2], nnz, "indices");
  const float *val = typed<float>(env, argv[3], nnz, "values");
  if (!idx || !val) return false;
  for (int i = 0; i < nnz; i++)
    if (idx[i] < 0 || idx[i] >= e->md.n) {
      napi_throw_range_error(env, nullptr, "native engine: feature index out of range");
      return false;
    }
  e->bindBatch(size, offs, idx, val);
  return true;
}

// forwardBackward(h, offsets, indices, values, size, l1) -> loss
static napi_value ForwardBackward(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 6)) return nullptr;
  Engine *e = engineOf(env, a.argv[0]);
  if (!e || !bindBatch(env, e, a.argv)) return nullptr;
  return num(env, e->forwardBackward((float)number(env, a.argv[5])));
}

// lamb(h, lr, biasDecay)
static napi_value Lamb(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 3)) return nullptr;
  Engine *e = engineOf(env, a.argv[0]);
  if (!e) return nullptr;
  e->lamb((float)number(env, a.argv[1]), (float)number(env, a.argv[2]));
  return nullptr;
}

// Which tensors a read or write concerns: 0 parameters, 1 gradients, 2 first moments, 3 second moments.
static void tensorsOf(Engine *e, int which, float *&w1, float *&b, float *&w2t) {
  auto &md = e->md;
  float *sets[4][3] = {{md.w1, md.b, md.w2t}, {md.gw1, md.gb, md.gw2t}, {md.m1, md.mb, md.m2}, {md.v1, md.vb, md.v2}};
  w1 = sets[which][0];
  b = sets[which][1];
  w2t = sets[which][2];
}

// transfer(h, which, write, w1, b, w2): copy between canonical arrays and the padded tensors.
static napi_value Transfer(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 6)) return nullptr;
  Engine *e = engineOf(env, a.argv[0]);
  if (!e) return nullptr;
  auto &md = e->md;
  const int which = (int)number(env, a.argv[1]);
  bool write = false;
  napi_get_value_bool(env, a.argv[2], &write);
  float *cw1 = typed<float>(env, a.argv[3], (size_t)md.k * md.m, "w1");
  float *cb = typed<float>(env, a.argv[4], md.k, "b");
  float *cw2 = typed<float>(env, a.argv[5], (size_t)md.o * md.k, "w2");
  if (!cw1 || !cb || !cw2 || which < 0 || which > 3) return nullptr;
  float *w1, *b, *w2t;
  tensorsOf(e, which, w1, b, w2t);
  for (int j = 0; j < md.k; j++)
    for (int d = 0; d < md.m; d++) {
      float &padded = w1[(size_t)j * md.mp + d];
      float &canon = cw1[(size_t)j * md.m + d];
      if (write) padded = canon; else canon = padded;
    }
  for (int j = 0; j < md.k; j++) {
    if (write) b[j] = cb[j]; else cb[j] = b[j];
  }
  for (int q = 0; q < md.o; q++)
    for (int j = 0; j < md.k; j++) {
      float &padded = w2t[(size_t)j * md.op + q];
      float &canon = cw2[(size_t)q * md.k + j];
      if (write) padded = canon; else canon = padded;
    }
  if (write && which == 0) e->rebuildCopies();
  return nullptr;
}

// setBiases(h, b)
static napi_value SetBiases(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 2)) return nullptr;
  Engine *e = engineOf(env, a.argv[0]);
  if (!e) return nullptr;
  const float *b = typed<float>(env, a.argv[1], e->md.k, "b");
  if (!b) return nullptr;
  std::memcpy(e->md.b, b, sizeof(float) * e->md.k);
  return nullptr;
}

// firingStats(h, offsets, indices, values, size, fired Int32Array k, maxPre Float32Array k)
static napi_value FiringStats(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 7)) return nullptr;
  Engine *e = engineOf(env, a.argv[0]);
  if (!e || !bindBatch(env, e, a.argv)) return nullptr;
  int32_t *fired = typed<int32_t>(env, a.argv[5], e->md.k, "fired");
  float *maxPre = typed<float>(env, a.argv[6], e->md.k, "maxPre");
  if (!fired || !maxPre) return nullptr;
  e->firingStats(fired, maxPre);
  return nullptr;
}

static napi_value SetThreads(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 2)) return nullptr;
  Engine *e = engineOf(env, a.argv[0]);
  if (!e) return nullptr;
  e->setThreads(std::max(1, (int)number(env, a.argv[1])));
  return nullptr;
}

static napi_value ActivePairs(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 1)) return nullptr;
  Engine *e = engineOf(env, a.argv[0]);
  if (!e) return nullptr;
  return num(env, e->activePairs);
}

static napi_value Isa(napi_env env, napi_callback_info) {
  napi_value v;
  napi_create_string_utf8(env, mono::selectedKernels()->isa, NAPI_AUTO_LENGTH, &v);
  return v;
}

NAPI_MODULE_INIT() {
  const napi_property_descriptor props[] = {
      {"create", nullptr, Create, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"dispose", nullptr, Dispose, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"forwardBackward", nullptr, ForwardBackward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"lamb", nullptr, Lamb, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"transfer", nullptr, Transfer, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setBiases", nullptr, SetBiases, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"firingStats", nullptr, FiringStats, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"activePairs", nullptr, ActivePairs, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"isa", nullptr, Isa, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

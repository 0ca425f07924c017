// The native engine's Node-API bindings, used by ../index.ts: argument checks, and copies between the canonical
// layout (W1 k x m, b, W2 out x k) and the engine's padded one. The engine itself is engine.h.
#include <node_api.h>
#include <sys/mman.h>
#include <time.h>

#include <algorithm>
#include <new>

#include "engine.h"
#include "metrics_kernels.h"
#include "sae_kernels.h"
#include "wasm_kernels.h"

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
  napi_value argv[16];
  size_t argc = 16;
};

static bool getArgs(napi_env env, napi_callback_info info, Args &a, size_t need) {
  if (napi_get_cb_info(env, info, &a.argc, a.argv, nullptr, nullptr) != napi_ok || a.argc < need) {
    napi_throw_type_error(env, nullptr, "native engine: too few arguments");
    return false;
  }
  return true;
}

// The element type each C++ type must come as, so a Float32Array passed where doubles are read is refused.
template <typename T>
constexpr napi_typedarray_type arrayTypeOf();
template <>
constexpr napi_typedarray_type arrayTypeOf<float>() { return napi_float32_array; }
template <>
constexpr napi_typedarray_type arrayTypeOf<double>() { return napi_float64_array; }
template <>
constexpr napi_typedarray_type arrayTypeOf<int32_t>() { return napi_int32_array; }

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
  if (type != arrayTypeOf<T>()) {
    napi_throw_type_error(env, nullptr, (std::string("native engine: ") + what + " has the wrong element type").c_str());
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

static napi_value boolean(napi_env env, bool b) {
  napi_value v;
  napi_get_boolean(env, b, &v);
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

// Neurons set in one of the engine's per-neuron masks (one bit per neuron).
static napi_value maskCount(napi_env env, napi_callback_info info, uint64_t *mono::Model::*mask) {
  Args a;
  if (!getArgs(env, info, a, 1)) return nullptr;
  Engine *e = engineOf(env, a.argv[0]);
  if (!e) return nullptr;
  int count = 0;
  for (int w = 0; w < e->md.kp / 64; w++) count += __builtin_popcountll((e->md.*mask)[w]);
  return num(env, count);
}
// deferredNeurons(h): neurons whose pair-by-pair backward the last step left to its gradient phase (md.deferMask).
static napi_value DeferredNeurons(napi_env env, napi_callback_info info) { return maskCount(env, info, &mono::Model::deferMask); }
// busyNeurons(h): neurons whose gradient rows the last step summed in busyRows' tiles (md.busyMask).
static napi_value BusyNeurons(napi_env env, napi_callback_info info) { return maskCount(env, info, &mono::Model::busyMask); }

// phases(h, out Float64Array 5): seconds spent so far in P^T, weight copies, forward/backward blocks, gradients, LAMB.
static napi_value Phases(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 2)) return nullptr;
  Engine *e = engineOf(env, a.argv[0]);
  if (!e) return nullptr;
  double *out = typed<double>(env, a.argv[1], mono::PHASES, "out");
  if (!out) return nullptr;
  std::copy(e->phaseSeconds, e->phaseSeconds + mono::PHASES, out);
  return nullptr;
}

// profile(h, on): whether the next steps tally their kernels (kernels(h, out)); a profiled step reads a clock a few
// times per work item, so the bench times its steps with it off.
static napi_value Profile(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 2)) return nullptr;
  Engine *e = engineOf(env, a.argv[0]);
  if (!e) return nullptr;
  bool on = false;
  napi_get_value_bool(env, a.argv[1], &on);
  e->md.profile = on ? 1 : 0;
  return nullptr;
}

// kernels(h, out Float64Array 2 KERNEL_COUNT): per kernel (mono::Kernel, in order), the seconds of the profiled steps
// so far, then their work (FLOP, or bytes for the update).
static napi_value Kernels(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 2)) return nullptr;
  Engine *e = engineOf(env, a.argv[0]);
  if (!e) return nullptr;
  double *out = typed<double>(env, a.argv[1], 2 * mono::KERNEL_COUNT, "out");
  if (!out) return nullptr;
  std::lock_guard<std::mutex> lock(e->tallyMutex);
  std::copy(e->kernelTally.seconds, e->kernelTally.seconds + mono::KERNEL_COUNT, out);
  std::copy(e->kernelTally.work, e->kernelTally.work + mono::KERNEL_COUNT, out + mono::KERNEL_COUNT);
  return nullptr;
}

static napi_value Isa(napi_env env, napi_callback_info) {
  napi_value v;
  napi_create_string_utf8(env, mono::selectedKernels()->isa, NAPI_AUTO_LENGTH, &v);
  return v;
}

// fmaPeak() -> GFLOP/s of one core running the selected kernels' vector multiply-adds back to back: the best of a
// few ~20 ms rounds on this thread's CPU clock (so a busy machine lowers it less than elapsed time would).
static napi_value FmaPeak(napi_env env, napi_callback_info) {
  auto cpuSeconds = [] {
    timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
  };
  const mono::Kernels *kern = mono::selectedKernels();
  double best = 0;
  for (int round = 0; round < 8; round++) {
    const double t0 = cpuSeconds();
    const double flop = kern->fmaProbe(2000000);
    const double seconds = cpuSeconds() - t0;
    if (seconds > 0) best = std::max(best, flop / seconds / 1e9);
  }
  return num(env, best);
}

// ---- the wasm engine's kernels, compiled natively (wasm_kernels.cc; the wrapper is ../wasm/native-kernels.ts) ----

static mono_wasm::Kernels *kernelsOf(napi_env env, napi_value v) {
  void *p = nullptr;
  napi_get_value_external(env, v, &p);
  if (!p) napi_throw_error(env, nullptr, "wasm kernels: not a handle");
  return static_cast<mono_wasm::Kernels *>(p);
}

// wasmKernels() -> a handle, or null when this CPU cannot run them (no AVX2)
static napi_value WasmKernels(napi_env env, napi_callback_info) {
  napi_value v;
  if (!mono_wasm::available()) {
    napi_get_null(env, &v);
    return v;
  }
  CHECK(napi_create_external(env, new mono_wasm::Kernels(), [](napi_env, void *data, void *) {
          delete static_cast<mono_wasm::Kernels *>(data);
        }, nullptr, &v));
  return v;
}

// wasmInit(h, n, m, k, o, task, act) -> the arena as an ArrayBuffer (it unmaps the arena when collected)
static napi_value WasmInit(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 7)) return nullptr;
  mono_wasm::Kernels *kern = kernelsOf(env, a.argv[0]);
  if (!kern) return nullptr;
  if (kern->base) {
    napi_throw_error(env, nullptr, "wasm kernels: init called twice");
    return nullptr;
  }
  int d[6];
  for (int i = 0; i < 6; i++) d[i] = (int)number(env, a.argv[i + 1]);
  if (!kern->init(d[0], d[1], d[2], d[3], d[4], d[5])) {
    napi_throw_error(env, nullptr, "wasm kernels: could not reserve memory");
    return nullptr;
  }
  napi_value buffer;
  CHECK(napi_create_external_arraybuffer(env, kern->base, kern->reserved, [](napi_env, void *data, void *hint) {
          munmap(data, (size_t)hint);
        }, (void *)kern->reserved, &buffer));
  return buffer;
}

// wasmLayout(h, out Float64Array 16): byte offsets W1 B W2T GW1 GB GW2T ET QT OFFS IDX VAL FCNT FMAX, strides MP KP OS
static napi_value WasmLayout(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 2)) return nullptr;
  mono_wasm::Kernels *kern = kernelsOf(env, a.argv[0]);
  double *out = typed<double>(env, a.argv[1], 16, "out");
  if (!kern || !out) return nullptr;
  const size_t at[] = {kern->W1, kern->B, kern->W2T, kern->GW1, kern->GB, kern->GW2T, kern->ET,
                       kern->QT, kern->OFFS, kern->IDX, kern->VAL, kern->FCNT, kern->FMAX};
  for (int i = 0; i < 13; i++) out[i] = (double)at[i];
  out[13] = kern->MP, out[14] = kern->KP, out[15] = kern->OS;
  return nullptr;
}

// wasmCall(h, op, x, y): 0 reserveBatch(size x, nnz y); 1 forwardBackward(batch x, l1 y) -> loss; 2 lamb(lr x,
// biasDecay y); 3 firingStats(batch x); 4 setPreactivation(x); 5 -> activePairs; 6 release: the arena's pages go back
// to the system at once (it reads as zeros after), instead of when the collector gets to its ArrayBuffer. Floats
// become float32 as wasm's f32 parameters make them.
static napi_value WasmCall(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 4)) return nullptr;
  mono_wasm::Kernels *kern = kernelsOf(env, a.argv[0]);
  if (!kern) return nullptr;
  const int op = (int)number(env, a.argv[1]);
  if (!kern->base && op != 4) {
    napi_throw_error(env, nullptr, "wasm kernels: not initialised");
    return nullptr;
  }
  const double x = number(env, a.argv[2]), y = number(env, a.argv[3]);
  switch (op) {
    case 0:
      try {
        kern->reserveBatch((int)x, (int)y);
      } catch (const std::bad_alloc &) {
        napi_throw_range_error(env, nullptr, "wasm kernels: batch too large for the arena");
      }
      return nullptr;
    case 1: return num(env, kern->forwardBackward((int)x, (float)y));
    case 2: kern->lamb((float)x, (float)y); return nullptr;
    case 3: kern->firingStats((int)x); return nullptr;
    case 4: kern->setPreactivation((int)x); return nullptr;
    case 5: return num(env, kern->activePairs);
    case 6: madvise(kern->base, kern->reserved, MADV_DONTNEED); return nullptr;
  }
  napi_throw_range_error(env, nullptr, "wasm kernels: unknown operation");
  return nullptr;
}

// ---- SAE1's hottest loops, natively (sae_kernels.cc; the wrapper is src/lib/runner/sae-kernels.ts) ----

static napi_value SaeAvailable(napi_env env, napi_callback_info) { return boolean(env, mono_sae::available()); }

// saePre(dirs, bEnc, xc, size, latents, d, pre)
static napi_value SaePre(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 7)) return nullptr;
  const int size = (int)number(env, a.argv[3]), latents = (int)number(env, a.argv[4]), d = (int)number(env, a.argv[5]);
  const float *dirs = typed<float>(env, a.argv[0], (size_t)latents * d, "dirs");
  const float *bEnc = typed<float>(env, a.argv[1], latents, "bEnc");
  const float *xc = typed<float>(env, a.argv[2], (size_t)size * d, "xc");
  float *pre = typed<float>(env, a.argv[6], (size_t)size * latents, "pre");
  if (!dirs || !bEnc || !xc || !pre) return nullptr;
  mono_sae::preActivations(dirs, bEnc, xc, size, latents, d, pre);
  return nullptr;
}

// saeBackward(x, xhat, dirs, scale, bPre, codes, active, counts, size, d, latents, lambda, gDirs, gScale, gEnc, gPre)
static napi_value SaeBackward(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 16)) return nullptr;
  const int size = (int)number(env, a.argv[8]), d = (int)number(env, a.argv[9]), latents = (int)number(env, a.argv[10]);
  const size_t sd = (size_t)size * d, ld = (size_t)latents * d, sl = (size_t)size * latents;
  const float *x = typed<float>(env, a.argv[0], sd, "x"), *xhat = typed<float>(env, a.argv[1], sd, "xhat");
  const float *dirs = typed<float>(env, a.argv[2], ld, "dirs"), *scale = typed<float>(env, a.argv[3], latents, "scale");
  const float *bPre = typed<float>(env, a.argv[4], d, "bPre"), *codes = typed<float>(env, a.argv[5], sl, "codes");
  const int32_t *active = typed<int32_t>(env, a.argv[6], sl, "active"), *counts = typed<int32_t>(env, a.argv[7], size, "counts");
  float *gDirs = typed<float>(env, a.argv[12], ld, "gDirs"), *gScale = typed<float>(env, a.argv[13], latents, "gScale");
  float *gEnc = typed<float>(env, a.argv[14], latents, "gEnc"), *gPre = typed<float>(env, a.argv[15], d, "gPre");
  if (!x || !xhat || !dirs || !scale || !bPre || !codes || !active || !counts || !gDirs || !gScale || !gEnc || !gPre) return nullptr;
  for (int s = 0; s < size; s++) {
    const int32_t *row = active + (size_t)s * latents;
    bool bad = counts[s] < 0 || counts[s] > latents;
    for (int e = 0; !bad && e < counts[s]; e++) bad = row[e] < 0 || row[e] >= latents;
    if (bad) {
      napi_throw_range_error(env, nullptr, "saeBackward: latent count or index out of range");
      return nullptr;
    }
  }
  return num(env, mono_sae::backward(x, xhat, dirs, scale, bPre, codes, active, counts, size, d, latents, number(env, a.argv[11]),
                                     gDirs, gScale, gEnc, gPre));
}

// ---- A measurement's single-feature pre-activations (metrics_kernels.cc; src/lib/runner/metric-kernels.ts) ----

static napi_value MetricsAvailable(napi_env env, napi_callback_info) { return boolean(env, mono_metrics::available()); }

// singleFeaturePre(w1, b, embedder, k, m, nFeatures, out)
static napi_value SingleFeaturePre(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 7)) return nullptr;
  const int k = (int)number(env, a.argv[3]), m = (int)number(env, a.argv[4]), n = (int)number(env, a.argv[5]);
  if (k < 0 || m < 0 || n < 0) {
    napi_throw_range_error(env, nullptr, "singleFeaturePre: negative size");
    return nullptr;
  }
  const float *w1 = typed<float>(env, a.argv[0], (size_t)k * m, "w1");
  const float *b = typed<float>(env, a.argv[1], k, "b");
  const float *embedder = typed<float>(env, a.argv[2], (size_t)m * n, "embedder");
  double *out = typed<double>(env, a.argv[6], (size_t)k * n, "out");
  if (!w1 || !b || !embedder || !out) return nullptr;
  mono_metrics::singleFeaturePre(w1, b, embedder, k, m, n, out);
  return nullptr;
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
      {"deferredNeurons", nullptr, DeferredNeurons, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"busyNeurons", nullptr, BusyNeurons, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"phases", nullptr, Phases, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"profile", nullptr, Profile, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"kernels", nullptr, Kernels, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"isa", nullptr, Isa, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"fmaPeak", nullptr, FmaPeak, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"metricsAvailable", nullptr, MetricsAvailable, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"singleFeaturePre", nullptr, SingleFeaturePre, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"saeAvailable", nullptr, SaeAvailable, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"saePre", nullptr, SaePre, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"saeBackward", nullptr, SaeBackward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"wasmKernels", nullptr, WasmKernels, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"wasmInit", nullptr, WasmInit, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"wasmLayout", nullptr, WasmLayout, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"wasmCall", nullptr, WasmCall, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

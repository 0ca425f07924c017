// The toy model's training step as WebAssembly SIMD kernels (AssemblyScript; compiled by ../build.mjs).
//
// The file is named .as, not .ts, so that the project's TypeScript checker leaves it alone: it uses AssemblyScript's
// types (f32, usize, v128) and builtins (load, store, f32x4.*). The wrapper in ../index.ts owns the parameters'
// canonical layout; this module owns one run's tensors in its own linear memory.
//
// Why it is fast: the data are sparse twice over.
//  - Inputs: a sample has ~8 active features of N = 512, and x = E v. So instead of W1 x per sample, compute
//    P = W1 E (k x N) once per step and add up the ~8 columns of P that a sample activates (stored as rows of
//    PT = P^T, one row per feature, contiguous over neurons).
//  - Hidden layer: with negative biases only a few percent of neurons fire (h != 0). Only those touch W2, in the
//    forward pass (y = sum over active j of h_j W2[:, j]) and the backward pass (dh_j and grad W2[:, j] only for
//    active j). W2 is kept transposed (W2T, k x out) so that a neuron's weights are one contiguous row.
// Samples are processed in blocks of SB. As the hidden layer finds the active (sample, neuron) pairs of a block it
// lists each twice: by sample (for the forward pass) and by neuron (for the backward pass).
//  - Forward: for each sample, y += h_j W2T[j] four active neurons at a time, sweeping the four rows while y stays in
//    L1; neurons are visited in tiles of W2T that fit in L2, so a tile serves the whole block.
//  - Backward: for each neuron, its W2T row and gradient row stay in L1 while four of its samples at a time are swept:
//    one load of the weights serves four dot products dh = W2T[j] . dy, one update of the gradient row adds four h dy.
// The same code covers the dense regimes: ~40-50% of ReLUs fire at bias 0, and GeLU and x*exp(x) are never exactly
// zero so every pair is listed. Cost is then proportional to the number of active pairs (and to P's k N m per step).
//
// All vectors are padded with zeros to multiples of 16 floats (MP, KP, OP), so SIMD loops need no remainder code;
// padded entries stay exactly zero through the step and the optimiser.

// ---- sizes and options (set by init) ----
let N: i32 = 0; // features
let M: i32 = 0; // embedding dims (input of the model)
let K: i32 = 0; // hidden neurons
let O: i32 = 0; // outputs
let MP: i32 = 0; // M padded to 16
let KP: i32 = 0; // K padded to 16
let OP: i32 = 0; // O padded to 32
let OS: i32 = 0; // row stride of W2T, its gradient and moments, QT and YB: OP (padding these rows by 64 bytes, as
// PT's below, was measured to gain nothing in the forward and backward passes and to slow LAMB down)
let KS: i32 = 0; // row stride of PT: KP + 16 floats, for the same reason (4 KB rows at k = 1024)
let TASK: i32 = 0; // 0 decoder (target v), 1 abs (target |v|), 2 re-projector (target Q v)
let ACT: i32 = 0; // 0 relu, 1 gelu, 2 x*exp(x)
let SB: i32 = 0; // samples per block
let TN: i32 = 0; // neurons per forward tile (TN rows of W2T fit in L2)
let HN: i32 = 0; // neurons per hidden-layer tile (HN columns of PT fit in L2)

// ---- tensors (byte addresses in linear memory) ----
let W1: usize = 0; // k x MP, the canonical row-major layout (a neuron's input weights are contiguous)
let B: usize = 0; // KP
let W2T: usize = 0; // KP x OS: W2 transposed
let GW1: usize = 0; // gradients, same layouts; LAMB overwrites them with its step and then zeroes them
let GB: usize = 0;
let GW2T: usize = 0;
let M1: usize = 0; // LAMB first and second moments of W1, b, W2T
let V1: usize = 0;
let MB: usize = 0;
let VB: usize = 0;
let M2: usize = 0;
let V2: usize = 0;
let ET: usize = 0; // N x MP: E transposed, feature i's direction is row i
let QT: usize = 0; // N x OS: the re-projector's Q transposed (only that task)
let W1T: usize = 0; // KP x MP scratch: W1 in panels of 8 neurons (see computeP), rebuilt every step for P
let PT: usize = 0; // N x KS: P^T = (W1 E)^T, rebuilt every step
// per block
let PRE: usize = 0; // 16 floats: one chunk of pre-activations
let PRE_H: usize = 0; // 16 floats: their activations (GeLU, x exp(x))
let PRE_S: usize = 0; // 16 floats: their slopes
let XB: usize = 0; // SB x MP: the block's inputs x = E v (for grad W1)
let YB: usize = 0; // SB x OS: outputs, then in place d loss / d y
let ROWN: usize = 0; // SB (i32): pairs per sample
let CUR: usize = 0; // SB (i32): per-sample cursors for the tiled forward pass
let CJ: usize = 0; // SB x KP (i32): by sample, the neuron of each active pair
let CH: usize = 0; // SB x KP: by sample, h of each pair
let CNT: usize = 0; // KP (i32): pairs per neuron
let TS: usize = 0; // KP x SB (i32): by neuron, the sample (within the block) of each pair
let TH: usize = 0; // KP x SB: by neuron, h
let TSL: usize = 0; // KP x SB: by neuron, act'(pre)
let DPRE: usize = 0; // SB: d objective / d pre for one neuron's pairs
let FCNT: usize = 0; // KP (i32): firingStats, samples on which each neuron's pre-activation was positive
let FMAX: usize = 0; // KP: firingStats, each neuron's largest pre-activation (0 when it never fired)
// the batch (CSR of v), grown on demand
let OFFS: usize = 0;
let IDX: usize = 0;
let VAL: usize = 0;
let batchCapacity: i32 = 0;
let nnzCapacity: i32 = 0;

// Per step: compute pre-activations directly as b + W1 x (batch k m multiply-adds) instead of through P (N k m, then
// batch nnz k). Chosen per batch by choosePreactivation when it is cheaper, i.e. for small batches.
let DIRECT: bool = false;
let PREACTIVATION: i32 = 0; // 0: choose per step, 1: always through P, 2: always direct (tests cover both paths)

/** How pre-activations are computed: 0 chosen per step by cost (the default), 1 always through P, 2 always direct. */
export function setPreactivation(mode: i32): void {
  PREACTIVATION = mode;
}

let activePairs: f64 = 0; // active (sample, neuron) pairs in the last forwardBackward, for the wrapper's statistics

// Phase boundaries, reported to the host for profiling (the wrapper passes a no-op unless asked to time phases):
// 0 P, 1 hidden layer, 2 outputs, 3 output gradient, 4 backward, 5 optimiser.
@external("env", "phase")
declare function phase(id: i32): void;

// ---- memory: a bump allocator over linear memory; nothing is ever freed (one engine per instance) ----
let top: usize = 0;

function alloc(bytes: usize): usize {
  if (top == 0) top = (__heap_base + 63) & ~63;
  const at = top;
  top = (top + bytes + 63) & ~63; // 64-byte (cache line) alignment
  const needPages = i32((top + 0xffff) >>> 16) - memory.size();
  if (needPages > 0 && memory.grow(needPages) < 0) unreachable();
  return at;
}

@inline function pad16(n: i32): i32 {
  return (n + 15) & ~15;
}

@inline function pad32(n: i32): i32 {
  return (n + 31) & ~31;
}

@inline function f32At(base: usize, index: i32): usize {
  return base + (<usize>index << 2);
}

/** Lay out every tensor of one run. Memory starts zeroed, so moments, gradients and padding start at 0. */
export function init(n: i32, m: i32, k: i32, o: i32, task: i32, act: i32): void {
  N = n;
  M = m;
  K = k;
  O = o;
  MP = pad16(m);
  KP = pad16(k);
  OP = pad32(o);
  OS = OP;
  KS = KP + 16;
  TASK = task;
  ACT = act;
  // Block size: the block's outputs (SB x OP floats) should stay in L2 next to a forward tile.
  SB = min(256, max(16, 65536 / OP));
  // Forward tile: TN rows of W2T, about 512 KB (half of a typical L2).
  TN = min(KP, max(16, (131072 / OP) & ~15));
  HN = min(KP, max(16, (131072 / N) & ~15));
  const k4 = <usize>KP << 2;
  W1 = alloc(k4 * MP);
  B = alloc(k4);
  W2T = alloc(k4 * OS);
  GW1 = alloc(k4 * MP);
  GB = alloc(k4);
  GW2T = alloc(k4 * OS);
  M1 = alloc(k4 * MP);
  V1 = alloc(k4 * MP);
  MB = alloc(k4);
  VB = alloc(k4);
  M2 = alloc(k4 * OS);
  V2 = alloc(k4 * OS);
  ET = alloc((<usize>N * MP) << 2);
  if (TASK == 2) QT = alloc((<usize>N * OS) << 2);
  W1T = alloc(k4 * MP);
  PT = alloc((<usize>N * KS) << 2);
  PRE = alloc(64);
  PRE_H = alloc(64);
  PRE_S = alloc(64);
  XB = alloc((<usize>SB * MP) << 2);
  YB = alloc((<usize>SB * OS) << 2);
  ROWN = alloc(<usize>SB << 2);
  CUR = alloc(<usize>SB << 2);
  const pairs = (<usize>SB * KP) << 2;
  CJ = alloc(pairs);
  CH = alloc(pairs);
  CNT = alloc(k4);
  TS = alloc(pairs);
  TH = alloc(pairs);
  TSL = alloc(pairs);
  DPRE = alloc(<usize>SB << 2);
  FCNT = alloc(k4);
  FMAX = alloc(k4);
}

/** Room for a batch of `size` samples with `nnz` active features in total. May grow memory (JS views go stale). */
export function reserveBatch(size: i32, nnz: i32): void {
  if (size > batchCapacity) {
    batchCapacity = max(size, batchCapacity * 2);
    OFFS = alloc((<usize>batchCapacity + 1) << 2);
  }
  if (nnz > nnzCapacity) {
    nnzCapacity = max(nnz, nnzCapacity * 2);
    IDX = alloc(<usize>nnzCapacity << 2);
    VAL = alloc(<usize>nnzCapacity << 2);
  }
}

// Addresses and padded strides for the wrapper, which reads and writes the tensors through typed-array views.
export function ptrW1(): usize { return W1; }
export function ptrB(): usize { return B; }
export function ptrW2T(): usize { return W2T; }
export function ptrGW1(): usize { return GW1; }
export function ptrGB(): usize { return GB; }
export function ptrGW2T(): usize { return GW2T; }
export function ptrET(): usize { return ET; }
export function ptrQT(): usize { return QT; }
export function ptrOffsets(): usize { return OFFS; }
export function ptrIndices(): usize { return IDX; }
export function ptrValues(): usize { return VAL; }
export function strideM(): i32 { return MP; }
export function strideK(): i32 { return KP; }
export function strideO(): i32 { return OS; }
export function lastActivePairs(): f64 { return activePairs; }
export function ptrFiringCounts(): usize { return FCNT; }
export function ptrFiringMax(): usize { return FMAX; }

// ---- activations (float32, as the other engines compute them) ----

/** erf to ~1.2e-7 (Numerical Recipes' erfc Chebyshev fit), the same formula as protocol/activations.ts. */
function erf(x: f32): f32 {
  const z = Mathf.abs(x);
  const t: f32 = 1.0 / (1.0 + 0.5 * z);
  const poly: f32 =
    -z * z - 1.26551223 +
    t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 +
    t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const erfc = t * Mathf.exp(poly);
  return x >= 0 ? 1.0 - erfc : erfc - 1.0;
}

const INV_SQRT2: f32 = 0.7071067811865476;
const INV_SQRT_2PI: f32 = 0.3989422804014327;

/** exp of four lanes (Cephes' expf: exp(x) = 2^n e^r with |r| <= ln2 / 2, a degree-6 polynomial for e^r; ~1 ulp).
 * Inputs are clamped to [-87.3, 88.7]: below, the result is ~1e-38 instead of a denormal (irrelevant next to the
 * terms it is added to); above, 2^128 overflows to infinity as a scalar exp would. */
function expv(x0: v128): v128 {
  const x = f32x4.min(f32x4.max(x0, f32x4.splat(-87.33654)), f32x4.splat(88.72283));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(1.44269504088896341)));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  const er = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r), f32x4.splat(1));
  const pow2 = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(er, pow2);
}

/** erf of four lanes: the same Numerical Recipes formula as the scalar erf above. */
function erfv(x: v128): v128 {
  const z = f32x4.abs(x);
  const t = f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), f32x4.mul(f32x4.splat(0.5), z)));
  let p = f32x4.splat(0.17087277);
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(-0.82215223));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(1.48851587));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(-1.13520398));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(0.27886807));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(-0.18628806));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(0.09678418));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(0.37409196));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(1.00002368));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(-1.26551223));
  const erfc = f32x4.mul(t, expv(f32x4.sub(p, f32x4.mul(z, z))));
  const one = f32x4.splat(1);
  return v128.bitselect(f32x4.sub(one, erfc), f32x4.sub(erfc, one), f32x4.ge(x, f32x4.splat(0)));
}

/** GeLU or x exp(x) of four pre-activations: the activations go to H, their slopes act'(pre) to S (both 16 bytes). */
@inline function activateDense(z: v128, h: usize, slope: usize): void {
  if (ACT == 1) {
    const cdf = f32x4.mul(f32x4.splat(0.5), f32x4.add(f32x4.splat(1), erfv(f32x4.mul(z, f32x4.splat(INV_SQRT2)))));
    const pdf = f32x4.mul(f32x4.splat(INV_SQRT_2PI), expv(f32x4.mul(f32x4.splat(-0.5), f32x4.mul(z, z))));
    v128.store(h, f32x4.mul(z, cdf));
    v128.store(slope, f32x4.add(cdf, f32x4.mul(z, pdf)));
  } else {
    const ez = expv(z);
    v128.store(h, f32x4.mul(z, ez));
    v128.store(slope, f32x4.mul(f32x4.add(f32x4.splat(1), z), ez));
  }
}

// ---- the step ----

/** Rebuild W1T and PT = (W1 E)^T: PT[i, j] = sum_d ET[i, d] W1T[d, j], a (N x MP)(MP x KP) product. Register tile:
 * 4 features x 8 neurons (8 vector accumulators); each ET value is broadcast straight from memory. */
function computeP(): void {
  packW1();
  if (DIRECT) return;
  const rowK = <usize>KS << 2;
  const rowM = <usize>MP << 2;
  for (let j = 0; j < KP; j += 8) {
    const w = W1T + ((<usize>(j >> 3) * MP * 8) << 2);
    let i = 0;
    for (; i + 4 <= N; i += 4) {
      const e = ET + <usize>i * rowM;
      let a00 = f32x4.splat(0), a01 = f32x4.splat(0), a10 = f32x4.splat(0), a11 = f32x4.splat(0);
      let a20 = f32x4.splat(0), a21 = f32x4.splat(0), a30 = f32x4.splat(0), a31 = f32x4.splat(0);
      for (let d = 0; d < MP; d++) {
        const wd = w + (<usize>d << 5);
        const w0 = v128.load(wd), w1 = v128.load(wd, 16);
        const ed = e + (<usize>d << 2);
        const e0 = v128.load32_splat(ed), e1 = v128.load32_splat(ed + rowM);
        const e2 = v128.load32_splat(ed + 2 * rowM), e3 = v128.load32_splat(ed + 3 * rowM);
        a00 = f32x4.add(a00, f32x4.mul(e0, w0)); a01 = f32x4.add(a01, f32x4.mul(e0, w1));
        a10 = f32x4.add(a10, f32x4.mul(e1, w0)); a11 = f32x4.add(a11, f32x4.mul(e1, w1));
        a20 = f32x4.add(a20, f32x4.mul(e2, w0)); a21 = f32x4.add(a21, f32x4.mul(e2, w1));
        a30 = f32x4.add(a30, f32x4.mul(e3, w0)); a31 = f32x4.add(a31, f32x4.mul(e3, w1));
      }
      const p = PT + <usize>i * rowK + (<usize>j << 2);
      v128.store(p, a00); v128.store(p, a01, 16);
      v128.store(p + rowK, a10); v128.store(p + rowK, a11, 16);
      v128.store(p + 2 * rowK, a20); v128.store(p + 2 * rowK, a21, 16);
      v128.store(p + 3 * rowK, a30); v128.store(p + 3 * rowK, a31, 16);
    }
    for (; i < N; i++) {
      const e = ET + <usize>i * rowM;
      let a0 = f32x4.splat(0), a1 = f32x4.splat(0);
      for (let d = 0; d < MP; d++) {
        const wd = w + (<usize>d << 5);
        const ed = v128.load32_splat(e + (<usize>d << 2));
        a0 = f32x4.add(a0, f32x4.mul(ed, v128.load(wd)));
        a1 = f32x4.add(a1, f32x4.mul(ed, v128.load(wd, 16)));
      }
      const p = PT + <usize>i * rowK + (<usize>j << 2);
      v128.store(p, a0); v128.store(p, a1, 16);
    }
  }
}

/** W1 in panels of 8 neurons, for computeP and the direct hidden layer. */
function packW1(): void {
  // W1 in panels of 8 neurons: panel j/8 holds W1[j .. j+8, d] for d = 0 .. MP as MP rows of 8 floats (32 bytes),
  // so computeP's kernel and the direct hidden layer read it sequentially. (Plain W1^T, with rows KP floats apart, would put every row of a panel
  // in the same L1 cache set when KP * 4 is a multiple of 4 KB, as at k = 1024: a conflict miss on every load.)
  for (let j = 0; j < K; j++) {
    const panel = W1T + ((<usize>(j >> 3) * MP * 8 + (j & 7)) << 2);
    for (let d = 0; d < MP; d++) store<f32>(panel + (<usize>d << 5), load<f32>(f32At(W1, j * MP + d)));
  }
}

/** Record one active (sample, neuron) pair in both lists: by sample (CSR: neuron, h) for the forward pass and by
 * neuron (CSC: sample, h, act'(pre)) for the backward pass. Each sample owns KP slots and each neuron SB slots. */
@inline function appendPair(sl: i32, rowCount: i32, j: i32, h: f32, slope: f32): void {
  const r = (<usize>sl * KP + rowCount) << 2;
  store<i32>(CJ + r, j);
  store<f32>(CH + r, h);
  const countAt = CNT + (<usize>j << 2);
  const c = load<i32>(countAt);
  store<i32>(countAt, c + 1);
  const t = (<usize>j * SB + c) << 2;
  store<i32>(TS + t, sl);
  store<f32>(TH + t, h);
  store<f32>(TSL + t, slope);
}

/** Hidden layer of one block: pre = b + sum over active features of v_i PT[i, :], then the activation; every active
 * (sample, neuron) pair goes into both pair lists. Also x = E v per sample, for grad W1. Neurons are visited in tiles
 * of HN so that the tile's columns of PT (N x HN floats) stay in L2 across the block's samples. Returns the number of
 * pairs. */
function hiddenLayer(s0: i32, nb: i32): i32 {
  const rowK = <usize>KS << 2;
  memory.fill(CNT, 0, <usize>KP << 2);
  memory.fill(ROWN, 0, <usize>nb << 2);
  for (let sl = 0; sl < nb; sl++) {
    const e0 = load<i32>(OFFS + (<usize>(s0 + sl) << 2));
    const e1 = load<i32>(OFFS + (<usize>(s0 + sl + 1) << 2));
    const x = XB + ((<usize>sl * MP) << 2);
    for (let d = 0; d < MP; d += 4) v128.store(x + (<usize>d << 2), f32x4.splat(0));
    for (let e = e0; e < e1; e++) {
      const v = f32x4.splat(load<f32>(VAL + (<usize>e << 2)));
      const row = ET + ((<usize>load<i32>(IDX + (<usize>e << 2)) * MP) << 2);
      for (let d = 0; d < MP; d += 4) {
        const at = x + (<usize>d << 2);
        v128.store(at, f32x4.add(v128.load(at), f32x4.mul(v, v128.load(row + (<usize>d << 2)))));
      }
    }
  }
  let pairs = 0;
  const zero = f32x4.splat(0);
  for (let t = 0; t < KP; t += HN) {
    const tileEnd = min(KP, t + HN);
    for (let sl = 0; sl < nb; sl++) {
      const e0 = load<i32>(OFFS + (<usize>(s0 + sl) << 2));
      const e1 = load<i32>(OFFS + (<usize>(s0 + sl + 1) << 2));
      let rowCount = load<i32>(ROWN + (<usize>sl << 2));
      const before = rowCount;
      // pre-activations, 16 neurons at a time, kept in registers over the sample's features
      for (let j = t; j < tileEnd; j += 16) {
        const bj = f32At(B, j);
        let p0 = v128.load(bj), p1 = v128.load(bj, 16), p2 = v128.load(bj, 32), p3 = v128.load(bj, 48);
        if (DIRECT) {
          // pre = b + W1 x: two panels of 8 neurons, each read sequentially over d, x[d] broadcast.
          const xs = XB + ((<usize>sl * MP) << 2);
          const wa = W1T + ((<usize>(j >> 3) * MP * 8) << 2);
          const wb = wa + ((<usize>MP * 8) << 2);
          for (let d = 0; d < MP; d++) {
            const xd = v128.load32_splat(xs + (<usize>d << 2));
            const o = <usize>d << 5;
            p0 = f32x4.add(p0, f32x4.mul(xd, v128.load(wa + o)));
            p1 = f32x4.add(p1, f32x4.mul(xd, v128.load(wa + o, 16)));
            p2 = f32x4.add(p2, f32x4.mul(xd, v128.load(wb + o)));
            p3 = f32x4.add(p3, f32x4.mul(xd, v128.load(wb + o, 16)));
          }
        } else for (let e = e0; e < e1; e++) {
          const v = v128.load32_splat(VAL + (<usize>e << 2));
          const row = PT + <usize>load<i32>(IDX + (<usize>e << 2)) * rowK + (<usize>j << 2);
          p0 = f32x4.add(p0, f32x4.mul(v, v128.load(row)));
          p1 = f32x4.add(p1, f32x4.mul(v, v128.load(row, 16)));
          p2 = f32x4.add(p2, f32x4.mul(v, v128.load(row, 32)));
          p3 = f32x4.add(p3, f32x4.mul(v, v128.load(row, 48)));
        }
        v128.store(PRE, p0); v128.store(PRE, p1, 16); v128.store(PRE, p2, 32); v128.store(PRE, p3, 48);
        if (ACT == 0) {
          // ReLU: one bit per lane that is not <= 0 (positive, or NaN so that a diverged model's NaN reaches the
          // loss as it would in PyTorch); visit only those, none at all in most chunks when biases are negative.
          let mask = i32x4.bitmask(v128.not(f32x4.le(p0, zero))) | (i32x4.bitmask(v128.not(f32x4.le(p1, zero))) << 4) |
            (i32x4.bitmask(v128.not(f32x4.le(p2, zero))) << 8) | (i32x4.bitmask(v128.not(f32x4.le(p3, zero))) << 12);
          while (mask != 0) {
            const l = ctz(mask);
            mask &= mask - 1;
            appendPair(sl, rowCount++, j + l, load<f32>(PRE + (<usize>l << 2)), 1);
          }
        } else {
          // GeLU and x exp(x) are never exactly zero: every neuron is active.
          activateDense(p0, PRE_H, PRE_S);
          activateDense(p1, PRE_H + 16, PRE_S + 16);
          activateDense(p2, PRE_H + 32, PRE_S + 32);
          activateDense(p3, PRE_H + 48, PRE_S + 48);
          const end = min(16, K - j);
          for (let l = 0; l < end; l++)
            appendPair(sl, rowCount++, j + l, load<f32>(PRE_H + (<usize>l << 2)), load<f32>(PRE_S + (<usize>l << 2)));
        }
      }
      store<i32>(ROWN + (<usize>sl << 2), rowCount);
      pairs += rowCount - before;
    }
  }
  return pairs;
}

/** y = W2 h for the block, from the CSR lists: a sample's outputs, 16 at a time, stay in registers while its active
 * neurons' W2T rows are added in. Neurons are visited in tiles of TN rows so that the tile stays in L2 across the
 * block's samples (the lists are sorted by neuron, so each sample's part of a tile is a contiguous range). */
function forwardOutputs(nb: i32): void {
  memory.fill(YB, 0, (<usize>nb * OS) << 2);
  const rowO = <usize>OS << 2;
  const widthO = <usize>OP << 2;
  memory.fill(CUR, 0, <usize>nb << 2);
  for (let t = 0; t < KP; t += TN) {
    const tileEnd = t + TN;
    for (let sl = 0; sl < nb; sl++) {
      const base = sl * KP; // the sample's pairs are CJ/CH[base + 0 .. base + ROWN[sl])
      const q0 = base + load<i32>(CUR + (<usize>sl << 2));
      const qEnd = base + load<i32>(ROWN + (<usize>sl << 2));
      let q1 = q0;
      while (q1 < qEnd && load<i32>(CJ + (<usize>q1 << 2)) < tileEnd) q1++;
      store<i32>(CUR + (<usize>sl << 2), q1 - base);
      if (q1 == q0) continue;
      // Four of the sample's active neurons at a time: y += h0 W2T[j0] + h1 W2T[j1] + h2 W2T[j2] + h3 W2T[j3], sweeping
      // the four rows sequentially (prefetch-friendly) while the sample's outputs stay in L1.
      const y = YB + <usize>sl * rowO;
      let q = q0;
      for (; q + 4 <= q1; q += 4) {
        const p = <usize>q << 2;
        const w0 = W2T + <usize>load<i32>(CJ + p) * rowO, w1 = W2T + <usize>load<i32>(CJ + p, 4) * rowO;
        const w2 = W2T + <usize>load<i32>(CJ + p, 8) * rowO, w3 = W2T + <usize>load<i32>(CJ + p, 12) * rowO;
        const h0 = v128.load32_splat(CH + p), h1 = v128.load32_splat(CH + p, 4);
        const h2 = v128.load32_splat(CH + p, 8), h3 = v128.load32_splat(CH + p, 12);
        for (let c: usize = 0; c < widthO; c += 16) {
          const sum = f32x4.add(
            f32x4.add(f32x4.mul(h0, v128.load(w0 + c)), f32x4.mul(h1, v128.load(w1 + c))),
            f32x4.add(f32x4.mul(h2, v128.load(w2 + c)), f32x4.mul(h3, v128.load(w3 + c))),
          );
          v128.store(y + c, f32x4.add(v128.load(y + c), sum));
        }
      }
      for (; q < q1; q++) {
        const p = <usize>q << 2;
        const w0 = W2T + <usize>load<i32>(CJ + p) * rowO;
        const h0 = v128.load32_splat(CH + p);
        for (let c: usize = 0; c < widthO; c += 16) v128.store(y + c, f32x4.add(v128.load(y + c), f32x4.mul(h0, v128.load(w0 + c))));
      }
    }
  }
}

/** Turn the block's outputs into d loss / d y = 2 (y - target) / batch, in place; returns the block's sum of squared
 * errors. The decoder's and abs's targets are sparse (v or |v| at the active features), so they are subtracted
 * feature by feature; the re-projector's target Q v is added up from rows of QT. */
function outputGradient(s0: i32, nb: i32, twoOverB: f32): f64 {
  const rowO = <usize>OS << 2;
  const scale = f32x4.splat(twoOverB);
  let total: f64 = 0;
  for (let sl = 0; sl < nb; sl++) {
    const y = YB + <usize>sl * rowO;
    const e0 = load<i32>(OFFS + (<usize>(s0 + sl) << 2));
    const e1 = load<i32>(OFFS + (<usize>(s0 + sl + 1) << 2));
    for (let e = e0; e < e1; e++) {
      const i = load<i32>(IDX + (<usize>e << 2));
      const v = load<f32>(VAL + (<usize>e << 2));
      if (TASK == 2) {
        const vv = f32x4.splat(v);
        const row = QT + <usize>i * rowO;
        for (let c = 0; c < OP; c += 4) {
          const at = y + (<usize>c << 2);
          v128.store(at, f32x4.sub(v128.load(at), f32x4.mul(vv, v128.load(row + (<usize>c << 2)))));
        }
      } else {
        const at = f32At(y, i);
        store<f32>(at, load<f32>(at) - (TASK == 1 ? Mathf.abs(v) : v));
      }
    }
    let sq = f32x4.splat(0);
    for (let c = 0; c < OP; c += 4) {
      const at = y + (<usize>c << 2);
      const diff = v128.load(at);
      sq = f32x4.add(sq, f32x4.mul(diff, diff));
      v128.store(at, f32x4.mul(diff, scale));
    }
    total += <f64>f32x4.extract_lane(sq, 0) + <f64>f32x4.extract_lane(sq, 1) +
      <f64>f32x4.extract_lane(sq, 2) + <f64>f32x4.extract_lane(sq, 3);
  }
  return total;
}

/** d objective / d pre of pair q (the neuron's q - q0'th), from the lanes of its dh = W2[:, j] . dy:
 * (dh + l1 sign(h) / batch) act'(pre). Stored in DPRE for grad W1; returned for grad b. */
@inline function pairGradient(q: i32, q0: i32, dhLanes: v128, l1OverB: f32): f32 {
  const p = <usize>q << 2;
  const dh = f32x4.extract_lane(dhLanes, 0) + f32x4.extract_lane(dhLanes, 1) + f32x4.extract_lane(dhLanes, 2) + f32x4.extract_lane(dhLanes, 3);
  const h = load<f32>(TH + p);
  const sign: f32 = h > 0 ? 1 : h < 0 ? -1 : 0;
  const dpre = (dh + sign * l1OverB) * load<f32>(TSL + p);
  store<f32>(DPRE + ((<usize>(q - q0)) << 2), dpre);
  return dpre;
}

/** Backward pass of the block, one neuron at a time over the samples where it fired. For each such pair, one sweep
 * over the outputs computes dh = W2[:, j] . dy and adds h dy to grad W2[:, j]; the neuron's W2T row and gradient row
 * (2 KB each at 512 outputs) stay in L1 across its pairs, so only dy streams in (from L2). Pairs go four at a time
 * so that each load of the weight and gradient rows serves four samples. Then
 * d pre = (dh + l1 sign(h) / batch) act'(pre), grad b_j += d pre and grad W1[j, :] += d pre x. */
function backward(nb: i32, l1OverB: f32): void {
  const rowO = <usize>OS << 2;
  const widthO = <usize>OP << 2;
  const rowM = <usize>MP << 2;
  for (let j = 0; j < K; j++) {
    const count = load<i32>(CNT + (<usize>j << 2));
    if (count == 0) continue;
    const q0 = j * SB; // the neuron's pairs are TS/TH/TSL[q0 .. q0 + count)
    const q1 = q0 + count;
    const w = W2T + <usize>j * rowO;
    const g = GW2T + <usize>j * rowO;
    let gb: f32 = 0;
    let q = q0;
    // Four pairs at a time: one load of the neuron's weights and gradient serves four samples' dy.
    for (; q + 4 <= q1; q += 4) {
      const p = <usize>q << 2;
      const y0 = YB + <usize>load<i32>(TS + p) * rowO, y1 = YB + <usize>load<i32>(TS + p, 4) * rowO;
      const y2 = YB + <usize>load<i32>(TS + p, 8) * rowO, y3 = YB + <usize>load<i32>(TS + p, 12) * rowO;
      const h0 = v128.load32_splat(TH + p), h1 = v128.load32_splat(TH + p, 4);
      const h2 = v128.load32_splat(TH + p, 8), h3 = v128.load32_splat(TH + p, 12);
      let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
      for (let c: usize = 0; c < widthO; c += 16) {
        const wc = v128.load(w + c);
        const d0 = v128.load(y0 + c), d1 = v128.load(y1 + c), d2 = v128.load(y2 + c), d3 = v128.load(y3 + c);
        s0 = f32x4.add(s0, f32x4.mul(wc, d0));
        s1 = f32x4.add(s1, f32x4.mul(wc, d1));
        s2 = f32x4.add(s2, f32x4.mul(wc, d2));
        s3 = f32x4.add(s3, f32x4.mul(wc, d3));
        const sum = f32x4.add(f32x4.add(f32x4.mul(h0, d0), f32x4.mul(h1, d1)), f32x4.add(f32x4.mul(h2, d2), f32x4.mul(h3, d3)));
        v128.store(g + c, f32x4.add(v128.load(g + c), sum));
      }
      gb += pairGradient(q, q0, s0, l1OverB) + pairGradient(q + 1, q0, s1, l1OverB);
      gb += pairGradient(q + 2, q0, s2, l1OverB) + pairGradient(q + 3, q0, s3, l1OverB);
    }
    for (; q < q1; q++) {
      const p = <usize>q << 2;
      const dy = YB + <usize>load<i32>(TS + p) * rowO;
      const hv = v128.load32_splat(TH + p);
      let s0 = f32x4.splat(0), s1 = f32x4.splat(0);
      for (let c: usize = 0; c < widthO; c += 32) {
        const d0 = v128.load(dy + c), d1 = v128.load(dy + c, 16);
        s0 = f32x4.add(s0, f32x4.mul(v128.load(w + c), d0));
        s1 = f32x4.add(s1, f32x4.mul(v128.load(w + c, 16), d1));
        v128.store(g + c, f32x4.add(v128.load(g + c), f32x4.mul(hv, d0)));
        v128.store(g + c, f32x4.add(v128.load(g + c, 16), f32x4.mul(hv, d1)), 16);
      }
      gb += pairGradient(q, q0, f32x4.add(s0, s1), l1OverB);
    }
    store<f32>(f32At(GB, j), load<f32>(f32At(GB, j)) + gb);
    const gw = GW1 + <usize>j * rowM;
    for (let c = 0; c < MP; c += 16) {
      const gc = gw + (<usize>c << 2);
      let a0 = v128.load(gc), a1 = v128.load(gc, 16), a2 = v128.load(gc, 32), a3 = v128.load(gc, 48);
      for (let q = q0; q < q1; q++) {
        const dpre = v128.load32_splat(DPRE + ((<usize>(q - q0)) << 2));
        const x = XB + <usize>load<i32>(TS + (<usize>q << 2)) * rowM + (<usize>c << 2);
        a0 = f32x4.add(a0, f32x4.mul(dpre, v128.load(x)));
        a1 = f32x4.add(a1, f32x4.mul(dpre, v128.load(x, 16)));
        a2 = f32x4.add(a2, f32x4.mul(dpre, v128.load(x, 32)));
        a3 = f32x4.add(a3, f32x4.mul(dpre, v128.load(x, 48)));
      }
      v128.store(gc, a0); v128.store(gc, a1, 16); v128.store(gc, a2, 32); v128.store(gc, a3, 48);
    }
  }
}

/** How the pre-activations are computed this step (see DIRECT). */
function choosePreactivation(batchSize: i32): void {
  // Direct costs batch * MP per neuron, P costs N * MP plus batch * nnz-per-sample; the P kernel is register-tiled
  // over 4 features and runs about twice as fast per multiply-add, hence the factor 2.
  const nnz = load<i32>(OFFS + (<usize>batchSize << 2)) - load<i32>(OFFS);
  DIRECT = PREACTIVATION == 0 ? 2 * (<i64>batchSize * MP) < <i64>N * MP + 2 * <i64>nnz : PREACTIVATION == 2;
}

/** For ReLU models: on the batch in OFFS/IDX/VAL at the current parameters, how many samples each neuron fired on
 * (pre-activation > 0) into FCNT, and its largest pre-activation (0 if none) into FMAX. What Group Bias Adaptation
 * measures; no gradient, no output layer. */
export function firingStats(batchSize: i32): void {
  memory.fill(FCNT, 0, <usize>KP << 2);
  memory.fill(FMAX, 0, <usize>KP << 2);
  choosePreactivation(batchSize);
  computeP();
  for (let s0 = 0; s0 < batchSize; s0 += SB) {
    const nb = min(SB, batchSize - s0);
    hiddenLayer(s0, nb);
    for (let j = 0; j < K; j++) {
      const count = load<i32>(CNT + (<usize>j << 2));
      if (count == 0) continue;
      const at = FCNT + (<usize>j << 2);
      store<i32>(at, load<i32>(at) + count);
      let top = load<f32>(FMAX + (<usize>j << 2));
      const q0 = j * SB;
      for (let q = q0; q < q0 + count; q++) top = max(top, load<f32>(TH + (<usize>q << 2)));
      store<f32>(FMAX + (<usize>j << 2), top);
    }
  }
}

/** Task loss (sum of squared errors / batch) of the batch in OFFS/IDX/VAL at the current parameters, and the
 * gradients of the objective (task loss + l1 sum|h| / batch) in GW1, GB, GW2T. */
export function forwardBackward(batchSize: i32, l1: f32): f64 {
  // The gradients are zero here: memory starts zeroed, LAMB zeroes them as it consumes them, and the wrapper's
  // lossAndGradients zeroes them after reading (clearing them again here was 2.3 MB of writes per step at k = 1024).
  phase(0);
  choosePreactivation(batchSize);
  computeP();
  const twoOverB: f32 = 2.0 / <f32>batchSize;
  const l1OverB: f32 = l1 / <f32>batchSize;
  let loss: f64 = 0;
  activePairs = 0;
  for (let s0 = 0; s0 < batchSize; s0 += SB) {
    const nb = min(SB, batchSize - s0);
    phase(1);
    const pairs = hiddenLayer(s0, nb);
    activePairs += <f64>pairs;
    phase(2);
    if (pairs > 0) forwardOutputs(nb);
    else memory.fill(YB, 0, (<usize>nb * OS) << 2);
    phase(3);
    loss += outputGradient(s0, nb, twoOverB);
    if (pairs > 0) {
      phase(4);
      backward(nb, l1OverB);
    }
  }
  return loss / <f64>batchSize;
}

// ---- the optimiser ----

const BETA1: f32 = 0.9;
const BETA2: f32 = 0.999;
const EPSILON: f32 = 1e-6;
const MAX_WEIGHT_NORM: f64 = 10;

@inline function sum4(v: v128): f64 {
  return <f64>f32x4.extract_lane(v, 0) + <f64>f32x4.extract_lane(v, 1) + <f64>f32x4.extract_lane(v, 2) + <f64>f32x4.extract_lane(v, 3);
}

/** One LAMB update of one tensor of `count` floats (a multiple of 4), fused: the first sweep updates the moments,
 * writes the Adam step over the gradient and sums both squared norms; the second applies the step scaled by the
 * trust ratio and zeroes the gradient buffer for the next step. Norms are summed per 4096 elements in float32 and
 * across chunks in float64. */
function lambTensor(w: usize, g: usize, mo: usize, ve: usize, count: i32, lr: f32): void {
  const b1 = f32x4.splat(BETA1), c1 = f32x4.splat(1.0 - BETA1);
  const b2 = f32x4.splat(BETA2), c2 = f32x4.splat(1.0 - BETA2);
  const eps = f32x4.splat(EPSILON);
  let weightSq: f64 = 0, stepSq: f64 = 0;
  for (let i0 = 0; i0 < count; i0 += 4096) {
    const i1 = min(count, i0 + 4096);
    let ws = f32x4.splat(0), ss = f32x4.splat(0);
    for (let i = i0; i < i1; i += 4) {
      const o = <usize>i << 2;
      const gi = v128.load(g + o);
      const mi = f32x4.add(f32x4.mul(v128.load(mo + o), b1), f32x4.mul(gi, c1));
      const vi = f32x4.add(f32x4.mul(v128.load(ve + o), b2), f32x4.mul(f32x4.mul(gi, gi), c2));
      v128.store(mo + o, mi);
      v128.store(ve + o, vi);
      const step = f32x4.div(mi, f32x4.add(f32x4.sqrt(vi), eps));
      v128.store(g + o, step);
      const wi = v128.load(w + o);
      ws = f32x4.add(ws, f32x4.mul(wi, wi));
      ss = f32x4.add(ss, f32x4.mul(step, step));
    }
    weightSq += sum4(ws);
    stepSq += sum4(ss);
  }
  const weightNorm = Math.min(Math.sqrt(weightSq), MAX_WEIGHT_NORM);
  const stepNorm = Math.sqrt(stepSq);
  const trust: f64 = weightNorm == 0 || stepNorm == 0 ? 1 : weightNorm / stepNorm;
  const scale = f32x4.splat(<f32>(<f64>lr * trust));
  const zero = f32x4.splat(0);
  for (let i = 0; i < count; i += 4) {
    const o = <usize>i << 2;
    v128.store(w + o, f32x4.sub(v128.load(w + o), f32x4.mul(v128.load(g + o), scale)));
    v128.store(g + o, zero);
  }
}

/** LAMB on W1, b and W2 (separate trust ratios), then every bias multiplied by `biasDecay`. */
export function lamb(lr: f32, biasDecay: f32): void {
  phase(5);
  lambTensor(W1, GW1, M1, V1, K * MP, lr);
  lambTensor(B, GB, MB, VB, KP, lr);
  lambTensor(W2T, GW2T, M2, V2, KP * OS, lr);
  if (biasDecay != 1) {
    const f = f32x4.splat(biasDecay);
    for (let j = 0; j < KP; j += 4) v128.store(f32At(B, j), f32x4.mul(v128.load(f32At(B, j)), f));
  }
}

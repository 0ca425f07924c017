/** The data: sparse batches of feature vectors drawn from each feature's activation probability (equal or power law). */
import type { Sampler } from "./config.js";
import type { Rng } from "./rng.js";

/**
 * A batch of sparse feature vectors v (batch x N), in compressed sparse rows: sample s has active features
 * indices[offsets[s] .. offsets[s+1]) (ascending) with amplitudes values[...]. About N*eps of N features are active,
 * so this is ~60x smaller than dense at the paper's settings and lets engines skip the zeros.
 */
export interface SparseBatch {
  size: number;
  nFeatures: number;
  offsets: Int32Array;
  indices: Int32Array;
  values: Float32Array;
}

/** Per-feature activation probabilities. `equal`: eps each. `power_law`: p_i proportional to i^-1.1 (1-based),
 * scaled so that they sum to N*eps, then clipped at 1. */
export function featureProbabilities(sampler: Sampler, nFeatures: number, eps: number): Float64Array {
  const p = new Float64Array(nFeatures);
  if (sampler === "equal") return p.fill(eps);
  let total = 0;
  for (let i = 0; i < nFeatures; i++) total += (i + 1) ** -1.1;
  for (let i = 0; i < nFeatures; i++) p[i] = Math.min(1, ((i + 1) ** -1.1 * nFeatures * eps) / total);
  return p;
}

/**
 * One batch's draws in the order they are made (feature by feature, rows ascending within a feature): the row, the
 * feature and the amplitude of every active entry. Kept between batches and grown on demand, so that drawing a batch
 * allocates nothing but the batch itself (at batch 16 the per-feature arrays this replaces cost more, mostly in the
 * garbage collector, than the model's step at small widths).
 */
class Draws {
  rows = new Int32Array(1024);
  features = new Int32Array(1024);
  values = new Float64Array(1024);
  count = 0;

  push(row: number, feature: number, value: number): void {
    if (this.count === this.rows.length) this.grow();
    this.rows[this.count] = row;
    this.features[this.count] = feature;
    this.values[this.count++] = value;
  }

  private grow(): void {
    const capacity = this.rows.length * 2;
    const rows = new Int32Array(capacity);
    const features = new Int32Array(capacity);
    const values = new Float64Array(capacity);
    rows.set(this.rows);
    features.set(this.features);
    values.set(this.values);
    [this.rows, this.features, this.values] = [rows, features, values];
  }
}

const batchDraws = new Draws();
const columnA = new Draws();
const columnB = new Draws();

/** Draw, for one feature, the samples in which it is active, by skipping geometric gaps: the same distribution as one
 * Bernoulli per (sample, feature), with one random draw per active entry instead of one per entry. */
function drawColumn(p: number, feature: number, size: number, rng: Rng, out: Draws): void {
  const logQ = Math.log1p(-p);
  for (let row = rng.geometric(p, logQ); row < size; row += 1 + rng.geometric(p, logQ)) out.push(row, feature, rng.uniform());
}

/** v1 - v2 for two independent columns of one feature (the abs task), merged by row into `out`. */
function subtractColumns(a: Draws, b: Draws, feature: number, out: Draws): void {
  let i = 0;
  let j = 0;
  while (i < a.count || j < b.count) {
    const ra = i < a.count ? a.rows[i] : Infinity;
    const rb = j < b.count ? b.rows[j] : Infinity;
    if (ra === rb) out.push(ra, feature, a.values[i++] - b.values[j++]);
    else if (ra < rb) out.push(ra, feature, a.values[i++]);
    else out.push(rb, feature, -b.values[j++]);
  }
}

/** The draws as compressed sparse rows. Features were drawn in ascending order, so each row's indices come out
 * sorted. */
function drawsToRows(draws: Draws, size: number, nFeatures: number): SparseBatch {
  const { rows, features, count } = draws;
  const offsets = new Int32Array(size + 1);
  for (let e = 0; e < count; e++) offsets[rows[e] + 1]++;
  for (let s = 0; s < size; s++) offsets[s + 1] += offsets[s];
  const indices = new Int32Array(count);
  const values = new Float32Array(count);
  const cursor = offsets.slice(0, size);
  for (let e = 0; e < count; e++) {
    const at = cursor[rows[e]]++;
    indices[at] = features[e];
    values[at] = draws.values[e];
  }
  return { size, nFeatures, offsets, indices, values };
}

/** A batch of feature vectors: each feature active independently with its probability, amplitude U[0,1). */
export function sampleFeatures(probabilities: Float64Array, size: number, rng: Rng): SparseBatch {
  batchDraws.count = 0;
  for (let i = 0; i < probabilities.length; i++) drawColumn(probabilities[i], i, size, rng, batchDraws);
  return drawsToRows(batchDraws, size, probabilities.length);
}

/** The absolute-value task's input: v = v1 - v2 with v1, v2 drawn independently at half the rate each, so values lie
 * in (-1, 1). `halfProbabilities` are the probabilities at eps/2. */
export function sampleSignedFeatures(halfProbabilities: Float64Array, size: number, rng: Rng): SparseBatch {
  batchDraws.count = 0;
  for (let i = 0; i < halfProbabilities.length; i++) {
    columnA.count = 0;
    columnB.count = 0;
    drawColumn(halfProbabilities[i], i, size, rng, columnA);
    drawColumn(halfProbabilities[i], i, size, rng, columnB);
    subtractColumns(columnA, columnB, i, batchDraws);
  }
  return drawsToRows(batchDraws, size, halfProbabilities.length);
}

/** Dense copy (batch x N, row-major), for engines that work dense and for tests. */
export function toDense(batch: SparseBatch): Float32Array {
  const dense = new Float32Array(batch.size * batch.nFeatures);
  for (let s = 0; s < batch.size; s++)
    for (let e = batch.offsets[s]; e < batch.offsets[s + 1]; e++) dense[s * batch.nFeatures + batch.indices[e]] = batch.values[e];
  return dense;
}

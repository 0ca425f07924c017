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

interface Column {
  rows: number[];
  values: number[];
}

/** Draw, for one feature, the samples in which it is active, by skipping geometric gaps: the same distribution as one
 * Bernoulli per (sample, feature), with one random draw per active entry instead of one per entry. */
function sampleColumn(p: number, size: number, rng: Rng): Column {
  const rows: number[] = [];
  const values: number[] = [];
  for (let row = rng.geometric(p); row < size; row += 1 + rng.geometric(p)) {
    rows.push(row);
    values.push(rng.uniform());
  }
  return { rows, values };
}

/** v1 - v2 for two independent columns (the abs task), merged by row. */
function subtractColumns(a: Column, b: Column): Column {
  const rows: number[] = [];
  const values: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.rows.length || j < b.rows.length) {
    const ra = i < a.rows.length ? a.rows[i] : Infinity;
    const rb = j < b.rows.length ? b.rows[j] : Infinity;
    if (ra === rb) {
      rows.push(ra);
      values.push(a.values[i++] - b.values[j++]);
    } else if (ra < rb) {
      rows.push(ra);
      values.push(a.values[i++]);
    } else {
      rows.push(rb);
      values.push(-b.values[j++]);
    }
  }
  return { rows, values };
}

function columnsToRows(columns: Column[], size: number, nFeatures: number): SparseBatch {
  const offsets = new Int32Array(size + 1);
  for (const column of columns) for (const row of column.rows) offsets[row + 1]++;
  for (let s = 0; s < size; s++) offsets[s + 1] += offsets[s];
  const nnz = offsets[size];
  const indices = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  const cursor = offsets.slice(0, size);
  // Features are visited in ascending order, so each row's indices come out sorted.
  columns.forEach((column, feature) => {
    for (let e = 0; e < column.rows.length; e++) {
      const at = cursor[column.rows[e]]++;
      indices[at] = feature;
      values[at] = column.values[e];
    }
  });
  return { size, nFeatures, offsets, indices, values };
}

/** A batch of feature vectors: each feature active independently with its probability, amplitude U[0,1). */
export function sampleFeatures(probabilities: Float64Array, size: number, rng: Rng): SparseBatch {
  const columns = Array.from(probabilities, (p) => sampleColumn(p, size, rng));
  return columnsToRows(columns, size, probabilities.length);
}

/** The absolute-value task's input: v = v1 - v2 with v1, v2 drawn independently at half the rate each, so values lie
 * in (-1, 1). `halfProbabilities` are the probabilities at eps/2. */
export function sampleSignedFeatures(halfProbabilities: Float64Array, size: number, rng: Rng): SparseBatch {
  const columns = Array.from(halfProbabilities, (p) => subtractColumns(sampleColumn(p, size, rng), sampleColumn(p, size, rng)));
  return columnsToRows(columns, size, halfProbabilities.length);
}

/** Dense copy (batch x N, row-major), for engines that work dense and for tests. */
export function toDense(batch: SparseBatch): Float32Array {
  const dense = new Float32Array(batch.size * batch.nFeatures);
  for (let s = 0; s < batch.size; s++)
    for (let e = batch.offsets[s]; e < batch.offsets[s + 1]; e++) dense[s * batch.nFeatures + batch.indices[e]] = batch.values[e];
  return dense;
}

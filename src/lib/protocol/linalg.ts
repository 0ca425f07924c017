/** The little dense linear algebra the protocol needs, on row-major Float64Arrays. No I/O, no dependencies. */

/**
 * Thin SVD's left factor U (rows x cols, orthonormal columns) of a rows x cols matrix with rows >= cols, by one-sided
 * Jacobi rotations: columns are rotated pairwise until mutually orthogonal; then U's columns are those columns
 * normalised. Columns come out sorted by singular value, largest first. Accurate to float64 round-off.
 */
export function thinSvdU(matrix: Float64Array, rows: number, cols: number): { u: Float64Array; singular: Float64Array } {
  if (matrix.length !== rows * cols) throw new RangeError("matrix size does not match rows x cols");
  if (rows < cols) throw new RangeError("thinSvdU needs rows >= cols");
  // Work column-major so that a column is contiguous.
  const a = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) a[c * rows + r] = matrix[r * cols + c];
  for (let sweep = 0; sweep < 60; sweep++) {
    let rotated = false;
    for (let p = 0; p < cols - 1; p++) {
      for (let q = p + 1; q < cols; q++) {
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        const po = p * rows;
        const qo = q * rows;
        for (let r = 0; r < rows; r++) {
          const x = a[po + r];
          const y = a[qo + r];
          alpha += x * x;
          beta += y * y;
          gamma += x * y;
        }
        if (Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const cos = 1 / Math.sqrt(1 + t * t);
        const sin = cos * t;
        for (let r = 0; r < rows; r++) {
          const x = a[po + r];
          const y = a[qo + r];
          a[po + r] = cos * x - sin * y;
          a[qo + r] = sin * x + cos * y;
        }
      }
    }
    if (!rotated) break;
  }
  const norms = Array.from({ length: cols }, (_, c) => {
    let s = 0;
    for (let r = 0; r < rows; r++) s += a[c * rows + r] ** 2;
    return Math.sqrt(s);
  });
  const order = norms.map((_, c) => c).sort((x, y) => norms[y] - norms[x]);
  const u = new Float64Array(rows * cols);
  const singular = new Float64Array(cols);
  order.forEach((c, j) => {
    singular[j] = norms[c];
    for (let r = 0; r < rows; r++) u[r * cols + j] = a[c * rows + r] / norms[c];
  });
  return { u, singular };
}

/** Singular values of a rows x cols matrix (any shape), largest first. */
export function singularValues(matrix: Float64Array, rows: number, cols: number): Float64Array {
  if (rows >= cols) return thinSvdU(matrix, rows, cols).singular;
  const transposed = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) transposed[c * rows + r] = matrix[r * cols + c];
  return thinSvdU(transposed, cols, rows).singular;
}

/** Euclidean norm of each row of a row-major rows x d matrix. */
export function rowNorms(m: Float32Array, rows: number, d: number): Float64Array {
  const norms = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < d; c++) s += m[r * d + c] ** 2;
    norms[r] = Math.sqrt(s);
  }
  return norms;
}

/**
 * P = W1 E (k x N, neuron-major, float64 sums in the order d = 0..m-1): column i is the pre-activation change feature i
 * causes at amplitude 1, so a sample's pre-activation is b + sum over its active features of v_i P[:, i]. The one
 * definition that the metrics, the mechanism analysis and the GBA controller share.
 */
export function featureDirections(w1: Float32Array, k: number, m: number, embedder: Float32Array, nFeatures: number): Float64Array {
  const p = new Float64Array(k * nFeatures);
  for (let j = 0; j < k; j++)
    for (let d = 0; d < m; d++) {
      const w = w1[j * m + d];
      if (w === 0) continue;
      const e = d * nFeatures;
      for (let i = 0; i < nFeatures; i++) p[j * nFeatures + i] += w * embedder[e + i];
    }
  return p;
}

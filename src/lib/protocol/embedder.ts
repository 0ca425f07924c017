/** The toy world's fixed embedder E, which maps the N features into the model's m input dimensions. */
import { thinSvdU } from "./linalg.js";
import { Rng } from "./rng.js";

/**
 * The world's fixed encoding of N features into m dimensions: draw an N x m Gaussian matrix, take the U factor of its
 * thin SVD (orthonormal columns) and normalise each row to unit length. The embedder E is its transpose, m x N,
 * returned row-major, so feature i's direction e_i is column i: E[d * N + i]. Never trained.
 */
export function makeEmbedder(nFeatures: number, m: number, rng: Rng): Float32Array {
  if (m > nFeatures) throw new RangeError(`the embedding dimension m=${m} must not exceed the feature count N=${nFeatures}`);
  const gaussian = new Float64Array(nFeatures * m);
  for (let i = 0; i < gaussian.length; i++) gaussian[i] = rng.normal();
  const { u } = thinSvdU(gaussian, nFeatures, m);
  const embedder = new Float32Array(m * nFeatures);
  for (let i = 0; i < nFeatures; i++) {
    let norm = 0;
    for (let d = 0; d < m; d++) norm += u[i * m + d] ** 2;
    norm = Math.sqrt(norm);
    for (let d = 0; d < m; d++) embedder[d * nFeatures + i] = u[i * m + d] / norm;
  }
  return embedder;
}

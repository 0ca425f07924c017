/**
 * Single-feature-activation heatmaps, the pure part shared by the build (src/data/figures.zip.ts
 * prepares every run's heatmap) and the browser (src/components/heatmap.ts colours and draws it): the orderings, the
 * pool factors and the max-pooled grid of quantised activations.
 */
export interface NeuronRow {
  neuron: number;
  frac_mono: number;
  top_feature: number;
  top_activation: number;
}
export interface SfaRow {
  neuron: number;
  feature: number;
  activation: number;
}

/**
 * Neurons sorted by monosemanticity (frac_mono descending; ties by their top feature), features sorted by the
 * position of the neuron they drive most, so a monosemantic model shows a diagonal. Returns the rank of every neuron
 * and feature (index = neuron/feature id, value = row/column).
 */
export function heatmapOrder(neurons: NeuronRow[], sfa: SfaRow[], nFeatures: number): { neuronRank: Int32Array; featureRank: Int32Array } {
  const k = neurons.length;
  const sorted = [...neurons].sort((a, b) => b.frac_mono - a.frac_mono || a.top_feature - b.top_feature || a.neuron - b.neuron);
  const neuronRank = new Int32Array(k);
  sorted.forEach((n, i) => (neuronRank[n.neuron] = i));
  const best = new Float64Array(nFeatures).fill(-Infinity);
  const bestNeuron = new Int32Array(nFeatures).fill(-1);
  for (const s of sfa) {
    if (s.activation > best[s.feature]) {
      best[s.feature] = s.activation;
      bestNeuron[s.feature] = s.neuron;
    }
  }
  const features = Array.from({ length: nFeatures }, (_, f) => f);
  // Features no neuron responds to go last.
  const key = (f: number) => (bestNeuron[f] < 0 ? k + f : neuronRank[bestNeuron[f]]);
  features.sort((a, b) => key(a) - key(b) || a - b);
  const featureRank = new Int32Array(nFeatures);
  features.forEach((f, i) => (featureRank[f] = i));
  return { neuronRank, featureRank };
}

/**
 * How many cells to pool into one pixel along each axis so that every pixel gets at least `minPx` screen pixels:
 * a 1024-row image squeezed into 400 px would drop rows, and with them the diagonal.
 */
export function poolFactor(cells: number, screenPx: number, minPx = 2): number {
  if (!(cells > 0) || !(screenPx > 0)) return 1;
  return Math.max(1, Math.ceil((cells * minPx) / screenPx));
}

/** The widest heatmap a page draws (px): the build pools every run's grid for this side, pages pool further. */
export const HEATMAP_MAX_SIDE = 560;

/** Activation levels of a grid: 0 is exactly zero (drawn transparent), 1..LEVELS a positive activation. 63 steps of
 * viridis read as a smooth ramp, and a polysemantic model's grid (every cell lit) compresses to ~70% of its size at
 * 255 levels (measured on the smoke build's LR3 runs: 42 KB against 58 KB per run). */
export const LEVELS = 63;

/**
 * A heatmap as a grid of quantised activations: `levels[row * width + col]` is 0 where every pooled cell is 0, else
 * ceil(LEVELS × (max over the pool) / max), so the brightest cell is LEVELS and any positive cell is at least 1.
 * `pool` is how many neurons (y) × features (x) each grid cell covers.
 */
export interface HeatmapGrid {
  width: number;
  height: number;
  pool: { x: number; y: number };
  max: number;
  levels: Uint8Array;
}

/** The max-pooled, quantised grid of a run's single-feature activations in heatmap order. */
export function heatmapGrid(
  sfa: SfaRow[],
  order: { neuronRank: Int32Array; featureRank: Int32Array },
  pool: { x: number; y: number } = { x: 1, y: 1 },
  max?: number,
): HeatmapGrid {
  const px = Math.max(1, Math.floor(pool.x));
  const py = Math.max(1, Math.floor(pool.y));
  const width = Math.ceil(order.featureRank.length / px);
  const height = Math.ceil(order.neuronRank.length / py);
  let top = max ?? 0;
  if (max === undefined) for (const s of sfa) if (s.activation > top) top = s.activation;
  if (!(top > 0)) top = 1;
  const levels = new Uint8Array(width * height);
  for (const s of sfa) {
    if (!(s.activation > 0)) continue;
    const at = Math.floor(order.neuronRank[s.neuron] / py) * width + Math.floor(order.featureRank[s.feature] / px);
    const level = Math.min(LEVELS, Math.max(1, Math.ceil((LEVELS * s.activation) / top)));
    if (level > levels[at]) levels[at] = level;
  }
  return { width, height, pool: { x: px, y: py }, max: top, levels };
}

/** Max-pool a grid further by fx × fy of its cells (the grid of a narrower figure). */
export function poolGrid(grid: HeatmapGrid, fx: number, fy: number): HeatmapGrid {
  const px = Math.max(1, Math.floor(fx));
  const py = Math.max(1, Math.floor(fy));
  if (px === 1 && py === 1) return grid;
  const width = Math.ceil(grid.width / px);
  const height = Math.ceil(grid.height / py);
  const levels = new Uint8Array(width * height);
  for (let r = 0; r < grid.height; r++)
    for (let c = 0; c < grid.width; c++) {
      const level = grid.levels[r * grid.width + c];
      const at = Math.floor(r / py) * width + Math.floor(c / px);
      if (level > levels[at]) levels[at] = level;
    }
  return { width, height, pool: { x: grid.pool.x * px, y: grid.pool.y * py }, max: grid.max, levels };
}

/** The grid for a figure `side` px wide and high, from a grid pooled for a wider one (poolFactor on the grid's cells). */
export function gridForSide(grid: HeatmapGrid, side: number): HeatmapGrid {
  return poolGrid(grid, poolFactor(grid.width, side), poolFactor(grid.height, side));
}

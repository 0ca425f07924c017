/**
 * Single-feature-activation heatmaps in the browser: the colours of a grid (./model-specs.ts heatmapSpec draws it as a
 * single image mark). The orderings, pooling and grids are pure and shared with the build: ../lib/analysis/heatmap.ts.
 */
import { heatmapGrid, LEVELS, type HeatmapGrid, type SfaRow } from "../lib/analysis/heatmap.js";
export {
  gridForSide,
  HEATMAP_MAX_SIDE,
  heatmapGrid,
  heatmapOrder,
  poolFactor,
  type HeatmapGrid,
  type NeuronRow,
  type SfaRow,
} from "../lib/analysis/heatmap.js";

/** Viridis, 9 stops; interpolated linearly. */
const VIRIDIS = [
  [68, 1, 84],
  [71, 44, 122],
  [59, 81, 139],
  [44, 113, 142],
  [33, 144, 141],
  [39, 173, 129],
  [92, 200, 99],
  [170, 220, 50],
  [253, 231, 37],
];
export function viridis(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = VIRIDIS[i];
  const b = VIRIDIS[i + 1];
  return [Math.round(a[0] + f * (b[0] - a[0])), Math.round(a[1] + f * (b[1] - a[1])), Math.round(a[2] + f * (b[2] - a[2]))];
}

/** RGBA pixels of a grid, one per cell: level 0 transparent, others viridis-scaled (the top level is viridis(1)). */
export function gridPixels(grid: HeatmapGrid): { pixels: Uint8ClampedArray; width: number; height: number; max: number } {
  const pixels = new Uint8ClampedArray(grid.width * grid.height * 4);
  const palette = Array.from({ length: LEVELS + 1 }, (_, level) => viridis(level / LEVELS));
  for (let cell = 0; cell < grid.levels.length; cell++) {
    const level = grid.levels[cell];
    if (level === 0) continue;
    const [r, g, b] = palette[level];
    pixels.set([r, g, b, 255], cell * 4);
  }
  return { pixels, width: grid.width, height: grid.height, max: grid.max };
}

/**
 * RGBA pixels, width = features, height = neurons, of sparse activations: zero cells transparent, positive cells
 * viridis-scaled to `max` (default: the largest activation). With `pool`, each pixel is the maximum over a
 * pool.x × pool.y block of cells (max-pooling keeps a lone bright cell visible, which averaging would wash out).
 */
export function heatmapPixels(
  sfa: SfaRow[],
  order: { neuronRank: Int32Array; featureRank: Int32Array },
  max?: number,
  pool: { x: number; y: number } = { x: 1, y: 1 },
) {
  return gridPixels(heatmapGrid(sfa, order, pool, max));
}

/** Browser only: the pixels as a PNG data URL (served by no host). */
export function pixelsToDataUrl(image: { pixels: Uint8ClampedArray; width: number; height: number }): string {
  const canvas = document.createElement("canvas");
  canvas.width = image.width;
  canvas.height = image.height;
  const context = canvas.getContext("2d")!;
  context.putImageData(new ImageData(image.pixels as Uint8ClampedArray<ArrayBuffer>, image.width, image.height), 0, 0);
  return canvas.toDataURL("image/png");
}

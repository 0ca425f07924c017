/**
 * Single-feature-activation heatmaps: the orderings (pure) and the image (one pixel per cell) that ./specs.ts
 * heatmapSpec draws as a single image mark.
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

/**
 * How many cells to pool into one pixel along each axis so that every pixel gets at least `minPx` screen pixels:
 * a 1024-row image squeezed into 400 px would drop rows, and with them the diagonal.
 */
export function poolFactor(cells: number, screenPx: number, minPx = 2): number {
  if (!(cells > 0) || !(screenPx > 0)) return 1;
  return Math.max(1, Math.ceil((cells * minPx) / screenPx));
}

/**
 * RGBA pixels, width = features, height = neurons: zero cells transparent, positive cells viridis-scaled to
 * `max` (default: the largest activation). With `pool`, each pixel is the maximum over a pool.x × pool.y block of
 * cells (max-pooling keeps a lone bright cell visible, which averaging would wash out).
 */
export function heatmapPixels(
  sfa: SfaRow[],
  order: { neuronRank: Int32Array; featureRank: Int32Array },
  max?: number,
  pool: { x: number; y: number } = { x: 1, y: 1 },
): { pixels: Uint8ClampedArray; width: number; height: number; max: number } {
  const px = Math.max(1, Math.floor(pool.x));
  const py = Math.max(1, Math.floor(pool.y));
  const width = Math.ceil(order.featureRank.length / px);
  const height = Math.ceil(order.neuronRank.length / py);
  let top = max ?? 0;
  if (max === undefined) for (const s of sfa) if (s.activation > top) top = s.activation;
  if (!(top > 0)) top = 1;
  const best = new Float32Array(width * height);
  for (const s of sfa) {
    if (!(s.activation > 0)) continue;
    const at = Math.floor(order.neuronRank[s.neuron] / py) * width + Math.floor(order.featureRank[s.feature] / px);
    if (s.activation > best[at]) best[at] = s.activation;
  }
  const pixels = new Uint8ClampedArray(width * height * 4);
  for (let cell = 0; cell < best.length; cell++) {
    if (!(best[cell] > 0)) continue;
    const [r, g, b] = viridis(best[cell] / top);
    const at = cell * 4;
    pixels[at] = r;
    pixels[at + 1] = g;
    pixels[at + 2] = b;
    pixels[at + 3] = 255;
  }
  return { pixels, width, height, max: top };
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

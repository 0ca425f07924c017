/**
 * Seeded pseudo-random numbers. Every random draw of a run comes from one of these generators, so a config and a
 * seed fix every number the run produces, independent of the engine.
 *
 * Generator: sfc32 (Chris Doty-Humphrey's Small Fast Counting generator), 128-bit state, passes PractRand; seeded
 * through splitmix32 so that nearby seeds and stream names give unrelated streams.
 */

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** FNV-1a hash of a string, to turn a stream name ("embedder", "init", "data") into a seed component. */
function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export interface RngState {
  words: [number, number, number, number];
  spareNormal: number | null;
}

export class Rng {
  /** sfc32's words a, b, c, d. A typed array, not four fields: V8 boxes a field holding a uint32 at or above 2^31
   * as a heap number, so every draw allocated, and drawing a batch of 8192 spent most of its time on that. */
  private readonly words = new Uint32Array(4);
  private spareNormal: number | null = null;

  /** One independent stream per (seed, name): the embedder, the initialisation and the data never share draws. */
  constructor(seed: number, stream = "") {
    if (!Number.isInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative integer, got ${seed}`);
    const mix = splitmix32((seed ^ Math.imul(hashString(stream), 0x27d4eb2d)) >>> 0);
    for (let i = 0; i < 4; i++) this.words[i] = mix();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** The whole generator state (for runs that save and resume): sfc32's four words and the spare normal. */
  getState(): RngState {
    const [a, b, c, d] = this.words;
    return { words: [a, b, c, d], spareNormal: this.spareNormal };
  }

  /** Continue exactly where the generator that gave `state` was. */
  setState(state: RngState): void {
    const { words, spareNormal } = state;
    if (words.length !== 4 || !words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff))
      throw new RangeError("Rng.setState: expected four 32-bit unsigned words");
    this.words.set(words);
    this.spareNormal = spareNormal;
  }

  nextUint32(): number {
    // Stores into the Uint32Array reduce modulo 2^32, as `>>> 0` would.
    const w = this.words;
    const a = w[0];
    const b = w[1];
    const c = w[2];
    const d = w[3];
    const t = (a + b + d) >>> 0;
    w[3] = d + 1;
    w[0] = b ^ (b >>> 9);
    w[1] = c + (c << 3);
    w[2] = ((c << 21) | (c >>> 11)) + t;
    return t;
  }

  /** Uniform in [0, 1) with 32 random bits. */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform in [low, high). */
  uniformIn(low: number, high: number): number {
    return low + (high - low) * this.uniform();
  }

  /** Standard normal (Box-Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.spareNormal !== null) {
      const value = this.spareNormal;
      this.spareNormal = null;
      return value;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const radius = Math.sqrt(-2 * Math.log(u));
    const angle = 2 * Math.PI * this.uniform();
    this.spareNormal = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  /**
   * Number of failures before the first success of a Bernoulli(p) sequence. Used to skip straight to the next active
   * feature instead of drawing one Bernoulli per feature, which gives the same distribution at a fraction of the cost.
   * `log1mP` is log(1 - p), for callers that draw many gaps at the same p.
   */
  geometric(p: number, log1mP = Math.log1p(-p)): number {
    if (p >= 1) return 0;
    if (p <= 0) return Number.POSITIVE_INFINITY;
    let u = 0;
    while (u === 0) u = this.uniform();
    return Math.floor(Math.log(u) / log1mP);
  }
}

/**
 * Group Bias Adaptation (GBA; "Taming Polysemanticity in LLMs", 2025), as a pure rule: no I/O, no engine.
 *
 * Biases get no gradient. Neurons are split into K groups, group g with a target activation frequency p_g, geometric
 * from p_high (g = 0) down to p_low (g = K-1). Every so often, from a buffer of samples, each neuron j has
 *   q_j = fraction of the samples with a positive pre-activation,   r_j = max(max pre-activation, 0),
 * and for each group rbar_g = mean of r over the group's neurons with r > 0. Then
 *   q_j > p_g              ->  b_j -= gamma_minus * r_j   (not below -1)
 *   q_j < deadThreshold    ->  b_j += gamma_plus * rbar_g (not above 0)
 * and biases always stay in [-1, 0].
 *
 * One choice the notes leave open: a dead neuron whose whole group is dead (rbar_g undefined) is raised by the mean r
 * of all live neurons, and, when no neuron of the layer fires at all, by gamma_plus * 1 (pre-activations are O(1) in
 * this project's worlds), so a silent layer still wakes up instead of staying stuck.
 */

export const GBA_BIAS_MIN = -1;
export const GBA_BIAS_MAX = 0;

export interface GbaSettings {
  /** K, the number of groups. */
  groups: number;
  /** Target frequency of the first group. */
  pHigh: number;
  /** Target frequency of the last group (equal to pHigh when groups = 1). */
  pLow: number;
  gammaMinus: number;
  gammaPlus: number;
  /** q below this counts as dead (the notes: ~1e-6; with a finite buffer, "never fired"). */
  deadThreshold: number;
}

export const GBA_DEFAULTS: GbaSettings = { groups: 10, pHigh: 0.1, pLow: 1e-3, gammaMinus: 0.01, gammaPlus: 0.01, deadThreshold: 1e-6 };

/** Default GBA parameters for the toy model: GBA's own group count and gamma (GBA_DEFAULTS above, the notes'
 * values), targets from 1/8 down to 1/512 (the true feature frequency 1/64 in the middle), and a measurement every 32
 * steps ("every few dozen steps", the notes' rule) on 1024 fresh samples: at small batches, measuring every few steps
 * would cost more than training. Experiment GBA1 trains with these. */
export const GBA_CONFIG_DEFAULTS = {
  gba_groups: GBA_DEFAULTS.groups,
  gba_p_high: 1 / 8,
  gba_p_low: 1 / 512,
  gba_every: 32,
  gba_buffer: 1024,
  gba_gamma: GBA_DEFAULTS.gammaMinus,
} as const;

/** The K target frequencies, geometric from pHigh down to pLow. */
export function targetFrequencies(groups: number, pHigh: number, pLow: number): Float64Array {
  if (!Number.isInteger(groups) || groups < 1) throw new RangeError(`groups must be a positive integer, got ${groups}`);
  if (!(pHigh > 0 && pHigh <= 1 && pLow > 0 && pLow <= pHigh))
    throw new RangeError(`need 0 < pLow <= pHigh <= 1, got pLow=${pLow}, pHigh=${pHigh}`);
  const p = new Float64Array(groups);
  for (let g = 0; g < groups; g++) p[g] = groups === 1 ? pHigh : pHigh * (pLow / pHigh) ** (g / (groups - 1));
  return p;
}

/** Group of neuron j among k neurons in K contiguous, near-equal groups (sizes differ by at most one). */
export function groupOf(j: number, k: number, groups: number): number {
  return Math.floor((j * groups) / k);
}

/** Per-neuron target frequency. */
export function neuronTargets(k: number, settings: Pick<GbaSettings, "groups" | "pHigh" | "pLow">): Float64Array {
  const p = targetFrequencies(settings.groups, settings.pHigh, settings.pLow);
  return Float64Array.from({ length: k }, (_, j) => p[groupOf(j, k, settings.groups)]);
}

/** Clamp every bias into GBA's range [-1, 0] (used once at the start: biases are initialised elsewhere). */
export function clampBiases(b: Float32Array): Float32Array {
  return b.map((x) => Math.min(GBA_BIAS_MAX, Math.max(GBA_BIAS_MIN, x)));
}

export interface GbaStats {
  /** Fraction of the buffer's samples with a positive pre-activation, per neuron. */
  q: Float64Array;
  /** max(max pre-activation over the buffer, 0), per neuron. */
  r: Float64Array;
}

/** Running q and r over a buffer, fed one sample's pre-activations at a time. */
export class GbaAccumulator {
  private readonly fired: Float64Array;
  private readonly maxPre: Float64Array;
  private samples = 0;

  constructor(readonly k: number) {
    this.fired = new Float64Array(k);
    this.maxPre = new Float64Array(k);
  }

  /** One sample's pre-activations (length k, or a k-long window of a larger array at `offset`). */
  add(pre: ArrayLike<number>, offset = 0): void {
    for (let j = 0; j < this.k; j++) {
      const z = pre[offset + j];
      if (z > 0) {
        this.fired[j]++;
        if (z > this.maxPre[j]) this.maxPre[j] = z;
      }
    }
    this.samples++;
  }

  /** Counts measured elsewhere (an engine's firingStats) over `samples` samples. */
  addCounts(fired: ArrayLike<number>, maxPre: ArrayLike<number>, samples: number): void {
    for (let j = 0; j < this.k; j++) {
      this.fired[j] += fired[j];
      if (maxPre[j] > this.maxPre[j]) this.maxPre[j] = maxPre[j];
    }
    this.samples += samples;
  }

  get count(): number {
    return this.samples;
  }

  /** The buffer's statistics (maxPre starts at 0, so r = max(max pre, 0) directly). */
  stats(): GbaStats {
    const n = Math.max(1, this.samples);
    return { q: this.fired.map((f) => f / n), r: this.maxPre.slice() };
  }

  reset(): void {
    this.fired.fill(0);
    this.maxPre.fill(0);
    this.samples = 0;
  }
}

/** One GBA update of the biases, returning new biases (the input is not modified). */
export function gbaUpdate(
  b: Float32Array,
  stats: GbaStats,
  targets: Float64Array,
  groups: number,
  settings: Pick<GbaSettings, "gammaMinus" | "gammaPlus" | "deadThreshold">,
): Float32Array {
  const k = b.length;
  if (stats.q.length !== k || stats.r.length !== k || targets.length !== k)
    throw new RangeError("gbaUpdate: b, q, r and targets must have the same length");
  const sum = new Float64Array(groups);
  const count = new Float64Array(groups);
  let allSum = 0;
  let allCount = 0;
  for (let j = 0; j < k; j++)
    if (stats.r[j] > 0) {
      const g = groupOf(j, k, groups);
      sum[g] += stats.r[j];
      count[g]++;
      allSum += stats.r[j];
      allCount++;
    }
  const fallback = allCount > 0 ? allSum / allCount : 1;
  const next = new Float32Array(k);
  for (let j = 0; j < k; j++) {
    const g = groupOf(j, k, groups);
    let value = b[j];
    if (stats.q[j] > targets[j]) value -= settings.gammaMinus * stats.r[j];
    else if (stats.q[j] < settings.deadThreshold) value += settings.gammaPlus * (count[g] > 0 ? sum[g] / count[g] : fallback);
    next[j] = Math.min(GBA_BIAS_MAX, Math.max(GBA_BIAS_MIN, value));
  }
  return next;
}

/** The toy model's GBA bias rule (bias_rule = gba) as the training loop runs it: a controller that sets the biases by feedback. */
import { type RunConfig, withGbaDefaults } from "../protocol/config.js";
import { clampBiases, GbaAccumulator, gbaUpdate, neuronTargets } from "../protocol/gba.js";
import type { Engine } from "../engines/engine.js";
import { featureDirections, rowNorms } from "../protocol/linalg.js";
import type { Params } from "../protocol/params.js";
import type { SparseBatch } from "../protocol/samplers.js";
import { makeSampler } from "../protocol/world.js";

/**
 * GBA as a controller of the toy model's first-layer biases during training (bias_rule = gba). The training loop
 * owns it: every `gba_every` steps it measures q and r on `gba_buffer` fresh samples (their own random stream, so the
 * training data are the same as under the paper's rule) from the current parameters, applies the pure rule of
 * protocol/gba.ts and hands the new biases back; between updates the loop writes these biases into the engine after
 * every step, which discards whatever the gradient did to them.
 */
export class GbaController {
  readonly every: number;
  private readonly bufferSize: number;
  private readonly targets: Float64Array;
  private readonly groups: number;
  private readonly gamma: number;
  private readonly nextBuffer: (size: number) => SparseBatch;
  private current: Float32Array;
  /** Under gba_units = row_norm: the normalised biases beta (b_j = beta_j ||w_j||), which the rule acts on. */
  private beta: Float32Array | null;
  updates = 0;

  constructor(
    config: RunConfig,
    private readonly embedder: Float32Array,
    initialBias: Float32Array,
    initialW1: Float32Array,
  ) {
    const c = withGbaDefaults(config) as Required<RunConfig>;
    this.every = c.gba_every;
    this.bufferSize = c.gba_buffer;
    this.groups = c.gba_groups;
    this.gamma = c.gba_gamma;
    this.targets = neuronTargets(initialBias.length, { groups: c.gba_groups, pHigh: c.gba_p_high, pLow: c.gba_p_low });
    this.nextBuffer = makeSampler(config, "gba");
    this.beta = null;
    this.current = clampBiases(initialBias);
    if (config.gba_units === "row_norm") {
      const norms = rowNorms(initialW1, initialBias.length, initialW1.length / initialBias.length);
      this.beta = clampBiases(initialBias.map((b, j) => (norms[j] > 0 ? b / norms[j] : 0)));
      this.current = this.beta.map((beta, j) => beta * norms[j]);
    }
  }

  /** The biases the model must have now. */
  get biases(): Float32Array {
    return this.current;
  }

  /** Pre-activations W1 E v + b of a batch, from P = W1 E (computed once) gathered at each sample's active features. */
  static measure(
    params: Params,
    embedder: Float32Array,
    nFeatures: number,
    batch: SparseBatch,
    bias: Float32Array,
    accumulator: GbaAccumulator,
  ): void {
    const { k, m, w1 } = params;
    // P transposed (N x k), so that a feature's column is contiguous for the gather.
    const p = featureDirections(w1, k, m, embedder, nFeatures);
    const pt = new Float32Array(nFeatures * k);
    for (let j = 0; j < k; j++) for (let i = 0; i < nFeatures; i++) pt[i * k + j] = p[j * nFeatures + i];
    const pre = new Float64Array(k);
    for (let s = 0; s < batch.size; s++) {
      for (let j = 0; j < k; j++) pre[j] = bias[j];
      for (let e = batch.offsets[s]; e < batch.offsets[s + 1]; e++) {
        const v = batch.values[e];
        const at = batch.indices[e] * k;
        for (let j = 0; j < k; j++) pre[j] += v * pt[at + j];
      }
      accumulator.add(pre);
    }
  }

  /**
   * Measure q and r at the current parameters (with the controller's biases) and update the biases. With an engine
   * that has firingStats (the wasm engine, for ReLU), the engine measures: its biases are set to the controller's
   * first, as the plain measurement assumes.
   */
  update(getParams: () => Params, nFeatures: number, engine?: Pick<Engine, "firingStats" | "setBiases">): Float32Array {
    const accumulator = new GbaAccumulator(this.current.length);
    const buffer = this.nextBuffer(this.bufferSize);
    let measured = null;
    if (engine?.firingStats && engine.setBiases) {
      engine.setBiases(this.current);
      measured = engine.firingStats(buffer);
    }
    if (measured) accumulator.addCounts(measured.fired, measured.maxPre, measured.samples);
    else GbaController.measure(getParams(), this.embedder, nFeatures, buffer, this.current, accumulator);
    const settings = { gammaMinus: this.gamma, gammaPlus: this.gamma, deadThreshold: 1e-6 };
    if (this.beta) {
      // q does not depend on the units; r and the biases are divided by each neuron's row norm.
      const { w1, k, m } = getParams();
      const norms = rowNorms(w1, k, m);
      const { q, r } = accumulator.stats();
      const rNorm = r.map((x, j) => (norms[j] > 0 ? x / norms[j] : 0));
      this.beta = gbaUpdate(this.beta, { q, r: rNorm }, this.targets, this.groups, settings);
      this.current = this.beta.map((beta, j) => beta * norms[j]);
    } else this.current = gbaUpdate(this.current, accumulator.stats(), this.targets, this.groups, settings);
    this.updates++;
    return this.current;
  }
}

/**
 * The toy world of one run, made from its config and seed: embedder, re-projector target, batch stream, the input E v,
 * each task's target and the loss of predicting zero.
 */
import { outputDim, type RunConfig, type Task } from "./config.js";
import { makeEmbedder } from "./embedder.js";
import { Rng } from "./rng.js";
import { featureProbabilities, sampleFeatures, sampleSignedFeatures, type SparseBatch } from "./samplers.js";

/**
 * The toy world of one run: the fixed embedder E (m x N), the re-projector's target embedder Q (m x N, only for that
 * task) and an infinite stream of fresh batches. All three come from the run's seed, on separate streams.
 */
export interface World {
  task: Task;
  nFeatures: number;
  m: number;
  outDim: number;
  embedder: Float32Array;
  projector: Float32Array | null;
  /** A fresh batch of feature vectors v; the input is E v and the target depends on the task. */
  nextBatch(size: number): SparseBatch;
}

/** A stream of feature vectors with the run's distribution, drawn from a named stream of the run's seed: "data" is
 * the training stream; other names give independent fresh samples (e.g. GBA's measurement buffer). */
export function makeSampler(
  config: Pick<RunConfig, "task" | "n_features" | "sampler" | "eps" | "seed">,
  stream: string,
): (size: number) => SparseBatch {
  const rng = new Rng(config.seed, stream);
  const probabilities = featureProbabilities(config.sampler, config.n_features, config.task === "abs" ? config.eps / 2 : config.eps);
  return (size) => (config.task === "abs" ? sampleSignedFeatures(probabilities, size, rng) : sampleFeatures(probabilities, size, rng));
}

export function makeWorld(config: RunConfig): World {
  const { task, n_features: nFeatures, m, sampler, eps, seed } = config;
  const embedder = makeEmbedder(nFeatures, m, new Rng(seed, "embedder"));
  const projector = task === "reprojector" ? makeEmbedder(nFeatures, m, new Rng(seed, "projector")) : null;
  const data = new Rng(seed, "data");
  const probabilities = featureProbabilities(sampler, nFeatures, task === "abs" ? eps / 2 : eps);
  return {
    task,
    nFeatures,
    m,
    outDim: outputDim(config),
    embedder,
    projector,
    nextBatch: (size) => (task === "abs" ? sampleSignedFeatures(probabilities, size, data) : sampleFeatures(probabilities, size, data)),
  };
}

/** E v for every sample: batch x m, row-major. */
export function embed(batch: SparseBatch, embedder: Float32Array, m: number): Float32Array {
  const x = new Float32Array(batch.size * m);
  const n = batch.nFeatures;
  for (let s = 0; s < batch.size; s++)
    for (let e = batch.offsets[s]; e < batch.offsets[s + 1]; e++) {
      const feature = batch.indices[e];
      const value = batch.values[e];
      for (let d = 0; d < m; d++) x[s * m + d] += embedder[d * n + feature] * value;
    }
  return x;
}

/** The task's target for every sample, dense (batch x outDim): v for the decoder, |v| for abs, Q v for the
 * re-projector. */
export function denseTarget(batch: SparseBatch, world: Pick<World, "task" | "projector" | "m" | "outDim">): Float32Array {
  if (world.task === "reprojector") return embed(batch, world.projector!, world.m);
  const target = new Float32Array(batch.size * world.outDim);
  for (let s = 0; s < batch.size; s++)
    for (let e = batch.offsets[s]; e < batch.offsets[s + 1]; e++) {
      const value = batch.values[e];
      target[s * world.outDim + batch.indices[e]] = world.task === "abs" ? Math.abs(value) : value;
    }
  return target;
}

/**
 * The expected task loss of predicting 0 for every output: E|target|^2 (the summed squared error per sample). With
 * p_i the activation probability of feature i and values U[0,1) (E u^2 = 1/3): sum p_i / 3 for the decoder and the
 * re-projector (Q's columns have unit norm); for abs, v = v1 - v2 with each side active at p_i, so
 * E v_i^2 = 2 p_i (1 - p_i) / 3 + p_i^2 / 6. A run whose loss is back at this level has learned nothing.
 */
export function zeroPredictionLoss(config: Pick<RunConfig, "task" | "n_features" | "sampler" | "eps">): number {
  const probabilities = featureProbabilities(config.sampler, config.n_features, config.task === "abs" ? config.eps / 2 : config.eps);
  let total = 0;
  for (const p of probabilities) total += config.task === "abs" ? (2 * p * (1 - p)) / 3 + (p * p) / 6 : p / 3;
  return total;
}

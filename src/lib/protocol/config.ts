/**
 * A run's config: the zod schema every config is checked against (the paper's fields and the optional GBA ones),
 * its types, GBA's defaults and the model's output dimension per task.
 */
import { z } from "zod";
import { GBA_CONFIG_DEFAULTS } from "./gba.js";

// The enumerations live in the zod-free ./fields.ts, so that the browser can import them without zod.
export { ACTIVATIONS, BIAS_RULES, METRIC_FORMS, SAMPLERS, TASKS, type MetricForm } from "./fields.js";
import { ACTIVATIONS, BIAS_RULES, METRIC_FORMS, SAMPLERS, TASKS } from "./fields.js";

export type Task = (typeof TASKS)[number];
export type Activation = (typeof ACTIVATIONS)[number];
export type Sampler = (typeof SAMPLERS)[number];
export type BiasRule = (typeof BIAS_RULES)[number];

const positiveInt = z.number().int().positive();

/** The GBA parameters of a config (all optional; filled with defaults by withGbaDefaults for gba runs). */
export const GBA_FIELDS = ["gba_groups", "gba_p_high", "gba_p_low", "gba_every", "gba_buffer", "gba_gamma"] as const;

export const RunConfigSchema = z
  .object({
    task: z.enum(TASKS),
    activation: z.enum(ACTIVATIONS),
    sampler: z.enum(SAMPLERS),
    n_features: positiveInt,
    m: positiveInt,
    k: positiveInt,
    eps: z.number().gt(0).lte(1),
    lr: z.number().gt(0).finite(),
    init_bias: z.number().finite(),
    decay: z.number().gte(0).finite(),
    l1: z.number().gte(0).finite(),
    batch: positiveInt,
    steps: positiveInt,
    seed: z.number().int().nonnegative().lte(0xffffffff),
    // Beyond the paper. Optional and absent for the paper's rule, so every paper config, its run id and its
    // cache key are exactly what they were before these fields existed. Absent bias_rule means "paper".
    bias_rule: z.enum(BIAS_RULES).optional(),
    /** GBA: number of neuron groups K. */
    gba_groups: positiveInt.optional(),
    /** GBA: target activation frequency of the first group. */
    gba_p_high: z.number().gt(0).lte(1).optional(),
    /** GBA: target activation frequency of the last group (geometric in between). */
    gba_p_low: z.number().gt(0).lte(1).optional(),
    /** GBA: optimiser steps between bias updates. */
    gba_every: positiveInt.optional(),
    /** GBA: fresh samples per measurement of q and r. */
    gba_buffer: positiveInt.optional(),
    /** GBA: gamma_plus = gamma_minus. */
    gba_gamma: z.number().gt(0).lte(1).optional(),
    /** GBA: units of the biases and of r. `input` (absent): as given, in [-1, 0] (the notes' rule). `row_norm`: in
     * units of each neuron's ||W1 row||, i.e. GBA on the normalised pre-activation (w_j / ||w_j||) . x + beta_j with
     * beta_j in [-1, 0], as for an SAE's unit-norm directions. */
    gba_units: z.enum(["input", "row_norm"]).optional(),
    /** Form of the monosemanticity score; absent means `paper`. */
    metric_form: z.enum(METRIC_FORMS).optional(),
  })
  .strict()
  .refine((c) => c.m <= c.n_features, { message: "m must not exceed n_features", path: ["m"] })
  .refine((c) => c.decay * c.lr < 1, { message: "decay * lr must be below 1 (the bias is multiplied by 1 - decay*lr)", path: ["decay"] })
  .refine((c) => c.bias_rule === "gba" || (GBA_FIELDS.every((f) => c[f] === undefined) && c.gba_units === undefined), {
    message: "gba_* fields need bias_rule=gba",
    path: ["bias_rule"],
  })
  .refine((c) => c.bias_rule !== "gba" || c.decay === 0, {
    message: "bias_rule=gba sets the biases itself: decay must be 0",
    path: ["decay"],
  })
  .refine((c) => c.gba_p_low === undefined || c.gba_p_high === undefined || c.gba_p_low <= c.gba_p_high, {
    message: "gba_p_low must not exceed gba_p_high",
    path: ["gba_p_low"],
  });

export type RunConfig = z.infer<typeof RunConfigSchema>;

/** The bias rule of a config: absent means the paper's. */
export function biasRule(config: Pick<RunConfig, "bias_rule">): BiasRule {
  return config.bias_rule ?? "paper";
}

// GBA_CONFIG_DEFAULTS lives in the zod-free ./gba.ts (the browser's colour map reaches it through experiments/beyond.ts).
export { GBA_CONFIG_DEFAULTS } from "./gba.js";

/** A gba config with every GBA parameter explicit (so its cache key and its row say exactly what it ran with); a
 * paper config is returned unchanged. */
export function withGbaDefaults(config: RunConfig): RunConfig {
  if (biasRule(config) !== "gba") return config;
  const filled = { ...config } as Record<string, unknown>;
  const lowGiven = filled.gba_p_low !== undefined;
  for (const f of GBA_FIELDS) if (filled[f] === undefined) filled[f] = GBA_CONFIG_DEFAULTS[f];
  // A high target set below the default low one: one target frequency, not an invalid range.
  if (!lowGiven && (filled.gba_p_low as number) > (filled.gba_p_high as number)) filled.gba_p_low = filled.gba_p_high;
  return filled as RunConfig;
}

/** Output dimension of the model for a task: the decoder and abs tasks predict every feature; the re-projector
 * predicts an m-dimensional re-embedding. */
export function outputDim(config: Pick<RunConfig, "task" | "n_features" | "m">): number {
  return config.task === "reprojector" ? config.m : config.n_features;
}

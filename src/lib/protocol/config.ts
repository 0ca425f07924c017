import { z } from "zod";

/** Everything one training run depends on. Keys are snake_case because they are also the Parquet columns and the
 * `--set key=value` names: one spelling from the CLI to the browser. */
export const TASKS = ["decoder", "reprojector", "abs"] as const;
export const ACTIVATIONS = ["relu", "gelu", "xexp"] as const;
export const SAMPLERS = ["equal", "power_law"] as const;

export type Task = (typeof TASKS)[number];
export type Activation = (typeof ACTIVATIONS)[number];
export type Sampler = (typeof SAMPLERS)[number];

const positiveInt = z.number().int().positive();

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
  })
  .strict()
  .refine((c) => c.m <= c.n_features, { message: "m must not exceed n_features", path: ["m"] })
  .refine((c) => c.decay * c.lr < 1, { message: "decay * lr must be below 1 (the bias is multiplied by 1 - decay*lr)", path: ["decay"] });

export type RunConfig = z.infer<typeof RunConfigSchema>;

/** Output dimension of the model for a task: the decoder and abs tasks predict every feature; the re-projector
 * predicts an m-dimensional re-embedding. */
export function outputDim(config: Pick<RunConfig, "task" | "n_features" | "m">): number {
  return config.task === "reprojector" ? config.m : config.n_features;
}

/**
 * The fields that make a paper run's config, in one zod-free list the browser can import: two runs equal on all of
 * them trained the same thing. protocol/config.ts's schema holds the same keys (a test checks they agree).
 */
export const RUN_CONFIG_FIELDS = [
  "task",
  "activation",
  "sampler",
  "n_features",
  "m",
  "k",
  "eps",
  "lr",
  "init_bias",
  "decay",
  "l1",
  "batch",
  "steps",
  "seed",
] as const;
export type RunConfigField = (typeof RUN_CONFIG_FIELDS)[number];

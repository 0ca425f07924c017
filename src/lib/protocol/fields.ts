/**
 * The fields that make a paper run's config, in one zod-free list the browser can import: two runs equal on all of
 * them trained the same thing. protocol/config.ts's schema holds the same keys (a test checks they agree).
 */
/** Everything one training run depends on. Keys are snake_case because they are also the Parquet columns and the
 * `--set key=value` names: one spelling from the CLI to the browser. */
export const TASKS = ["decoder", "reprojector", "abs"] as const;
export const ACTIVATIONS = ["relu", "gelu", "xexp"] as const;
export const SAMPLERS = ["equal", "power_law"] as const;
/** How the first-layer biases are set: `paper` (init offset, gradient, decay) or `gba` (Group Bias Adaptation). */
export const BIAS_RULES = ["paper", "gba"] as const;

/** The form of the monosemanticity score (see protocol/metrics.ts): `paper` (eq. 7 as written; absent means paper) or
 * `code` (the authors' published script). It changes what is measured, not what is trained. */
export const METRIC_FORMS = ["paper", "code"] as const;
export type MetricForm = (typeof METRIC_FORMS)[number];

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

/**
 * The data contract: every table the sweeps write, every column, its DuckDB type and its meaning. The Parquet
 * writer, the site's data dictionary and the tests all read this one list.
 */
export type ColumnType = "VARCHAR" | "INTEGER" | "DOUBLE" | "FLOAT" | "BOOLEAN";

export interface Column {
  name: string;
  type: ColumnType;
  description: string;
}

export interface TableSpec {
  name: "runs" | "checkpoints" | "losses" | "neurons" | "sfa";
  description: string;
  columns: Column[];
}

const c = (name: string, type: ColumnType, description: string): Column => ({ name, type, description });

const RUN_COLUMNS: Column[] = [
  c("run_id", "VARCHAR", "Unique id: experiment, preset, swept values, seed (and any --set overrides)."),
  c("experiment", "VARCHAR", "Table 1 row, e.g. LR1."),
  c("preset", "VARCHAR", "smoke, quick, converged or paper."),
  c("task", "VARCHAR", "decoder, reprojector or abs."),
  c("activation", "VARCHAR", "relu, gelu or xexp (the authors' 'SoLU', x*exp(x))."),
  c("sampler", "VARCHAR", "equal or power_law feature frequencies."),
  c("n_features", "INTEGER", "N, the number of features."),
  c("m", "INTEGER", "Embedding dimension."),
  c("k", "INTEGER", "Hidden neurons."),
  c("eps", "DOUBLE", "Feature activation probability (mean, for power_law)."),
  c("lr", "DOUBLE", "Base learning rate."),
  c("init_bias", "DOUBLE", "Offset added to every initial first-layer bias."),
  c("decay", "DOUBLE", "Bias decay per step that was trained with (after any preset rescaling)."),
  c("decay_nominal", "DOUBLE", "The bias decay of Table 1, before preset rescaling."),
  c("l1", "DOUBLE", "L1 penalty on hidden activations."),
  c("batch", "INTEGER", "Samples per step."),
  c("steps", "INTEGER", "Optimiser steps."),
  c("seed", "INTEGER", "Seed of the embedder, the initialisation and the data stream."),
  c("engine", "VARCHAR", "Engine that trained the run, e.g. tfjs-wasm."),
  c("final_loss", "DOUBLE", "Mean task loss over the last 1/32 of the steps (NaN when diverged)."),
  c("mono_neurons", "INTEGER", "Neurons whose largest single-feature activation exceeds 0.999 of their sum."),
  c("mono_per_feature", "DOUBLE", "mono_neurons / n_features (the paper's main metric; can exceed 1)."),
  c("mono_per_neuron", "DOUBLE", "mono_neurons / k."),
  c("features_covered", "INTEGER", "Features that own at least one monosemantic neuron."),
  c("mean_bias", "DOUBLE", "Mean first-layer bias of the final model."),
  c("dead_neurons", "INTEGER", "Neurons that fire for no single feature at any amplitude in [0, 1]."),
  c("wall_s", "DOUBLE", "Wall-clock seconds to train and measure the run."),
  c("status", "VARCHAR", "ok, or diverged (the loss became NaN or infinite)."),
  c("diverged_at", "INTEGER", "Step at which the run diverged (NULL when it did not)."),
  // Beyond the paper: appended, so the columns above keep their positions.
  c(
    "bias_rule",
    "VARCHAR",
    "How the first-layer biases were set: paper (init offset, gradient, decay) or gba (Group Bias Adaptation, no gradient).",
  ),
  c("variant", "VARCHAR", "Named variant of an experiment that compares recipes (e.g. GBA1's LR1, LR3, gba-...); NULL for Table 1 rows."),
  c("gba_groups", "INTEGER", "GBA: number of neuron groups K (NULL under the paper's rule)."),
  c("gba_p_high", "DOUBLE", "GBA: target activation frequency of the first group."),
  c("gba_p_low", "DOUBLE", "GBA: target activation frequency of the last group (geometric in between)."),
  c("gba_every", "INTEGER", "GBA: optimiser steps between bias updates."),
  c("gba_buffer", "INTEGER", "GBA: fresh samples per measurement of firing rates."),
  c("gba_gamma", "DOUBLE", "GBA: step size gamma (gamma_plus = gamma_minus)."),
  c("last_quarter_improvement", "DOUBLE", "(loss at 3/4 of the run - final loss) / loss at 3/4, both averaged over 1/32 of the steps."),
  c(
    "converged",
    "BOOLEAN",
    "The stricter rule the verdicts use: loss_converged, and mono_neurons and dead_on_data each moved by at most 2% of k over the last quarter, and the run did not collapse.",
  ),
  c("zero_loss", "DOUBLE", "Expected loss of predicting 0 for every output (E|target|²): the loss of a model that learned nothing."),
  c(
    "collapsed",
    "BOOLEAN",
    "Training failed without a NaN: diverged, at least 99% of neurons dead on data, or final loss not below zero_loss.",
  ),
  c(
    "loss_converged",
    "BOOLEAN",
    "|last_quarter_improvement| < 2%: the loss has stopped improving, and is not rising either (the loss-only rule).",
  ),
  c("mono_change_last_quarter", "INTEGER", "mono_neurons at the end minus at 3/4 of the run."),
  c("dead_change_last_quarter", "INTEGER", "dead_on_data at the end minus at 3/4 of the run."),
  c("live_poly_neurons", "INTEGER", "Neurons that fire for some single feature (at amplitude 1) and are not monosemantic."),
  c("mono_share_of_live", "DOUBLE", "mono_neurons / (mono_neurons + live_poly_neurons); NaN when both are 0."),
  c(
    "dead_on_data",
    "INTEGER",
    "Neurons that never fire (pre-activation > 0) on a fixed evaluation batch of 8192 samples from the run's own distribution (single-feature silence is not death).",
  ),
  c("positive_bias_neurons", "INTEGER", "Neurons with final bias > 0.05: the paper's proxy for polysemantic neurons (65 = d + 1 in LR3)."),
  c(
    "metric_form",
    "VARCHAR",
    "paper (eq. 7 as written: positive parts; h(F) + h(-F) on the abs task; the default) or code (the authors' published script).",
  ),
  c(
    "noise_scale",
    "DOUBLE",
    "lr / sqrt(batch): under LAMB the step's size is set by lr, the share of it that is noise by 1/sqrt(batch). The paper's runs span 1.1e-5 to 3.3e-4.",
  ),
  c("paper_lr", "DOUBLE", "lr * sqrt(8192 / batch): the learning rate at the paper's batch with the same noise scale."),
];

/** A run's status column: ok, or diverged (the loss became NaN or infinite). */
export const RUN_STATUSES = ["ok", "diverged"] as const;

/** The metrics measured on a model at any point of its training: the runs table has them for the final model, the
 * checkpoints table for every snapshot (in this order). */
export const SNAPSHOT_METRICS = [
  "mono_neurons",
  "mono_per_feature",
  "mono_per_neuron",
  "features_covered",
  "mean_bias",
  "dead_neurons",
  "live_poly_neurons",
  "mono_share_of_live",
  "dead_on_data",
  "positive_bias_neurons",
] as const;

/** A column of the runs table by name (a missing name is a bug in this file). */
function runColumn(name: string): Column {
  const found = RUN_COLUMNS.find((col) => col.name === name);
  if (!found) throw new Error(`tables.ts: runs has no column ${name}`);
  return found;
}

export const TABLES: TableSpec[] = [
  {
    name: "runs",
    description: "One row per training run: its config, its final metrics and how it was computed.",
    columns: RUN_COLUMNS,
  },
  {
    name: "checkpoints",
    description: "Metrics of each run's model after 1, 2, 4, ... steps, at 3/4 of the run (for the convergence rule) and at the end.",
    columns: [
      c("run_id", "VARCHAR", "The run."),
      c("step", "INTEGER", "Optimiser steps taken."),
      c("loss", "DOUBLE", "Mean task loss of the steps since the previous snapshot."),
      ...SNAPSHOT_METRICS.map((name) => c(name, runColumn(name).type, "As in runs, for the model at this step.")),
    ],
  },
  {
    name: "losses",
    description: "Task loss logged every 16 steps (the mean of those 16 steps).",
    columns: [
      c("run_id", "VARCHAR", "The run."),
      c("step", "INTEGER", "Steps taken at the end of the window."),
      c("loss", "DOUBLE", "Mean task loss over the window."),
    ],
  },
  {
    name: "neurons",
    description: "Each neuron of each run's final model.",
    columns: [
      c("run_id", "VARCHAR", "The run."),
      c("neuron", "INTEGER", "Neuron index, 0-based."),
      c("bias", "DOUBLE", "Final first-layer bias."),
      c("frac_mono", "DOUBLE", "Largest single-feature activation / sum over features."),
      c("top_feature", "INTEGER", "Feature with the largest single-feature activation."),
      c("top_activation", "DOUBLE", "That activation."),
      c("is_mono", "BOOLEAN", "frac_mono > 0.999."),
      c("fired_on_data", "INTEGER", "Samples of the run's 8192-sample evaluation batch on which the neuron fired."),
      c(
        "kind",
        "VARCHAR",
        "mono; poly (fires for some single feature, not mono); data-only (fires on data, for no single feature); dead (never fires on the evaluation batch).",
      ),
    ],
  },
  {
    name: "sfa",
    description: "Single-feature activations of each run's final model, sparse: only activations > 0.",
    columns: [
      c("run_id", "VARCHAR", "The run."),
      c("neuron", "INTEGER", "Neuron index."),
      c("feature", "INTEGER", "Feature index."),
      c("activation", "FLOAT", "Activation of the neuron when the feature alone is present at amplitude 1."),
    ],
  },
];

/**
 * Tables outside the sweep's run tables (they are not one row per RunRecord): sae.parquet, written by experiment
 * SAE1 (sparse autoencoders scored against the toy world's true features).
 */
export interface ExtraTableSpec {
  name: "sae";
  description: string;
  columns: Column[];
}

export const SAE_TABLE: ExtraTableSpec = {
  name: "sae",
  description: "One row per sparse autoencoder of experiment SAE1, scored against the true feature directions.",
  columns: [
    c("run_id", "VARCHAR", "Unique id: SAE1, preset, target, method and its parameter, seed."),
    c("experiment", "VARCHAR", "SAE1."),
    c("preset", "VARCHAR", "smoke, quick, converged or paper."),
    c("method", "VARCHAR", "gba, topk or l1: how the latents are made sparse."),
    c(
      "target",
      "VARCHAR",
      "input (x = E v; true directions: the columns of E) or hidden (activations of a trained LR1-style model; true direction of feature i: h(e_i) - h(0)).",
    ),
    c("param", "DOUBLE", "The method's parameter: K for topk, lambda for l1, NULL for gba."),
    c("seed", "INTEGER", "Seed of the SAE's initialisation and data stream (the world and the base model are fixed)."),
    c("d", "INTEGER", "Input dimension of the SAE."),
    c("latents", "INTEGER", "Number of SAE latents."),
    c("steps", "INTEGER", "Adam steps."),
    c("batch", "INTEGER", "Samples per step."),
    c("lr", "DOUBLE", "Adam learning rate."),
    c("n_features", "INTEGER", "True features scored."),
    c("recovery_080", "DOUBLE", "Fraction of true features matched by some live latent's direction with cosine > 0.8."),
    c("recovery_090", "DOUBLE", "The same at cosine > 0.9."),
    c("mean_max_cos", "DOUBLE", "Mean over true features of the best cosine with a live latent."),
    c(
      "recon_loss",
      "DOUBLE",
      "Reconstruction error on held-out samples as a fraction of their variance (0 = perfect, 1 = predicting the mean).",
    ),
    c("frac_active", "DOUBLE", "Mean fraction of latents active per held-out sample."),
    c("dead_latents", "INTEGER", "Latents that never fired on the held-out samples."),
    c(
      "consistency",
      "DOUBLE",
      "Mean over this SAE's live latents of the best cosine with a live latent of another seed's SAE of the same method, parameter and target, averaged over those seeds (NULL with one seed).",
    ),
    c("base_run", "VARCHAR", "For target hidden: the config of the base model (NULL for input)."),
    c("wall_s", "DOUBLE", "Wall-clock seconds to train and score the SAE."),
  ],
};

export function tableSpec(name: TableSpec["name"]): TableSpec {
  return TABLES.find((t) => t.name === name)!;
}

/**
 * The paper's eight claims: the list (id, title, page, experiments, whether it needs converged runs), the rows the
 * judges read and the verdict they give. The judges are in ./claim-judges.ts (claims 1-7) and ./claim8-judge.ts,
 * what they share in ./claim-judging.ts, and the rule itself in ./verdict-rules.ts.
 */
import type { PaperReport } from "../experiments/paper-reports.js";
import type { Label, Outcome, PartResult, Regime } from "./verdict-rules.js";

export interface Claim {
  id: number;
  title: string;
  page: string;
  experiments: string[];
  /** Whether the claim is about fully trained models: its runs must have converged by the strict rule. */
  needsConvergence: boolean;
}

export const CLAIMS: Claim[] = [
  {
    id: 1,
    title: "Same loss, different monosemanticity: higher learning rate is more monosemantic (LR1)",
    page: "./learning-rate",
    experiments: ["LR1"],
    needsConvergence: true,
  },
  {
    id: 2,
    title: "Bias signature: mono neurons end with negative biases, poly neurons with small positive ones",
    page: "./model",
    experiments: ["LR1", "LR2", "LR3", "LR4", "LR5"],
    needsConvergence: false,
  },
  {
    id: 3,
    title: "Engineering works: init bias −1 with decay (LR3) beats LR1 at matched lr, without a higher loss",
    page: "./learning-rate",
    experiments: ["LR1", "LR3"],
    needsConvergence: true,
  },
  {
    id: 4,
    title: "A moderate negative initial bias is best, and the best bias grows in magnitude with eps (B1–B5)",
    page: "./initial-bias",
    experiments: ["B1", "B2", "B3", "B4", "B5"],
    needsConvergence: false,
  },
  {
    id: 5,
    title: "Width helps (K1, K2), and K0 without engineering is less monosemantic at equal k",
    page: "./width",
    experiments: ["K0", "K1", "K2"],
    needsConvergence: true,
  },
  {
    id: 6,
    title: "The same holds for power-law features, the re-projector and the absolute-value task",
    page: "./other-tasks",
    experiments: ["LR2", "LR4", "RP1", "LR5", "D1"],
    needsConvergence: false,
  },
  {
    id: 7,
    title: "L1 on activations increases monosemanticity, at a loss cost when large (RG1)",
    page: "./other-tasks",
    experiments: ["RG1"],
    needsConvergence: false,
  },
  {
    id: 8,
    title: "Residual poly neurons: about d + 1, nearly always active, a shared low-rank identity; mono neurons add thresholded corrections",
    page: "./mechanism",
    experiments: ["LR3"],
    needsConvergence: true,
  },
];

/** Claim 4's experiments: the initial-bias sweeps, one per feature probability eps. */
export const B_EXPERIMENTS = ["B1", "B2", "B3", "B4", "B5"];

/** A row of runs.parquet (as the runner's records hold it). */
export type RunRow = Record<string, unknown>;

/** Per run: mean final bias of its monosemantic and of its live polysemantic neurons (NaN when it has none). */
export interface NeuronSummary {
  monoBias: number;
  polyBias: number;
  mono: number;
  poly: number;
  dead: number;
}

/** Per analysed model (claim 8): the numbers the paper reports, measured on its positive-bias neurons. */
export interface MechanismSummary {
  run_id: string;
  seed: number;
  d: number;
  positiveBias: number;
  polyFrequency: number;
  singular: number[];
  slope: number;
  onset: number;
  biasDot: number;
  monoOnset: number | null;
}

export interface VerdictInput {
  runs: RunRow[];
  neurons: Map<string, NeuronSummary>;
  mechanism: MechanismSummary[];
}

export interface ClaimVerdict {
  id: number;
  title: string;
  page: string;
  experiments: string[];
  label: Label;
  outcome: Outcome;
  category: string;
  /** One plain sentence: why the verdict came out so. */
  reason: string;
  regime: Regime;
  parts: PartResult[];
  paper: (PaperReport & { ours: string })[];
  used_run_ids: string[];
  outside_premise: { run_id: string; why: string }[];
}

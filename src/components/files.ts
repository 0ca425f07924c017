/**
 * Every Parquet file of the site, as URLs on this site's own origin. FileAttachment needs literal paths, so they are
 * all listed here once. No DuckDB import: a page that only links to the files (Reproduce) loads nothing else.
 */
import { FileAttachment } from "observablehq:stdlib";

export const FILES = {
  runs: FileAttachment("../data/runs.parquet").href as string,
  checkpoints: FileAttachment("../data/checkpoints.parquet").href as string,
  losses: FileAttachment("../data/losses.parquet").href as string,
  neurons: FileAttachment("../data/neurons.parquet").href as string,
};

/** Single-feature activations, one file per experiment (loaded on demand, run by run views). */
export const SFA_FILES: Record<string, string> = {
  LR1: FileAttachment("../data/sfa/LR1.parquet").href as string,
  LR2: FileAttachment("../data/sfa/LR2.parquet").href as string,
  LR3: FileAttachment("../data/sfa/LR3.parquet").href as string,
  LR4: FileAttachment("../data/sfa/LR4.parquet").href as string,
  LR5: FileAttachment("../data/sfa/LR5.parquet").href as string,
  B1: FileAttachment("../data/sfa/B1.parquet").href as string,
  B2: FileAttachment("../data/sfa/B2.parquet").href as string,
  B3: FileAttachment("../data/sfa/B3.parquet").href as string,
  B4: FileAttachment("../data/sfa/B4.parquet").href as string,
  B5: FileAttachment("../data/sfa/B5.parquet").href as string,
  "B3-GeLU": FileAttachment("../data/sfa/B3-GeLU.parquet").href as string,
  E1: FileAttachment("../data/sfa/E1.parquet").href as string,
  E2: FileAttachment("../data/sfa/E2.parquet").href as string,
  E3: FileAttachment("../data/sfa/E3.parquet").href as string,
  E4: FileAttachment("../data/sfa/E4.parquet").href as string,
  K0: FileAttachment("../data/sfa/K0.parquet").href as string,
  K1: FileAttachment("../data/sfa/K1.parquet").href as string,
  K2: FileAttachment("../data/sfa/K2.parquet").href as string,
  RG1: FileAttachment("../data/sfa/RG1.parquet").href as string,
  RP1: FileAttachment("../data/sfa/RP1.parquet").href as string,
  D1: FileAttachment("../data/sfa/D1.parquet").href as string,
};

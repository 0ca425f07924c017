/**
 * The paper's claims for the pages: the list (from the library, defined once) and each claim's verdict, read from
 * data/verdicts.json, which the build computes from the runs (src/data/verdicts.json.ts). Also the one figure helper
 * the initial-bias page shares with claim 4.
 */
import { FileAttachment } from "observablehq:stdlib";
import { B_EXPERIMENTS, CLAIMS, type ClaimVerdict } from "../lib/analysis/claims.js";
import type { Row } from "./db.js";
export { B_EXPERIMENTS, CLAIMS };
export type { ClaimVerdict };

export interface VerdictsFile {
  preset: string;
  rule: string;
  tuning_seeds: number[];
  claims: ClaimVerdict[];
  /** Claims 1, 3 and 5 judged on the shipped reference runs alone (empty when none are shipped). */
  reference: ClaimVerdict[];
}

let verdicts: Promise<VerdictsFile> | null = null;
/** The build's verdicts (one small JSON file, fetched once per page). */
export function verdictsFile(): Promise<VerdictsFile> {
  verdicts ??= FileAttachment("../data/verdicts.json").json() as Promise<VerdictsFile>;
  return verdicts;
}

export async function claimVerdict(id: number): Promise<ClaimVerdict> {
  const found = (await verdictsFile()).claims.find((c) => c.id === id);
  if (!found) throw new Error(`verdicts.json has no claim ${id}`);
  return found;
}

export const claim1 = () => claimVerdict(1);
export const claim2 = () => claimVerdict(2);
export const claim3 = () => claimVerdict(3);
export const claim4 = () => claimVerdict(4);
export const claim5 = () => claimVerdict(5);
export const claim6 = () => claimVerdict(6);
export const claim7 = () => claimVerdict(7);
export const claim8 = () => claimVerdict(8);
export const CLAIM_FUNCTIONS: Record<number, () => Promise<ClaimVerdict>> = {
  1: claim1,
  2: claim2,
  3: claim3,
  4: claim4,
  5: claim5,
  6: claim6,
  7: claim7,
  8: claim8,
};

/** For each seed of a B experiment: the best initial bias and its mono/features (the initial-bias page's table). */
export function biasOptimum(rows: Row[], experiment: string) {
  const ps = rows
    .filter((r) => r.experiment === experiment && r.status === "ok")
    .map((r) => ({ x: Number(r.init_bias), y: Number(r.mono_per_feature), seed: Number(r.seed) }));
  return [...new Set(ps.map((p) => p.seed))].map((seed) => {
    const s = ps.filter((p) => p.seed === seed);
    const lowest = Math.min(...s.map((p) => p.x));
    const moderate = s.filter((p) => p.x < 0 && p.x > lowest);
    const extreme = s.filter((p) => p.x === lowest || p.x >= 0);
    const best = s.reduce((a, b) => (b.y > a.y ? b : a), s[0]);
    const margin =
      moderate.length && extreme.length ? Math.max(...moderate.map((p) => p.y)) - Math.max(...extreme.map((p) => p.y)) : Number.NaN;
    return {
      experiment,
      seed,
      best: best?.x ?? Number.NaN,
      bestMono: best?.y ?? Number.NaN,
      margin,
      eps: Number(rows.find((r) => r.experiment === experiment)?.eps),
    };
  });
}

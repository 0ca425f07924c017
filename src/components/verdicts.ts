/**
 * The browser's view of verdicts. The claims are judged at build time (src/data/verdicts.json.ts, by the rule in
 * src/lib/analysis/verdict-rules.ts); this module gives pages the shape they render, the rule's text, and the same
 * rule for a page's own hypotheses (the Beyond page), which get their own words ("holds here"), never "reproduced".
 */
import { beyondLabel, CATEGORY, combineOutcomes, comparisonPart, DECISION_RULE, type PartResult } from "../lib/analysis/verdict-rules.js";
export { DECISION_RULE };
export { meanInterval } from "../lib/analysis/stats.js";

/** What a verdict block renders: a claim's verdict from verdicts.json, or a page's own hypothesis. */
export interface Verdict {
  label: string;
  category: string;
  reason: string;
  parts: Pick<PartResult, "text" | "outcome">[];
  paper?: { quantity: string; paper: string; ours: string; kind: string }[];
  regime?: { text: string; inPaperRegime: boolean };
  outside_premise?: { run_id: string; why: string }[];
  used_run_ids?: string[];
}

export interface PartOptions {
  /** +1 when the hypothesis expects a positive effect, -1 a negative one. */
  expect: 1 | -1;
  /** The effect-size floor (also the margin a single replicate must reach). */
  decisive: number;
  what: string;
  over?: string;
}

/** One part of a page's own hypothesis: replicates of an effect (e.g. paired by seed), judged by the site's rule. */
export function decidePart(replicates: number[], o: PartOptions): PartResult {
  return comparisonPart([{ label: o.over ?? "seeds", values: replicates.map((r) => o.expect * r) }], {
    what: o.what,
    floor: o.decisive,
    decisive: o.decisive,
    over: o.over ?? "seeds",
  });
}

/** A page's own hypothesis from its parts, in its own words. */
export function combine(parts: PartResult[]): Verdict {
  const outcome = combineOutcomes(parts);
  const deciding = parts.find((p) => p.outcome === outcome) ?? parts[0];
  return { label: beyondLabel(outcome), category: CATEGORY[outcome], reason: deciding?.headline ?? "No data.", parts };
}

/** A row of the runs table, as the browser's queries return it. */
export type RunRow = Record<string, unknown>;

/** Whether a run converged by the strict rule (the column is a BOOLEAN; some clients return it as 0/1). */
export const isConvergedRun = (r: RunRow) => r.converged === true || r.converged === 1;

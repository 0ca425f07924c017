/**
 * What every claim's judge shares: a run's premise, the strata of a swept field (used only when every run in them is
 * inside the premise), the ledger of runs used and left out, matched differences, and the verdict assembled from the
 * parts with the paper's numbers beside ours.
 */
import { PAPER_REPORTS, type PaperReport } from "../experiments/paper-reports.js";
import type { Claim, ClaimVerdict, RunRow } from "./claims.js";
import { mean } from "./stats.js";
import { CATEGORY, combineOutcomes, labelFor, regimeOf, type Label, type Outcome, type PartResult, type Stratum } from "./verdict-rules.js";

export const num = (r: RunRow, field: string) => Number(r[field]);
export const fmt = (v: number, digits = 3) => (Number.isFinite(v) ? String(+v.toPrecision(digits)) : "–");
const ok = (r: RunRow) => r.status === "ok";

/** Why a run is outside a claim's premise, or null when it is inside. */
export function outsidePremise(r: RunRow, needsConvergence: boolean): string | null {
  if (!ok(r)) return `diverged at step ${r.diverged_at}`;
  if (r.collapsed === true)
    return `collapsed (${num(r, "dead_on_data")} of ${num(r, "k")} neurons dead on data, loss ${fmt(num(r, "final_loss"))} against ${fmt(num(r, "zero_loss"))} for predicting 0)`;
  if (!needsConvergence || r.converged === true) return null;
  if (r.loss_converged !== true)
    return `not converged (loss changed by ${fmt(100 * num(r, "last_quarter_improvement"), 2)}% over the last quarter)`;
  return `not converged (over the last quarter: mono neurons ${num(r, "mono_change_last_quarter") >= 0 ? "+" : ""}${num(r, "mono_change_last_quarter")}, dead on data ${num(r, "dead_change_last_quarter") >= 0 ? "+" : ""}${num(r, "dead_change_last_quarter")})`;
}

/** The runs of experiments grouped by a swept field; a group (stratum) is used only if every run in it is inside the
 * premise, so no seed is kept or dropped for its result. */
export function strataOf(rows: RunRow[], experiment: string, field: string, needsConvergence: boolean) {
  const runs = rows.filter((r) => r.experiment === experiment);
  const values = [...new Set(runs.map((r) => num(r, field)))].sort((a, b) => a - b);
  return values.map((x) => {
    const members = runs.filter((r) => num(r, field) === x);
    const why = members
      .map((r) => ({ run_id: String(r.run_id), why: outsidePremise(r, needsConvergence) }))
      .filter((w) => w.why !== null) as { run_id: string; why: string }[];
    return { x, members, usable: why.length === 0, why };
  });
}

/** A claim's bookkeeping: which runs it used, which it could not, and its regime. */
export class Ledger {
  used = new Set<string>();
  outside = new Map<string, string>();
  regimeRuns: RunRow[] = [];
  note(groups: ReturnType<typeof strataOf>) {
    for (const g of groups) {
      if (g.usable) for (const r of g.members) this.use(r);
      else
        for (const r of g.members)
          this.outside.set(String(r.run_id), g.why.find((w) => w.run_id === r.run_id)?.why ?? "its stratum has runs outside the premise");
    }
    return groups.filter((g) => g.usable);
  }
  use(r: RunRow) {
    this.used.add(String(r.run_id));
    this.regimeRuns.push(r);
  }
}

export const seedsOf = (members: RunRow[]) => [...new Set(members.map((r) => num(r, "seed")))].sort((a, b) => a - b);

/** Per seed, the (x, y) series over the usable strata. */
export function series(groups: ReturnType<typeof strataOf>, y: string) {
  const seeds = [...new Set(groups.flatMap((g) => seedsOf(g.members)))];
  return seeds.map((seed) => {
    const points = groups.flatMap((g) => g.members.filter((r) => num(r, "seed") === seed).map((r) => [g.x, num(r, y)]));
    return { x: points.map((p) => p[0]), y: points.map((p) => p[1]) };
  });
}

/** Matched differences b − a per stratum value and seed, over strata usable in both experiments. */
export function matched(
  a: ReturnType<typeof strataOf>,
  b: ReturnType<typeof strataOf>,
  y: string,
  label: (x: number) => string,
  transform = (vb: number, va: number) => vb - va,
): Stratum[] {
  return b
    .filter((gb) => a.some((ga) => ga.x === gb.x))
    .map((gb) => {
      const ga = a.find((g) => g.x === gb.x)!;
      const values = gb.members.flatMap((rb) => {
        const ra = ga.members.find((r) => num(r, "seed") === num(rb, "seed"));
        return ra ? [transform(num(rb, y), num(ra, y))] : [];
      });
      return { label: label(gb.x), values };
    });
}

export function finish(claim: Claim, ledger: Ledger, parts: PartResult[], paper: (PaperReport & { ours: string })[]): ClaimVerdict {
  const regime = regimeOf(ledger.regimeRuns.map((r) => ({ batch: num(r, "batch"), lr: num(r, "lr") })));
  // With no run inside the premise there is nothing to judge: say which premise failed, not what empty parts say.
  const nothingInside = ledger.regimeRuns.length === 0 && ledger.outside.size > 0;
  const noRuns = ledger.regimeRuns.length === 0 && ledger.outside.size === 0;
  const outcome: Outcome = nothingInside ? "outside premise" : noRuns ? "underpowered" : combineOutcomes(parts);
  const label: Label = noRuns ? "inconclusive" : labelFor(outcome, regime);
  const deciding = parts.find((p) => p.outcome === outcome) ?? parts[0];
  const where =
    regime.inPaperRegime || nothingInside || noRuns
      ? ""
      : `Judged outside the paper's regime (${regime.text.split(" (paper")[0]}). There: `;
  const firstWhy = [...ledger.outside.values()][0];
  const headline = noRuns
    ? `No run of ${claim.experiments.join(", ")} in these data.`
    : nothingInside
      ? `None of the ${ledger.outside.size} runs is inside the claim's premise (e.g. ${firstWhy}).`
      : deciding
        ? deciding.headline
        : "No data.";
  const reason = `${where}${headline}`;
  return {
    id: claim.id,
    title: claim.title,
    page: claim.page,
    experiments: claim.experiments,
    label,
    outcome,
    category: CATEGORY[outcome],
    reason,
    regime,
    parts,
    paper,
    used_run_ids: [...ledger.used].sort(),
    outside_premise: [...ledger.outside].map(([run_id, why]) => ({ run_id, why })).sort((a, b) => a.run_id.localeCompare(b.run_id)),
  };
}

export const lrLabel = (x: number) => `lr ${x}`;
export const paperRow = (claim: number, key: string, ours: string) => ({ ...PAPER_REPORTS[claim][key], ours });
export const meanOf = (rows: RunRow[], y: string) => mean(rows.map((r) => num(r, y)).filter(Number.isFinite));

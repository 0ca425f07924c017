/**
 * The judge of claim 8 (the residual polysemantic neurons' mechanism): its parts over the analysed models, stratified
 * by embedding dimension d, against the paper's reported counts, frequencies, singular values, slopes and onsets.
 */
import type { Claim, ClaimVerdict, MechanismSummary, RunRow } from "./claims.js";
import { finish, fmt, Ledger, paperRow } from "./claim-judging.js";
import { mean } from "./stats.js";
import { comparisonPart } from "./verdict-rules.js";

/** The band the paper calls "near 1" and "near 0" for singular values (0.99-1.03 and ~0, with room for noise). */
export const NEAR_ONE: [number, number] = [0.9, 1.1];
export const NEAR_ZERO = 0.1;

export function claim8(c: Claim, rows: RunRow[], models: MechanismSummary[]): ClaimVerdict {
  const ledger = new Ledger();
  for (const m of models) {
    const row = rows.find((r) => r.run_id === m.run_id);
    if (row) ledger.use(row);
  }
  const byD = [...new Set(models.map((m) => m.d))].sort((a, b) => a - b);
  const strata = (f: (m: MechanismSummary) => number) =>
    byD.map((d) => ({ label: `d ${d}`, values: models.filter((m) => m.d === d).map(f) }));
  const between = (m: MechanismSummary) =>
    m.singular.filter((s) => s > NEAR_ZERO && s < NEAR_ONE[0]).length / Math.max(1, m.singular.length);
  const parts = [
    comparisonPart(
      strata((m) => 0.2 - Math.abs(m.positiveBias / (m.d + 1) - 1)),
      { what: "0.2 minus the relative distance of the positive-bias count from d + 1", floor: 0, decisive: 0.05, over: "d" },
    ),
    comparisonPart(
      strata((m) => m.polyFrequency - 0.9),
      { what: "Activation frequency of positive-bias neurons minus 0.9", floor: 0, decisive: 0.05, over: "d" },
    ),
    comparisonPart(
      strata((m) => 0.1 - between(m)),
      { what: "0.1 minus the share of the poly pathway's singular values between 0.1 and 0.9", floor: 0, decisive: 0.05, over: "d" },
    ),
    comparisonPart(
      strata((m) => 1 - Math.abs(Math.log2(m.slope / 0.125))),
      { what: "1 minus |log2(poly slope / 0.125)| (slope within a factor 2 of the paper's 0.09–0.16)", floor: 0, decisive: 0.2, over: "d" },
    ),
    comparisonPart(
      strata((m) => 0.01 - m.biasDot),
      { what: "0.01 minus the mean |b_poly · W2_poly| (twice the paper's bound)", floor: 0, decisive: 0.002, over: "d" },
    ),
    comparisonPart(
      strata((m) => 0.2 - Math.abs((m.monoOnset ?? Number.NaN) - 0.4)).filter((s) => s.label === "d 64"),
      { what: "0.2 minus the distance of the mono-only onset from 0.4", floor: 0, decisive: 0.05, over: "d" },
    ),
  ];
  const at = (d: number, f: (m: MechanismSummary) => number) => {
    const ms = models.filter((m) => m.d === d);
    return ms.length ? `${fmt(mean(ms.map(f)))} at d = ${d} (${ms.length} seed${ms.length > 1 ? "s" : ""})` : null;
  };
  const join = (f: (m: MechanismSummary) => number) =>
    byD
      .map((d) => at(d, f))
      .filter(Boolean)
      .join("; ") || "no model";
  return finish(c, ledger, parts, [
    paperRow(
      8,
      "positiveBias",
      join((m) => m.positiveBias),
    ),
    paperRow(8, "singular", join((m) => m.singular.filter((s) => s >= NEAR_ONE[0] && s <= NEAR_ONE[1]).length) + " singular values near 1"),
    paperRow(8, "onset", `onset ${join((m) => m.onset)}; slope ${join((m) => m.slope)}`),
    paperRow(
      8,
      "biasDot",
      join((m) => m.biasDot),
    ),
    paperRow(
      8,
      "monoOnset",
      join((m) => m.monoOnset ?? Number.NaN),
    ),
    paperRow(
      8,
      "frequency",
      join((m) => m.polyFrequency),
    ),
  ]);
}

/**
 * The home page's overview of every run, made comparable: one point per distinct config (a run that two
 * experiments share counts once), one training scale (the survey's steps × batch), collapsed runs left out and
 * counted, and the loss divided by the loss of predicting zero (so the tasks' and densities' losses share a scale).
 * Without the zero_loss column it falls back to one task and density (the decoder at eps = 1/64). Pure.
 */
import { RUN_CONFIG_FIELDS } from "../lib/protocol/fields.js";
export type Row = Record<string, unknown>;

export interface Hero {
  rows: Row[];
  x: string;
  xText: string;
  compare: string;
  scaleText: string;
  scaleNote: string;
  leftOut: string;
}

export function heroRows(all: Row[]): Hero {
  const ok = all.filter((r) => r.status === "ok");
  const collapsed = ok.filter((r) => r.collapsed === true);
  const healthy = ok.filter((r) => r.collapsed !== true);
  // The most common scale is the survey's; the focus experiments' longer runs are another comparison.
  const scaleOf = (r: Row) => `${r.steps} steps × batch ${r.batch}`;
  const counts = new Map<string, number>();
  for (const r of healthy) counts.set(scaleOf(r), (counts.get(scaleOf(r)) ?? 0) + 1);
  const survey = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? "";
  const atScale = healthy.filter((r) => scaleOf(r) === survey);
  const seen = new Set<string>();
  const distinct: Row[] = [];
  for (const r of atScale) {
    const key = RUN_CONFIG_FIELDS.map((f) => String(r[f])).join("|");
    if (seen.has(key)) continue;
    seen.add(key);
    distinct.push(r);
  }
  const twins = atScale.length - distinct.length;
  const hasZero = distinct.length > 0 && distinct.every((r) => Number(r.zero_loss) > 0);
  const rows: Row[] = hasZero
    ? distinct.map((r) => ({ ...r, relative_loss: Number(r.final_loss) / Number(r.zero_loss) }))
    : distinct.filter((r) => r.task === "decoder" && r.sampler === "equal" && Math.abs(Number(r.eps) - 1 / 64) < 1e-9);
  const otherScales = healthy.length - atScale.length;
  const leftOut = [
    `${twins} twin${twins === 1 ? "" : "s"} (the same config in two experiments, counted once)`,
    `${otherScales} run${otherScales === 1 ? "" : "s"} at other scales`,
    `${collapsed.length} collapsed run${collapsed.length === 1 ? "" : "s"} (at least 99% of neurons dead, or a loss no better than predicting zero)`,
    `${all.length - ok.length} diverged`,
    ...(hasZero ? [] : [`${distinct.length - rows.length} runs of other tasks or densities`]),
  ].join(", ");
  return {
    rows,
    x: hasZero ? "relative_loss" : "final_loss",
    xText: hasZero ? "Final loss relative to the loss of predicting zero" : "Final loss of the decoder at eps = 1/64",
    compare: hasZero
      ? "Every point is one training scale, and its loss is divided by what a model that outputs zero would score, so tasks and feature densities share the axis. Runs at about the same relative loss can differ widely in monosemanticity (compare points on a vertical line)."
      : "One task and density at one training scale, so points on a vertical line are comparable: runs at about the same loss can differ widely in monosemanticity.",
    scaleText: survey,
    scaleNote: `All these runs are small: ${survey}, ${new Set(rows.map((r) => r.seed)).size} seed${new Set(rows.map((r) => r.seed)).size === 1 ? "" : "s"}, against the paper's 2^17 steps × batch 8192. The verdicts below are judged at this build's scale, and say where that limits them.`,
    leftOut,
  };
}

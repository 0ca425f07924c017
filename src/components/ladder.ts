// The batch ladder's rows for src/regime.md: each REGIME1 rung, plus every shipped reference run that is a rung of
// the same ladder (same recipe, same paper-batch rate, same lr x steps), labelled by leg so they chart as one line.
type Row = Record<string, unknown>;

export interface LadderRow extends Row {
  leg: string;
  source: "this build" | "shipped reference";
  batch: number;
  samples: number;
}

/** A leg's name: recipe and what it holds fixed, e.g. "LR3 at paper_lr 0.03 (noise matched)" or "LR3 at lr 0.01". */
export function legOf(variant: string): string {
  const [recipe, mode] = variant.split("-");
  return mode.startsWith("paper") ? `${recipe} at paper_lr ${mode.slice(5)} (noise matched)` : `${recipe} at lr ${mode.slice(2)}`;
}

const sameRate = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(Math.abs(a), Math.abs(b));

/** Ladder runs and matching reference runs, sorted by leg, then batch. */
export function ladderRows(ladder: { runs: Row[]; scale: { lrSteps: number } }, reference: { runs: Row[] }): LadderRow[] {
  const rung = (r: Row, leg: string, source: LadderRow["source"]): LadderRow => ({
    ...r,
    leg,
    source,
    batch: Number(r.batch),
    samples: Number(r.batch) * Number(r.steps),
  });
  const own = ladder.runs.map((r) => rung(r, legOf(String(r.variant)), "this build"));
  const legs = new Set(own.map((r) => r.leg));
  const shipped = reference.runs
    .filter((r) => sameRate(Number(r.lr) * Number(r.steps), ladder.scale.lrSteps))
    .map((r) => rung(r, legOf(`${r.experiment}-paper${+Number(r.paper_lr).toPrecision(4)}`), "shipped reference"))
    .filter((r) => legs.has(r.leg));
  return [...own, ...shipped].sort((a, b) => a.leg.localeCompare(b.leg) || a.batch - b.batch);
}

// The Beyond page's summaries over constructed rows: GBA1's variants averaged and paired by seed, SAE1's settings ranked.
import { describe, expect, it } from "vitest";
import {
  bestGbaVariant,
  bestPerMethod,
  pairedDifferences,
  saeSeedDifferences,
  summariseSae,
  summariseVariants,
  type GbaRunRow,
  type SaeRowLike,
} from "../../../src/lib/analysis/beyond.js";

const run = (variant: string, seed: number, mono: number, loss = 1): GbaRunRow => ({
  variant,
  seed,
  final_loss: loss,
  mono_per_feature: mono,
  features_covered: 10 * mono,
  dead_neurons: 0,
  mean_bias: -0.5,
});

describe("GBA1 summaries", () => {
  const rows = [
    run("LR1", 1, 0.1),
    run("LR1", 2, 0.2),
    run("LR3", 1, 0.5, 0.9),
    run("LR3", 2, 0.7, 1.1),
    run("gba-a", 2, 0.9),
    run("gba-a", 1, 0.6),
    run("gba-b", 1, 0.65),
    run("gba-b", 2, 0.7),
  ];

  it("averages each variant over its seeds", () => {
    const s = summariseVariants(rows);
    expect(s.map((v) => v.variant)).toEqual(["LR1", "LR3", "gba-a", "gba-b"]);
    expect(s[1].mean.mono_per_feature).toBeCloseTo(0.6, 12);
    expect(s[1].mean.final_loss).toBeCloseTo(1, 12);
    expect(s[2].n).toBe(2);
  });

  it("pairs runs by seed", () => {
    expect(pairedDifferences(rows, "gba-a", "LR3", "mono_per_feature").map((d) => +d.toFixed(6))).toEqual([0.1, 0.2]);
    expect(pairedDifferences([...rows, run("LR1", 3, 0)], "LR1", "LR3", "mono_per_feature")).toHaveLength(2);
  });

  it("picks the GBA variant with the highest mean", () => {
    expect(bestGbaVariant(rows)).toBe("gba-a");
    expect(bestGbaVariant(rows.filter((r) => !r.variant.startsWith("gba")))).toBeNull();
  });
});

describe("SAE1 summaries", () => {
  const sae = (method: string, param: number | null, seed: number, r90: number, target = "input"): SaeRowLike => ({
    target,
    method,
    param,
    seed,
    recovery_080: r90 + 0.1,
    recovery_090: r90,
    recon_loss: 0.1,
    frac_active: 0.01,
    consistency: seed === 1 ? 0.8 : 0.6,
  });
  const rows = [
    sae("gba", null, 1, 0.5),
    sae("gba", null, 2, 0.7),
    sae("topk", 4, 1, 0.2),
    sae("topk", 4, 2, 0.3),
    sae("topk", 8, 1, 0.8),
    sae("topk", 8, 2, 0.9),
    sae("l1", 0.1, 1, 0.4),
    sae("l1", 0.1, 2, 0.4),
    sae("gba", null, 1, 1, "hidden"),
  ];

  it("averages per setting and keeps per-seed recovery", () => {
    const s = summariseSae(rows);
    expect(s).toHaveLength(5);
    expect(s[0].label).toBe("GBA");
    expect(s[0].recovery_090).toBeCloseTo(0.6, 12);
    expect(s[0].consistency).toBeCloseTo(0.7, 12);
    expect(s[2].label).toBe("TopK K=8");
    expect(s[0].perSeed).toEqual([
      { seed: 1, recovery_090: 0.5 },
      { seed: 2, recovery_090: 0.7 },
    ]);
  });

  it("ranks each method by its best setting, per target", () => {
    const ranked = bestPerMethod(summariseSae(rows), "input");
    expect(ranked.map((s) => s.label)).toEqual(["TopK K=8", "GBA", "L1 λ=0.1"]);
    expect(saeSeedDifferences(ranked[0], ranked[1]).map((d) => +d.toFixed(6))).toEqual([0.3, 0.2]);
    expect(bestPerMethod(summariseSae(rows), "hidden").map((s) => s.label)).toEqual(["GBA"]);
  });
});

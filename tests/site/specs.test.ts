// The pure Vega-Lite spec builders, the heatmap's ordering, pixels and pooling, and the site's one colour and shape map.
import { describe, expect, it } from "vitest";
import { heatmapOrder, heatmapPixels, poolFactor, viridis } from "../../src/components/heatmap.js";
import {
  EXPERIMENT_COLOUR,
  EXPERIMENT_ORDER,
  EXPERIMENT_SHAPE,
  familyOf,
  OKABE_ITO as PALETTE,
  variantChannels,
} from "../../src/components/encodings.js";
import { biasSpec, distributionSpec, heatmapSpec, histogramSpec, linesSpec } from "../../src/components/model-specs.js";
import { axisFor, scaleFor } from "../../src/components/spec-base.js";
import { convergenceSpec, rowsInBrush, curvesSpec, OKABE_ITO, scatterSpec, sweepSpec } from "../../src/components/specs.js";

type Spec = Record<string, any>;

describe("spec builders", () => {
  it("scatter: encodings, log scale for log grids, optional selection", () => {
    const rows = [{ run_id: "a", final_loss: 1, lr: 0.01, experiment: "LR1" }];
    const s = scatterSpec(rows, { x: "lr", y: "final_loss", color: "experiment", width: 400, selectParam: "pick" }) as Spec;
    expect(s.width).toBe(400);
    expect(s.data.values).toBe(rows);
    expect(s.encoding.x.scale).toEqual({ type: "log" });
    // The site-wide map: the domain is every Table 1 experiment, so LR1 has the same colour whatever the rows.
    expect(s.encoding.color.scale.domain).toEqual([...EXPERIMENT_ORDER]);
    expect(s.encoding.color.scale.range[EXPERIMENT_ORDER.indexOf("LR1")]).toBe(EXPERIMENT_COLOUR.LR1);
    expect(s.encoding.shape.scale.range[EXPERIMENT_ORDER.indexOf("LR1")]).toBe(EXPERIMENT_SHAPE.LR1);
    const q = scatterSpec(rows, { x: "lr", y: "final_loss", color: "lr", width: 400 }) as Spec;
    expect(q.encoding.color.type).toBe("quantitative");
    expect(q.encoding.color.scale.type).toBe("log");
    expect(q.encoding.shape).toBeUndefined();
    const restored = scatterSpec(rows, {
      x: "lr",
      y: "final_loss",
      width: 400,
      brushParam: "brush",
      brushValue: { lr: [0.001, 0.01], final_loss: [0.5, 2] },
    }) as Spec;
    expect(restored.params[0].value).toEqual({ x: [0.001, 0.01], y: [0.5, 2] });
    expect(s.params[0].name).toBe("pick");
    const b = scatterSpec(rows, { x: "lr", y: "final_loss", width: 400, brushParam: "brush" }) as Spec;
    expect(b.params).toEqual([{ name: "brush", select: { type: "interval", encodings: ["x", "y"], clear: "dblclick" } }]);
    expect(b.encoding.opacity.condition.param).toBe("brush");
  });
  it("brush: keeps the rows inside every brushed range, all rows when the brush is empty", () => {
    const rows = [
      { lr: 0.001, final_loss: 2 },
      { lr: 0.01, final_loss: 1.5 },
      { lr: 0.03, final_loss: 1 },
    ];
    expect(rowsInBrush(rows, { lr: [0.05, 0.005] })).toEqual(rows.slice(1));
    expect(rowsInBrush(rows, { lr: [0.005, 0.05], final_loss: [0.5, 1.2] })).toEqual([rows[2]]);
    expect(rowsInBrush(rows, {})).toBe(rows);
    expect(rowsInBrush(rows, null)).toBe(rows);
  });
  it("scales: log2 for k, symlog when a zero is on a log grid, linear otherwise", () => {
    expect(scaleFor("k", [16, 2048])).toEqual({ type: "log", base: 2 });
    expect(scaleFor("l1", [0, 1e-7, 1e-3]).type).toBe("symlog");
    expect(scaleFor("init_bias", [-2, 1])).toEqual({ zero: false });
  });
  it("curves drop step 0 and use a log2 step axis", () => {
    const s = curvesSpec(
      [
        { step: 0, loss: 1, run_id: "a", lr: 1 },
        { step: 2, loss: 1, run_id: "a", lr: 1 },
      ],
      { y: "loss", series: "lr", width: 300 },
    ) as Spec;
    expect(s.data.values).toHaveLength(1);
    expect(s.encoding.x.scale).toEqual({ type: "log", base: 2 });
  });
  it("sweep adds error bars only when intervals exist, and a reference rule", () => {
    const noCi = sweepSpec([{ x: 1, series: "K1", mean: 0.5, lo: null, hi: null, n: 1 }], {
      x: "k",
      y: "mono_per_feature",
      width: 300,
    }) as Spec;
    expect(noCi.layer).toHaveLength(1);
    const ci = sweepSpec([{ x: 1, series: "K1", mean: 0.5, lo: 0.4, hi: 0.6, n: 3 }], {
      x: "k",
      y: "mono_per_feature",
      width: 300,
      rule: { x: 512, label: "k = N" },
    }) as Spec;
    expect(ci.layer.map((l: Spec) => l.mark.type ?? l.mark)).toEqual(["line", "errorbar", "rule", "text"]);
  });
  it("convergence: lr × steps per run on a log axis, the threshold as a rule", () => {
    const spec = convergenceSpec(
      [{ run_id: "a", experiment: "LR1", lr: 0.01, steps: 32768, last_quarter_improvement: 0.001, converged: true }],
      { width: 400, threshold: 0.02 },
    ) as Spec;
    expect(spec.data.values[0].lr_x_steps).toBeCloseTo(327.68, 10);
    expect(spec.layer[0].encoding.x.scale.type).toBe("log");
    expect(spec.layer[1].data.values).toEqual([{ y: 0.02 }]);
  });

  it("heatmap is one image mark over the full grid", () => {
    const s = heatmapSpec({ image: "data:image/png;base64,xx", neurons: 1024, features: 512, max: 2, width: 500 }) as Spec;
    expect(s.data.values).toHaveLength(1);
    expect(s.layer[0].mark.type).toBe("image");
    expect(s.layer[0].encoding.y.scale.domain).toEqual([0, 1024]);
  });
  it("other builders", () => {
    expect((biasSpec([{ order: 0, bias: -1, kind: "mono" }], { width: 300 }) as Spec).encoding.color.scale.domain).toEqual([
      "mono",
      "poly",
    ]);
    expect((histogramSpec([], { field: "bias", group: "kind", width: 300 }) as Spec).encoding.x.bin).toBeTruthy();
    expect((linesSpec([], { x: "a", y: "b", series: "c", width: 300, logY: true }) as Spec).encoding.y.scale.type).toBe("log");
    expect((distributionSpec([], { field: "final_loss", width: 300 }) as Spec).mark.type).toBe("bar");
  });
});

describe("heatmap", () => {
  const neurons = [
    { neuron: 0, frac_mono: 0.5, top_feature: 2, top_activation: 1 },
    { neuron: 1, frac_mono: 1, top_feature: 1, top_activation: 2 },
    { neuron: 2, frac_mono: 1, top_feature: 0, top_activation: 3 },
  ];
  const sfa = [
    { neuron: 2, feature: 0, activation: 3 },
    { neuron: 1, feature: 1, activation: 2 },
    { neuron: 0, feature: 2, activation: 1 },
    { neuron: 0, feature: 1, activation: 1 },
  ];
  it("orders a monosemantic model into a diagonal", () => {
    const { neuronRank, featureRank } = heatmapOrder(neurons, sfa, 4);
    expect(Array.from(neuronRank)).toEqual([2, 1, 0]);
    // feature 0 → neuron 2 (rank 0), feature 1 → neuron 1 (rank 1), feature 2 → neuron 0 (rank 2), feature 3 → none (last)
    expect(Array.from(featureRank)).toEqual([0, 1, 2, 3]);
  });
  it("paints one pixel per positive cell, transparent elsewhere", () => {
    const order = heatmapOrder(neurons, sfa, 4);
    const img = heatmapPixels(sfa, order);
    expect(img.width).toBe(4);
    expect(img.height).toBe(3);
    expect(img.max).toBe(3);
    const alpha = (row: number, col: number) => img.pixels[(row * 4 + col) * 4 + 3];
    expect(alpha(0, 0)).toBe(255);
    expect(alpha(0, 1)).toBe(0);
    expect(alpha(2, 1)).toBe(255);
    expect(Array.from(img.pixels.slice(0, 3))).toEqual(viridis(1));
  });
  it("max-pools blocks of cells into one pixel, keeping the brightest", () => {
    const order = heatmapOrder(neurons, sfa, 4);
    const img = heatmapPixels(sfa, order, undefined, { x: 2, y: 2 });
    expect([img.width, img.height]).toEqual([2, 2]);
    const full = heatmapPixels(sfa, order);
    // Pixel (0, 0) pools rows 0-1 and columns 0-1 of the full image: lit when any of them is.
    const lit = (im: typeof img, r: number, c: number) => im.pixels[(r * im.width + c) * 4 + 3] === 255;
    expect(lit(img, 0, 0)).toBe(lit(full, 0, 0) || lit(full, 0, 1) || lit(full, 1, 0) || lit(full, 1, 1));
    expect(poolFactor(1024, 400)).toBe(6);
    expect(poolFactor(512, 2000)).toBe(1);
    const s = heatmapSpec({
      image: "x",
      neurons: 1024,
      features: 512,
      max: 1,
      width: 300,
      note: "3 of 1024 neurons dead",
      pool: { x: 4, y: 4 },
    }) as Spec;
    expect(s.title.text).toContain("dead");
    expect(s.layer[0].encoding.y.title).toContain("neuron");
  });
  it("one colour and shape map: no two experiments (or GBA1 variants) share both", () => {
    expect(EXPERIMENT_ORDER.length).toBe(21);
    const pairs = new Set(EXPERIMENT_ORDER.map((id) => `${EXPERIMENT_COLOUR[id]}|${EXPERIMENT_SHAPE[id]}`));
    expect(pairs.size).toBe(EXPERIMENT_ORDER.length);
    expect(familyOf("LR3")).toBe(familyOf("LR1"));
    expect(EXPERIMENT_SHAPE.B1).not.toBe(EXPERIMENT_SHAPE.LR3);
    const v = variantChannels();
    const vp = new Set(
      (v.color.scale as any).domain.map((_: string, i: number) => `${(v.color.scale as any).range[i]}|${(v.shape.scale as any).range[i]}`),
    );
    expect(vp.size).toBe((v.color.scale as any).domain.length);
    expect(OKABE_ITO).toBe(PALETTE);
  });
  it("symlog axes label every grid value; other scales keep Vega's ticks", () => {
    const a = axisFor("l1", [0, 1e-6, 1e-5, 1e-4, 1e-3]) as Spec;
    expect(a.axis.values).toEqual([0, 1e-6, 1e-5, 1e-4, 1e-3]);
    expect(a.axis.labelOverlap).toBe(false);
    expect(axisFor("lr", [0.001, 0.01])).toEqual({});
  });
  it("sweep: experiment series take the site colours, scales get a line style, the y title is not merged", () => {
    const pts = [
      { x: 0.01, series: "LR3", mean: 0.5, lo: 0.4, hi: 0.6, n: 3, scale: "32768 × 16" },
      { x: 0.01, series: "LR2", mean: 0.2, lo: null, hi: null, n: 1, scale: "4096 × 16" },
    ];
    const s = sweepSpec(pts, { x: "lr", y: "mono_per_feature", width: 300 }) as Spec;
    expect(s.layer[0].encoding.color.scale.domain).toEqual([...EXPERIMENT_ORDER]);
    expect(s.layer[0].encoding.strokeDash.field).toBe("scale");
    expect(s.layer[1].encoding.y.title).toBe(s.layer[0].encoding.y.title);
    const one = sweepSpec([pts[0]], { x: "lr", y: "mono_per_feature", width: 300 }) as Spec;
    expect(one.layer[0].encoding.strokeDash).toBeUndefined();
  });
  it("sweep: settings a verdict used get filled markers, the others hollow ones; without claims, plain filled points", () => {
    const pts = [
      { x: 0.01, series: "LR3", mean: 0.5, lo: null, hi: null, n: 1, used: true },
      { x: 0.03, series: "LR3", mean: 0.7, lo: null, hi: null, n: 1, used: false },
    ];
    const s = sweepSpec(pts, { x: "lr", y: "mono_per_feature", width: 300 }) as Spec;
    expect(s.layer[0].mark.point).toBe(false);
    const markers = s.layer[1];
    expect(markers.mark).toMatchObject({ type: "point", filled: false });
    expect(markers.encoding.fill.condition.test).toBe("datum.used");
    expect(markers.encoding.fill.condition.field).toBe(markers.encoding.color.field);
    expect(markers.encoding.fill.value).toBe("white");
    const plain = sweepSpec(
      pts.map(({ used: _, ...p }) => p),
      { x: "lr", y: "mono_per_feature", width: 300 },
    ) as Spec;
    expect(plain.layer[0].mark.point).toMatchObject({ filled: true });
    expect(plain.layer.some((l: Spec) => l.encoding?.fill)).toBe(false);
  });
});

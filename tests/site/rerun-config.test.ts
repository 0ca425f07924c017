/**
 * Unit tests of the re-run's and the playground's pure helpers: a published row back to the RunSpec it was trained
 * from, the exact row comparison, the playground's URL form and its nearest Table 1 row.
 */
import { describe, expect, it } from "vitest";
import { compareRows, specFromRow } from "../../src/components/rerun-compare.js";
import { DEFAULTS, encodeConfig, nearestRow, parseConfig } from "../../src/components/playground-config.js";

const row = {
  run_id: "LR3_smoke_lr=0.01_seed=1",
  experiment: "LR3",
  preset: "smoke",
  task: "decoder",
  activation: "relu",
  sampler: "equal",
  n_features: 512,
  m: 64,
  k: 1024,
  eps: 1 / 64,
  lr: 0.01,
  init_bias: -1,
  decay: 0.9,
  decay_nominal: 0.03,
  l1: 0,
  batch: 64,
  steps: 64,
  seed: 1,
  engine: "wasm-simd",
  final_loss: 2.5,
  mono_neurons: 3,
  bias_rule: "paper",
  variant: null,
  metric_form: "paper",
  wall_s: 1.5,
  gba_groups: null,
};

describe("specFromRow", () => {
  it("rebuilds the config of a paper-rule row without the optional fields", () => {
    const spec = specFromRow(row);
    expect(spec).toMatchObject({ run_id: row.run_id, experiment: "LR3", preset: "smoke", decay_nominal: 0.03, variant: undefined });
    expect(spec.config).toEqual({
      task: "decoder",
      activation: "relu",
      sampler: "equal",
      n_features: 512,
      m: 64,
      k: 1024,
      eps: 1 / 64,
      lr: 0.01,
      init_bias: -1,
      decay: 0.9,
      l1: 0,
      batch: 64,
      steps: 64,
      seed: 1,
    });
  });
  it("keeps the GBA fields of a gba row and the code metric form", () => {
    const spec = specFromRow({ ...row, decay: 0, bias_rule: "gba", gba_groups: 10, gba_gamma: 0.01, metric_form: "code" });
    expect(spec.config).toMatchObject({ bias_rule: "gba", gba_groups: 10, gba_gamma: 0.01, metric_form: "code" });
  });
  it("names the missing config column", () => {
    expect(() => specFromRow({ ...row, seed: null })).toThrow(/has no seed/);
  });
});

describe("compareRows", () => {
  it("finds nothing between equal rows, ignoring wall time and engine, NaN equal to null", () => {
    const r = compareRows({ ...row, final_loss: Number.NaN }, { ...row, final_loss: null, wall_s: 9, engine: "native-avx2-t1" });
    expect(r.differences).toEqual([]);
    expect(r.compared).toBe(Object.keys(row).length - 2);
  });
  it("reports a difference in the last bit of a double", () => {
    const r = compareRows(row, { ...row, final_loss: 2.5000000000000004, mono_neurons: 4 });
    expect(r.differences).toEqual([
      { column: "final_loss", published: 2.5, browser: 2.5000000000000004 },
      { column: "mono_neurons", published: 3, browser: 4 },
    ]);
  });
  it("compares only the columns the published row has", () => {
    expect(compareRows({ run_id: "a" }, { run_id: "a", new_metric: 1 }).compared).toBe(1);
  });
});

describe("playground config", () => {
  it("round-trips the defaults and a changed config through the URL", () => {
    expect(parseConfig(encodeConfig({ ...DEFAULTS, n_features: 512, m: 64 })).config).toEqual({ ...DEFAULTS, n_features: 512, m: 64 });
    const changed = parseConfig("?k=64&lr=0.03&task=abs&seed=7").config;
    expect(changed).toMatchObject({ k: 64, lr: 0.03, task: "abs", seed: 7, batch: DEFAULTS.batch });
    expect(parseConfig(encodeConfig(changed)).config).toEqual(changed);
  });
  it("refuses bad values with a notice and keeps the default", () => {
    const { config, notices } = parseConfig("?k=1.5&task=nope&eps=2&steps=abc");
    expect(config).toMatchObject({ k: DEFAULTS.k, task: DEFAULTS.task, eps: DEFAULTS.eps, steps: DEFAULTS.steps });
    expect(notices).toHaveLength(4);
    expect(notices.join(" ")).toMatch(/k = 1.5 must be an integer/);
    expect(notices.join(" ")).toMatch(/task = nope is not one of decoder, reprojector, abs/);
    expect(parseConfig("?decay=200&lr=0.01").notices).toEqual(["decay × lr must be below 1"]);
  });
  it("finds the nearest Table 1 row", () => {
    const base = { ...DEFAULTS, n_features: 512, m: 64 };
    expect(nearestRow({ ...base, k: 1024, init_bias: 0, decay: 0 }).id).toBe("LR1");
    expect(nearestRow({ ...base, k: 1024, init_bias: -1, decay: 0.03 }).id).toBe("LR3");
    expect(nearestRow({ ...base, k: 1024, sampler: "power_law", init_bias: -1, decay: 0.03 }).id).toBe("LR4");
    expect(nearestRow({ ...base, task: "abs", k: 2048, init_bias: -1, decay: 0.03 }).id).toBe("LR5");
    expect(nearestRow({ ...base, k: 1024, init_bias: -1, decay: 0.03, l1: 1e-4, lr: 0.005 }).id).toBe("RG1");
    expect(nearestRow({ ...base, activation: "gelu", k: 1024 }).id).toBe("B3-GeLU");
  });
});

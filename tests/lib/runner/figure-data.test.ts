/**
 * The build-time figure data (figures/<ID>.json) that the narrative pages draw instead of querying DuckDB-WASM must
 * say what the Parquet tables say: the same mean bias per kind as the SQL the pages used to run, the same training
 * curves, and a heatmap grid holding every single-feature activation in its pooled cell.
 */
import { DuckDBInstance } from "@duckdb/node-api";
import { join } from "node:path";
import { inflateRawSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { biasByKindQuery, curvesQuery } from "../../../src/components/sql.js";
import { expandExperiments } from "../../../src/lib/experiments/sweep.js";
import { biasByKind, experimentFigureData, type ExperimentFigureData } from "../../../src/lib/runner/figure-data.js";
import { writeTables } from "../../../src/lib/runner/parquet.js";
import type { RunRecord } from "../../../src/lib/runner/record.js";
import { runSweep } from "../../../src/lib/runner/sweep.js";
import { heatmapOrder, LEVELS } from "../../../src/lib/analysis/heatmap.js";
import { tempDir } from "./helpers.js";

type Row = Record<string, unknown>;
let records: RunRecord[];
let data: ExperimentFigureData;
let sql: (text: string) => Promise<Row[]>;

beforeAll(async () => {
  // Two tiny LR1 runs (different learning rates; init bias 0, so neurons fire from the start).
  const specs = expandExperiments(["LR1"], { preset: "smoke", overrides: { k: 64, steps: 256, batch: 64 } }).slice(0, 2);
  records = await runSweep(specs, { cache: null, workers: 0, log: () => {} });
  data = experimentFigureData("LR1", records);
  const dir = tempDir();
  await writeTables(records, dir, ["runs", "checkpoints", "neurons", "sfa"]);
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  for (const table of ["runs", "checkpoints", "neurons", "sfa"])
    await connection.run(`CREATE VIEW ${table} AS SELECT * FROM read_parquet('${join(dir, `${table}.parquet`)}')`);
  sql = async (text) => (await connection.runAndReadAll(text)).getRowObjectsJS() as Row[];
}, 120_000);

describe("figure data (build time) against the Parquet tables", () => {
  it("has every run, and a mean bias per kind equal to the neurons table's (biasByKindQuery)", async () => {
    expect(data.runs.map((r) => r.run_id).sort()).toEqual(records.map((r) => String(r.run.run_id)).sort());
    const expected = await sql(biasByKindQuery(["LR1"]));
    const got = records.flatMap(biasByKind);
    expect(got.length).toBe(expected.length);
    for (const e of expected) {
      const g = got.find((x) => x.run_id === e.run_id && x.is_mono === e.is_mono);
      expect(g, `run ${e.run_id} is_mono ${e.is_mono}`).toBeDefined();
      expect(g!.mean_bias).toBeCloseTo(Number(e.mean_bias), 9);
      expect(g!.neurons).toBe(Number(e.neurons));
    }
  });

  it("has the checkpoints table's curves (curvesQuery)", async () => {
    const expected = await sql(curvesQuery(["LR1"], "lr"));
    expect(data.curves.length).toBe(expected.length);
    for (const e of expected) {
      const c = data.curves.find((x) => x.run_id === e.run_id && x.step === Number(e.step));
      expect(c, `run ${e.run_id} step ${e.step}`).toBeDefined();
      expect(c!.loss).toBeCloseTo(Number(e.loss), 12);
      expect(c!.mono_per_feature).toBe(Number(e.mono_per_feature));
    }
  });

  it("counts mono and dead neurons as the runs table does, and keeps every bias in heatmap order", async () => {
    const runs = await sql(`SELECT run_id, mono_neurons, k FROM runs`);
    for (const r of data.runs) {
      const row = runs.find((x) => x.run_id === r.run_id)!;
      expect(r.mono).toBe(Number(row.mono_neurons));
      expect(r.is_mono.split("").filter((c) => c === "1").length).toBe(r.mono);
      // Mono neurons come first in the heatmap's order.
      expect(r.is_mono).toMatch(/^1*0*$/);
      const live = await sql(`SELECT count(DISTINCT neuron) AS n FROM sfa WHERE run_id = '${r.run_id}' AND activation > 0`);
      expect(r.dead).toBe(r.k - Number(live[0].n));
      const biases = (await sql(`SELECT bias FROM neurons WHERE run_id = '${r.run_id}'`)).map((x) => Number(Number(x.bias).toPrecision(5)));
      expect([...r.bias].sort((a, b) => a - b)).toEqual(biases.sort((a, b) => a - b));
    }
  });

  it("puts every positive single-feature activation in its pooled cell, at its level or brighter, and lights no other cell", async () => {
    let checked = 0;
    for (const r of data.runs) {
      const levels = inflateRawSync(Buffer.from(r.grid.levels, "base64"));
      expect(levels.length).toBe(r.grid.width * r.grid.height);
      expect(r.grid.width).toBe(Math.ceil(r.n_features / r.grid.pool.x));
      expect(r.grid.height).toBe(Math.ceil(r.k / r.grid.pool.y));
      const where = `WHERE run_id = '${r.run_id}'`;
      const neurons = (await sql(`SELECT neuron, frac_mono, top_feature, top_activation FROM neurons ${where}`)).map((n) => ({
        neuron: Number(n.neuron),
        frac_mono: Number(n.frac_mono),
        top_feature: Number(n.top_feature),
        top_activation: Number(n.top_activation),
      }));
      const sfa = (await sql(`SELECT neuron, feature, activation FROM sfa ${where} AND activation > 0`)).map((s) => ({
        neuron: Number(s.neuron),
        feature: Number(s.feature),
        activation: Number(s.activation),
      }));
      const order = heatmapOrder(neurons, sfa, r.n_features);
      const top = Math.max(...sfa.map((s) => s.activation));
      if (sfa.length) expect(r.grid.max).toBeCloseTo(top, 6);
      const lit = new Set<number>();
      for (const s of sfa) {
        const cell =
          Math.floor(order.neuronRank[s.neuron] / r.grid.pool.y) * r.grid.width + Math.floor(order.featureRank[s.feature] / r.grid.pool.x);
        expect(levels[cell]).toBeGreaterThanOrEqual(Math.max(1, Math.ceil((LEVELS * s.activation) / top) - 1));
        lit.add(cell);
      }
      expect(levels.filter((v) => v > 0).length).toBe(lit.size);
      if (sfa.length) expect(Math.max(...levels)).toBe(LEVELS);
      checked += sfa.length;
    }
    expect(checked).toBeGreaterThan(0);
  });
});

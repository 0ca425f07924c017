// The SQL builders: only whitelisted identifiers and checked values, the WHERE clause, and the pages' queries.
import { describe, expect, it } from "vitest";
import {
  biasByKindQuery,
  column,
  curvesQuery,
  number,
  runsQuery,
  RUN_ID,
  runsWhere,
  SqlError,
  sweepQuery,
} from "../../src/components/sql.js";

describe("SQL builders", () => {
  it("accept only whitelisted identifiers and values", () => {
    expect(column("lr")).toBe('"lr"');
    expect(() => column("lr; DROP TABLE runs")).toThrow(SqlError);
    expect(() => number(Number.NaN)).toThrow(SqlError);
    expect(() => runsWhere({ categories: { experiment: ["LR1' OR 1=1 --"] } })).toThrow(SqlError);
    expect(RUN_ID.test("x' OR '1'='1")).toBe(false);
  });
  it("build the WHERE clause", () => {
    expect(runsWhere({})).toBe("");
    const where = runsWhere({
      categories: { experiment: ["LR1", "LR3"], task: [] },
      values: { lr: [0.01] },
      ranges: { mono_per_feature: [0.5, 0.1] },
      okOnly: true,
    });
    expect(where).toContain(`"experiment" IN ('LR1', 'LR3')`);
    expect(where).toContain(`abs("lr" - 0.01)`);
    expect(where).toContain(`"mono_per_feature" BETWEEN 0.1 AND 0.5`);
    expect(where).toContain(`"status" = 'ok'`);
    expect(where).not.toContain("task");
    expect(runsQuery({}, 10)).toMatch(/LIMIT 10$/);
  });
  it("build the page queries", () => {
    expect(sweepQuery(["K1"], "k", "mono_per_feature")).toContain(`"k", "mono_per_feature"`);
    expect(curvesQuery(["LR1"], "lr", ["loss"])).toContain(`WHERE r."experiment" IN ('LR1')`);
    expect(biasByKindQuery(["LR3"])).toContain(`r."status" = 'ok'`);
    expect(RUN_ID.test("LR1_smoke_lr=0.01_seed=1_set(steps=4096)")).toBe(true);
  });
});

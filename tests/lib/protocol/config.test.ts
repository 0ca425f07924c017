// The zod-free list of config fields agrees with the schema's required keys.
import { describe, expect, it } from "vitest";
import { RunConfigSchema } from "../../../src/lib/protocol/config.js";
import { RUN_CONFIG_FIELDS } from "../../../src/lib/protocol/fields.js";

describe("RUN_CONFIG_FIELDS", () => {
  it("is exactly the schema's required keys", () => {
    const base = {
      task: "decoder",
      activation: "relu",
      sampler: "equal",
      n_features: 8,
      m: 4,
      k: 4,
      eps: 0.1,
      lr: 0.01,
      init_bias: 0,
      decay: 0,
      l1: 0,
      batch: 2,
      steps: 2,
      seed: 1,
    };
    expect(RunConfigSchema.safeParse(base).success).toBe(true);
    expect(Object.keys(base).sort()).toEqual([...RUN_CONFIG_FIELDS].sort());
    for (const field of RUN_CONFIG_FIELDS) {
      const { [field]: _, ...without } = base;
      expect(RunConfigSchema.safeParse(without).success, `schema requires ${field}`).toBe(false);
    }
  });
});

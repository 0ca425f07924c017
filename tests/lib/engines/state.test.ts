// exportState/importState of the wasm and tfjs engines: a fresh engine given another's state continues its run bit
// for bit (the resume of long runs depends on it), and the moments come out in the canonical layout.
import { describe, expect, it } from "vitest";
import type { EngineFactory } from "../../../src/lib/engines/engine.js";
import { tfjsEngine } from "../../../src/lib/engines/tfjs.js";
import { wasmEngine } from "../../../src/lib/engines/wasm/index.js";
import { initParams } from "../../../src/lib/protocol/params.js";
import { Rng } from "../../../src/lib/protocol/rng.js";
import { makeWorld } from "../../../src/lib/protocol/world.js";
import { smallConfig } from "./fixtures.js";

for (const factory of [wasmEngine, tfjsEngine] as EngineFactory[]) {
  describe(`${factory.id} engine state`, () => {
    it("a fresh engine given the state continues bit for bit", async () => {
      // k=20 and m=6 are not multiples of the kernels' padding, so a layout mistake shows.
      const config = smallConfig({ k: 20, m: 6, init_bias: -0.3, decay: 0.03 });
      const world = makeWorld(config);
      const initial = initParams(config, new Rng(config.seed, "init"));
      const batches = Array.from({ length: 10 }, () => world.nextBatch(config.batch));
      const a = await factory.create({ config, world, initial });
      for (const b of batches.slice(0, 5)) a.step(b, 0.01, 0.999);
      const state = a.exportState!();
      expect(state.moments.w1.m.length).toBe(20 * 6);
      expect(state.moments.w2.v.length).toBe(world.outDim * 20);
      expect(state.moments.b.v.some((x) => x > 0)).toBe(true);
      const fresh = await factory.create({ config, world, initial });
      fresh.importState!(state);
      expect(fresh.exportState!()).toEqual(state);
      for (const b of batches.slice(5)) expect(fresh.step(b, 0.01, 0.999)).toBe(a.step(b, 0.01, 0.999));
      expect(fresh.exportState!()).toEqual(a.exportState!());
      a.dispose();
      fresh.dispose();
    });
  });
}

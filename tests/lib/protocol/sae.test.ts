// The tied sparse autoencoder: top-K encoding and decoding, an SAE set to the true features, and training by each
// sparsity rule on an easy world.
import { describe, expect, it } from "vitest";
import { makeEmbedder } from "../../../src/lib/protocol/embedder.js";
import { Rng } from "../../../src/lib/protocol/rng.js";
import { decode, encode, evaluateSae, initSae, SaeTrainer, type Sae, type SaeMethod } from "../../../src/lib/protocol/sae.js";
import { scoreRecovery } from "../../../src/lib/protocol/sae-metrics.js";
import { featureProbabilities, sampleFeatures } from "../../../src/lib/protocol/samplers.js";
import { embed } from "../../../src/lib/protocol/world.js";

/** A small world: N features in m dimensions, x = E v. */
function world(n: number, m: number, eps: number) {
  const e = makeEmbedder(n, m, new Rng(1, "embedder"));
  const truth = new Float32Array(n * m);
  for (let i = 0; i < n; i++) for (let d = 0; d < m; d++) truth[i * m + d] = e[d * n + i];
  const p = featureProbabilities("equal", n, eps);
  const stream = (name: string) => {
    const rng = new Rng(1, name);
    return (size: number) => embed(sampleFeatures(p, size, rng), e, m);
  };
  return { truth, stream };
}

function train(method: SaeMethod, param: number, steps: number) {
  const n = 32;
  const m = 16;
  const w = world(n, m, 1 / 16);
  const sae = initSae({ d: m, latents: 64, method }, new Rng(3, "init"));
  const trainer = new SaeTrainer(sae, {
    d: m,
    latents: 64,
    method,
    param,
    lr: 5e-3,
    gbaEvery: 10,
    gbaGroups: 4,
    gbaPHigh: 0.2,
    gbaPLow: 0.02,
  });
  const data = w.stream("data");
  for (let t = 0; t < steps; t++) trainer.step(data(64), 64);
  const x = w.stream("eval")(2048);
  const ev = evaluateSae(sae, x, 2048, method, param);
  return { sae, ev, score: scoreRecovery(w.truth, n, sae.dirs, 64, m, ev.alive) };
}

describe("tied sparse autoencoder", () => {
  it("encodes top-K exactly K positive latents, and decodes sum a_l s_l w_l + pre-bias", () => {
    const sae: Sae = {
      d: 2,
      latents: 3,
      dirs: Float32Array.from([1, 0, 0, 1, Math.SQRT1_2, Math.SQRT1_2]),
      scale: Float32Array.from([1, 2, 1]),
      bEnc: new Float32Array(3),
      bPre: Float32Array.from([0.5, 0]),
    };
    const x = Float32Array.from([2.5, 1]);
    // x - p = (2, 1): pre = (2, 1, 3/sqrt2 = 2.121)
    const top = encode(sae, x, 1, "topk", 2);
    expect(top.counts[0]).toBe(2);
    expect(Array.from(top.codes).map((c) => +c.toFixed(3))).toEqual([2, 0, 2.121]);
    const xhat = decode(sae, top, 1);
    expect(xhat[0]).toBeCloseTo(0.5 + 2 + 2.1213 * Math.SQRT1_2, 3);
    expect(xhat[1]).toBeCloseTo(2.1213 * Math.SQRT1_2, 3);
    const relu = encode({ ...sae, bEnc: Float32Array.from([0, -1.5, 0]) }, x, 1, "l1", 0);
    expect(relu.counts[0]).toBe(2); // latent 1: 1 - 1.5 < 0
  });

  it("an SAE set to the true features reconstructs well and scores recovery 1", () => {
    const n = 32;
    const m = 16;
    const w = world(n, m, 1 / 16);
    const sae: Sae = {
      d: m,
      latents: n,
      dirs: w.truth.slice(),
      scale: new Float32Array(n).fill(1),
      bEnc: new Float32Array(n).fill(-0.2),
      bPre: new Float32Array(m),
    };
    const ev = evaluateSae(sae, w.stream("eval")(1024), 1024, "l1", 0);
    expect(scoreRecovery(w.truth, n, sae.dirs, n, m, ev.alive).recovery_090).toBe(1);
    expect(ev.fvu).toBeLessThan(0.5);
  });

  for (const [method, param] of [
    ["topk", 2],
    ["l1", 0.05],
    ["gba", 0],
  ] as [SaeMethod, number][]) {
    it(`${method} training recovers most features of an easy world (N=32, m=16) and beats its own initialisation`, () => {
      const before = train(method, param, 0);
      const after = train(method, param, 1500);
      expect(after.ev.fvu).toBeLessThan(0.5);
      expect(after.score.recovery_080).toBeGreaterThan(before.score.recovery_080 + 0.3);
      expect(after.score.recovery_080).toBeGreaterThan(0.6);
      for (let l = 0; l < 64; l++) {
        let norm = 0;
        for (let c = 0; c < 16; c++) norm += after.sae.dirs[l * 16 + c] ** 2;
        expect(norm).toBeCloseTo(1, 4);
      }
      if (method === "gba") for (const b of after.sae.bEnc) expect(b >= -1 && b <= 0).toBe(true);
    });
  }
});

// SAE1's loops compiled natively (engines/native/src/sae_kernels.cc) against the TypeScript specification
// (protocol/sae.ts plainSaeKernels): the same bits for every parameter and loss over training, for every method, with
// sizes that are not multiples of the vectors' widths.
import { execFileSync } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import { evaluateSae, initSae, plainSaeKernels, SaeTrainer, SAE_METHODS, type SaeKernels } from "../../../src/lib/protocol/sae.js";
import { Rng } from "../../../src/lib/protocol/rng.js";
import type { nativeSaeKernels as NativeSaeKernels } from "../../../src/lib/runner/sae-kernels.js";

// Imported after the addon is compiled (the first import of the engines loads it).
let nativeSaeKernels: typeof NativeSaeKernels;
beforeAll(async () => {
  execFileSync(process.execPath, ["src/lib/engines/native/build.mjs"], { stdio: "inherit" });
  ({ nativeSaeKernels } = await import("../../../src/lib/runner/sae-kernels.js"));
});

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

function run(kernels: SaeKernels, method: (typeof SAE_METHODS)[number], d: number, latents: number, batch: number) {
  const rng = new Rng(7, "sae-kernels-test");
  // Sparse non-negative data with a few active directions per sample, as SAE1's inputs.
  const sample = (size: number) => {
    const x = new Float32Array(size * d);
    for (let i = 0; i < x.length; i++) x[i] = rng.uniform() < 0.2 ? rng.normal() : 0;
    return x;
  };
  const sae = initSae({ d, latents, method }, new Rng(3, "init"), sample(64).subarray(0, d));
  const param = method === "topk" ? 5 : method === "l1" ? 0.3 : 0;
  const trainer = new SaeTrainer(sae, { d, latents, method, param, lr: 3e-3, gbaEvery: 3 }, kernels);
  const losses: number[] = [];
  for (let t = 0; t < 12; t++) losses.push(trainer.step(sample(batch), batch));
  const evaluation = evaluateSae(sae, sample(301), 301, method, param, kernels);
  return { losses, sae, evaluation };
}

describe("SAE1's loops compiled natively", () => {
  it("are available on this kind of machine (x86-64 with AVX2)", () => {
    if (process.arch === "x64") expect(nativeSaeKernels()).not.toBeNull();
  });

  it.each(
    SAE_METHODS.flatMap((method) => [
      { method, d: 37, latents: 77, batch: 130 },
      { method, d: 64, latents: 128, batch: 128 },
    ]),
  )("give the TypeScript's bits: $method, d $d, $latents latents, batch $batch", ({ method, d, latents, batch }) => {
    const native = nativeSaeKernels();
    if (native === null) return;
    const a = run(plainSaeKernels, method, d, latents, batch);
    const b = run(native, method, d, latents, batch);
    expect(b.losses).toEqual(a.losses);
    for (const t of ["dirs", "scale", "bEnc", "bPre"] as const) expect(bits(b.sae[t]), t).toEqual(bits(a.sae[t]));
    expect(b.evaluation).toEqual(a.evaluation);
  });
});

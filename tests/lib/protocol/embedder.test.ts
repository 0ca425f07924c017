// The world's embedder (unit-length feature directions from an orthonormal U) and the thin SVD it is made with.
import { describe, expect, it } from "vitest";
import { makeEmbedder } from "../../../src/lib/protocol/embedder.js";
import { singularValues, thinSvdU } from "../../../src/lib/protocol/linalg.js";
import { Rng } from "../../../src/lib/protocol/rng.js";

describe("makeEmbedder", () => {
  it("is m x N with unit-length feature directions", () => {
    const N = 512;
    const m = 64;
    const e = makeEmbedder(N, m, new Rng(1));
    expect(e.length).toBe(m * N);
    for (const i of [0, 1, 100, 511]) {
      let norm = 0;
      for (let d = 0; d < m; d++) norm += e[d * N + i] ** 2;
      expect(Math.sqrt(norm)).toBeCloseTo(1, 5);
    }
  });

  it("comes from an orthonormal-column U: before row normalisation E E^T is ~ (N/m) I up to row scaling", () => {
    const N = 256;
    const m = 16;
    const e = makeEmbedder(N, m, new Rng(2));
    // Rows of U have norm ~sqrt(m/N); after normalisation E E^T ~ (N/m) I with off-diagonals small.
    for (let a = 0; a < 3; a++)
      for (let b = 0; b < 3; b++) {
        let dot = 0;
        for (let i = 0; i < N; i++) dot += e[a * N + i] * e[b * N + i];
        if (a === b) expect(dot / (N / m)).toBeGreaterThan(0.7);
        else expect(Math.abs(dot) / (N / m)).toBeLessThan(0.3);
      }
  });

  it("refuses m > N", () => {
    expect(() => makeEmbedder(8, 16, new Rng(1))).toThrow(/must not exceed/);
  });
});

describe("thinSvdU", () => {
  it("returns orthonormal columns and the singular values of a known matrix", () => {
    // diag(3, 2) padded: singular values 3, 2.
    const a = new Float64Array([0, 2, 3, 0, 0, 0]);
    const { u, singular } = thinSvdU(a, 3, 2);
    expect(Array.from(singular)).toEqual([3, 2].map((x) => expect.closeTo(x, 12)));
    let dot = 0;
    for (let r = 0; r < 3; r++) dot += u[r * 2] * u[r * 2 + 1];
    expect(dot).toBeCloseTo(0, 12);
  });

  it("singularValues handles wide matrices", () => {
    const a = new Float64Array([1, 0, 0, 0, 0, 5]);
    expect(Array.from(singularValues(a, 2, 3))).toEqual([5, 1].map((x) => expect.closeTo(x, 12)));
  });
});

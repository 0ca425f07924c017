import { defineConfig } from "vitest/config";

// The native engine's kernels are compiled for AVX-512, AVX2+FMA and baseline x86-64 and the addon picks the widest
// the CPU has, so on its own the suite would test one of them. Its test file runs again with MONO_NATIVE_ISA forcing
// each narrower set (a set the CPU lacks falls back to the baseline), so that every kernel this machine can run meets
// the specification.
const NARROWER_ISAS = ["avx2", "generic"];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 600_000,
    projects: [
      { extends: true, test: { name: "tests", include: ["tests/**/*.test.ts"] } },
      ...NARROWER_ISAS.map((isa) => ({
        extends: true,
        test: { name: `native-${isa}`, include: ["tests/lib/engines/native.test.ts"], env: { MONO_NATIVE_ISA: isa } },
      })),
    ],
  },
});

#!/usr/bin/env node
// Compiles the native engine's C++ addon (src/*.cc) to build/native.node with g++ and Node's own headers, only when a
// source (or this script) is newer than the output, or with --force. Run by `npm run build:native` before build, test,
// sweep and bench. A failed compile never fails the calling script: it prints one warning and the engine reports
// itself unavailable (the wasm engine stays the default either way).
//
// The kernels are compiled three times, for AVX-512, AVX2+FMA and baseline x86-64, into one addon that picks a copy
// at load time by what the CPU supports (never -march=native, so the binary runs on any machine of this kind).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const sourceDir = join(here, "src");
const buildDir = join(here, "build");
const output = join(buildDir, "native.node");

const mtime = (path) => (existsSync(path) ? statSync(path).mtimeMs : -1);

function isStale() {
  const built = mtime(output);
  if (built < 0) return true;
  const sources = readdirSync(sourceDir).map((f) => join(sourceDir, f));
  return [...sources, fileURLToPath(import.meta.url)].some((path) => mtime(path) > built);
}

/** Node's headers: next to this node binary (official builds), Debian's /usr/include/node, or node-gyp's cache. */
function nodeHeaders() {
  const version = process.versions.node;
  const candidates = [
    join(dirname(dirname(process.execPath)), "include", "node"),
    "/usr/include/node",
    join(process.env.HOME ?? "", ".cache", "node-gyp", version, "include", "node"),
  ];
  const found = candidates.find((dir) => existsSync(join(dir, "node_api.h")));
  if (!found) throw new Error(`Node's headers (node_api.h) not found in ${candidates.join(", ")}`);
  return found;
}

const ISA_FLAGS = {
  avx512: ["-mavx512f", "-mavx512dq", "-mavx512vl", "-mavx2", "-mfma"],
  avx2: ["-mavx2", "-mfma"],
  base: [],
};

// Objects and the linked addon go to a directory of this process's own, and the addon is renamed into place: several
// processes may compile at once (vitest's projects each run this script), and a process that has the old addon
// loaded keeps its copy, where writing over the file in place would change the code under it.
function compile() {
  const cxx = process.env.CXX ?? "g++";
  const include = nodeHeaders();
  const x86 = process.arch === "x64" || process.arch === "ia32";
  const workDir = join(buildDir, `tmp-${process.pid}`);
  mkdirSync(workDir, { recursive: true });
  try {
    compileInto(workDir, cxx, include, x86);
    renameSync(join(workDir, "native.node"), output);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

function compileInto(workDir, cxx, include, x86) {
  const common = [
    "-std=c++17",
    "-O3",
    "-fPIC",
    "-fno-math-errno",
    "-fvisibility=hidden",
    `-I${include}`,
    "-DNAPI_VERSION=8",
    "-Wall",
    "-Wno-unused-function",
  ];
  const objects = [];
  for (const isa of ["avx512", "avx2", "base"]) {
    const object = join(workDir, `kernels_${isa}.o`);
    execFileSync(cxx, [...common, ...(x86 ? ISA_FLAGS[isa] : []), "-c", join(sourceDir, `kernels_${isa}.cc`), "-o", object], {
      stdio: ["ignore", "inherit", "pipe"],
    });
    objects.push(object);
  }
  // The wasm engine's kernels, natively: AVX2 without FMA and without contraction, so that every multiply and add
  // rounds as wasm's do (wasm_kernels.cc); SAE1's loops and a measurement's single-feature pre-activations likewise,
  // as V8 runs the TypeScript (sae_kernels.cc, metrics_kernels.cc).
  for (const name of ["wasm_kernels", "sae_kernels", "metrics_kernels"]) {
    const object = join(workDir, `${name}.o`);
    const flags = x86 ? ["-mavx2", "-ffp-contract=off"] : [];
    execFileSync(cxx, [...common, ...flags, "-c", join(sourceDir, `${name}.cc`), "-o", object], { stdio: ["ignore", "inherit", "pipe"] });
    objects.push(object);
  }
  const addon = join(workDir, "addon.o");
  execFileSync(cxx, [...common, "-c", join(sourceDir, "addon.cc"), "-o", addon], { stdio: ["ignore", "inherit", "pipe"] });
  execFileSync(cxx, ["-shared", "-pthread", "-o", join(workDir, "native.node"), addon, ...objects], {
    stdio: ["ignore", "inherit", "pipe"],
  });
}

const force = process.argv.includes("--force");
if (force || isStale()) {
  const started = Date.now();
  try {
    compile();
    process.stderr.write(`native engine: compiled ${output} (${Date.now() - started} ms)\n`);
  } catch (error) {
    rmSync(output, { force: true }); // never leave a binary that does not match the sources
    const detail =
      error?.stderr
        ?.toString()
        .split("\n")
        .find((line) => line.includes("error")) ??
      error?.message ??
      String(error);
    process.stderr.write(
      `warning: the native engine could not be compiled, so --engine native is unavailable (the wasm engine is unaffected): ${detail}\n`,
    );
  }
}

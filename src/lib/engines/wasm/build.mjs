#!/usr/bin/env node
// Compiles the wasm engine's AssemblyScript kernels (assembly/*.as) to build/engine.wasm, only when a source (or this
// script) is newer than the output, or with --force. Run by `npm run build:wasm` and before build, test, sweep and
// bench. Plain JavaScript so that it needs nothing but Node and the `assemblyscript` package.
//
// The kernels are named .as so that the project's TypeScript checker skips them (they use AssemblyScript's own
// types); asc only accepts .ts names, so its file reads are mapped from .ts back to .as.
import { mkdir, readFile, readdir, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const sourceDir = join(here, "assembly");
const output = join(here, "build", "engine.wasm");
const entry = "engine";

async function mtime(path) {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return -1;
  }
}

async function isStale() {
  const built = await mtime(output);
  if (built < 0) return true;
  const sources = (await readdir(sourceDir)).filter((f) => f.endsWith(".as")).map((f) => join(sourceDir, f));
  const times = await Promise.all([...sources, fileURLToPath(import.meta.url)].map(mtime));
  return times.some((t) => t > built);
}

async function compile() {
  const { default: asc } = await import("assemblyscript/asc");
  let wasm = null;
  const { error, stderr } = await asc.main(
    [
      `${entry}.ts`,
      "--outFile",
      "engine.wasm",
      "--optimizeLevel",
      "3",
      "--shrinkLevel",
      "0",
      "--runtime",
      "stub", // no garbage collector: the kernels manage their own memory
      "--noAssert",
      "--enable",
      "simd",
      "--disable",
      "threads",
      ...(process.argv.includes("--debug") ? ["--debug"] : []), // keep function names, for profiling
    ],
    {
      readFile: async (name) => {
        // Only the entry is ours; everything else (the standard library) asc resolves itself.
        if (!name.endsWith(".ts") || name.includes("/") || name.includes("~lib")) return null;
        try {
          return await readFile(join(sourceDir, name.replace(/\.ts$/, ".as")), "utf8");
        } catch {
          return null;
        }
      },
      writeFile: (name, contents) => {
        if (name.endsWith(".wasm")) wasm = contents;
      },
      listFiles: () => [],
    },
  );
  if (error || !wasm) {
    process.stderr.write(stderr.toString());
    throw new Error(`asc failed: ${error?.message ?? "no output"}`);
  }
  await mkdir(dirname(output), { recursive: true });
  await writeFile(output, wasm);
  return wasm.length;
}

const force = process.argv.includes("--force") || process.argv.includes("--debug");
if (force || (await isStale())) {
  const started = Date.now();
  const bytes = await compile();
  process.stderr.write(`wasm engine: compiled ${output} (${bytes} bytes, ${Date.now() - started} ms)\n`);
}

/**
 * Data loader: bundles rerun-worker.ts and everything it imports (the training loop, the protocol, the wasm engine's
 * wrapper) into one self-contained module worker, written to stdout as rerun-bundle.js. Framework serves it as a file
 * (FileAttachment), so the worker needs no import resolution in the browser. Node-only and TensorFlow.js modules are
 * replaced by stubs that throw: the browser trains only on the wasm engine.
 */
import { build, type Plugin } from "esbuild";
import { fileURLToPath } from "node:url";

const entry = fileURLToPath(new URL("./rerun-worker.ts", import.meta.url));

const stubs: Plugin = {
  name: "browser-stubs",
  setup(b) {
    // train.ts's GBA fallback engine: TensorFlow.js would add megabytes and is never used by a paper-rule run.
    b.onResolve({ filter: /engines\/tfjs\.js$/ }, () => ({ path: "tfjs", namespace: "stub" }));
    // The wasm engine's Node loader (loadWasmFromDisk) imports node:fs lazily; the browser passes its own loader.
    b.onResolve({ filter: /^node:/ }, (args) => ({ path: args.path, namespace: "stub" }));
    b.onLoad({ filter: /.*/, namespace: "stub" }, (args) => ({
      contents:
        args.path === "tfjs"
          ? `export const tfjsEngine = { id: "tfjs", version: "none", create() { throw new Error("the tfjs engine is not shipped to the browser"); } };`
          : `const fail = () => { throw new Error("${args.path} is not available in a browser"); }; export const readFile = fail; export default {};`,
      loader: "js",
    }));
  },
};

const result = await build({
  entryPoints: [entry],
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  minify: true,
  write: false,
  legalComments: "none",
  plugins: [stubs],
  logLevel: "warning",
});
process.stdout.write(result.outputFiles[0].text);

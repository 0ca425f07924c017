/**
 * Interleaved A/B of native addon builds (for engine changes that must leave every number as it was): each round
 * steps every addon on the same batches in turn, in ABBA order, and the report gives each addon's median and best step
 * time and the median (and range) of its per-round ratios to the first addon. The machine's speed drifts by more than
 * most changes gain, so ratios of the same round are what compare; a second copy of the first addon is the control.
 *
 *   cp src/lib/engines/native/build/native.node /tmp/a.node        (then change the engine, npm run build:native)
 *   npx tsx bench/ab.ts --regime awake --batch 1024 --threads 1 --rounds 30 /tmp/a.node src/lib/engines/native/build/native.node
 *
 * With --count N it only steps the first addon N times (after loading the data), for counting instead of timing:
 *
 *   valgrind --tool=cachegrind --cache-sim=yes --D1=32768,8,64 --LL=524288,8,64 node --import tsx bench/ab.ts --count 4 a.node
 *   cg_annotate --show-percs=no cachegrind.out.<pid>     (the engine's functions are mono::<isa>::...)
 *
 * (the 512 KB "LL" stands for Zen 3's L2; cachegrind has no second level of its own).
 */
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { makeWorld } from "../src/lib/protocol/world.js";
import { initParams } from "../src/lib/protocol/params.js";
import { Rng } from "../src/lib/protocol/rng.js";
import { lr3Checkpoint } from "./checkpoint.js";
import { CHECKPOINT_STEPS, median, REGIMES, regimeConfig, type Regime } from "./regimes.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    regime: { type: "string", default: "awake" },
    batch: { type: "string", default: "1024" },
    threads: { type: "string", default: "1" },
    rounds: { type: "string", default: "10" },
    steps: { type: "string", default: "16" },
    count: { type: "string" },
  },
});
const regime = values.regime as Regime;
const [batch, threads, rounds, steps] = [values.batch, values.threads, values.rounds, values.steps].map(Number);
if (!REGIMES.includes(regime)) throw new Error(`unknown regime ${regime} (known: ${REGIMES.join(", ")})`);
if ([batch, threads, rounds, steps].some((n) => !Number.isInteger(n) || n <= 0))
  throw new Error("sizes, rounds and steps must be positive integers");
if (positionals.length === 0)
  throw new Error("usage: npx tsx bench/ab.ts [--regime --batch --threads --rounds --steps | --count N] a.node [b.node ...]");

const k = 1024;
const config = regimeConfig(regime, k, batch, 4096);
const world = makeWorld(config);
const initial =
  regime === "awake"
    ? (await lr3Checkpoint(k, CHECKPOINT_STEPS, (line) => process.stderr.write(`${line}\n`))).params
    : initParams(config, new Rng(config.seed, "init"));
const batches = Array.from({ length: 4 }, () => world.nextBatch(batch));
const require = createRequire(import.meta.url);
const addons = positionals.map((p) => require(resolve(p)));

/** Steps a fresh engine of `addon` `total` times; returns the median time of the steps after the first two (ms). */
function run(addon: any, total: number): number {
  const dims = Int32Array.of(world.nFeatures, config.m, k, world.nFeatures, 0, 0, threads);
  const h = addon.create(dims, world.embedder, world.projector, initial.w1, initial.b, initial.w2);
  const times: number[] = [];
  for (let t = 0; t < total; t++) {
    const b = batches[t % batches.length];
    const start = performance.now();
    addon.forwardBackward(h, b.offsets, b.indices, b.values, b.size, 0);
    addon.lamb(h, config.lr, 1);
    if (t >= 2) times.push(performance.now() - start);
  }
  addon.dispose(h);
  return times.length > 0 ? median(times) : NaN;
}

if (values.count !== undefined) {
  run(addons[0], Number(values.count));
} else {
  const times: number[][] = addons.map(() => []);
  for (let r = 0; r < rounds; r++) {
    const order = addons.map((_, i) => (r % 2 === 0 ? i : addons.length - 1 - i));
    for (const i of order) times[i].push(run(addons[i], steps + 2));
    process.stderr.write(`round ${r + 1}/${rounds}\n`);
  }
  const fmt = (x: number) => x.toFixed(3);
  for (let i = 0; i < addons.length; i++) {
    const ratios = times[i].map((t, r) => t / times[0][r]);
    console.log(
      `${positionals[i]}: median ${median(times[i]).toFixed(2)} ms, best ${Math.min(...times[i]).toFixed(2)} ms, ` +
        `ratio to the first ${fmt(median(ratios))} (${fmt(Math.min(...ratios))}-${fmt(Math.max(...ratios))}, ${rounds} rounds)`,
    );
  }
}

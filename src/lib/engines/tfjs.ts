/**
 * The reference engine on TensorFlow.js. It keeps W1 and W2 transposed (m x k and k x out) and writes the backward
 * pass by hand, because tfjs-wasm's transposed matMul is 10-20x slower than a plain one: every product below is a
 * plain matMul, with the two transposes it needs made explicit. The input E v and the target are formed from the
 * sparse batch in plain TypeScript (about N*eps features per sample), which is far cheaper than a dense product.
 */
import * as tf from "@tensorflow/tfjs";
import type { Activation } from "../protocol/config.js";
import { LAMB } from "../protocol/lamb.js";
import type { Params } from "../protocol/params.js";
import type { SparseBatch } from "../protocol/samplers.js";
import { denseTarget, embed } from "../protocol/world.js";
import type { Engine, EngineContext, EngineFactory, EngineState } from "./engine.js";
import { TFJS_ENGINE } from "./index.js";

let backendReady: Promise<string> | null = null;

/** tfjs-node when it loads (users with internet install it), else the WebAssembly backend, else pure JS. */
export function tfjsBackend(): Promise<string> {
  backendReady ??= (async () => {
    const wanted = process.env.TFJS_BACKEND;
    const candidates = wanted ? [wanted] : ["tensorflow", "wasm", "cpu"];
    for (const name of candidates) {
      try {
        if (name === "tensorflow") await import("@tensorflow/tfjs-node" as string);
        if (name === "wasm") await import("@tensorflow/tfjs-backend-wasm");
        if (await tf.setBackend(name)) {
          await tf.ready();
          return name;
        }
      } catch {
        // not installed or failed to load: try the next backend
      }
    }
    throw new Error(`no TensorFlow.js backend could be initialised (tried ${candidates.join(", ")})`);
  })();
  return backendReady;
}

function activate(pre: tf.Tensor2D, activation: Activation): { h: tf.Tensor2D; slope: tf.Tensor2D } {
  switch (activation) {
    case "relu":
      return { h: tf.relu(pre), slope: tf.cast(tf.greater(pre, 0), "float32") as tf.Tensor2D };
    case "gelu": {
      const cdf = tf.mul(0.5, tf.add(1, tf.erf(tf.mul(pre, Math.SQRT1_2))));
      const pdf = tf.mul(1 / Math.sqrt(2 * Math.PI), tf.exp(tf.mul(-0.5, tf.square(pre))));
      return { h: tf.mul(pre, cdf), slope: tf.add(cdf, tf.mul(pre, pdf)) };
    }
    case "xexp": {
      const e = tf.exp(pre);
      return { h: tf.mul(pre, e), slope: tf.mul(tf.add(1, pre), e) };
    }
  }
}

class TfjsEngine implements Engine {
  readonly name: string;
  private readonly w1t: tf.Variable<tf.Rank.R2>;
  private readonly b: tf.Variable<tf.Rank.R1>;
  private readonly w2t: tf.Variable<tf.Rank.R2>;
  private readonly moments: { m: tf.Variable; v: tf.Variable }[];

  constructor(
    backend: string,
    private readonly context: EngineContext,
  ) {
    this.name = `tfjs-${backend}`;
    const { k, m, outDim, w1, b, w2 } = context.initial;
    this.w1t = tf.variable(tf.tidy(() => tf.transpose(tf.tensor2d(w1, [k, m]))));
    this.b = tf.variable(tf.tensor1d(b));
    this.w2t = tf.variable(tf.tidy(() => tf.transpose(tf.tensor2d(w2, [outDim, k]))));
    this.moments = [this.w1t, this.b, this.w2t].map((w) => ({ m: tf.variable(tf.zerosLike(w)), v: tf.variable(tf.zerosLike(w)) }));
  }

  /** Loss and gradients (of W1^T, b, W2^T) as tensors; call inside tidy. */
  private forwardBackward(batch: SparseBatch): { loss: tf.Scalar; grads: tf.Tensor[] } {
    const { world, config } = this.context;
    const x = tf.tensor2d(embed(batch, world.embedder, world.m), [batch.size, world.m]);
    const target = tf.tensor2d(denseTarget(batch, world), [batch.size, world.outDim]);
    const pre = tf.add(tf.matMul(x, this.w1t), this.b) as tf.Tensor2D;
    const { h, slope } = activate(pre, config.activation);
    const diff = tf.sub(tf.matMul(h, this.w2t), target);
    const loss = tf.div(tf.sum(tf.square(diff)), batch.size) as tf.Scalar;
    const dy = tf.mul(diff, 2 / batch.size) as tf.Tensor2D;
    const gW2t = tf.matMul(tf.transpose(h), dy);
    let dh = tf.matMul(dy, tf.transpose(this.w2t)) as tf.Tensor2D;
    if (config.l1 > 0) dh = tf.add(dh, tf.mul(tf.sign(h), config.l1 / batch.size));
    const dpre = tf.mul(dh, slope) as tf.Tensor2D;
    const gW1t = tf.matMul(tf.transpose(x), dpre);
    const gb = tf.sum(dpre, 0);
    return { loss, grads: [gW1t, gb, gW2t] };
  }

  step(batch: SparseBatch, lr: number, biasDecay: number): number {
    const loss = tf.tidy(() => {
      const { loss, grads } = this.forwardBackward(batch);
      [this.w1t, this.b, this.w2t].forEach((w, i) => this.lamb(w, grads[i], this.moments[i], lr));
      if (biasDecay !== 1) this.b.assign(tf.mul(this.b, biasDecay));
      return loss;
    });
    const value = loss.dataSync()[0];
    loss.dispose();
    return value;
  }

  private lamb(w: tf.Variable, grad: tf.Tensor, state: { m: tf.Variable; v: tf.Variable }, lr: number): void {
    const { beta1, beta2, epsilon, maxWeightNorm } = LAMB;
    state.m.assign(tf.add(tf.mul(state.m, beta1), tf.mul(grad, 1 - beta1)));
    state.v.assign(tf.add(tf.mul(state.v, beta2), tf.mul(tf.square(grad), 1 - beta2)));
    const adamStep = tf.div(state.m, tf.add(tf.sqrt(state.v), epsilon));
    const weightNorm = tf.minimum(tf.norm(w), maxWeightNorm);
    const stepNorm = tf.norm(adamStep);
    const degenerate = tf.logicalOr(tf.equal(weightNorm, 0), tf.equal(stepNorm, 0));
    const trust = tf.where(degenerate, tf.onesLike(weightNorm), tf.div(weightNorm, stepNorm));
    w.assign(tf.sub(w, tf.mul(adamStep, tf.mul(trust, lr))));
  }

  lossAndGradients(batch: SparseBatch) {
    const [loss, gW1t, gb, gW2t] = tf.tidy(() => {
      const { loss, grads } = this.forwardBackward(batch);
      return [loss, tf.transpose(grads[0]), grads[1], tf.transpose(grads[2])];
    });
    const result = {
      loss: loss.dataSync()[0],
      w1: gW1t.dataSync() as Float32Array,
      b: gb.dataSync() as Float32Array,
      w2: gW2t.dataSync() as Float32Array,
    };
    tf.dispose([loss, gW1t, gb, gW2t]);
    return result;
  }

  setBiases(b: Float32Array): void {
    if (b.length !== this.context.initial.k) throw new RangeError(`setBiases: expected ${this.context.initial.k} biases, got ${b.length}`);
    tf.tidy(() => this.b.assign(tf.tensor1d(b)));
  }

  params(): Params {
    const [w1, w2] = tf.tidy(() => [tf.transpose(this.w1t), tf.transpose(this.w2t)]);
    const { k, m, outDim } = this.context.initial;
    const params = {
      k,
      m,
      outDim,
      w1: w1.dataSync() as Float32Array,
      b: this.b.dataSync().slice() as Float32Array,
      w2: w2.dataSync() as Float32Array,
    };
    tf.dispose([w1, w2]);
    return params;
  }

  /** The moments are kept in the variables' transposed layout; the state is canonical (as params()). */
  exportState(): EngineState {
    const { k, m, outDim } = this.context.initial;
    const canonical = (t: tf.Variable, i: number) => {
      const out = i === 1 ? t.clone() : tf.transpose(t);
      const data = out.dataSync().slice() as Float32Array;
      out.dispose();
      return data;
    };
    const [w1, b, w2] = this.moments.map((s, i) => ({ m: canonical(s.m, i), v: canonical(s.v, i) }));
    if (w1.m.length !== k * m || w2.m.length !== outDim * k || b.m.length !== k)
      throw new Error("tfjs exportState: unexpected moment sizes");
    return { params: this.params(), moments: { w1, b, w2 } };
  }

  importState(state: EngineState): void {
    const { k, m, outDim } = this.context.initial;
    const { params, moments } = state;
    const shapes: [number, number][] = [
      [k, m],
      [k, 1],
      [outDim, k],
    ];
    // Canonical tensor -> the variable's layout: W1 (k x m) and W2 (out x k) are stored transposed, b as it is.
    const stored = (data: Float32Array, i: number) =>
      tf.tidy(() => (i === 1 ? tf.tensor1d(data) : tf.transpose(tf.tensor2d(data, shapes[i]))));
    [params.w1, params.b, params.w2].forEach((data, i) => {
      const t = stored(data, i);
      [this.w1t, this.b, this.w2t][i].assign(t as never);
      t.dispose();
    });
    [moments.w1, moments.b, moments.w2].forEach((st, i) => {
      for (const key of ["m", "v"] as const) {
        const t = stored(st[key], i);
        this.moments[i][key].assign(t);
        t.dispose();
      }
    });
  }

  dispose(): void {
    tf.dispose([this.w1t, this.b, this.w2t, ...this.moments.flatMap((s) => [s.m, s.v])]);
  }
}

export const tfjsEngine: EngineFactory = {
  ...TFJS_ENGINE,
  async create(context) {
    return new TfjsEngine(await tfjsBackend(), context);
  },
};

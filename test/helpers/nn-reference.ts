// Plain-loop float64 reference implementations of the NN pieces the graphs use, written without
// looking at the graph code: tests compare ONNX Runtime's output against these on identical weights.
import type { Graph } from '../../src/graph/builder';
import { RandomWeights, type Init, type WeightSource } from '../../src/graph/weights';

/**
 * RandomWeights, except that constant inits (LayerNorm/GroupNorm ones and zeros) get noise around
 * their value, so a swapped or ignored scale/bias shows up in the comparison, and uniform (fan-in)
 * inits are scaled by `gain` so deep conv stacks keep O(1) activations instead of fading out.
 */
export class JitteredWeights implements WeightSource {
  private readonly inner: RandomWeights;
  constructor(
    seed = 7,
    private readonly gain = 1,
  ) {
    this.inner = new RandomWeights(seed);
  }
  get(name: string, dims: number[], init: Init): Float32Array {
    if (init.kind === 'const') return this.inner.get(name, dims, { kind: 'uniform', bound: 0.3 }).map((v) => v + init.value);
    if (init.kind === 'uniform') return this.inner.get(name, dims, { kind: 'uniform', bound: init.bound * this.gain });
    return this.inner.get(name, dims, init);
  }
}

/** Largest absolute difference relative to the reference's largest magnitude. */
export function relDiff(actual: ArrayLike<number>, ref: ArrayLike<number>): number {
  if (actual.length !== ref.length) throw new Error(`length mismatch ${actual.length} vs ${ref.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < ref.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - ref[i]));
    scale = Math.max(scale, Math.abs(ref[i]));
  }
  if (scale === 0) throw new Error('reference is all zeros: the comparison would prove nothing');
  return diff / scale;
}

/** Largest magnitude, to show that a compared signal is not vanishingly small. */
export function maxAbs(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}

/** A named initializer of a built graph as float64 (so the reference uses the graph's exact weights). */
export function weightOf(g: Graph, name: string, dims?: number[]): Float64Array {
  const init = g.initializers.get(name);
  if (!init) throw new Error(`graph has no initializer ${name}`);
  if (dims && init.dims.join(',') !== dims.join(',')) throw new Error(`${name}: dims [${init.dims}] instead of [${dims}]`);
  return Float64Array.from(init.data as Float32Array);
}

/** erf to ~1e-13: Maclaurin series below 3, continued fraction for erfc above. */
export function erf(x: number): number {
  const a = Math.abs(x);
  let r: number;
  if (a < 3) {
    let term = a;
    let sum = a;
    for (let n = 1; n < 200; n++) {
      term *= (-a * a) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17) break;
    }
    r = (2 / Math.sqrt(Math.PI)) * sum;
  } else {
    // erfc(a) = exp(-a^2)/sqrt(pi) * 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + 2/(a + ...))))), evaluated bottom-up.
    let f = a;
    for (let k = 80; k >= 1; k--) f = a + k / 2 / f;
    r = 1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
  }
  return x < 0 ? -r : r;
}

export const geluScalar = (v: number) => 0.5 * v * (1 + erf(v / Math.SQRT2));

export function geluAll(x: Float64Array): Float64Array {
  return x.map(geluScalar);
}

/**
 * Conv1d on one item: x [cin][t] -> y [cout][tOut]; w [cout][cin/groups][k]; zero padding.
 */
export function conv1dRef(
  x: Float64Array,
  cin: number,
  t: number,
  w: Float64Array,
  bias: Float64Array | null,
  cout: number,
  k: number,
  o: { stride?: number; pad?: number; groups?: number } = {},
): { y: Float64Array; t: number } {
  const stride = o.stride ?? 1;
  const pad = o.pad ?? 0;
  const groups = o.groups ?? 1;
  const cinG = cin / groups;
  const coutG = cout / groups;
  const tOut = Math.floor((t + 2 * pad - k) / stride) + 1;
  const y = new Float64Array(cout * tOut);
  for (let oc = 0; oc < cout; oc++) {
    const grp = Math.floor(oc / coutG);
    for (let j = 0; j < tOut; j++) {
      let s = bias ? bias[oc] : 0;
      for (let ic = 0; ic < cinG; ic++) {
        const xc = grp * cinG + ic;
        for (let kk = 0; kk < k; kk++) {
          const ti = j * stride + kk - pad;
          if (ti < 0 || ti >= t) continue;
          s += w[(oc * cinG + ic) * k + kk] * x[xc * t + ti];
        }
      }
      y[oc * tOut + j] = s;
    }
  }
  return { y, t: tOut };
}

/** GroupNorm with as many groups as channels: each channel normalised over time. x [c][t]. */
export function channelNormRef(x: Float64Array, c: number, t: number, w: Float64Array, b: Float64Array, eps: number): Float64Array {
  const y = new Float64Array(x.length);
  for (let ch = 0; ch < c; ch++) {
    let mean = 0;
    for (let i = 0; i < t; i++) mean += x[ch * t + i];
    mean /= t;
    let v = 0;
    for (let i = 0; i < t; i++) v += (x[ch * t + i] - mean) ** 2;
    v /= t;
    const inv = 1 / Math.sqrt(v + eps);
    for (let i = 0; i < t; i++) y[ch * t + i] = (x[ch * t + i] - mean) * inv * w[ch] + b[ch];
  }
  return y;
}

/** LayerNorm over the last axis of x [rows][d]. */
export function layerNormRef(x: Float64Array, rows: number, d: number, w: Float64Array, b: Float64Array, eps: number): Float64Array {
  const y = new Float64Array(x.length);
  for (let r = 0; r < rows; r++) {
    let mean = 0;
    for (let i = 0; i < d; i++) mean += x[r * d + i];
    mean /= d;
    let v = 0;
    for (let i = 0; i < d; i++) v += (x[r * d + i] - mean) ** 2;
    v /= d;
    const inv = 1 / Math.sqrt(v + eps);
    for (let i = 0; i < d; i++) y[r * d + i] = (x[r * d + i] - mean) * inv * w[i] + b[i];
  }
  return y;
}

/** y[r][o] = sum_i x[r][i] W[o][i] + b[o] (PyTorch Linear layout). */
export function linearRef(x: Float64Array, rows: number, inF: number, w: Float64Array, b: Float64Array | null, outF: number): Float64Array {
  const y = new Float64Array(rows * outF);
  for (let r = 0; r < rows; r++)
    for (let o = 0; o < outF; o++) {
      let s = b ? b[o] : 0;
      for (let i = 0; i < inF; i++) s += x[r * inF + i] * w[o * inF + i];
      y[r * outF + o] = s;
    }
  return y;
}

export function transposeRef(x: Float64Array, rows: number, cols: number): Float64Array {
  const y = new Float64Array(x.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) y[c * rows + r] = x[r * cols + c];
  return y;
}

export function addRef(a: Float64Array, b: Float64Array): Float64Array {
  return a.map((v, i) => v + b[i]);
}

/** Unmasked multi-head attention from projected q, k, v, each [t][d] -> per-head contexts [t][d]. */
export function attentionRef(t: number, d: number, heads: number, q: Float64Array, k: Float64Array, v: Float64Array): Float64Array {
  const hd = d / heads;
  const ctx = new Float64Array(t * d);
  const scores = new Float64Array(t);
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < t; i++) {
      let max = -Infinity;
      for (let j = 0; j < t; j++) {
        let s = 0;
        for (let c = 0; c < hd; c++) s += q[i * d + h * hd + c] * k[j * d + h * hd + c];
        scores[j] = s / Math.sqrt(hd);
        max = Math.max(max, scores[j]);
      }
      let z = 0;
      for (let j = 0; j < t; j++) z += (scores[j] = Math.exp(scores[j] - max));
      for (let c = 0; c < hd; c++) {
        let s = 0;
        for (let j = 0; j < t; j++) s += (scores[j] / z) * v[j * d + h * hd + c];
        ctx[i * d + h * hd + c] = s;
      }
    }
  }
  return ctx;
}

export interface LayerParamNames {
  q: string;
  k: string;
  v: string;
  o: string;
  norm1: string;
  ff1: string;
  ff2: string;
  norm2: string;
}

/** Post-norm encoder layer: h = LN(x + O(attn)); y = LN(h + W2 gelu(W1 h)). */
export function postNormLayerRef(
  g: Graph,
  x: Float64Array,
  t: number,
  d: number,
  heads: number,
  ffn: number,
  eps: number,
  n: LayerParamNames,
): Float64Array {
  const lin = (prefix: string, input: Float64Array, inF: number, outF: number) =>
    linearRef(input, t, inF, weightOf(g, `${prefix}.weight`, [outF, inF]), weightOf(g, `${prefix}.bias`, [outF]), outF);
  const ln = (prefix: string, input: Float64Array) => layerNormRef(input, t, d, weightOf(g, `${prefix}.weight`, [d]), weightOf(g, `${prefix}.bias`, [d]), eps);
  const ctx = attentionRef(t, d, heads, lin(n.q, x, d, d), lin(n.k, x, d, d), lin(n.v, x, d, d));
  const h = ln(n.norm1, addRef(x, lin(n.o, ctx, d, d)));
  const f = lin(n.ff2, geluAll(lin(n.ff1, h, d, ffn)), ffn, d);
  return ln(n.norm2, addRef(h, f));
}

/** A deterministic pseudo-random signal in [-amp, amp]. */
export function noise(n: number, seed: number, amp = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 4294967296 - 0.5) * 2 * amp;
  }
  return out;
}

// Weights of the torch-written fixtures, regenerated from the formula the fixture scripts use
// (scripts/make-checkpoint-fixtures.py, make-v2pro-fixtures.py): value i of tensor `key` is
// j = lowbias32(fnv1a(key) ^ (i·0x9E3779B1 mod 2^32)) & 2047, then 'one': 1 + ((j & 255) - 128)/1024
// or 'sym': (j - 1024)/1024 · 2^-shift. Exact in fp16, so equal to what torch saved.
import type { WeightSource } from '../../src/graph/weights';

export type FormulaSpec = { shape: number[]; kind: 'one' | 'sym' | 'int64-zero' | 'const-one' | 'values'; shift?: number; values?: number[]; scale?: number };

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(s)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

export function formulaValues(key: string, spec: FormulaSpec): Float32Array {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  if (spec.kind === 'int64-zero') return out;
  if (spec.kind === 'const-one') return out.fill(1);
  if (spec.kind === 'values') return Float32Array.from(spec.values!);
  const h = fnv1a(key);
  const scale = 2 ** -(spec.shift ?? 0);
  for (let i = 0; i < n; i++) {
    let x = (h ^ Math.imul(i, 0x9e3779b1)) >>> 0;
    x = (x ^ (x >>> 16)) >>> 0;
    x = Math.imul(x, 0x7feb352d) >>> 0;
    x = (x ^ (x >>> 15)) >>> 0;
    x = Math.imul(x, 0x846ca68b) >>> 0;
    x = (x ^ (x >>> 16)) >>> 0;
    const j = x & 2047;
    out[i] = spec.kind === 'one' ? 1 + ((j & 255) - 128) / 1024 : ((j - 1024) / 1024) * scale;
  }
  if (spec.scale !== undefined) for (let i = 0; i < n; i++) out[i] *= spec.scale;
  return out;
}

/** g · v / ‖v‖ with the norm over all axes but the one where g is not 1 (plain loops, float64). */
export function foldWeightNorm(g: Float32Array, gShape: number[], v: Float32Array, vShape: number[]): Float32Array {
  const dim = g.length === 1 ? -1 : gShape.findIndex((n) => n !== 1);
  const inner = dim < 0 ? v.length : vShape.slice(dim + 1).reduce((a, b) => a * b, 1);
  const size = dim < 0 ? 1 : vShape[dim];
  const norms = new Array<number>(size).fill(0);
  v.forEach((x, i) => (norms[Math.floor(i / inner) % size] += x * x));
  return v.map((x, i) => (g[Math.floor(i / inner) % size] * x) / Math.sqrt(norms[Math.floor(i / inner) % size]));
}

/**
 * A WeightSource over formula specs keyed the way an upstream file names its tensors: graph name
 * -> `key(name)`, with weight-normed layers (`.weight_g`/`.weight_v` or torch's parametrizations)
 * folded into `.weight` as the checkpoint mapper does.
 */
export class FormulaWeights implements WeightSource {
  constructor(
    readonly specs: Record<string, FormulaSpec>,
    readonly key: (graphName: string) => string = (n) => n,
    readonly label = 'fixture',
  ) {}
  get(name: string, dims: number[]): Float32Array {
    const key = this.key(name);
    let out: Float32Array;
    const s = this.specs;
    if (s[key]) out = formulaValues(key, s[key]);
    else {
      const base = key.replace(/\.weight$/, '');
      const [g, v] = s[`${base}.weight_g`] ? [`${base}.weight_g`, `${base}.weight_v`] : [`${base}.parametrizations.weight.original0`, `${base}.parametrizations.weight.original1`];
      if (!s[g]) throw new Error(`${this.label} has no ${key}`);
      out = foldWeightNorm(formulaValues(g, s[g]), s[g].shape, formulaValues(v, s[v]), s[v].shape);
    }
    if (out.length !== dims.reduce((a, b) => a * b, 1)) throw new Error(`${name}: ${out.length} values for [${dims}]`);
    return out;
  }
}

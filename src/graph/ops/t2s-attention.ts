// Attention pieces of the T2S decoder: the text/audio attention bias and one multi-head
// self-attention over [cached rows ; this step's rows] with packed Q/K/V projection.
// Activations stay 2-D [rows, dim]; heads only appear inside the attention product.
import type { Graph } from '../builder';
import type { WeightSource } from '../weights';
import { fanIn } from '../weights';
import { linear2d, param } from './nn';

/** Additive bias for blocked positions: large but finite (no -inf, so a softmax never sees NaN). */
export const BLOCKED = -30000;

/** Scalar (0-D) float32 size of `axis` of `value`. */
export function dimAsFloat(g: Graph, value: string, axis: number): string {
  const n = g.node('Gather', [g.node('Shape', [value]), g.int(axis)], { axis: 0 });
  return g.node('Cast', [n], { to: 1 });
}

/** Scalar (0-D) int64 size of `axis` of `value`. */
export function dimOf(g: Graph, value: string, axis: number): string {
  return g.node('Gather', [g.node('Shape', [value]), g.int(axis)], { axis: 0 });
}

/**
 * Attention bias [n, past + n] for queries at absolute positions past..past+n-1 over keys
 * 0..past+n-1, with `textLen` (int64 [1]) text rows at the front of the sequence:
 * a query at position p may see key j iff j < textLen, or p >= textLen and j <= p.
 * Equivalently j <= limit(p), limit(p) = textLen - 1 for text rows and p for audio rows.
 * `pastRows` and `newRows` are int64 scalars: the row count is summed in int64, which WebGPU
 * leaves on the CPU; a float sum would run on the GPU and Range (CPU inputs) would then read
 * it back on every decode step.
 */
export function textAudioAttentionBias(g: Graph, pastRows: string, newRows: string, textLen: string): string {
  const past = g.node('Cast', [pastRows], { to: 1 });
  const total = g.node('Cast', [g.node('Add', [pastRows, newRows])], { to: 1 });
  const queryPos = g.node('Range', [past, total, g.float(1)]); // [n]
  const keyPos = g.node('Range', [g.float(0), total, g.float(1)]); // [T]
  const text = g.node('Cast', [textLen], { to: 1 }); // [1]
  const isTextRow = g.node('Less', [queryPos, text]);
  const limit = g.node('Where', [isTextRow, g.node('Sub', [text, g.float(1)]), queryPos]); // [n]
  const allowed = g.node('LessOrEqual', [
    g.node('Unsqueeze', [keyPos, g.ints([0])]), // [1, T]
    g.node('Unsqueeze', [limit, g.ints([1])]), // [n, 1]
  ]);
  return g.node('Where', [allowed, g.float(0), g.float(BLOCKED)]); // [n, T]
}

export interface CachedAttentionOpts {
  dim: number;
  heads: number;
}

/**
 * Self-attention of `x` [n, dim] (PyTorch MultiheadAttention parameter names under `prefix`:
 * in_proj_weight [3·dim, dim], in_proj_bias, out_proj.{weight,bias}) over the cached keys and
 * values `pastK`/`pastV` [P, dim] followed by this step's own. Returns the projected output
 * [n, dim] and this step's K and V rows [n, dim] (all heads side by side, as cached).
 */
export function cachedSelfAttention(
  g: Graph,
  ws: WeightSource,
  x: string,
  pastK: string,
  pastV: string,
  bias: string,
  prefix: string,
  opts: CachedAttentionOpts,
): { out: string; k: string; v: string } {
  const { dim, heads } = opts;
  const headDim = dim / heads;
  if (!Number.isInteger(headDim)) throw new Error(`dim ${dim} is not divisible by ${heads} heads`);
  const w = param(g, ws, `${prefix}.in_proj_weight`, [3 * dim, dim], fanIn(dim));
  const b = param(g, ws, `${prefix}.in_proj_bias`, [3 * dim], fanIn(dim));
  const qkv = g.node('Gemm', [x, w, b], { transB: 1 }); // [n, 3·dim]
  const [q, k, v] = g.nodeN('Split', [qkv, g.ints([dim, dim, dim])], { axis: 1 }, 3);

  const keys = g.node('Concat', [pastK, k], { axis: 0 }); // [T, dim]
  const values = g.node('Concat', [pastV, v], { axis: 0 });
  // A 0 in a Reshape target copies that input dim, so zero-row tensors reshape too.
  const split = g.ints([0, heads, headDim]);
  const qh = g.node('Transpose', [g.node('Reshape', [g.node('Mul', [q, g.float(1 / Math.sqrt(headDim))]), split])], { perm: [1, 0, 2] }); // [H, n, hd]
  const kh = g.node('Transpose', [g.node('Reshape', [keys, split])], { perm: [1, 2, 0] }); // [H, hd, T]
  const vh = g.node('Transpose', [g.node('Reshape', [values, split])], { perm: [1, 0, 2] }); // [H, T, hd]
  const scores = g.node('Add', [g.node('MatMul', [qh, kh]), bias]); // [H, n, T]
  const weights = g.node('Softmax', [scores], { axis: -1 });
  const heads3 = g.node('Transpose', [g.node('MatMul', [weights, vh])], { perm: [1, 0, 2] }); // [n, H, hd]
  const merged = g.node('Reshape', [heads3, g.ints([0, dim])]); // [n, dim]
  const out = linear2d(g, ws, merged, `${prefix}.out_proj`, dim, dim);
  return { out, k, v };
}

// Blocks of bidirectional (unmasked) transformer encoders and conv front ends, shared by the
// HuBERT and BERT graphs. Batch is 1, so sequences travel as 2-D [T, D] tensors: every Linear is
// one Gemm. Parameter names are passed in, because HF's HuBERT and BERT name the same pieces
// differently (q_proj vs attention.self.query, ...).
import type { Graph } from '../builder';
import { ones, zeros, type WeightSource } from '../weights';
import { gelu, layerNorm, linear2d, param } from './nn';

/** Parameter prefixes of one self-attention block (each has `.weight` [D, D] and `.bias` [D]). */
export interface AttentionNames {
  query: string;
  key: string;
  value: string;
  out: string;
}

/**
 * Multi-head self-attention without a mask on x [T, D] -> [T, D]:
 * softmax(Q K^T / sqrt(D/heads)) V per head, heads concatenated, then the output projection.
 * The 1/sqrt(head_dim) factor is applied to Q (as HF's HuBERT does; BERT scales the scores,
 * which is the same product).
 */
export function selfAttention(g: Graph, ws: WeightSource, x: string, dim: number, heads: number, names: AttentionNames): string {
  if (dim % heads !== 0) throw new Error(`attention: ${dim} channels do not split into ${heads} heads`);
  const headDim = dim / heads;
  const split = g.ints([-1, heads, headDim]);
  const q = g.node('Mul', [linear2d(g, ws, x, names.query, dim, dim), g.float(1 / Math.sqrt(headDim))]);
  const k = linear2d(g, ws, x, names.key, dim, dim);
  const v = linear2d(g, ws, x, names.value, dim, dim);
  const qh = g.node('Transpose', [g.node('Reshape', [q, split])], { perm: [1, 0, 2] }); // [H, T, hd]
  const kh = g.node('Transpose', [g.node('Reshape', [k, split])], { perm: [1, 2, 0] }); // [H, hd, T]
  const vh = g.node('Transpose', [g.node('Reshape', [v, split])], { perm: [1, 0, 2] }); // [H, T, hd]
  const probs = g.node('Softmax', [g.node('MatMul', [qh, kh])], { axis: -1 }); // [H, T, T]
  const ctx = g.node('Transpose', [g.node('MatMul', [probs, vh])], { perm: [1, 0, 2] }); // [T, H, hd]
  const merged = g.node('Reshape', [ctx, g.ints([-1, dim])]);
  return linear2d(g, ws, merged, names.out, dim, dim);
}

export interface EncoderLayerDims {
  dim: number;
  heads: number;
  ffn: number;
  eps: number;
}

/** Parameter prefixes of one post-norm encoder layer. */
export interface EncoderLayerNames {
  attention: AttentionNames;
  /** LayerNorm after the attention residual. */
  attentionNorm: string;
  /** Linear dim -> ffn. */
  ffnIn: string;
  /** Linear ffn -> dim. */
  ffnOut: string;
  /** LayerNorm after the feed-forward residual. */
  ffnNorm: string;
}

/**
 * Post-norm transformer encoder layer on [T, D] (BERT, HuBERT base):
 * h = LN(x + Attn(x)); y = LN(h + W2 gelu(W1 h)).
 */
export function postNormEncoderLayer(g: Graph, ws: WeightSource, x: string, d: EncoderLayerDims, names: EncoderLayerNames): string {
  const attended = selfAttention(g, ws, x, d.dim, d.heads, names.attention);
  const h = layerNorm(g, ws, g.node('Add', [x, attended]), names.attentionNorm, d.dim, d.eps);
  const inner = gelu(g, linear2d(g, ws, h, names.ffnIn, d.dim, d.ffn));
  const ffn = linear2d(g, ws, inner, names.ffnOut, d.ffn, d.dim);
  return layerNorm(g, ws, g.node('Add', [h, ffn]), names.ffnNorm, d.dim, d.eps);
}

/**
 * GroupNorm with one group per channel (PyTorch GroupNorm(C, C)) on [1, C, T]: every channel is
 * normalised over time, then scaled and shifted per channel. Built from ReduceMean so it needs no
 * InstanceNormalization kernel. Parameters `${prefix}.weight` / `.bias`, each [C].
 */
export function channelwiseGroupNorm(g: Graph, ws: WeightSource, x: string, prefix: string, channels: number, eps = 1e-5): string {
  const w = param(g, ws, `${prefix}.weight`, [channels], ones);
  const b = param(g, ws, `${prefix}.bias`, [channels], zeros);
  const centred = g.node('Sub', [x, g.node('ReduceMean', [x], { axes: [2], keepdims: 1 })]);
  const variance = g.node('ReduceMean', [g.node('Mul', [centred, centred])], { axes: [2], keepdims: 1 });
  const normed = g.node('Div', [centred, g.node('Sqrt', [g.node('Add', [variance, g.float(eps)])])]);
  const perChannel = g.ints([channels, 1]);
  return g.node('Add', [g.node('Mul', [normed, g.node('Reshape', [w, perChannel])]), g.node('Reshape', [b, perChannel])]);
}

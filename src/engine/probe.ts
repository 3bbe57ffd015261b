// A small transformer-shaped graph (attention, layer norm, conv, FFN) used to check that a WebGPU
// adapter computes what WASM computes before we trust it with the real networks.
import type * as Ort from 'onnxruntime-web';
import { Graph } from '../graph/builder';
import { conv1d, gelu, layerNorm, linear2d } from '../graph/ops/nn';
import { RandomWeights, fill, mulberry32 } from '../graph/weights';

const T = 24;
const D = 32;

export function buildProbeGraph(): Graph {
  const g = new Graph('probe');
  const ws = new RandomWeights(7);
  const x = g.input('x', 'float32', [T, D]);
  // Self-attention over the rows.
  const q = linear2d(g, ws, x, 'q', D, D);
  const k = linear2d(g, ws, x, 'k', D, D);
  const scores = g.node('Mul', [g.node('MatMul', [q, g.node('Transpose', [k], { perm: [1, 0] })]), g.float(1 / Math.sqrt(D))]);
  const attn = g.node('MatMul', [g.node('Softmax', [scores], { axis: -1 }), linear2d(g, ws, x, 'v', D, D)]);
  const h = layerNorm(g, ws, g.node('Add', [x, attn]), 'norm1', D);
  // A conv over time, as the SoVITS side uses.
  const c = conv1d(g, ws, g.node('Unsqueeze', [g.node('Transpose', [h], { perm: [1, 0] }), g.ints([0])]), 'conv', D, D, 3, { padding: 1 });
  const back = g.node('Transpose', [g.node('Squeeze', [c, g.ints([0])])], { perm: [1, 0] });
  const ffn = linear2d(g, ws, gelu(g, linear2d(g, ws, back, 'ffn1', D, 2 * D)), 'ffn2', 2 * D, D);
  g.output(layerNorm(g, ws, g.node('Add', [h, ffn]), 'norm2', D), 'y', 'float32', [T, D]);
  return g;
}

export function probeFeeds(ort: typeof Ort): Record<string, Ort.Tensor> {
  return { x: new ort.Tensor('float32', fill(T * D, { kind: 'normal', std: 1 }, mulberry32(42)), [T, D]) };
}

// Building blocks shared by the networks. Parameters keep PyTorch's names and layouts
// (Linear weight [out, in], Conv1d weight [out, in/groups, k], ConvTranspose1d [in, out, k]) so a
// checkpoint tensor drops in unchanged.
import type { Graph } from '../builder';
import { fanIn, ones, zeros, type Init, type WeightSource } from '../weights';

/** Adds (once per graph) the named parameter from the weight source. */
export function param(g: Graph, ws: WeightSource, name: string, dims: number[], init: Init): string {
  if (g.initializers.has(name)) return name;
  return g.weight(name, dims, ws.get(name, dims, init));
}

export interface LinearOpts {
  bias?: boolean;
}

/** PyTorch Linear on a 2-D input [rows, in] -> [rows, out], as one Gemm with transB. */
export function linear2d(g: Graph, ws: WeightSource, x: string, prefix: string, inF: number, outF: number, opts: LinearOpts = {}): string {
  const w = param(g, ws, `${prefix}.weight`, [outF, inF], fanIn(inF));
  const inputs = [x, w];
  if (opts.bias !== false) inputs.push(param(g, ws, `${prefix}.bias`, [outF], fanIn(inF)));
  return g.node('Gemm', inputs, { transB: 1 });
}

/** PyTorch Linear on any-rank input [..., in] -> [..., out] (MatMul with the transposed weight). */
export function linear(g: Graph, ws: WeightSource, x: string, prefix: string, inF: number, outF: number, opts: LinearOpts = {}): string {
  const w = param(g, ws, `${prefix}.weight`, [outF, inF], fanIn(inF));
  let y = g.node('MatMul', [x, g.node('Transpose', [w], { perm: [1, 0] })]);
  if (opts.bias !== false) y = g.node('Add', [y, param(g, ws, `${prefix}.bias`, [outF], fanIn(inF))]);
  return y;
}

/** LayerNorm over the last axis (PyTorch nn.LayerNorm). */
export function layerNorm(g: Graph, ws: WeightSource, x: string, prefix: string, dim: number, eps = 1e-5): string {
  const w = param(g, ws, `${prefix}.weight`, [dim], ones);
  const b = param(g, ws, `${prefix}.bias`, [dim], zeros);
  return g.node('LayerNormalization', [x, w, b], { axis: -1, epsilon: { float: eps } });
}

export interface ConvOpts {
  stride?: number;
  padding?: number | [number, number];
  dilation?: number;
  groups?: number;
  bias?: boolean;
}

/** PyTorch Conv1d on [N, C, T]. */
export function conv1d(g: Graph, ws: WeightSource, x: string, prefix: string, inC: number, outC: number, k: number, opts: ConvOpts = {}): string {
  const groups = opts.groups ?? 1;
  const w = param(g, ws, `${prefix}.weight`, [outC, inC / groups, k], fanIn((inC / groups) * k));
  const inputs = [x, w];
  if (opts.bias !== false) inputs.push(param(g, ws, `${prefix}.bias`, [outC], fanIn((inC / groups) * k)));
  const pad = opts.padding ?? 0;
  const pads = typeof pad === 'number' ? [pad, pad] : pad;
  return g.node('Conv', inputs, {
    kernel_shape: [k],
    strides: [opts.stride ?? 1],
    dilations: [opts.dilation ?? 1],
    group: groups,
    pads,
  });
}

/** PyTorch ConvTranspose1d on [N, C, T] (weight [in, out, k]). */
export function convTranspose1d(g: Graph, ws: WeightSource, x: string, prefix: string, inC: number, outC: number, k: number, opts: { stride: number; padding: number; bias?: boolean }): string {
  const w = param(g, ws, `${prefix}.weight`, [inC, outC, k], fanIn(outC * k));
  const inputs = [x, w];
  if (opts.bias !== false) inputs.push(param(g, ws, `${prefix}.bias`, [outC], fanIn(outC * k)));
  return g.node('ConvTranspose', inputs, { kernel_shape: [k], strides: [opts.stride], pads: [opts.padding, opts.padding] });
}

/** Exact (erf) GELU, as torch.nn.functional.gelu's default. */
export function gelu(g: Graph, x: string): string {
  const erf = g.node('Erf', [g.node('Mul', [x, g.float(Math.SQRT1_2)])]);
  return g.node('Mul', [g.node('Mul', [x, g.float(0.5)]), g.node('Add', [erf, g.float(1)])]);
}

/** Mish: x * tanh(softplus(x)). */
export function mish(g: Graph, x: string): string {
  return g.node('Mul', [x, g.node('Tanh', [g.node('Softplus', [x])])]);
}

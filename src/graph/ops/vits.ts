// Building blocks of the VITS-family networks inside SoVITS (GPT-SoVITS module/attentions.py,
// module/modules.py, module/mrte_model.py). Activations use PyTorch's Conv1d layout [1, C, T]
// (batch 1, so every sequence mask is all ones and is left out). Parameter names below a
// `prefix` are the upstream ones; weight-normed convolutions appear as their folded `.weight`.
import type { Graph } from '../builder';
import type { Init, WeightSource } from '../weights';
import { conv1d, convTranspose1d, linear, mish, param } from './nn';

// Initialisations only matter for random (test / generated) weights: chosen so every parameter
// is distinguishable in tests (no all-ones scales, no all-zero biases).
export const vitsNormScaleInit: Init = { kind: 'normal', mean: 1, std: 0.1 };
export const vitsNormBiasInit: Init = { kind: 'normal', std: 0.1 };
export const relEmbeddingInit = (headDim: number): Init => ({ kind: 'normal', std: 1 / Math.sqrt(headDim) });

/** Slope of the LeakyReLUs inside the HiFi-GAN generator and its ResBlock1 (modules.LRELU_SLOPE). */
export const LRELU_SLOPE = 0.1;

/** int64 [1]: the size of `axis` of `value`. */
export function dimOf(g: Graph, value: string, axis: number): string {
  return g.node('Shape', [value], { start: axis, end: axis + 1 });
}

export function leakyRelu(g: Graph, x: string, slope: number): string {
  return g.node('LeakyRelu', [x], { alpha: { float: slope } });
}

/** `x[:, from:to, ...]` on axis 1 with static bounds. */
export function sliceChannels(g: Graph, x: string, from: number, to: number): string {
  return g.node('Slice', [x, g.ints([from]), g.ints([to]), g.ints([1])]);
}

/** LayerNorm over the channel axis of [1, C, T] (modules.LayerNorm: parameters `gamma`, `beta`, eps 1e-5). */
export function channelLayerNorm(g: Graph, ws: WeightSource, x: string, prefix: string, channels: number, eps = 1e-5): string {
  const gamma = param(g, ws, `${prefix}.gamma`, [channels], vitsNormScaleInit);
  const beta = param(g, ws, `${prefix}.beta`, [channels], vitsNormBiasInit);
  const rows = g.node('Transpose', [x], { perm: [0, 2, 1] }); // [1, T, C]
  const normed = g.node('LayerNormalization', [rows, gamma, beta], { axis: -1, epsilon: { float: eps } });
  return g.node('Transpose', [normed], { perm: [0, 2, 1] });
}

/** [1, C, T] -> [H, T, C/H] (head h holds channels h·C/H .. (h+1)·C/H - 1). */
function headsTimeMajor(g: Graph, x: string, heads: number, headDim: number): string {
  return g.node('Transpose', [g.node('Reshape', [x, g.ints([heads, headDim, -1])])], { perm: [0, 2, 1] });
}

/** [H, T, C/H] -> [1, C, T]. */
function mergeHeads(g: Graph, x: string, channels: number): string {
  return g.node('Reshape', [g.node('Transpose', [x], { perm: [0, 2, 1] }), g.ints([1, channels, -1])]);
}

/**
 * Relative logits [H, T, 2w+1] (column r = key offset r - w from the query) -> absolute
 * scores [H, T, T] with entry (i, j) = rel[i, j - i + w] when |j - i| <= w, else 0.
 * Each row is zero-padded by T, the rows are laid end to end and re-cut one element shorter,
 * which shifts row i right by i; the band then starts at column w.
 */
export function relativeToAbsolute(g: Graph, rel: string, length: string, window: number, heads: number): string {
  const width = 2 * window + 1;
  const pads = g.node('Concat', [g.ints([0, 0, 0, 0, 0]), length], { axis: 0 });
  const padded = g.node('Pad', [rel, pads]); // [H, T, T + 2w + 1]
  const flat = g.node('Reshape', [padded, g.ints([heads, -1])]);
  const rowWidth = g.node('Add', [length, g.ints([width - 1])]); // T + 2w
  const keep = g.node('Mul', [length, rowWidth]);
  const cut = g.node('Slice', [flat, g.ints([0]), keep, g.ints([1])]);
  const rows = g.node('Reshape', [cut, g.node('Concat', [g.ints([heads, -1]), rowWidth], { axis: 0 })]); // [H, T, T + 2w]
  return g.node('Slice', [rows, g.ints([window]), g.node('Add', [length, g.ints([window])]), g.ints([2])]);
}

/**
 * Absolute attention weights [H, T, T] -> [H, T, 2w+1] with entry (i, r) = p[i, i + r - w]
 * (0 where that key does not exist). Each row is padded by w on both sides, the rows are laid
 * end to end with T extra zeros and re-cut one element longer, which shifts row i left by i.
 */
export function absoluteToRelative(g: Graph, p: string, length: string, window: number, heads: number): string {
  const width = 2 * window + 1;
  const padded = g.node('Pad', [p, g.ints([0, 0, window, 0, 0, window])]); // [H, T, T + 2w]
  const flat = g.node('Reshape', [padded, g.ints([heads, -1])]);
  const tail = g.node('Pad', [flat, g.node('Concat', [g.ints([0, 0, 0]), length], { axis: 0 })]);
  const rowWidth = g.node('Add', [length, g.ints([width])]); // T + 2w + 1
  const rows = g.node('Reshape', [tail, g.node('Concat', [g.ints([heads, -1]), rowWidth], { axis: 0 })]);
  return g.node('Slice', [rows, g.ints([0]), g.ints([width]), g.ints([2])]);
}

export interface AttentionOpts {
  channels: number;
  heads: number;
  /** Relative-position window (attentions.MultiHeadAttention window_size); omit for none. */
  window?: number;
}

/**
 * attentions.MultiHeadAttention: queries from `x` [1, C, Tq], keys/values from `c` [1, C, Tk]
 * via 1×1 convs conv_q/k/v, softmax(q·kᵀ/√d) per head, conv_o. With `window` (self-attention
 * only) it adds the shared relative-key logits emb_rel_k [1, 2w+1, d] to the scores and the
 * relative values emb_rel_v [1, 2w+1, d] to the output, both limited to |offset| <= w.
 */
export function vitsAttention(g: Graph, ws: WeightSource, x: string, c: string, prefix: string, opts: AttentionOpts): string {
  const { channels, heads, window } = opts;
  const headDim = channels / heads;
  const q = conv1d(g, ws, x, `${prefix}.conv_q`, channels, channels, 1);
  const k = conv1d(g, ws, c, `${prefix}.conv_k`, channels, channels, 1);
  const v = conv1d(g, ws, c, `${prefix}.conv_v`, channels, channels, 1);
  const qh = g.node('Mul', [headsTimeMajor(g, q, heads, headDim), g.float(1 / Math.sqrt(headDim))]); // [H, Tq, d]
  const kh = g.node('Reshape', [k, g.ints([heads, headDim, -1])]); // [H, d, Tk]
  const vh = headsTimeMajor(g, v, heads, headDim); // [H, Tk, d]
  let scores = g.node('MatMul', [qh, kh]); // [H, Tq, Tk]
  let length = '';
  if (window !== undefined) {
    const width = 2 * window + 1;
    length = dimOf(g, x, 2);
    const embK = param(g, ws, `${prefix}.emb_rel_k`, [1, width, headDim], relEmbeddingInit(headDim));
    const relLogits = g.node('MatMul', [qh, g.node('Transpose', [embK], { perm: [0, 2, 1] })]); // [H, T, 2w+1]
    scores = g.node('Add', [scores, relativeToAbsolute(g, relLogits, length, window, heads)]);
  }
  const weights = g.node('Softmax', [scores], { axis: -1 });
  let out = g.node('MatMul', [weights, vh]); // [H, Tq, d]
  if (window !== undefined) {
    const embV = param(g, ws, `${prefix}.emb_rel_v`, [1, 2 * window + 1, headDim], relEmbeddingInit(headDim));
    out = g.node('Add', [out, g.node('MatMul', [absoluteToRelative(g, weights, length, window, heads), embV])]);
  }
  return conv1d(g, ws, mergeHeads(g, out, channels), `${prefix}.conv_o`, channels, channels, 1);
}

/** attentions.FFN (ReLU, "same" padding: (k-1)//2 left, k//2 right). */
export function vitsFFN(g: Graph, ws: WeightSource, x: string, prefix: string, channels: number, filter: number, kernel: number): string {
  const pads: [number, number] = [(kernel - 1) >> 1, kernel >> 1];
  const h = g.node('Relu', [conv1d(g, ws, x, `${prefix}.conv_1`, channels, filter, kernel, { padding: pads })]);
  return conv1d(g, ws, h, `${prefix}.conv_2`, filter, channels, kernel, { padding: pads });
}

export interface RelPosEncoderOpts {
  hidden: number;
  filter: number;
  heads: number;
  layers: number;
  kernel: number;
  window: number;
}

/**
 * attentions.Encoder: per layer, x = LN1(x + relPosSelfAttn(x)); x = LN2(x + FFN(x)) (post-norm).
 * Names: `attn_layers.i.*`, `norm_layers_1.i.{gamma,beta}`, `ffn_layers.i.conv_{1,2}.*`, `norm_layers_2.i.*`.
 */
export function relPosEncoder(g: Graph, ws: WeightSource, x: string, prefix: string, o: RelPosEncoderOpts): string {
  for (let i = 0; i < o.layers; i++) {
    const attn = vitsAttention(g, ws, x, x, `${prefix}.attn_layers.${i}`, { channels: o.hidden, heads: o.heads, window: o.window });
    x = channelLayerNorm(g, ws, g.node('Add', [x, attn]), `${prefix}.norm_layers_1.${i}`, o.hidden);
    const ffn = vitsFFN(g, ws, x, `${prefix}.ffn_layers.${i}`, o.hidden, o.filter, o.kernel);
    x = channelLayerNorm(g, ws, g.node('Add', [x, ffn]), `${prefix}.norm_layers_2.${i}`, o.hidden);
  }
  return x;
}

export interface MRTEOpts {
  /** Channels of both input streams and of the output (content_enc_channels = out_channels). */
  channels: number;
  /** Width of the cross-attention; `ge` is added at this width (hidden_size 512). */
  hidden: number;
  heads: number;
}

/**
 * mrte_model.MRTE: s = c_pre(ssl); x = crossAttn(s ← text_pre(text)) + s + ge; c_post(x).
 * `ssl` [1, C, Ty], `text` [1, C, Tt], `ge` [1, hidden, 1] -> [1, C, Ty].
 */
export function mrte(g: Graph, ws: WeightSource, ssl: string, text: string, ge: string, prefix: string, o: MRTEOpts): string {
  const s = conv1d(g, ws, ssl, `${prefix}.c_pre`, o.channels, o.hidden, 1);
  const t = conv1d(g, ws, text, `${prefix}.text_pre`, o.channels, o.hidden, 1);
  const attn = vitsAttention(g, ws, s, t, `${prefix}.cross_attention`, { channels: o.hidden, heads: o.heads });
  const x = g.node('Add', [g.node('Add', [attn, s]), ge]);
  return conv1d(g, ws, x, `${prefix}.c_post`, o.hidden, o.channels, 1);
}

export interface WNOpts {
  hidden: number;
  kernel: number;
  dilationRate: number;
  layers: number;
  /** Channels of the global condition; 0 = no `cond_layer`. */
  gin: number;
}

/**
 * modules.WN (WaveNet-like gated stack). `x` [1, hidden, T], `cond` [1, gin, 1] or ''.
 * Layer i: a = in_layers.i(x) (+ cond_layer(cond) channels [2·hidden·i, 2·hidden·(i+1))),
 * acts = tanh(a[:hidden]) · sigmoid(a[hidden:]); res_skip_layers.i(acts) gives the residual
 * (first hidden channels, all but the last layer) and the skip part that is summed as output.
 * in_layers, res_skip_layers and cond_layer are weight-normed upstream (folded here).
 * `mask` ([1, 1, T], 1 = frame kept) multiplies the residual stream and the output as upstream's
 * x_mask does; omitted, every frame counts (batch 1, full lengths).
 */
export function wn(g: Graph, ws: WeightSource, x: string, cond: string, prefix: string, o: WNOpts, mask = ''): string {
  const { hidden } = o;
  const masked = (v: string) => (mask ? g.node('Mul', [v, mask]) : v);
  const condAll = o.gin > 0 && cond ? conv1d(g, ws, cond, `${prefix}.cond_layer`, o.gin, 2 * hidden * o.layers, 1) : '';
  let output = '';
  for (let i = 0; i < o.layers; i++) {
    const dilation = o.dilationRate ** i;
    const pad = (o.kernel * dilation - dilation) / 2;
    let a = conv1d(g, ws, x, `${prefix}.in_layers.${i}`, hidden, 2 * hidden, o.kernel, { dilation, padding: pad });
    if (condAll) a = g.node('Add', [a, sliceChannels(g, condAll, 2 * hidden * i, 2 * hidden * (i + 1))]);
    const acts = g.node('Mul', [
      g.node('Tanh', [sliceChannels(g, a, 0, hidden)]),
      g.node('Sigmoid', [sliceChannels(g, a, hidden, 2 * hidden)]),
    ]);
    const last = i === o.layers - 1;
    const rs = conv1d(g, ws, acts, `${prefix}.res_skip_layers.${i}`, hidden, last ? hidden : 2 * hidden, 1);
    let skip = rs;
    if (!last) {
      x = masked(g.node('Add', [x, sliceChannels(g, rs, 0, hidden)]));
      skip = sliceChannels(g, rs, hidden, 2 * hidden);
    }
    output = output ? g.node('Add', [output, skip]) : skip;
  }
  return masked(output);
}

/**
 * modules.ResidualCouplingLayer with mean_only, run in reverse: x0 | x1 = split(x);
 * m = post(WN(pre(x0), cond)); returns x0 | (x1 - m).
 */
export function couplingReverse(g: Graph, ws: WeightSource, x: string, cond: string, prefix: string, channels: number, o: WNOpts): string {
  const half = channels / 2;
  const x0 = sliceChannels(g, x, 0, half);
  const x1 = sliceChannels(g, x, half, channels);
  const h = conv1d(g, ws, x0, `${prefix}.pre`, half, o.hidden, 1);
  const m = conv1d(g, ws, wn(g, ws, h, cond, `${prefix}.enc`, o), `${prefix}.post`, o.hidden, half, 1);
  return g.node('Concat', [x0, g.node('Sub', [x1, m])], { axis: 1 });
}

/** modules.Flip: reverses the channel order of [1, C, T]. */
export function flipChannels(g: Graph, x: string, channels: number): string {
  return g.node('Gather', [x, g.ints(Array.from({ length: channels }, (_, i) => channels - 1 - i))], { axis: 1 });
}

/**
 * modules.ResBlock1: for each dilation d: x += convs2.j(lrelu(convs1.j(lrelu(x)))) with
 * convs1.j dilated by d and convs2.j undilated, both "same" padded (all weight-normed).
 */
export function resBlock1(g: Graph, ws: WeightSource, x: string, prefix: string, channels: number, kernel: number, dilations: readonly number[]): string {
  dilations.forEach((d, j) => {
    let t = leakyRelu(g, x, LRELU_SLOPE);
    t = conv1d(g, ws, t, `${prefix}.convs1.${j}`, channels, channels, kernel, { dilation: d, padding: (kernel * d - d) / 2 });
    t = leakyRelu(g, t, LRELU_SLOPE);
    t = conv1d(g, ws, t, `${prefix}.convs2.${j}`, channels, channels, kernel, { padding: (kernel - 1) / 2 });
    x = g.node('Add', [t, x]);
  });
  return x;
}

export interface UpsampleStageOpts {
  inChannels: number;
  outChannels: number;
  rate: number;
  kernel: number;
  resblockKernels: readonly number[];
  resblockDilations: readonly (readonly number[])[];
  /** Index of this stage's first ResBlock in the generator's flat `resblocks` list. */
  firstResblock: number;
}

/**
 * One generator stage: lrelu(0.1) -> ConvTranspose1d (`ups.i`, stride = rate, padding
 * (kernel - rate)/2, so T -> T·rate) -> mean of the ResBlock1s `resblocks.{first..}`.
 * `prefix` is the generator's own (e.g. `dec`).
 */
export function upsampleStage(g: Graph, ws: WeightSource, x: string, prefix: string, stage: number, o: UpsampleStageOpts): string {
  const p = prefix ? `${prefix}.` : ''; // '' for a generator saved on its own (v4's vocoder.pth)
  const up = convTranspose1d(g, ws, leakyRelu(g, x, LRELU_SLOPE), `${p}ups.${stage}`, o.inChannels, o.outChannels, o.kernel, {
    stride: o.rate,
    padding: (o.kernel - o.rate) / 2,
  });
  let sum = '';
  o.resblockKernels.forEach((k, j) => {
    const r = resBlock1(g, ws, up, `${p}resblocks.${o.firstResblock + j}`, o.outChannels, k, o.resblockDilations[j]);
    sum = sum ? g.node('Add', [sum, r]) : r;
  });
  return g.node('Mul', [sum, g.float(1 / o.resblockKernels.length)]);
}

export interface HiFiGANStackOpts {
  channels: number;
  upsampleRates: number[];
  upsampleKernels: number[];
  resblockKernels: number[];
  resblockDilations: number[][];
  /** conv_post has a bias (v4's vocoder) or not (SoVITS's generator). */
  postBias: boolean;
}

/**
 * The HiFi-GAN Generator after conv_pre (and its condition): the upsampling stages with their
 * resblocks, the final leaky ReLU (PyTorch's default slope 0.01), conv_post and tanh -> [1, 1, samples].
 */
export function hifiganStack(g: Graph, ws: WeightSource, x: string, prefix: string, o: HiFiGANStackOpts): string {
  let channels = o.channels;
  o.upsampleRates.forEach((rate, i) => {
    x = upsampleStage(g, ws, x, prefix, i, {
      inChannels: channels,
      outChannels: channels / 2,
      rate,
      kernel: o.upsampleKernels[i],
      resblockKernels: o.resblockKernels,
      resblockDilations: o.resblockDilations,
      firstResblock: i * o.resblockKernels.length,
    });
    channels /= 2;
  });
  x = leakyRelu(g, x, 0.01);
  x = conv1d(g, ws, x, prefix ? `${prefix}.conv_post` : 'conv_post', channels, 1, 7, { padding: 3, bias: o.postBias });
  return g.node('Tanh', [x]);
}

/** modules.Conv1dGLU: x + a · sigmoid(b) with a | b = conv1.conv(x) ("same" padding). */
export function conv1dGLU(g: Graph, ws: WeightSource, x: string, prefix: string, channels: number, kernel: number): string {
  const h = conv1d(g, ws, x, `${prefix}.conv1.conv`, channels, 2 * channels, kernel, { padding: (kernel - 1) / 2 });
  const gated = g.node('Mul', [sliceChannels(g, h, 0, channels), g.node('Sigmoid', [sliceChannels(g, h, channels, 2 * channels)])]);
  return g.node('Add', [x, gated]);
}

export interface StyleEncoderOpts {
  inDim: number;
  hidden: number;
  outDim: number;
  kernel: number;
  heads: number;
}

/**
 * modules.MelStyleEncoder on `x` [1, T, inDim] (time-major) -> [1, outDim, 1]:
 * spectral (Linear+Mish ×2: `spectral.0.fc`, `spectral.3.fc`) -> temporal (Conv1dGLU ×2) ->
 * multi-head self-attention with residual (`slf_attn.w_qs/w_ks/w_vs/fc`, scores scaled by
 * 1/√hidden, not 1/√head_dim) -> `fc.fc` -> mean over time.
 */
export function melStyleEncoder(g: Graph, ws: WeightSource, x: string, prefix: string, o: StyleEncoderOpts): string {
  const { hidden, heads } = o;
  const headDim = hidden / heads;
  let h = mish(g, linear(g, ws, x, `${prefix}.spectral.0.fc`, o.inDim, hidden));
  h = mish(g, linear(g, ws, h, `${prefix}.spectral.3.fc`, hidden, hidden));
  let c = g.node('Transpose', [h], { perm: [0, 2, 1] }); // [1, hidden, T]
  c = conv1dGLU(g, ws, c, `${prefix}.temporal.0`, hidden, o.kernel);
  c = conv1dGLU(g, ws, c, `${prefix}.temporal.1`, hidden, o.kernel);
  h = g.node('Transpose', [c], { perm: [0, 2, 1] }); // [1, T, hidden]
  const split = (t: string) => g.node('Transpose', [g.node('Reshape', [t, g.ints([-1, heads, headDim])])], { perm: [1, 0, 2] }); // [H, T, d]
  const a = `${prefix}.slf_attn`;
  const q = split(linear(g, ws, h, `${a}.w_qs`, hidden, hidden));
  const k = split(linear(g, ws, h, `${a}.w_ks`, hidden, hidden));
  const v = split(linear(g, ws, h, `${a}.w_vs`, hidden, hidden));
  const scores = g.node('Mul', [g.node('MatMul', [q, g.node('Transpose', [k], { perm: [0, 2, 1] })]), g.float(1 / Math.sqrt(hidden))]);
  const ctx = g.node('MatMul', [g.node('Softmax', [scores], { axis: -1 }), v]); // [H, T, d]
  const merged = g.node('Reshape', [g.node('Transpose', [ctx], { perm: [1, 0, 2] }), g.ints([1, -1, hidden])]);
  h = g.node('Add', [linear(g, ws, merged, `${a}.fc`, hidden, hidden), h]);
  const style = linear(g, ws, h, `${prefix}.fc.fc`, hidden, o.outDim); // [1, T, out]
  const mean = g.node('ReduceMean', [style], { axes: [1], keepdims: 1 }); // [1, 1, out]
  return g.node('Transpose', [mean], { perm: [0, 2, 1] });
}

/**
 * torch F.interpolate(x, size=length, mode="linear", align_corners=False) on [1, C, T]:
 * source = max((dst + 0.5)·T/length - 0.5, 0). `length` is int64 [1]. Runs as a 4-D Resize
 * ([1, C, 1, T], ONNX half_pixel, which matches torch also for length 1).
 */
export function linearResize(g: Graph, x: string, channels: number, length: string): string {
  const x4 = g.node('Unsqueeze', [x, g.ints([2])]);
  const sizes = g.node('Concat', [g.ints([1, channels, 1]), length], { axis: 0 });
  const y = g.node('Resize', [x4, '', '', sizes], { mode: 'linear', coordinate_transformation_mode: 'half_pixel' });
  return g.node('Squeeze', [y, g.ints([2])]);
}

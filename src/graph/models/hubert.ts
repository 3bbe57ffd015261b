// chinese-hubert-base (TencentGameMate), the SSL feature model of GPT-SoVITS, as HF's HubertModel
// computes `last_hidden_state` at inference (no dropout, no masking, no attention mask).
//
// Graph I/O:
//   input  `audio` float32 [1, N]        raw 16 kHz mono samples. Upstream feeds them as they are
//                                          (its Wav2Vec2FeatureExtractor is not applied at inference),
//                                          after appending 9 600 zero samples (src/audio/hubert-input.ts).
//   output `ssl`   float32 [1, D, T50]    last_hidden_state transposed to channels-first, D = 768;
//                                          T50 = hubertFrameCount(cfg, N) = floor((N - 400) / 320) + 1.
//
// Data flow: 7 convs (no bias; GroupNorm(C, C) after the first only; GELU after each) -> [T, 512]
// -> LayerNorm -> Linear 512 -> 768 -> + GELU(grouped "same" conv positional embedding, last frame
// dropped for an even kernel) -> LayerNorm -> 12 post-norm encoder layers.
//
// Initializer names are HF's HubertModel parameter names. The positional conv is weight-normed
// upstream (weight_g [1, 1, k] and weight_v, dim 2); this graph takes the folded tensor as
// `encoder.pos_conv_embed.conv.weight` [D, D / groups, k]. `masked_spec_embed` (training-time
// SpecAugment) is not used and not in the graph.
import { Graph } from '../builder';
import { conv1d, gelu, layerNorm, linear2d } from '../ops/nn';
import { channelwiseGroupNorm, postNormEncoderLayer } from '../ops/encoder-blocks';
import type { WeightSource } from '../weights';

export interface HubertConfig {
  /** Output channels of each feature-encoder conv (the first takes 1 channel). */
  convDims: number[];
  convKernels: number[];
  convStrides: number[];
  hidden: number;
  heads: number;
  layers: number;
  ffn: number;
  /** Kernel and groups of the convolutional positional embedding. */
  posConvKernel: number;
  posConvGroups: number;
  /** LayerNorm epsilon (feature projection, encoder, layers); GroupNorm uses PyTorch's 1e-5 too. */
  eps: number;
}

const KERNELS = [10, 3, 3, 3, 3, 2, 2];
const STRIDES = [5, 2, 2, 2, 2, 2, 2];

/** chinese-hubert-base (HubertConfig of TencentGameMate/chinese-hubert-base). */
export const HUBERT_BASE: HubertConfig = {
  convDims: Array(7).fill(512),
  convKernels: KERNELS,
  convStrides: STRIDES,
  hidden: 768,
  heads: 12,
  layers: 12,
  ffn: 3072,
  posConvKernel: 128,
  posConvGroups: 16,
  eps: 1e-5,
};

/** Same code and frame rate (same kernels and strides), tiny widths for tests. */
export const HUBERT_TINY: HubertConfig = {
  convDims: Array(7).fill(16),
  convKernels: KERNELS,
  convStrides: STRIDES,
  hidden: 32,
  heads: 2,
  layers: 2,
  ffn: 64,
  posConvKernel: 16,
  posConvGroups: 4,
  eps: 1e-5,
};

/** Number of SSL frames for N input samples: the conv length formula applied layer by layer. */
export function hubertFrameCount(cfg: HubertConfig, samples: number): number {
  let n = samples;
  for (let i = 0; i < cfg.convKernels.length; i++) n = Math.floor((n - cfg.convKernels[i]) / cfg.convStrides[i]) + 1;
  return Math.max(n, 0);
}

/** Conv feature encoder: audio [1, N] -> features [1, C, T] (C = last conv dim). */
export function hubertFeatureEncoder(g: Graph, ws: WeightSource, cfg: HubertConfig, audio: string): string {
  let x = g.node('Unsqueeze', [audio, g.ints([1])]); // [1, 1, N]
  let inC = 1;
  cfg.convDims.forEach((outC, i) => {
    const prefix = `feature_extractor.conv_layers.${i}`;
    x = conv1d(g, ws, x, `${prefix}.conv`, inC, outC, cfg.convKernels[i], { stride: cfg.convStrides[i], bias: false });
    if (i === 0) x = channelwiseGroupNorm(g, ws, x, `${prefix}.layer_norm`, outC, 1e-5);
    x = gelu(g, x);
    inC = outC;
  });
  return x;
}

/** Convolutional positional embedding of h [T, D] -> [T, D] (to be added to h). */
export function hubertPositionalEmbedding(g: Graph, ws: WeightSource, cfg: HubertConfig, h: string): string {
  const k = cfg.posConvKernel;
  const channelsFirst = g.node('Unsqueeze', [g.node('Transpose', [h], { perm: [1, 0] }), g.ints([0])]); // [1, D, T]
  let y = conv1d(g, ws, channelsFirst, 'encoder.pos_conv_embed.conv', cfg.hidden, cfg.hidden, k, {
    padding: Math.floor(k / 2),
    groups: cfg.posConvGroups,
  });
  // Symmetric padding of k/2 makes an even kernel yield T + 1 frames; the last one is dropped.
  if (k % 2 === 0) y = g.node('Slice', [y, g.ints([0]), g.ints([-1]), g.ints([2])]);
  y = gelu(g, y);
  return g.node('Transpose', [g.node('Squeeze', [y, g.ints([0])])], { perm: [1, 0] });
}

/** The encoder layers' parameter names, HF HubertEncoderLayer style. */
export function hubertLayerNames(i: number) {
  const p = `encoder.layers.${i}`;
  return {
    attention: { query: `${p}.attention.q_proj`, key: `${p}.attention.k_proj`, value: `${p}.attention.v_proj`, out: `${p}.attention.out_proj` },
    attentionNorm: `${p}.layer_norm`,
    ffnIn: `${p}.feed_forward.intermediate_dense`,
    ffnOut: `${p}.feed_forward.output_dense`,
    ffnNorm: `${p}.final_layer_norm`,
  };
}

export function buildHubert(cfg: HubertConfig, ws: WeightSource): Graph {
  const g = new Graph('hubert');
  const audio = g.input('audio', 'float32', [1, 'N']);
  const convC = cfg.convDims[cfg.convDims.length - 1];

  const features = hubertFeatureEncoder(g, ws, cfg, audio); // [1, C, T]
  const frames = g.node('Transpose', [g.node('Squeeze', [features, g.ints([0])])], { perm: [1, 0] }); // [T, C]
  const projected = linear2d(g, ws, layerNorm(g, ws, frames, 'feature_projection.layer_norm', convC, cfg.eps), 'feature_projection.projection', convC, cfg.hidden);

  const withPositions = g.node('Add', [projected, hubertPositionalEmbedding(g, ws, cfg, projected)]);
  let h = layerNorm(g, ws, withPositions, 'encoder.layer_norm', cfg.hidden, cfg.eps);
  const dims = { dim: cfg.hidden, heads: cfg.heads, ffn: cfg.ffn, eps: cfg.eps };
  for (let i = 0; i < cfg.layers; i++) h = postNormEncoderLayer(g, ws, h, dims, hubertLayerNames(i));

  const ssl = g.node('Unsqueeze', [g.node('Transpose', [h], { perm: [1, 0] }), g.ints([0])]); // [1, D, T]
  g.output(ssl, 'ssl', 'float32', [1, cfg.hidden, 'T50']);
  return g;
}

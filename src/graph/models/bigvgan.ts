// The v3 vocoder: NVIDIA's BigVGAN v2 generator (GPT_SoVITS/BigVGAN/bigvgan.py) as GPT-SoVITS loads
// it for v3 (bigvgan_v2_24khz_100band_256x: 100 mel bins in, 24 kHz out, 256 samples per frame).
//
// buildBigVGAN -> graph "vocoder" (the same contract as ./vocoder.ts)
//   in   mel    float32 [1, melBins, F]     log mel (denormalised CFM output)
//   out  audio  float32 [1, 1, hop·F]       clamped to [-1, 1] (tanh when the config says so)
//
// conv_pre -> per stage: ConvTranspose1d (no activation before it) -> mean of AMPBlock1s ->
// activation_post -> conv_post (no bias in v2) -> clamp. AMPBlock1: for each dilation,
// x += conv2(act(conv1(act(x)))), every act an anti-aliased SnakeBeta (alias_free_activation's
// Activation1d): ×2 upsampling by a 12-tap Kaiser-sinc transposed conv on the edge-padded input
// (× 2, cropped), x + sin²(x·e^α)/(e^β + 1e-9) with per-channel α, β (log scale), then the same
// low-pass filter with stride 2 on the edge-padded result. The filters are the checkpoint's buffers.
// Weight-normed convs (conv_pre, ups, convs1/2, conv_post) arrive folded.
import { Graph } from '../builder';
import { conv1d, convTranspose1d, param } from '../ops/nn';
import type { WeightSource } from '../weights';

export interface BigVGANConfig {
  kind: 'bigvgan';
  melBins: number;
  upsampleRates: number[];
  upsampleKernels: number[];
  upsampleInitial: number;
  resblockKernels: number[];
  resblockDilations: number[][];
  /** α and β are stored as logs (snake_logscale). */
  snakeLogscale: boolean;
  /** use_tanh_at_final (false for v2: clamp), use_bias_at_final (false for v2). */
  tanhAtFinal: boolean;
  biasAtFinal: boolean;
  /** Taps of the anti-aliasing filters (Activation1d's up/down kernel size). */
  filterTaps: number;
  sampleRate: number;
}

/** nvidia/bigvgan_v2_24khz_100band_256x (its config.json). */
export const BIGVGAN_V2_24K: BigVGANConfig = {
  kind: 'bigvgan',
  melBins: 100,
  upsampleRates: [4, 4, 2, 2, 2, 2],
  upsampleKernels: [8, 8, 4, 4, 4, 4],
  upsampleInitial: 1536,
  resblockKernels: [3, 7, 11],
  resblockDilations: [
    [1, 3, 5],
    [1, 3, 5],
    [1, 3, 5],
  ],
  snakeLogscale: true,
  tanhAtFinal: false,
  biasAtFinal: false,
  filterTaps: 12,
  sampleRate: 24000,
};

/** scripts/make-v3v4-fixtures.py's tiny BigVGAN (128 channels). */
export const BIGVGAN_TINY: BigVGANConfig = { ...BIGVGAN_V2_24K, upsampleInitial: 128 };

export const bigvganHop = (cfg: BigVGANConfig) => cfg.upsampleRates.reduce((a, b) => a * b, 1);

/** Per-channel [C] parameter as [1, C, 1], exponentiated when stored as a log. */
function channelParam(g: Graph, ws: WeightSource, name: string, channels: number, log: boolean): string {
  const p = param(g, ws, name, [channels], { kind: 'const', value: log ? 0 : 1 });
  return g.node('Reshape', [log ? g.node('Exp', [p]) : p, g.ints([1, channels, 1])]);
}

/** A [1, 1, taps] filter buffer as depthwise weights [C, 1, taps]. */
function depthwise(g: Graph, ws: WeightSource, name: string, channels: number, taps: number): string {
  const f = param(g, ws, name, [1, 1, taps], { kind: 'const', value: 1 / taps });
  return g.node('Expand', [f, g.ints([channels, 1, taps])]);
}

/** Activation1d(SnakeBeta): ×2 up, SnakeBeta, ×2 down, on [1, C, T]. */
function antiAliasedSnake(g: Graph, ws: WeightSource, x: string, prefix: string, channels: number, cfg: BigVGANConfig): string {
  const k = cfg.filterTaps;
  const ratio = 2;
  const pad = k / ratio - 1;
  const crop = pad * ratio + (k - ratio) / 2; // pad_left; pad_right is the same for even taps
  const padded = g.node('Pad', [x, g.ints([0, 0, pad, 0, 0, pad])], { mode: 'edge' });
  const up = g.node('ConvTranspose', [padded, depthwise(g, ws, `${prefix}.upsample.filter`, channels, k)], { group: channels, strides: [ratio], kernel_shape: [k] });
  const length = g.node('Shape', [up], { start: 2, end: 3 });
  let y = g.node('Slice', [g.node('Mul', [up, g.float(ratio)]), g.ints([crop]), g.node('Sub', [length, g.ints([crop])]), g.ints([2])]);
  const alpha = channelParam(g, ws, `${prefix}.act.alpha`, channels, cfg.snakeLogscale);
  const beta = channelParam(g, ws, `${prefix}.act.beta`, channels, cfg.snakeLogscale);
  const s = g.node('Sin', [g.node('Mul', [y, alpha])]);
  y = g.node('Add', [y, g.node('Mul', [g.node('Reciprocal', [g.node('Add', [beta, g.float(1e-9)])]), g.node('Mul', [s, s])])]);
  const left = k / 2 - 1;
  const right = k / 2;
  const downPadded = g.node('Pad', [y, g.ints([0, 0, left, 0, 0, right])], { mode: 'edge' });
  return g.node('Conv', [downPadded, depthwise(g, ws, `${prefix}.downsample.lowpass.filter`, channels, k)], { group: channels, strides: [ratio], kernel_shape: [k] });
}

/** AMPBlock1 on [1, C, T]. */
function ampBlock1(g: Graph, ws: WeightSource, x: string, prefix: string, channels: number, kernel: number, dilations: number[], cfg: BigVGANConfig): string {
  dilations.forEach((d, j) => {
    let t = antiAliasedSnake(g, ws, x, `${prefix}.activations.${2 * j}`, channels, cfg);
    t = conv1d(g, ws, t, `${prefix}.convs1.${j}`, channels, channels, kernel, { dilation: d, padding: (kernel * d - d) / 2 });
    t = antiAliasedSnake(g, ws, t, `${prefix}.activations.${2 * j + 1}`, channels, cfg);
    t = conv1d(g, ws, t, `${prefix}.convs2.${j}`, channels, channels, kernel, { padding: (kernel - 1) / 2 });
    x = g.node('Add', [t, x]);
  });
  return x;
}

export function buildBigVGAN(cfg: BigVGANConfig, ws: WeightSource): Graph {
  const g = new Graph('vocoder');
  const mel = g.input('mel', 'float32', [1, cfg.melBins, 'F']);
  let x = conv1d(g, ws, mel, 'conv_pre', cfg.melBins, cfg.upsampleInitial, 7, { padding: 3 });
  let ch = cfg.upsampleInitial;
  cfg.upsampleRates.forEach((u, i) => {
    const k = cfg.upsampleKernels[i];
    x = convTranspose1d(g, ws, x, `ups.${i}.0`, ch, ch / 2, k, { stride: u, padding: (k - u) / 2 });
    ch /= 2;
    let sum = '';
    cfg.resblockKernels.forEach((rk, j) => {
      const r = ampBlock1(g, ws, x, `resblocks.${i * cfg.resblockKernels.length + j}`, ch, rk, cfg.resblockDilations[j], cfg);
      sum = sum ? g.node('Add', [sum, r]) : r;
    });
    x = g.node('Mul', [sum, g.float(1 / cfg.resblockKernels.length)]);
  });
  x = antiAliasedSnake(g, ws, x, 'activation_post', ch, cfg);
  x = conv1d(g, ws, x, 'conv_post', ch, 1, 7, { padding: 3, bias: cfg.biasAtFinal });
  const out = cfg.tanhAtFinal ? g.node('Tanh', [x]) : g.node('Clip', [x, g.float(-1), g.float(1)]);
  g.output(out, 'audio', 'float32', [1, 1, 'samples']);
  return g;
}

/** Every tensor the graph reads (weight-normed convs by their folded `.weight`), with its shape. */
export function bigvganParameterShapes(cfg: BigVGANConfig): [string, number[]][] {
  const out: [string, number[]][] = [];
  const conv = (name: string, o: number, i: number, k: number, bias = true) => {
    out.push([`${name}.weight`, [o, i, k]]);
    if (bias) out.push([`${name}.bias`, [o]]);
  };
  const act = (p: string, c: number) => {
    out.push([`${p}.act.alpha`, [c]], [`${p}.act.beta`, [c]], [`${p}.upsample.filter`, [1, 1, cfg.filterTaps]], [`${p}.downsample.lowpass.filter`, [1, 1, cfg.filterTaps]]);
  };
  conv('conv_pre', cfg.upsampleInitial, cfg.melBins, 7);
  let ch = cfg.upsampleInitial;
  cfg.upsampleRates.forEach((_, i) => {
    out.push([`ups.${i}.0.weight`, [ch, ch / 2, cfg.upsampleKernels[i]]], [`ups.${i}.0.bias`, [ch / 2]]);
    ch /= 2;
    cfg.resblockKernels.forEach((k, j) => {
      const r = `resblocks.${i * cfg.resblockKernels.length + j}`;
      cfg.resblockDilations[j].forEach((_d, c) => {
        conv(`${r}.convs1.${c}`, ch, ch, k);
        conv(`${r}.convs2.${c}`, ch, ch, k);
        act(`${r}.activations.${2 * c}`, ch);
        act(`${r}.activations.${2 * c + 1}`, ch);
      });
    });
  });
  act('activation_post', ch);
  conv('conv_post', 1, ch, 7, cfg.biasAtFinal);
  return out;
}

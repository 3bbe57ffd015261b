// GPT-SoVITS v2 SoVITS (configs/s2.json, 32 kHz) as two ONNX graphs: the reference encoder
// that turns a reference spectrogram into the global style vector `ge`, and the decoder that
// turns semantic tokens + target phones + `ge` into audio (SynthesizerTrn.decode).
//
// buildSoVITSRefEncoder -> graph "sovits_ref_enc"
//   in   refer  float32 [1, specBins, F]       linear spectrogram (src/audio/spectrogram.ts)
//   out  ge     float32 [1, gin, 1]
//        (v2 reads only the first refBins = 704 bins, v1 all 1025. For several references,
//        average the `ge`s outside the graph, as upstream does.)
//   v2Pro/v2ProPlus (cfg.svDim set) also take
//        sv     float32 [1, svDim]             the speaker-verification embedding (./sv.ts)
//        and output the fused ge = PReLU(ref_enc(refer) + sv_emb(sv)), per reference as upstream.
// buildSoVITSDecoder -> graph "sovits_decoder"
//   in   codes       int64   [1, 1, Ts]        semantic tokens, 25 Hz
//        phones      int64   [1, Tt]           target phones only (no reference phones)
//        ge          float32 [1, gin, 1]          (v2Pro: the fused ge; the MRTE gets ge_to512(ge))
//        noise       float32 [1, inter, Tf]    standard normal, from the caller (seeded runs);
//                                              Tf = sovitsFrameCount(Ts, speed)
//        noise_scale float32 [1]               upstream default 0.5; 0 = deterministic
//        speed       float32 [1]               informational: the frame count is taken from
//                                              `noise` (see below)
//   out  audio       float32 [1, 1, hop·Tf]    32 kHz, in [-1, 1]
//
// Speed: upstream resizes the encoder output to int(2·Ts / speed) + 1 frames (linear,
// align_corners False) when speed != 1. That count is computed in Python doubles from the
// user's decimal speed; an f32 `speed` input cannot reproduce it at every boundary (2·Ts = 18,
// speed 0.6: Python gives 31 frames, float32 arithmetic 30), so the graph takes Tf from
// `noise`'s time axis and the caller computes it with sovitsFrameCount (JS doubles, identical
// to Python). `speed` stays an input of the contract but no node reads it. A resize to the
// same length is the identity, so speed 1 needs no branch.
//
// Weight-normed layers (dec.ups, dec.resblocks.*.convs1/2, flow WN layers) are folded: the
// graph holds `<prefix>.weight` = g · v / ‖v‖ (norm over all axes but 0), which the checkpoint
// mapper computes from upstream's weight_g / weight_v; sovitsWeightNormNames lists them.
import { Graph } from '../builder';
import { conv1d, linear2d, param } from '../ops/nn';
import {
  couplingReverse,
  dimOf,
  flipChannels,
  hifiganStack,
  linearResize,
  melStyleEncoder,
  mrte,
  relPosEncoder,
  sliceChannels,
  type RelPosEncoderOpts,
  type WNOpts,
} from '../ops/vits';
import type { Init, WeightSource } from '../weights';

export interface SoVITSConfig {
  /** Bins of the reference spectrogram (n_fft 2048 -> 1025). */
  specBins: number;
  /** Bins the reference encoder reads: 704 (v2) or all 1025 (v1). */
  refBins: number;
  /** Width of the SSL (HuBERT) features and of the codebook vectors (768). */
  sslDim: number;
  /** Semantic codebook entries (1024). */
  codebookSize: number;
  /** Phone symbol table: 732 (v2) or 322 (v1). */
  textVocab: number;
  hidden: number;
  inter: number;
  filter: number;
  heads: number;
  /** Text encoder depth; the SSL encoder and encoder2 use layers / 2 each. */
  layers: number;
  kernelSize: number;
  /** Relative-position window of the attention encoders. */
  window: number;
  gin: number;
  /**
   * MRTE cross-attention width (hidden_size). `ge` is added at this width: it equals gin for v1/v2;
   * v2Pro/v2ProPlus map their wider ge down with ge_to512.
   */
  mrteHidden: number;
  /**
   * v2Pro/v2ProPlus: width of the speaker-verification embedding sv_emb reads (20480); absent for
   * v1/v2. Its presence is what makes a config a v2Pro-family one.
   */
  svDim?: number;
  mrteHeads: number;
  styleHidden: number;
  styleKernel: number;
  styleHeads: number;
  flows: number;
  flowWNLayers: number;
  flowKernel: number;
  flowDilationRate: number;
  resblockKernels: number[];
  resblockDilations: number[][];
  upsampleRates: number[];
  upsampleInitial: number;
  upsampleKernels: number[];
}

export const SOVITS_V2: SoVITSConfig = {
  specBins: 1025,
  refBins: 704,
  sslDim: 768,
  codebookSize: 1024,
  textVocab: 732,
  hidden: 192,
  inter: 192,
  filter: 768,
  heads: 2,
  layers: 6,
  kernelSize: 3,
  window: 4,
  gin: 512,
  mrteHidden: 512,
  mrteHeads: 4,
  styleHidden: 128,
  styleKernel: 5,
  styleHeads: 2,
  flows: 4,
  flowWNLayers: 4,
  flowKernel: 5,
  flowDilationRate: 1,
  resblockKernels: [3, 7, 11],
  resblockDilations: [
    [1, 3, 5],
    [1, 3, 5],
    [1, 3, 5],
  ],
  upsampleRates: [10, 8, 2, 2, 2],
  upsampleInitial: 512,
  upsampleKernels: [16, 16, 8, 2, 2],
};

export const SOVITS_V1: SoVITSConfig = { ...SOVITS_V2, refBins: 1025, textVocab: 322 };

/** configs/s2v2Pro.json: v2 with gin 1024 and the speaker-verification fusion. */
export const SOVITS_V2PRO: SoVITSConfig = { ...SOVITS_V2, gin: 1024, svDim: 20480 };
/** configs/s2v2ProPlus.json: v2Pro with a wider generator (768 channels, first kernel 20). */
export const SOVITS_V2PROPLUS: SoVITSConfig = { ...SOVITS_V2PRO, upsampleInitial: 768, upsampleKernels: [20, 16, 8, 2, 2] };

/** Small widths for tests; vocabularies, spectrogram bins, the 704-bin slice and hop 640 stay real. */
export const SOVITS_TINY: SoVITSConfig = {
  ...SOVITS_V2,
  sslDim: 32,
  hidden: 16,
  inter: 16,
  filter: 32,
  layers: 2,
  gin: 32,
  mrteHidden: 32,
  styleHidden: 16,
  upsampleInitial: 32,
};

/** Tiny v2Pro / v2ProPlus (scripts/make-v2pro-fixtures.py builds upstream's modules at these sizes). */
export const SOVITS_TINY_V2PRO: SoVITSConfig = { ...SOVITS_TINY, gin: 48, mrteHidden: 32, svDim: 2560 };
export const SOVITS_TINY_V2PROPLUS: SoVITSConfig = { ...SOVITS_TINY_V2PRO, upsampleInitial: 64, upsampleKernels: [20, 16, 8, 2, 2] };

/** Samples per encoder frame (product of the upsample rates, 640). */
export const sovitsHop = (cfg: SoVITSConfig) => cfg.upsampleRates.reduce((a, b) => a * b, 1);

/**
 * Decoder frames for `codeCount` semantic tokens: 2 per token, resized by upstream's
 * int(len / speed) + 1 when speed != 1 (JS doubles, like Python).
 */
export function sovitsFrameCount(codeCount: number, speed = 1): number {
  const frames = 2 * codeCount;
  return speed === 1 ? frames : Math.floor(frames / speed) + 1;
}

const embeddingInit: Init = { kind: 'normal', std: 1 };
const CODEBOOK = 'quantizer.vq.layers.0._codebook.embed';
const TEXT_EMBEDDING = 'enc_p.text_embedding.weight';

function encoderOpts(cfg: SoVITSConfig, layers: number): RelPosEncoderOpts {
  return { hidden: cfg.hidden, filter: cfg.filter, heads: cfg.heads, layers, kernel: cfg.kernelSize, window: cfg.window };
}

function flowWN(cfg: SoVITSConfig): WNOpts {
  return { hidden: cfg.hidden, kernel: cfg.flowKernel, dilationRate: cfg.flowDilationRate, layers: cfg.flowWNLayers, gin: cfg.gin };
}

function checkConfig(cfg: SoVITSConfig): void {
  if (!cfg.svDim && cfg.mrteHidden !== cfg.gin) throw new Error(`MRTE width ${cfg.mrteHidden} must equal gin ${cfg.gin} (ge is added at that width)`);
  if (cfg.refBins > cfg.specBins) throw new Error(`refBins ${cfg.refBins} > specBins ${cfg.specBins}`);
  if (cfg.upsampleInitial % 2 ** cfg.upsampleRates.length !== 0) throw new Error('upsampleInitial must halve evenly per stage');
}

/** Reference encoder graph: refer [1, specBins, F] (+ sv [1, svDim] for v2Pro) -> ge [1, gin, 1]. */
export function buildSoVITSRefEncoder(cfg: SoVITSConfig, ws: WeightSource): Graph {
  checkConfig(cfg);
  const g = new Graph('sovits_ref_enc');
  let spec = g.input('refer', 'float32', [1, cfg.specBins, 'F']);
  if (cfg.refBins < cfg.specBins) spec = sliceChannels(g, spec, 0, cfg.refBins);
  const rows = g.node('Transpose', [spec], { perm: [0, 2, 1] }); // [1, F, refBins]
  let ge = melStyleEncoder(g, ws, rows, 'ref_enc', {
    inDim: cfg.refBins,
    hidden: cfg.styleHidden,
    outDim: cfg.gin,
    kernel: cfg.styleKernel,
    heads: cfg.styleHeads,
  });
  if (cfg.svDim) {
    const sv = g.input('sv', 'float32', [1, cfg.svDim]);
    const speaker = g.node('Unsqueeze', [linear2d(g, ws, sv, 'sv_emb', cfg.svDim, cfg.gin), g.ints([2])]); // [1, gin, 1]
    // PReLU with one slope per channel: the slopes as [gin, 1] so they broadcast over axis 1.
    const slope = g.node('Reshape', [param(g, ws, 'prelu.weight', [cfg.gin], { kind: 'const', value: 0.25 }), g.ints([cfg.gin, 1])]);
    ge = g.node('PRelu', [g.node('Add', [ge, speaker]), slope]);
  }
  g.output(ge, 'ge', 'float32', [1, cfg.gin, 1]);
  return g;
}

/** The ge the MRTE adds: ge itself (v1/v2), or ge_to512(ge) for v2Pro/v2ProPlus. */
function mrteStyle(g: Graph, ws: WeightSource, cfg: SoVITSConfig, ge: string): string {
  if (!cfg.svDim) return ge;
  const row = g.node('Reshape', [ge, g.ints([1, cfg.gin])]);
  return g.node('Unsqueeze', [linear2d(g, ws, row, 'ge_to512', cfg.gin, cfg.mrteHidden), g.ints([2])]);
}

/**
 * quantizer.decode + nearest ×2 upsample: codes int64 [1, 1, Ts] -> [1, sslDim, 2·Ts]
 * (each codebook row taken twice, i.e. 50 Hz frames).
 */
export function sovitsCodesToFeatures(g: Graph, ws: WeightSource, cfg: SoVITSConfig, codes: string): string {
  const column = g.node('Reshape', [codes, g.ints([-1, 1])]);
  const twice = g.node('Reshape', [g.node('Concat', [column, column], { axis: 1 }), g.ints([-1])]); // [2·Ts]
  const codebook = param(g, ws, CODEBOOK, [cfg.codebookSize, cfg.sslDim], embeddingInit);
  const rows = g.node('Gather', [codebook, twice], { axis: 0 }); // [2·Ts, sslDim]
  return g.node('Unsqueeze', [g.node('Transpose', [rows], { perm: [1, 0] }), g.ints([0])]);
}

/**
 * enc_p (TextEncoder) for batch 1: ssl features [1, sslDim, Ty], phones int64 [1, Tt],
 * ge [1, gin, 1], `frames` int64 [1] (output length; Ty = identity) -> m_p, logs_p [1, inter, frames].
 */
export function sovitsTextEncoder(g: Graph, ws: WeightSource, cfg: SoVITSConfig, ssl: string, phones: string, ge: string, frames: string) {
  const y = sovitsTextEncoderHidden(g, ws, cfg, ssl, phones, ge, frames);
  const stats = conv1d(g, ws, y, 'enc_p.proj', cfg.hidden, 2 * cfg.inter, 1);
  return { mean: sliceChannels(g, stats, 0, cfg.inter), logScale: sliceChannels(g, stats, cfg.inter, 2 * cfg.inter) };
}

/**
 * enc_p up to its projection: the encoder2 output resized to `frames` [1, hidden, frames] (the `x`
 * TextEncoder.forward returns first, which v3/v4's decode_encp feeds to its bridge).
 */
export function sovitsTextEncoderHidden(g: Graph, ws: WeightSource, cfg: SoVITSConfig, ssl: string, phones: string, ge: string, frames: string): string {
  const half = Math.floor(cfg.layers / 2);
  let y = conv1d(g, ws, ssl, 'enc_p.ssl_proj', cfg.sslDim, cfg.hidden, 1);
  y = relPosEncoder(g, ws, y, 'enc_p.encoder_ssl', encoderOpts(cfg, half));
  const table = param(g, ws, TEXT_EMBEDDING, [cfg.textVocab, cfg.hidden], embeddingInit);
  let text = g.node('Transpose', [g.node('Gather', [table, phones], { axis: 0 })], { perm: [0, 2, 1] }); // [1, hidden, Tt]
  text = relPosEncoder(g, ws, text, 'enc_p.encoder_text', encoderOpts(cfg, cfg.layers));
  y = mrte(g, ws, y, text, ge, 'enc_p.mrte', { channels: cfg.hidden, hidden: cfg.mrteHidden, heads: cfg.mrteHeads });
  y = relPosEncoder(g, ws, y, 'enc_p.encoder2', encoderOpts(cfg, half));
  return linearResize(g, y, cfg.hidden, frames);
}

/** flow(z_p, g=ge, reverse=True): the last Flip first, then coupling layers 2·(n-1), ..., 0. */
export function sovitsFlowReverse(g: Graph, ws: WeightSource, cfg: SoVITSConfig, z: string, ge: string): string {
  for (let i = cfg.flows - 1; i >= 0; i--) {
    z = flipChannels(g, z, cfg.inter);
    z = couplingReverse(g, ws, z, ge, `flow.flows.${2 * i}`, cfg.inter, flowWN(cfg));
  }
  return z;
}

/** dec (Generator with cond ge): z [1, inter, T] -> audio [1, 1, hop·T]. */
export function sovitsGenerator(g: Graph, ws: WeightSource, cfg: SoVITSConfig, z: string, ge: string): string {
  let x = conv1d(g, ws, z, 'dec.conv_pre', cfg.inter, cfg.upsampleInitial, 7, { padding: 3 });
  x = g.node('Add', [x, conv1d(g, ws, ge, 'dec.cond', cfg.gin, cfg.upsampleInitial, 1)]);
  return hifiganStack(g, ws, x, 'dec', { ...cfg, channels: cfg.upsampleInitial, postBias: false });
}

/** Decoder graph (quantizer decode -> enc_p -> z_p -> flow reverse -> generator); see the header. */
export function buildSoVITSDecoder(cfg: SoVITSConfig, ws: WeightSource): Graph {
  checkConfig(cfg);
  const g = new Graph('sovits_decoder');
  const codes = g.input('codes', 'int64', [1, 1, 'Ts']);
  const phones = g.input('phones', 'int64', [1, 'Tt']);
  const ge = g.input('ge', 'float32', [1, cfg.gin, 1]);
  const noise = g.input('noise', 'float32', [1, cfg.inter, 'Tf']);
  const noiseScale = g.input('noise_scale', 'float32', [1]);
  g.input('speed', 'float32', [1]);

  const ssl = sovitsCodesToFeatures(g, ws, cfg, codes);
  const { mean, logScale } = sovitsTextEncoder(g, ws, cfg, ssl, phones, mrteStyle(g, ws, cfg, ge), dimOf(g, noise, 2));
  const zp = g.node('Add', [mean, g.node('Mul', [g.node('Mul', [noise, g.node('Exp', [logScale])]), noiseScale])]);
  const z = sovitsFlowReverse(g, ws, cfg, zp, ge);
  g.output(sovitsGenerator(g, ws, cfg, z, ge), 'audio', 'float32', [1, 1, 'samples']);
  return g;
}

// ---- parameter inventory -------------------------------------------------------------------

export type SoVITSPart = 'ref_enc' | 'quantizer' | 'enc_p' | 'flow' | 'dec';
type Shapes = [string, number[]][];

const conv = (out: Shapes, name: string, outC: number, inC: number, k: number, bias = true) => {
  out.push([`${name}.weight`, [outC, inC, k]]);
  if (bias) out.push([`${name}.bias`, [outC]]);
};
const lin = (out: Shapes, name: string, inF: number, outF: number) => {
  out.push([`${name}.weight`, [outF, inF]], [`${name}.bias`, [outF]]);
};

function encoderShapes(out: Shapes, cfg: SoVITSConfig, prefix: string, layers: number): void {
  const h = cfg.hidden;
  for (let i = 0; i < layers; i++) {
    const a = `${prefix}.attn_layers.${i}`;
    for (const c of ['conv_q', 'conv_k', 'conv_v', 'conv_o']) conv(out, `${a}.${c}`, h, h, 1);
    out.push([`${a}.emb_rel_k`, [1, 2 * cfg.window + 1, h / cfg.heads]], [`${a}.emb_rel_v`, [1, 2 * cfg.window + 1, h / cfg.heads]]);
    out.push([`${prefix}.norm_layers_1.${i}.gamma`, [h]], [`${prefix}.norm_layers_1.${i}.beta`, [h]]);
    conv(out, `${prefix}.ffn_layers.${i}.conv_1`, cfg.filter, h, cfg.kernelSize);
    conv(out, `${prefix}.ffn_layers.${i}.conv_2`, h, cfg.filter, cfg.kernelSize);
    out.push([`${prefix}.norm_layers_2.${i}.gamma`, [h]], [`${prefix}.norm_layers_2.${i}.beta`, [h]]);
  }
}

/** Every upstream parameter (or buffer) the two graphs use, with its shape, by network part. */
export function sovitsParameterShapesByPart(cfg: SoVITSConfig): Record<SoVITSPart, Shapes> {
  const ref: Shapes = [];
  const s = cfg.styleHidden;
  lin(ref, 'ref_enc.spectral.0.fc', cfg.refBins, s);
  lin(ref, 'ref_enc.spectral.3.fc', s, s);
  for (const t of [0, 1]) conv(ref, `ref_enc.temporal.${t}.conv1.conv`, 2 * s, s, cfg.styleKernel);
  for (const l of ['w_qs', 'w_ks', 'w_vs', 'fc']) lin(ref, `ref_enc.slf_attn.${l}`, s, s);
  lin(ref, 'ref_enc.fc.fc', s, cfg.gin);
  if (cfg.svDim) {
    lin(ref, 'sv_emb', cfg.svDim, cfg.gin);
    ref.push(['prelu.weight', [cfg.gin]]);
  }

  const half = Math.floor(cfg.layers / 2);
  const encP: Shapes = [];
  conv(encP, 'enc_p.ssl_proj', cfg.hidden, cfg.sslDim, 1);
  encoderShapes(encP, cfg, 'enc_p.encoder_ssl', half);
  encoderShapes(encP, cfg, 'enc_p.encoder_text', cfg.layers);
  encP.push([TEXT_EMBEDDING, [cfg.textVocab, cfg.hidden]]);
  for (const c of ['conv_q', 'conv_k', 'conv_v', 'conv_o']) conv(encP, `enc_p.mrte.cross_attention.${c}`, cfg.mrteHidden, cfg.mrteHidden, 1);
  conv(encP, 'enc_p.mrte.c_pre', cfg.mrteHidden, cfg.hidden, 1);
  conv(encP, 'enc_p.mrte.text_pre', cfg.mrteHidden, cfg.hidden, 1);
  conv(encP, 'enc_p.mrte.c_post', cfg.hidden, cfg.mrteHidden, 1);
  encoderShapes(encP, cfg, 'enc_p.encoder2', half);
  conv(encP, 'enc_p.proj', 2 * cfg.inter, cfg.hidden, 1);
  if (cfg.svDim) lin(encP, 'ge_to512', cfg.gin, cfg.mrteHidden);

  const flow: Shapes = [];
  const h = cfg.hidden;
  for (let i = 0; i < cfg.flows; i++) {
    const f = `flow.flows.${2 * i}`;
    conv(flow, `${f}.pre`, h, cfg.inter / 2, 1);
    conv(flow, `${f}.enc.cond_layer`, 2 * h * cfg.flowWNLayers, cfg.gin, 1);
    for (let l = 0; l < cfg.flowWNLayers; l++) {
      conv(flow, `${f}.enc.in_layers.${l}`, 2 * h, h, cfg.flowKernel);
      conv(flow, `${f}.enc.res_skip_layers.${l}`, l < cfg.flowWNLayers - 1 ? 2 * h : h, h, 1);
    }
    conv(flow, `${f}.post`, cfg.inter / 2, h, 1);
  }

  const dec: Shapes = [];
  conv(dec, 'dec.conv_pre', cfg.upsampleInitial, cfg.inter, 7);
  let ch = cfg.upsampleInitial;
  cfg.upsampleRates.forEach((_, i) => {
    dec.push([`dec.ups.${i}.weight`, [ch, ch / 2, cfg.upsampleKernels[i]]], [`dec.ups.${i}.bias`, [ch / 2]]);
    ch /= 2;
  });
  ch = cfg.upsampleInitial;
  cfg.upsampleRates.forEach((_, i) => {
    ch /= 2;
    cfg.resblockKernels.forEach((k, j) => {
      const r = `dec.resblocks.${i * cfg.resblockKernels.length + j}`;
      cfg.resblockDilations[j].forEach((_d, c) => conv(dec, `${r}.convs1.${c}`, ch, ch, k));
      cfg.resblockDilations[j].forEach((_d, c) => conv(dec, `${r}.convs2.${c}`, ch, ch, k));
    });
  });
  conv(dec, 'dec.conv_post', 1, ch, 7, false);
  conv(dec, 'dec.cond', cfg.upsampleInitial, cfg.gin, 1);

  return { ref_enc: ref, quantizer: [[CODEBOOK, [cfg.codebookSize, cfg.sslDim]]], enc_p: encP, flow, dec };
}

/** Every upstream name the two graphs use (weight-normed layers by their folded `.weight`). */
export function sovitsParameterNames(cfg: SoVITSConfig): string[] {
  return Object.values(sovitsParameterShapesByPart(cfg)).flatMap((part) => part.map(([name]) => name));
}

/**
 * Graph initializers that are weight-normed upstream: the checkpoint has `<layer>.weight_g`
 * [dims[0], 1, 1] and `<layer>.weight_v` (the weight's shape) instead of `<layer>.weight`.
 */
export function sovitsWeightNormNames(cfg: SoVITSConfig): string[] {
  const { flow, dec } = sovitsParameterShapesByPart(cfg);
  const normed = /^(dec\.ups\.\d+|dec\.resblocks\.\d+\.convs[12]\.\d+|flow\.flows\.\d+\.enc\.(cond_layer|in_layers\.\d+|res_skip_layers\.\d+))\.weight$/;
  return [...dec, ...flow].map(([name]) => name).filter((name) => normed.test(name));
}

// GPT-SoVITS v3/v4 SoVITS, the part before the flow-matching decoder (module/models.py
// SynthesizerTrnV3.decode_encp): semantic codes + phones + ge -> the CFM's condition `fea`.
// The reference encoder (ge) is v2's, built by buildSoVITSRefEncoder from the same config.
//
// buildSoVITSV3V4Encoder -> graph "sovits_v3v4_encoder"
//   in   codes        int64   [1, 1, Ts]      semantic tokens, 25 Hz
//        phones       int64   [1, Tt]
//        ge           float32 [1, gin, 1]
//        enc_frames   int64   [1]             enc_p output length: 2·Ts at speed 1, else int(2·Ts/speed) + 1
//        mel_frames   int64   [1]             wns1's mask length: int(Ts·k) at speed 1 else int(Ts·k/speed) + 1
//                                             (k = 3.875 for v3, 4 for v4); frames from there on are 0
//   out  fea          float32 [1, bridge, F]  F = enc_frames·2 (v4) or floor(enc_frames·1.875) (v3)
//
// enc_p (v2's TextEncoder, its encoder2 output before the projection, linearly resized to
// enc_frames) -> bridge (Conv1d 1×1 + LeakyReLU 0.01) -> nearest upsample (×2 v4, ×1.875 v3, with
// torch's index floor(i · float32(1/1.875))) -> wns1 (models.Encoder: pre 1×1, WN(kernel 5, 8
// layers, cond ge) masked to mel_frames, proj 1×1, masked).
import { Graph } from '../builder';
import { conv1d } from '../ops/nn';
import { dimOf, leakyRelu, wn } from '../ops/vits';
import type { WeightSource } from '../weights';
import { sovitsCodesToFeatures, sovitsParameterShapesByPart, sovitsTextEncoderHidden, type SoVITSConfig } from './sovits';

export interface SoVITSV3V4Config extends SoVITSConfig {
  /** Width after the bridge and of wns1 (inter_channels2, 512): the CFM's condition width. */
  bridge: number;
  wnLayers: number;
  wnKernel: number;
  /** Nearest upsampling of the bridge output: 2 (v4) or 1.875 (v3). */
  feaUpsample: number;
  /** Condition frames per code at speed 1 (decode_encp's sizee factor): 4 (v4) or 3.875 (v3). */
  framesPerCode: number;
}

/** Condition frames of `codeCount` semantic tokens: enc_p's length and wns1's mask length (JS doubles, as Python). */
export function v3v4FrameCounts(cfg: SoVITSV3V4Config, codeCount: number, speed = 1): { encFrames: number; melFrames: number; feaFrames: number } {
  const encFrames = speed === 1 ? 2 * codeCount : Math.floor((2 * codeCount) / speed) + 1;
  const melFrames = speed === 1 ? Math.floor(codeCount * cfg.framesPerCode) : Math.floor((codeCount * cfg.framesPerCode) / speed) + 1;
  return { encFrames, melFrames, feaFrames: Math.floor(encFrames * cfg.feaUpsample) };
}

export function buildSoVITSV3V4Encoder(cfg: SoVITSV3V4Config, ws: WeightSource): Graph {
  const g = new Graph('sovits_v3v4_encoder');
  const codes = g.input('codes', 'int64', [1, 1, 'Ts']);
  const phones = g.input('phones', 'int64', [1, 'Tt']);
  const ge = g.input('ge', 'float32', [1, cfg.gin, 1]);
  const encFrames = g.input('enc_frames', 'int64', [1]);
  const melFrames = g.input('mel_frames', 'int64', [1]);

  const ssl = sovitsCodesToFeatures(g, ws, cfg, codes);
  const y = sovitsTextEncoderHidden(g, ws, cfg, ssl, phones, ge, encFrames);
  let fea = leakyRelu(g, conv1d(g, ws, y, 'bridge.0', cfg.hidden, cfg.bridge, 1), 0.01);
  fea = nearestUpsample(g, fea, encFrames, cfg.feaUpsample);

  const length = dimOf(g, fea, 2);
  const pos = g.node('Range', [g.int(0), g.node('Squeeze', [length, g.ints([0])]), g.int(1)]);
  const mask = g.node('Cast', [g.node('Less', [pos, melFrames])], { to: 1 }); // [F], broadcasts over [1, C, F]
  let h = g.node('Mul', [conv1d(g, ws, fea, 'wns1.pre', cfg.bridge, cfg.bridge, 1), mask]);
  h = wn(g, ws, h, ge, 'wns1.enc', { hidden: cfg.bridge, kernel: cfg.wnKernel, dilationRate: 1, layers: cfg.wnLayers, gin: cfg.gin }, mask);
  const out = g.node('Mul', [conv1d(g, ws, h, 'wns1.proj', cfg.bridge, cfg.bridge, 1), mask]);
  g.output(out, 'fea', 'float32', [1, cfg.bridge, 'F']);
  return g;
}

/**
 * F.interpolate(x, scale_factor=s, mode="nearest") on [1, C, T]: T·s frames (s = 2: each frame
 * twice; otherwise floor(T·s) frames, source floor(i · float32(1/s)), as torch computes it).
 */
function nearestUpsample(g: Graph, x: string, length: string, s: number): string {
  if (s === 2) {
    const both = g.node('Concat', [g.node('Unsqueeze', [x, g.ints([3])]), g.node('Unsqueeze', [x, g.ints([3])])], { axis: 3 }); // [1, C, T, 2]
    const shape = g.node('Concat', [g.ints([1, 0]), g.node('Mul', [length, g.ints([2])])], { axis: 0 });
    return g.node('Reshape', [both, shape]);
  }
  const [num, den] = rational(s);
  const outLen = g.node('Div', [g.node('Mul', [length, g.ints([num])]), g.ints([den])]); // floor for non-negative int64
  const dst = g.node('Cast', [g.node('Range', [g.int(0), g.node('Squeeze', [outLen, g.ints([0])]), g.int(1)])], { to: 1 });
  let src = g.node('Cast', [g.node('Floor', [g.node('Mul', [dst, g.float(Math.fround(1 / s))])])], { to: 7 });
  src = g.node('Min', [src, g.node('Sub', [length, g.ints([1])])]);
  return g.node('Gather', [x, src], { axis: 2 });
}

/** s as num/den with a small denominator (1.875 = 15/8). */
function rational(s: number): [number, number] {
  for (let den = 1; den <= 64; den++) if (Number.isInteger(s * den)) return [s * den, den];
  throw new Error(`upsample factor ${s} is not a small fraction`);
}

type Shapes = [string, number[]][];

/** Every upstream parameter the v3/v4 encoder (and its reference encoder) reads, with its shape. */
export function sovitsV3V4EncoderShapes(cfg: SoVITSV3V4Config): { ref_enc: Shapes; encoder: Shapes } {
  const parts = sovitsParameterShapesByPart(cfg);
  const enc: Shapes = [...parts.quantizer, ...parts.enc_p.filter(([n]) => !n.startsWith('enc_p.proj.'))];
  const c = cfg.bridge;
  enc.push(['bridge.0.weight', [c, cfg.hidden, 1]], ['bridge.0.bias', [c]]);
  enc.push(['wns1.pre.weight', [c, c, 1]], ['wns1.pre.bias', [c]]);
  enc.push(['wns1.enc.cond_layer.weight', [2 * c * cfg.wnLayers, cfg.gin, 1]], ['wns1.enc.cond_layer.bias', [2 * c * cfg.wnLayers]]);
  for (let l = 0; l < cfg.wnLayers; l++) {
    enc.push([`wns1.enc.in_layers.${l}.weight`, [2 * c, c, cfg.wnKernel]], [`wns1.enc.in_layers.${l}.bias`, [2 * c]]);
    const rs = l < cfg.wnLayers - 1 ? 2 * c : c;
    enc.push([`wns1.enc.res_skip_layers.${l}.weight`, [rs, c, 1]], [`wns1.enc.res_skip_layers.${l}.bias`, [rs]]);
  }
  enc.push(['wns1.proj.weight', [c, c, 1]], ['wns1.proj.bias', [c]]);
  return { ref_enc: parts.ref_enc, encoder: enc };
}

/** Weights upstream builds but decode_encp never reads (enc_p's projection, the training-only linear_mel). */
export const V3V4_UNUSED = /^(enc_p\.proj\.|linear_mel\.)/;

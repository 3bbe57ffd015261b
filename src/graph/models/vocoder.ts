// The v4 vocoder: upstream's HiFi-GAN Generator (module/models.py) as TTS.py init_vocoder builds it
// for v4 (in 100 mel bins, ResBlock1 kernels 3/7/11 dilations 1/3/5, upsample 10·6·2·2·2 = 480,
// 512 channels, kernels 20/12/4/4/4, no speaker condition, conv_post with bias), weight norm
// removed: `vocoder.pth` is a plain state dict (conv_pre, ups.i, resblocks.j.convs{1,2}.k, conv_post).
//
// buildVocoder -> graph "vocoder"
//   in   mel    float32 [1, melBins, F]     log mel (denormalised CFM output)
//   out  audio  float32 [1, 1, hop·F]       48 kHz for v4 (hop 480), in [-1, 1]
import { Graph } from '../builder';
import { conv1d } from '../ops/nn';
import { hifiganStack } from '../ops/vits';
import type { WeightSource } from '../weights';

export interface HiFiGANConfig {
  melBins: number;
  upsampleRates: number[];
  upsampleInitial: number;
  upsampleKernels: number[];
  resblockKernels: number[];
  resblockDilations: number[][];
  /** conv_post has a bias (is_bias=True for v4's vocoder). */
  postBias: boolean;
  /** Output sample rate (for the manifest and the player). */
  sampleRate: number;
}

export const VOCODER_V4: HiFiGANConfig = {
  melBins: 100,
  upsampleRates: [10, 6, 2, 2, 2],
  upsampleInitial: 512,
  upsampleKernels: [20, 12, 4, 4, 4],
  resblockKernels: [3, 7, 11],
  resblockDilations: [
    [1, 3, 5],
    [1, 3, 5],
    [1, 3, 5],
  ],
  postBias: true,
  sampleRate: 48000,
};

/** The tiny vocoder of scripts/make-v3v4-fixtures.py (32 channels). */
export const VOCODER_TINY: HiFiGANConfig = { ...VOCODER_V4, upsampleInitial: 32 };

export const vocoderHop = (cfg: HiFiGANConfig) => cfg.upsampleRates.reduce((a, b) => a * b, 1);

export function buildVocoder(cfg: HiFiGANConfig, ws: WeightSource): Graph {
  const g = new Graph('vocoder');
  const mel = g.input('mel', 'float32', [1, cfg.melBins, 'F']);
  const x = conv1d(g, ws, mel, 'conv_pre', cfg.melBins, cfg.upsampleInitial, 7, { padding: 3 });
  const audio = hifiganStack(g, ws, x, '', { ...cfg, channels: cfg.upsampleInitial, postBias: cfg.postBias });
  g.output(audio, 'audio', 'float32', [1, 1, 'samples']);
  return g;
}

/** Every parameter of the vocoder, with its shape (the state dict of vocoder.pth). */
export function vocoderParameterShapes(cfg: HiFiGANConfig): [string, number[]][] {
  const out: [string, number[]][] = [];
  const conv = (name: string, o: number, i: number, k: number, bias = true) => {
    out.push([`${name}.weight`, [o, i, k]]);
    if (bias) out.push([`${name}.bias`, [o]]);
  };
  conv('conv_pre', cfg.upsampleInitial, cfg.melBins, 7);
  let ch = cfg.upsampleInitial;
  cfg.upsampleRates.forEach((_, i) => {
    out.push([`ups.${i}.weight`, [ch, ch / 2, cfg.upsampleKernels[i]]], [`ups.${i}.bias`, [ch / 2]]);
    ch /= 2;
  });
  ch = cfg.upsampleInitial;
  cfg.upsampleRates.forEach((_, i) => {
    ch /= 2;
    cfg.resblockKernels.forEach((k, j) => {
      const r = `resblocks.${i * cfg.resblockKernels.length + j}`;
      cfg.resblockDilations[j].forEach((_d, c) => conv(`${r}.convs1.${c}`, ch, ch, k));
      cfg.resblockDilations[j].forEach((_d, c) => conv(`${r}.convs2.${c}`, ch, ch, k));
    });
  });
  conv('conv_post', 1, ch, 7, cfg.postBias);
  return out;
}

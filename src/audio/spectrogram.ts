// The SoVITS reference ("style") spectrogram as upstream computes it for `ge`:
// 32 kHz mono; if max|x| > 1 divide by min(2, max|x|); reflect-pad (n_fft − hop)/2 = 704 samples
// on both sides; frames of 2048 every 640 samples with no further centring; periodic Hann window
// of 2048; one-sided DFT; magnitude sqrt(re² + im² + eps). Output is row-major [1025, F]
// (bins × frames; the model input is this with a leading batch dim, [1, 1025, F]) with
// F = floor((N + 1408 − 2048) / 640) + 1. Not log-compressed, not mel. Pure (no DOM).
import { MynahError } from '../errors';
import { FFT } from './fft';

export const SPEC_N_FFT = 2048;
export const SPEC_HOP = 640;
export const SPEC_WIN = 2048;
export const SPEC_BINS = SPEC_N_FFT / 2 + 1;
/** upstream's inference path (module/mel_processing.spectrogram_torch) adds 1e-8; its onnx_export.py copy adds 1e-6. */
export const SPEC_EPS_UPSTREAM = 1e-8;
export const SPEC_EPS_ONNX_EXPORT = 1e-6;

export interface Spectrogram {
  /** Row-major [bins, frames]: data[bin * frames + frame]. */
  data: Float32Array;
  bins: number;
  frames: number;
}

export interface SpectrogramOptions {
  /** Added under the square root; default upstream's 1e-8. */
  eps?: number;
}

/** Frame count for `n` input samples (after the symmetric reflect padding). */
export function spectrogramFrames(n: number): number {
  const padded = n + (SPEC_N_FFT - SPEC_HOP);
  return padded < SPEC_N_FFT ? 0 : Math.floor((padded - SPEC_N_FFT) / SPEC_HOP) + 1;
}

/** Periodic Hann window (torch.hann_window default): 0.5 − 0.5·cos(2πn/N). */
export function periodicHann(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
  return w;
}

/** Reflect padding without repeating the edge sample (torch 'reflect'). Requires pad < x.length. */
export function reflectPad(x: ArrayLike<number>, pad: number): Float64Array {
  const n = x.length;
  if (pad >= n) throw new RangeError(`reflect padding of ${pad} needs more than ${pad} samples, got ${n}`);
  const out = new Float64Array(n + 2 * pad);
  for (let i = 0; i < pad; i++) out[i] = x[pad - i];
  for (let i = 0; i < n; i++) out[pad + i] = x[i];
  for (let i = 0; i < pad; i++) out[pad + n + i] = x[n - 2 - i];
  return out;
}

/** The scaling upstream applies before the STFT: if max|x| > 1 divide by min(2, max|x|). */
export function upstreamPeakScale(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  return m > 1 ? 1 / Math.min(2, m) : 1;
}

let fft2048: FFT | undefined;

/** The reference spectrogram of 32 kHz mono audio. */
export function referenceSpectrogram(x32k: Float32Array, opts: SpectrogramOptions = {}): Spectrogram {
  const eps = opts.eps ?? SPEC_EPS_UPSTREAM;
  const pad = (SPEC_N_FFT - SPEC_HOP) / 2;
  if (x32k.length <= pad)
    throw new MynahError('REF_TOO_SHORT', `The reference is too short for a spectrogram (${x32k.length} samples at 32 kHz). Use 3–10 seconds of speech.`);
  const scale = upstreamPeakScale(x32k);
  const scaled = scale === 1 ? x32k : x32k.map((v) => v * scale);
  const padded = reflectPad(scaled, pad);
  const frames = spectrogramFrames(x32k.length);
  const win = periodicHann(SPEC_WIN);
  fft2048 ??= new FFT(SPEC_N_FFT);
  const re = new Float64Array(SPEC_N_FFT);
  const im = new Float64Array(SPEC_N_FFT);
  const data = new Float32Array(SPEC_BINS * frames);
  for (let f = 0; f < frames; f++) {
    const start = f * SPEC_HOP;
    for (let i = 0; i < SPEC_N_FFT; i++) {
      re[i] = padded[start + i] * win[i];
      im[i] = 0;
    }
    fft2048.transform(re, im);
    for (let k = 0; k < SPEC_BINS; k++) data[k * frames + f] = Math.sqrt(re[k] * re[k] + im[k] * im[k] + eps);
  }
  return { data, bins: SPEC_BINS, frames };
}

// Kaldi-style log mel filterbank, as upstream's GPT_SoVITS/eres2net/kaldi.py computes it for the
// speaker-verification model of v2Pro/v2ProPlus (sv.py: fbank(wav16k, num_mel_bins=80,
// sample_frequency=16000, dither=0), every other option at its default):
//   frames of 25 ms (400 samples) every 10 ms (160), only whole frames (snip_edges);
//   per frame: remove the DC offset, pre-emphasis 0.97 (the first sample against itself), Povey
//   window (symmetric Hann ^ 0.85), zero-pad to 512, power spectrum;
//   80 triangular mel filters between 20 Hz and Nyquist on the mel scale 1127·ln(1 + f/700), over
//   FFT bins 0..255 (the Nyquist bin gets weight 0); log with a floor at float32 epsilon.
// Computed in float64 (torch works in float32; the difference is far below its rounding).
import { MynahError } from '../errors';
import { FFT } from './fft';

export const FBANK_RATE = 16000;
export const FBANK_BINS = 80;
const FRAME = 400;
const SHIFT = 160;
const PADDED = 512;
const PREEMPHASIS = 0.97;
const LOW_HZ = 20;
const FLOAT32_EPS = 1.1920928955078125e-7;

export interface Fbank {
  /** Row-major [frames, bins]. Model shape [1, frames, bins]. */
  data: Float32Array;
  frames: number;
  bins: number;
}

/** Whole frames in `n` samples (snip_edges). */
export function fbankFrames(n: number): number {
  return n < FRAME ? 0 : 1 + Math.floor((n - FRAME) / SHIFT);
}

let window: Float64Array | undefined;
let banks: { first: Int32Array; weights: Float64Array[] } | undefined;
let fft: FFT | undefined;

function poveyWindow(): Float64Array {
  const w = new Float64Array(FRAME);
  for (let i = 0; i < FRAME; i++) w[i] = Math.pow(0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (FRAME - 1)), 0.85);
  return w;
}

const mel = (hz: number) => 1127 * Math.log(1 + hz / 700);

/** Each filter as its first nonzero FFT bin and the weights from there. */
function melBanks(): { first: Int32Array; weights: Float64Array[] } {
  const fftBins = PADDED / 2;
  const binHz = FBANK_RATE / PADDED;
  const lo = mel(LOW_HZ);
  const hi = mel(FBANK_RATE / 2);
  const delta = (hi - lo) / (FBANK_BINS + 1);
  const first = new Int32Array(FBANK_BINS);
  const weights: Float64Array[] = [];
  for (let b = 0; b < FBANK_BINS; b++) {
    const left = lo + b * delta;
    const center = lo + (b + 1) * delta;
    const right = lo + (b + 2) * delta;
    const row = new Float64Array(fftBins);
    let start = -1;
    let end = -1;
    for (let k = 0; k < fftBins; k++) {
      const m = mel(binHz * k);
      const v = Math.max(0, Math.min((m - left) / (center - left), (right - m) / (right - center)));
      row[k] = v;
      if (v > 0) {
        if (start < 0) start = k;
        end = k + 1;
      }
    }
    first[b] = Math.max(0, start);
    weights.push(row.slice(Math.max(0, start), Math.max(0, end)));
  }
  return { first, weights };
}

/** Log mel filterbank of 16 kHz mono audio: [frames, 80]. */
export function kaldiFbank(wav16k: Float32Array): Fbank {
  const frames = fbankFrames(wav16k.length);
  if (frames === 0) {
    throw new MynahError('REF_TOO_SHORT', `The reference is too short for the speaker-verification features (${wav16k.length} samples at 16 kHz). Use 3–10 seconds of speech.`);
  }
  window ??= poveyWindow();
  banks ??= melBanks();
  fft ??= new FFT(PADDED);
  const re = new Float64Array(PADDED);
  const im = new Float64Array(PADDED);
  const power = new Float64Array(PADDED / 2);
  const data = new Float32Array(frames * FBANK_BINS);
  for (let f = 0; f < frames; f++) {
    const start = f * SHIFT;
    let mean = 0;
    for (let i = 0; i < FRAME; i++) mean += wav16k[start + i];
    mean /= FRAME;
    // Pre-emphasis reads the previous (DC-removed) sample; the first one is its own predecessor.
    let prev = wav16k[start] - mean;
    for (let i = 0; i < FRAME; i++) {
      const x = wav16k[start + i] - mean;
      re[i] = (x - PREEMPHASIS * prev) * window[i];
      prev = x;
    }
    re.fill(0, FRAME);
    im.fill(0);
    fft.transform(re, im);
    for (let k = 0; k < PADDED / 2; k++) power[k] = re[k] * re[k] + im[k] * im[k];
    for (let b = 0; b < FBANK_BINS; b++) {
      const w = banks.weights[b];
      const k0 = banks.first[b];
      let e = 0;
      for (let k = 0; k < w.length; k++) e += power[k0 + k] * w[k];
      data[f * FBANK_BINS + b] = Math.log(Math.max(e, FLOAT32_EPS));
    }
  }
  return { data, frames, bins: FBANK_BINS };
}

// The v3/v4 reference mel as upstream computes it (module/mel_processing.mel_spectrogram_torch via
// TTS.py mel_fn / mel_fn_v4): reflect-pad (n_fft − hop)/2 on both sides, frames of n_fft every hop
// with no further centring, periodic Hann window of win, one-sided DFT, magnitude
// sqrt(re² + im² + 1e-8), librosa's mel filters (Slaney scale, Slaney area normalisation, fmin 0,
// fmax sr/2), natural log of max(x, 1e-5). Output [bins, frames] row-major. n_fft need not be a
// power of two (v4's is 1280): Bluestein's algorithm over the radix-2 FFT. Pure (no DOM).
import { FFT, nextPow2 } from './fft';
import { periodicHann, reflectPad } from './spectrogram';

export interface MelOptions {
  sampleRate: number;
  nFft: number;
  hop: number;
  win: number;
  bins: number;
}

/** librosa's hz_to_mel / mel_to_hz with htk=False (linear below 1 kHz, log above). */
const F_SP = 200 / 3;
const MIN_LOG_HZ = 1000;
const MIN_LOG_MEL = MIN_LOG_HZ / F_SP;
const LOGSTEP = Math.log(6.4) / 27;
const hzToMel = (f: number) => (f >= MIN_LOG_HZ ? MIN_LOG_MEL + Math.log(f / MIN_LOG_HZ) / LOGSTEP : f / F_SP);
const melToHz = (m: number) => (m >= MIN_LOG_MEL ? MIN_LOG_HZ * Math.exp(LOGSTEP * (m - MIN_LOG_MEL)) : F_SP * m);

/** librosa.filters.mel(sr, n_fft, n_mels) (fmin 0, fmax sr/2, Slaney norm): [bins, n_fft/2 + 1], float32 like librosa. */
export function melFilters(sampleRate: number, nFft: number, bins: number): Float32Array {
  const nFreq = Math.floor(nFft / 2) + 1;
  const out = new Float32Array(bins * nFreq);
  const fft = Array.from({ length: nFreq }, (_, k) => (k * sampleRate) / nFft);
  const maxMel = hzToMel(sampleRate / 2);
  const mel = Array.from({ length: bins + 2 }, (_, i) => melToHz((maxMel * i) / (bins + 1)));
  for (let i = 0; i < bins; i++) {
    const lowDiff = mel[i + 1] - mel[i];
    const highDiff = mel[i + 2] - mel[i + 1];
    const enorm = 2 / (mel[i + 2] - mel[i]);
    for (let k = 0; k < nFreq; k++) {
      const lower = -(mel[i] - fft[k]) / lowDiff;
      const upper = (mel[i + 2] - fft[k]) / highDiff;
      // librosa stores the triangle in a float32 array, then scales it (in float64, stored as float32)
      out[i * nFreq + k] = Math.fround(Math.fround(Math.max(0, Math.min(lower, upper))) * enorm);
    }
  }
  return out;
}

/** One-sided DFT of real frames of any length n (radix-2 when n is a power of two, else Bluestein). */
export class RealDFT {
  private readonly fft: FFT;
  private readonly m: number;
  private readonly wr?: Float64Array;
  private readonly wi?: Float64Array;
  private readonly br?: Float64Array;
  private readonly bi?: Float64Array;
  private readonly ar: Float64Array;
  private readonly ai: Float64Array;

  constructor(readonly n: number) {
    const pow2 = (n & (n - 1)) === 0;
    this.m = pow2 ? n : nextPow2(2 * n - 1);
    this.fft = new FFT(this.m);
    this.ar = new Float64Array(this.m);
    this.ai = new Float64Array(this.m);
    if (pow2) return;
    // chirp w_k = exp(-iπk²/n); b = conj(w), wrapped, transformed once.
    this.wr = new Float64Array(n);
    this.wi = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const a = (Math.PI * ((k * k) % (2 * n))) / n;
      this.wr[k] = Math.cos(a);
      this.wi[k] = -Math.sin(a);
    }
    this.br = new Float64Array(this.m);
    this.bi = new Float64Array(this.m);
    for (let k = 0; k < n; k++) {
      this.br[k] = this.wr[k];
      this.bi[k] = -this.wi[k];
      if (k) {
        this.br[this.m - k] = this.wr[k];
        this.bi[this.m - k] = -this.wi[k];
      }
    }
    this.fft.transform(this.br, this.bi);
  }

  /** |X[k]|² for k = 0..n/2 of the real frame x (length n). */
  power(x: ArrayLike<number>, out: Float64Array): void {
    const { n, ar, ai } = this;
    const bins = Math.floor(n / 2) + 1;
    if (!this.wr) {
      for (let i = 0; i < n; i++) {
        ar[i] = x[i];
        ai[i] = 0;
      }
      this.fft.transform(ar, ai);
      for (let k = 0; k < bins; k++) out[k] = ar[k] * ar[k] + ai[k] * ai[k];
      return;
    }
    const { wr, wi, br, bi } = this as Required<RealDFT> & { wr: Float64Array; wi: Float64Array; br: Float64Array; bi: Float64Array };
    ar.fill(0);
    ai.fill(0);
    for (let i = 0; i < n; i++) {
      ar[i] = x[i] * wr[i];
      ai[i] = x[i] * wi[i];
    }
    this.fft.transform(ar, ai);
    for (let k = 0; k < this.m; k++) {
      const r = ar[k] * br[k] - ai[k] * bi[k];
      const i = ar[k] * bi[k] + ai[k] * br[k];
      ar[k] = r;
      ai[k] = i;
    }
    this.fft.transform(ar, ai, true);
    for (let k = 0; k < bins; k++) {
      const r = ar[k] * wr[k] - ai[k] * wi[k];
      const i = ar[k] * wi[k] + ai[k] * wr[k];
      out[k] = r * r + i * i;
    }
  }
}

/** Frames mel_spectrogram_torch gives for `n` samples. */
export function melFrameCount(n: number, o: MelOptions): number {
  const padded = n + 2 * Math.floor((o.nFft - o.hop) / 2);
  return padded < o.nFft ? 0 : Math.floor((padded - o.nFft) / o.hop) + 1;
}

const cache = new Map<string, { dft: RealDFT; filters: Float32Array; window: Float64Array }>();

/** Log-mel [bins, frames] of mono audio at o.sampleRate, as upstream's mel_spectrogram_torch. */
export function logMel(x: Float32Array, o: MelOptions): { data: Float32Array; bins: number; frames: number } {
  if (o.win !== o.nFft) throw new Error('mel: win must equal n_fft');
  const key = `${o.sampleRate}/${o.nFft}/${o.bins}`;
  let c = cache.get(key);
  if (!c) {
    c = { dft: new RealDFT(o.nFft), filters: melFilters(o.sampleRate, o.nFft, o.bins), window: periodicHann(o.win) };
    cache.set(key, c);
  }
  const pad = Math.floor((o.nFft - o.hop) / 2);
  const padded = reflectPad(x, pad);
  const frames = melFrameCount(x.length, o);
  const nFreq = Math.floor(o.nFft / 2) + 1;
  const frame = new Float64Array(o.nFft);
  const power = new Float64Array(nFreq);
  const mag = new Float64Array(nFreq);
  const out = new Float32Array(o.bins * frames);
  for (let f = 0; f < frames; f++) {
    const start = f * o.hop;
    for (let i = 0; i < o.nFft; i++) frame[i] = padded[start + i] * c.window[i];
    c.dft.power(frame, power);
    for (let k = 0; k < nFreq; k++) mag[k] = Math.sqrt(power[k] + 1e-8);
    for (let b = 0; b < o.bins; b++) {
      let s = 0;
      const row = b * nFreq;
      for (let k = 0; k < nFreq; k++) s += c.filters[row + k] * mag[k];
      out[b * frames + f] = Math.log(Math.max(s, 1e-5));
    }
  }
  return { data: out, bins: o.bins, frames };
}

// Loudness measurement per ITU-R BS.1770-4 (K-weighting, 400 ms blocks with 75 % overlap, absolute
// gate −70 LUFS, relative gate −10 LU) and normalization to a target with a peak ceiling.
// K-weighting filters are designed for any sample rate from their analogue parameters (the
// published 48 kHz coefficients are reproduced to ~1e-8). Pure (no DOM).

interface Biquad {
  b0: number;
  b1: number;
  b2: number;
  a1: number;
  a2: number;
}

// Analogue parameters of BS.1770's K-weighting (as derived by B. De Man and used by libebur128):
// a high shelf (+4 dB above ~1.7 kHz) followed by a second-order high-pass at ~38 Hz, mapped to
// any sample rate with the bilinear transform (K = tan(π·fc/fs)).
const SHELF = { gainDb: 3.999843853973347, q: 0.7071752369554196, fc: 1681.974450955533, vbExp: 0.4996667741545416 };
const HIGHPASS = { q: 0.5003270373238773, fc: 38.13547087602444 };

export function kWeightingFilters(sampleRate: number): [Biquad, Biquad] {
  let K = Math.tan((Math.PI * SHELF.fc) / sampleRate);
  const vh = Math.pow(10, SHELF.gainDb / 20);
  const vb = Math.pow(vh, SHELF.vbExp);
  let a0 = 1 + K / SHELF.q + K * K;
  const shelf: Biquad = {
    b0: (vh + (vb * K) / SHELF.q + K * K) / a0,
    b1: (2 * (K * K - vh)) / a0,
    b2: (vh - (vb * K) / SHELF.q + K * K) / a0,
    a1: (2 * (K * K - 1)) / a0,
    a2: (1 - K / SHELF.q + K * K) / a0,
  };
  K = Math.tan((Math.PI * HIGHPASS.fc) / sampleRate);
  a0 = 1 + K / HIGHPASS.q + K * K;
  // The standard writes the high-pass numerator as [1, −2, 1].
  const hp: Biquad = { b0: 1, b1: -2, b2: 1, a1: (2 * (K * K - 1)) / a0, a2: (1 - K / HIGHPASS.q + K * K) / a0 };
  return [shelf, hp];
}

function filter(x: ArrayLike<number>, f: Biquad): Float64Array {
  const y = new Float64Array(x.length);
  let x1 = 0, x2 = 0, y1 = 0, y2 = 0;
  for (let i = 0; i < x.length; i++) {
    const v = f.b0 * x[i] + f.b1 * x1 + f.b2 * x2 - f.a1 * y1 - f.a2 * y2;
    x2 = x1;
    x1 = x[i];
    y2 = y1;
    y1 = v;
    y[i] = v;
  }
  return y;
}

/** Integrated loudness of mono audio in LUFS; −Infinity when everything is below the absolute gate. */
export function integratedLoudness(x: Float32Array, sampleRate: number): number {
  const [shelf, hp] = kWeightingFilters(sampleRate);
  const y = filter(filter(x, shelf), hp);
  const block = Math.round(0.4 * sampleRate);
  const step = Math.round(0.1 * sampleRate);
  const cum = new Float64Array(y.length + 1);
  for (let i = 0; i < y.length; i++) cum[i + 1] = cum[i] + y[i] * y[i];
  const z: number[] = [];
  if (y.length < block) {
    if (y.length > 0) z.push(cum[y.length] / y.length);
  } else {
    for (let s = 0; s + block <= y.length; s += step) z.push((cum[s + block] - cum[s]) / block);
  }
  const lufs = (ms: number) => -0.691 + 10 * Math.log10(ms);
  const aboveAbs = z.filter((v) => lufs(v) > -70);
  if (aboveAbs.length === 0) return -Infinity;
  const relGate = lufs(aboveAbs.reduce((s, v) => s + v, 0) / aboveAbs.length) - 10;
  const gated = aboveAbs.filter((v) => lufs(v) > relGate);
  return lufs(gated.reduce((s, v) => s + v, 0) / gated.length);
}

export interface LoudnessOptions {
  /** Target integrated loudness, LUFS (default −20, a usual level for clean speech). */
  targetLufs?: number;
  /** The peak never exceeds this after the gain, dBFS (default −1). */
  peakCeilingDb?: number;
}

export interface LoudnessResult {
  audio: Float32Array;
  inputLufs: number;
  outputLufs: number;
  gainDb: number;
  /** The gain was lowered to keep the peak under the ceiling, so the target was not reached. */
  peakLimited: boolean;
}

/** Applies one gain so the integrated loudness meets the target, unless the peak ceiling forbids it. */
export function normalizeLoudness(x: Float32Array, sampleRate: number, opts: LoudnessOptions = {}): LoudnessResult {
  const target = opts.targetLufs ?? -20;
  const ceiling = Math.pow(10, (opts.peakCeilingDb ?? -1) / 20);
  const inputLufs = integratedLoudness(x, sampleRate);
  if (!Number.isFinite(inputLufs)) return { audio: x.slice(), inputLufs, outputLufs: inputLufs, gainDb: 0, peakLimited: false };
  let gain = Math.pow(10, (target - inputLufs) / 20);
  let pk = 0;
  for (let i = 0; i < x.length; i++) pk = Math.max(pk, Math.abs(x[i]));
  let peakLimited = false;
  if (pk * gain > ceiling) {
    gain = ceiling / pk;
    peakLimited = true;
  }
  const audio = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) audio[i] = x[i] * gain;
  const gainDb = 20 * Math.log10(gain);
  return { audio, inputLufs, outputLufs: inputLufs + gainDb, gainDb, peakLimited };
}

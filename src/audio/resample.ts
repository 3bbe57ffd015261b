// Band-limited sample-rate conversion: a polyphase windowed-sinc (Kaiser) filter evaluated at
// the exact rational positions n·(from/to). Pure (no DOM), so it runs in Node and workers.
//
// Default design: 64 zero crossings per side at the lower rate, Kaiser β = 10 (≈ −100 dB
// sidelobes), cutoff 0.945 × the lower Nyquist. The transition band is about 0.1 × Nyquist wide,
// so the passband is flat to ~0.9 × Nyquist and everything above ~0.995 × Nyquist is rejected.

export interface ResampleOptions {
  /** Zero crossings of the sinc on each side, counted at the lower of the two rates. */
  zeros?: number;
  /** Kaiser window β. */
  beta?: number;
  /** Cutoff as a fraction of the lower rate's Nyquist frequency. */
  rolloff?: number;
}

export const DEFAULT_RESAMPLE: Required<ResampleOptions> = { zeros: 64, beta: 10, rolloff: 0.945 };

/** Phases kept in a table beyond which neighbouring phases are interpolated linearly. */
const MAX_PHASES = 4096;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Modified Bessel function of the first kind, order 0 (power series). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 200; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

interface Kernel {
  up: number; // L
  down: number; // M
  phases: number; // table rows (L, or MAX_PHASES when L is larger)
  taps: number; // 2K
  half: number; // K
  table: Float64Array; // (phases + 1) rows × taps; the extra row allows interpolation at phase → 1
}

const kernels = new Map<string, Kernel>();

function designKernel(up: number, down: number, o: Required<ResampleOptions>): Kernel {
  const key = `${up}/${down}/${o.zeros}/${o.beta}/${o.rolloff}`;
  const hit = kernels.get(key);
  if (hit) return hit;
  // Cutoff in cycles per input sample, doubled: the sinc argument scale.
  const twoFc = o.rolloff * Math.min(1, up / down);
  const halfWidth = o.zeros / twoFc; // in input samples
  const half = Math.ceil(halfWidth);
  const taps = 2 * half;
  const phases = Math.min(up, MAX_PHASES);
  const table = new Float64Array((phases + 1) * taps);
  const i0beta = besselI0(o.beta);
  for (let p = 0; p <= phases; p++) {
    const frac = p / phases;
    for (let m = 0; m < taps; m++) {
      const j = m - half + 1; // input offset relative to floor(t)
      const tau = frac - j; // t − k
      if (Math.abs(tau) >= halfWidth) continue;
      const u = tau / halfWidth;
      const win = besselI0(o.beta * Math.sqrt(1 - u * u)) / i0beta;
      const arg = Math.PI * twoFc * tau;
      const sinc = arg === 0 ? 1 : Math.sin(arg) / arg;
      table[p * taps + m] = twoFc * sinc * win;
    }
  }
  const k: Kernel = { up, down, phases, taps, half, table };
  kernels.set(key, k);
  return k;
}

/** Number of output samples for `n` input samples: ceil(n · to / from). */
export function resampledLength(n: number, from: number, to: number): number {
  const g = gcd(Math.round(from), Math.round(to));
  const up = Math.round(to) / g;
  const down = Math.round(from) / g;
  return Math.ceil((n * up) / down);
}

/** Resamples mono audio from `from` Hz to `to` Hz (integer rates). Output length ceil(n·to/from). */
export function resample(x: Float32Array, from: number, to: number, opts: ResampleOptions = {}): Float32Array {
  const fr = Math.round(from);
  const tr = Math.round(to);
  if (!(fr > 0 && tr > 0)) throw new RangeError(`sample rates must be positive, got ${from} → ${to}`);
  if (fr === tr) return x.slice();
  // The whole signal is one span of itself.
  return resampleSpan(x, 0, x.length, fr, tr, 0, resampledLength(x.length, fr, tr), opts);
}

/** Input samples the resampling kernel reads on each side of an output position. */
export function resampleReach(from: number, to: number, opts: ResampleOptions = {}): number {
  const o = { ...DEFAULT_RESAMPLE, ...opts };
  const g = gcd(Math.round(from), Math.round(to));
  return designKernel(Math.round(to) / g, Math.round(from) / g, o).half;
}

/**
 * Output samples [start, end) of resample(whole, from, to), where `x` holds samples
 * [base, base + x.length) of `whole` and `whole` is zero outside [0, total) (total: the whole
 * signal's length when known, else Infinity). The caller guarantees the samples each output reads
 * lie in x (or beyond total); then the values equal the whole-signal resampling's exactly.
 */
export function resampleSpan(x: Float32Array, base: number, total: number, from: number, to: number, start: number, end: number, opts: ResampleOptions = {}): Float32Array {
  const o = { ...DEFAULT_RESAMPLE, ...opts };
  const g = gcd(Math.round(from), Math.round(to));
  const up = Math.round(to) / g;
  const down = Math.round(from) / g;
  const k = designKernel(up, down, o);
  const { taps, half, table, phases } = k;
  const exact = phases === up;
  const limit = Math.min(total, base + x.length);
  const y = new Float32Array(Math.max(0, end - start));
  for (let i = start; i < end; i++) {
    const pos = i * down;
    const fl = Math.floor(pos / up);
    const rem = pos - fl * up;
    const first = fl - half + 1;
    if (first < base && first + taps > 0 && base > 0) throw new Error(`resampleSpan: output ${i} needs input from ${first}, but only ${base}.. is kept`);
    const lo = Math.max(0, -first);
    const hi = Math.min(taps, limit - first);
    let acc = 0;
    if (exact) {
      const row = rem * taps;
      for (let m = lo; m < hi; m++) acc += x[first + m - base] * table[row + m];
    } else {
      const fp = (rem / up) * phases;
      const p = Math.floor(fp);
      const w = fp - p;
      const r0 = p * taps;
      const r1 = r0 + taps;
      for (let m = lo; m < hi; m++) acc += x[first + m - base] * (table[r0 + m] * (1 - w) + table[r1 + m] * w);
    }
    y[i - start] = acc;
  }
  return y;
}

/** HuBERT input rate. */
export const HUBERT_RATE = 16000;
/** SoVITS v2 rate (reference spectrogram and output audio). */
export const SOVITS_RATE = 32000;

import { describe, expect, it } from 'vitest';
import { FFT } from '../../src/audio/fft';
import { HUBERT_ZERO_PAD, hubertInput } from '../../src/audio/hubert-input';
import { MynahError } from '../../src/errors';
import { reflectPad, referenceSpectrogram, SPEC_EPS_ONNX_EXPORT, spectrogramFrames } from '../../src/audio/spectrogram';

function noise(n: number, seed: number, amp = 0.5): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return amp * ((s / 2 ** 32) * 2 - 1);
  });
}

/** Independent reference: explicit index reflection, explicit window formula, O(N²) DFT in float64. */
function naiveFrame(x: Float32Array, frame: number, eps: number, scale = 1): Float64Array {
  const nfft = 2048, hop = 640, pad = 704;
  const at = (j: number) => {
    // j indexes the padded signal; map back into x by mirroring about the first/last sample.
    let i = j - pad;
    if (i < 0) i = -i;
    if (i > x.length - 1) i = 2 * (x.length - 1) - i;
    return x[i] * scale;
  };
  const out = new Float64Array(1025);
  for (let k = 0; k <= 1024; k++) {
    let re = 0, im = 0;
    for (let n = 0; n < nfft; n++) {
      const w = 0.5 * (1 - Math.cos((2 * Math.PI * n) / nfft));
      const v = at(frame * hop + n) * w;
      re += v * Math.cos((2 * Math.PI * k * n) / nfft);
      im -= v * Math.sin((2 * Math.PI * k * n) / nfft);
    }
    out[k] = Math.sqrt(re * re + im * im + eps);
  }
  return out;
}

describe('FFT', () => {
  it('matches a naive DFT', () => {
    const n = 64;
    const x = noise(n, 3);
    const re = Float64Array.from(x), im = new Float64Array(n);
    new FFT(n).transform(re, im);
    for (let k = 0; k < n; k++) {
      let r = 0, i = 0;
      for (let t = 0; t < n; t++) {
        r += x[t] * Math.cos((2 * Math.PI * k * t) / n);
        i -= x[t] * Math.sin((2 * Math.PI * k * t) / n);
      }
      expect(Math.abs(re[k] - r) + Math.abs(im[k] - i)).toBeLessThan(1e-12);
    }
    new FFT(n).transform(re, im, true);
    for (let t = 0; t < n; t++) expect(Math.abs(re[t] - x[t])).toBeLessThan(1e-12);
  });
});

describe('reference spectrogram (SoVITS ge input)', () => {
  it('reflect-pads like torch (no edge repeat)', () => {
    expect(Array.from(reflectPad([1, 2, 3, 4, 5], 2))).toEqual([3, 2, 1, 2, 3, 4, 5, 4, 3]);
  });

  it('has 1025 bins and F = floor((N + 1408 − 2048) / 640) + 1 frames', () => {
    for (const n of [705, 1280, 2047, 2048, 32000, 48001, 96000]) {
      const s = referenceSpectrogram(noise(n, n));
      expect(s.bins).toBe(1025);
      expect(s.frames).toBe(Math.floor((n + 1408 - 2048) / 640) + 1);
      expect(spectrogramFrames(n)).toBe(s.frames);
      expect(s.data.length).toBe(1025 * s.frames);
    }
    expect(() => referenceSpectrogram(noise(704, 1))).toThrow(MynahError);
  });

  it('matches an O(N²) DFT of the padded, Hann-windowed frames (first, middle, last frames)', () => {
    const x = noise(6400, 7);
    const s = referenceSpectrogram(x, { eps: SPEC_EPS_ONNX_EXPORT });
    let maxDiff = 0, maxRel = 0;
    for (const f of [0, 1, Math.floor(s.frames / 2), s.frames - 1]) {
      const ref = naiveFrame(x, f, SPEC_EPS_ONNX_EXPORT);
      for (let k = 0; k < 1025; k++) {
        const d = Math.abs(s.data[k * s.frames + f] - ref[k]);
        maxDiff = Math.max(maxDiff, d);
        maxRel = Math.max(maxRel, d / ref[k]);
      }
    }
    console.log(`spectrogram vs naive DFT: max abs diff ${maxDiff.toExponential(2)}, max rel diff ${maxRel.toExponential(2)}`);
    expect(maxDiff).toBeLessThan(1e-4);
    expect(maxRel).toBeLessThan(1e-5);
  });

  it('divides by min(2, max|x|) when max|x| > 1, as upstream does', () => {
    for (const peakTo of [1.5, 3.5]) {
      const x = noise(3000, 11, 0.9);
      x[1234] = peakTo;
      const s = referenceSpectrogram(x);
      const ref = naiveFrame(x, 1, 1e-8, 1 / Math.min(2, peakTo));
      for (let k = 0; k < 1025; k += 7) expect(Math.abs(s.data[k * s.frames + 1] - ref[k])).toBeLessThan(1e-4);
    }
  });

  it('uses eps under the square root (default upstream 1e-8)', () => {
    const s = referenceSpectrogram(new Float32Array(4000));
    expect(s.data[0]).toBeCloseTo(1e-4, 9);
    expect(referenceSpectrogram(new Float32Array(4000), { eps: 1e-6 }).data[5]).toBeCloseTo(1e-3, 9);
  });
});

describe('HuBERT input', () => {
  it('appends 9,600 zeros to 3–10 s of 16 kHz audio and rejects other lengths before padding', () => {
    expect(HUBERT_ZERO_PAD).toBe(9600);
    for (const n of [48000, 100000, 160000]) {
      const x = noise(n, n);
      const h = hubertInput(x);
      expect(h.length).toBe(n + 9600);
      expect(h.subarray(0, n)).toEqual(x);
      expect(h.subarray(n).every((v) => v === 0)).toBe(true);
    }
    const code = (n: number) => {
      try {
        hubertInput(new Float32Array(n));
      } catch (e) {
        return (e as MynahError).code;
      }
      return 'ok';
    };
    expect(code(47999)).toBe('REF_TOO_SHORT');
    expect(code(160001)).toBe('REF_TOO_LONG');
    // 152,000 samples + 9,600 padding = 161,600 > 160,000: the rule applies to the unpadded length.
    expect(code(152000)).toBe('ok');
  });
});

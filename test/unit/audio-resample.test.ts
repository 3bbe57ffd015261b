import { describe, expect, it } from 'vitest';
import { resample, resampledLength } from '../../src/audio/resample';

function tone(freq: number, rate: number, seconds: number, amp = 1, phase = 0): Float32Array {
  return Float32Array.from({ length: Math.round(rate * seconds) }, (_, i) => amp * Math.sin((2 * Math.PI * freq * i) / rate + phase));
}

/** Amplitude of the component at `freq` (least squares projection on sin/cos) over [a, b). */
function amplitudeAt(y: Float32Array, rate: number, freq: number, a: number, b: number): number {
  let s = 0, c = 0;
  for (let i = a; i < b; i++) {
    s += y[i] * Math.sin((2 * Math.PI * freq * i) / rate);
    c += y[i] * Math.cos((2 * Math.PI * freq * i) / rate);
  }
  return (2 * Math.hypot(s, c)) / (b - a);
}

function rmsMid(y: Float32Array, margin: number): number {
  let s = 0;
  for (let i = margin; i < y.length - margin; i++) s += y[i] * y[i];
  return Math.sqrt(s / (y.length - 2 * margin));
}

const db = (v: number) => 20 * Math.log10(v);

describe('resample (polyphase windowed sinc)', () => {
  it('has ceil(n·to/from) output samples', () => {
    for (const [n, f, t] of [[1000, 44100, 16000], [12345, 22050, 32000], [7, 48000, 16000], [48000, 16000, 32000], [1, 8000, 16000]]) {
      expect(resample(new Float32Array(n), f, t).length).toBe(Math.ceil((n * t) / f));
      expect(resampledLength(n, f, t)).toBe(Math.ceil((n * t) / f));
    }
    const x = tone(100, 16000, 0.01);
    expect(resample(x, 16000, 16000)).toEqual(x);
  });

  it.each([
    [44100, 16000],
    [48000, 16000],
    [22050, 16000],
    [44100, 32000],
    [48000, 32000],
  ])('rejects everything above the new Nyquist: %i → %i Hz stopband ≥ 90 dB', (from, to) => {
    const nyq = to / 2;
    const worst: number[] = [];
    for (const rel of [1.0, 1.02, 1.1, 1.3, 1.6, 2.0, 2.7]) {
      const f = nyq * rel;
      if (f >= from / 2) continue;
      const y = resample(tone(f, from, 0.5), from, to);
      // The aliased tone would land somewhere in [0, nyq]; measure all output energy away from the edges.
      const att = -db(rmsMid(y, 2000) / Math.SQRT1_2);
      worst.push(att);
    }
    const min = Math.min(...worst);
    console.log(`${from}→${to}: worst stopband attenuation ${min.toFixed(1)} dB over ${worst.length} tones (≥ Nyquist)`);
    expect(min).toBeGreaterThan(90);
  });

  it.each([
    [44100, 16000],
    [22050, 32000],
    [16000, 32000],
    [48000, 16000],
    [32000, 16000],
  ])('keeps the passband exact in amplitude and phase: %i → %i Hz', (from, to) => {
    const lower = Math.min(from, to) / 2;
    for (const rel of [0.05, 0.3, 0.6, 0.85]) {
      const f = lower * rel;
      const y = resample(tone(f, from, 0.5, 0.8, 0.3), from, to);
      // The output sample n sits at time n / to exactly: compare with the ideal sine.
      const ideal = tone(f, to, y.length / to, 0.8, 0.3);
      let err = 0;
      for (let i = 3000; i < y.length - 3000; i++) err = Math.max(err, Math.abs(y[i] - ideal[i]));
      expect(err, `${f} Hz`).toBeLessThan(2e-4);
    }
  });

  it('leaves no images when upsampling 16 → 32 kHz (≥ 90 dB)', () => {
    for (const f of [1000, 5000, 7000]) {
      const y = resample(tone(f, 16000, 0.5), 16000, 32000);
      const image = amplitudeAt(y, 32000, 16000 - f, 2000, y.length - 2000);
      expect(db(image), `${f} Hz`).toBeLessThan(-90);
    }
  });

  it('handles rates whose ratio needs more phases than the table holds (interpolated phases)', () => {
    const y = resample(tone(1000, 44100, 0.3), 44100, 16001);
    const ideal = tone(1000, 16001, y.length / 16001);
    let err = 0;
    for (let i = 1500; i < y.length - 1500; i++) err = Math.max(err, Math.abs(y[i] - ideal[i]));
    expect(err).toBeLessThan(1e-3);
    const alias = resample(tone(12000, 44100, 0.5), 44100, 16001);
    expect(-db(rmsMid(alias, 1500) / Math.SQRT1_2)).toBeGreaterThan(80);
  });
});

import { describe, expect, it } from 'vitest';
import { integratedLoudness, kWeightingFilters, normalizeLoudness } from '../../src/audio/loudness';
import { peak } from '../../src/audio/pcm';
import { prepareReference } from '../../src/audio/prepare';
import { spectrogramFrames } from '../../src/audio/spectrogram';
import { assertAudible, trimSilence } from '../../src/audio/trim';
import { pickReferenceWindow } from '../../src/audio/window';
import type { MynahError } from '../../src/errors';

const SR = 16000;

/** Speech-like sound: harmonics of a wandering f0 under a syllable-rate envelope. */
function speech(seconds: number, rate = SR, amp = 0.3, seed = 1): Float32Array {
  const n = Math.round(seconds * rate);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    const f0 = 150 + 40 * Math.sin(2 * Math.PI * 0.7 * t + seed);
    const env = Math.pow(Math.abs(Math.sin(Math.PI * 4 * t + seed)), 0.5) * 0.8 + 0.2;
    let v = 0;
    for (let h = 1; h <= 12; h++) v += Math.sin(2 * Math.PI * f0 * h * t + h * seed) / h;
    out[i] = amp * env * v * 0.5;
  }
  return out;
}
const silence = (seconds: number, rate = SR, level = 0) => {
  let s = 12345;
  return Float32Array.from({ length: Math.round(seconds * rate) }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return level * ((s / 2 ** 32) * 2 - 1);
  });
};
function join(parts: Float32Array[]): { x: Float32Array; marks: number[] } {
  const marks = [0];
  for (const p of parts) marks.push(marks[marks.length - 1] + p.length);
  const x = new Float32Array(marks[marks.length - 1]);
  parts.forEach((p, i) => x.set(p, marks[i]));
  return { x, marks };
}
function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as MynahError).code;
  }
  return 'ok';
}
const sine = (f: number, rate: number, seconds: number, amp = 1) => Float32Array.from({ length: Math.round(rate * seconds) }, (_, i) => amp * Math.sin((2 * Math.PI * f * i) / rate));

describe('silence checks and trimming', () => {
  it('rejects empty, silent and invalid audio with clear codes', () => {
    expect(codeOf(() => assertAudible(new Float32Array(0), SR))).toBe('AUDIO_EMPTY');
    expect(codeOf(() => assertAudible(new Float32Array(SR), SR))).toBe('AUDIO_SILENT');
    expect(codeOf(() => assertAudible(silence(1, SR, 0.0005), SR))).toBe('AUDIO_SILENT');
    expect(codeOf(() => assertAudible(Float32Array.of(0, NaN, 0), SR))).toBe('AUDIO_CORRUPT');
    expect(codeOf(() => assertAudible(speech(1), SR))).toBe('ok');
  });

  it('cuts leading and trailing silence, keeping 0.1 s around the sound', () => {
    const { x } = join([silence(1, SR, 0.001), speech(2), silence(1.5, SR, 0.001)]);
    const t = trimSilence(x, SR);
    expect(Math.abs(t.start - 0.9 * SR)).toBeLessThanOrEqual(0.03 * SR);
    expect(Math.abs(t.end - 3.1 * SR)).toBeLessThanOrEqual(0.03 * SR);
    expect(t.audio.length).toBe(t.end - t.start);
  });
});

describe('best 3–10 s window', () => {
  it('uses a 3–10 s clip whole and refuses one under 3 s', () => {
    const w = pickReferenceWindow(speech(5), SR);
    expect(w.whole).toBe(true);
    expect([w.start, w.end]).toEqual([0, 5 * SR]);
    expect(w.reason).toMatch(/whole 5\.0 s/);
    expect(codeOf(() => pickReferenceWindow(speech(2.9), SR))).toBe('REF_TOO_SHORT');
  });

  it('picks the speech-dense stretch between pauses from a long recording', () => {
    const parts = [speech(2), silence(4), speech(1.5, SR, 0.3, 2), silence(0.3), speech(2, SR, 0.3, 3), silence(0.3), speech(2.5, SR, 0.3, 4), silence(0.3), speech(2, SR, 0.3, 5), silence(5), speech(3, SR, 0.3, 6)];
    const { x, marks } = join(parts);
    const w = pickReferenceWindow(x, SR);
    console.log(w.reason);
    expect(w.whole).toBe(false);
    expect(w.cutsAtPauses).toBe(true);
    // The cluster of four phrases runs from marks[2] to marks[9] (8.9 s): fully inside, ends in the pauses around it.
    expect(w.start).toBeLessThanOrEqual(marks[2]);
    expect(w.start).toBeGreaterThan(marks[1]);
    expect(w.end).toBeGreaterThanOrEqual(marks[9]);
    expect(w.end).toBeLessThan(marks[10]);
    expect(w.seconds).toBeLessThanOrEqual(10);
    expect(w.density).toBeGreaterThan(0.85);
    expect(w.clippedSamples).toBe(0);
    expect(w.reason).toMatch(/% speech, no clipping, starts and ends in pauses/);
  });

  it('avoids clipped stretches when a clean one exists, and says so', () => {
    const loud = speech(2.5, SR, 0.3, 4).map((v) => Math.max(-1, Math.min(1, v * 8)));
    const parts = [speech(3, SR, 0.3, 1), silence(0.3), speech(3, SR, 0.3, 7), silence(2), speech(2, SR, 0.3, 2), silence(0.3), speech(2, SR, 0.3, 3), silence(0.3), loud, silence(0.3), speech(2, SR, 0.3, 5)];
    const { x, marks } = join(parts);
    const w = pickReferenceWindow(x, SR);
    expect(w.clippedSamples).toBe(0);
    expect(w.end <= marks[8] || w.start >= marks[9]).toBe(true);
    expect(w.reason).toMatch(/skipping those with clipping/);
    expect(w.warnings).toEqual([]);
    // The whole clip clipped: still a result, with a warning.
    const all = speech(20, SR, 0.3).map((v) => Math.max(-1, Math.min(1, v * 8)));
    const c = pickReferenceWindow(all, SR);
    expect(c.clippedSamples).toBeGreaterThan(0);
    expect(c.warnings.join(' ')).toMatch(/clipping/);
  });

  it('also sees clipping that was scaled down afterwards (flat tops below full scale)', () => {
    const flat = speech(12, SR, 0.3).map((v) => 0.6 * Math.max(-1, Math.min(1, v * 8)));
    expect(pickReferenceWindow(flat, SR).clippedSamples).toBeGreaterThan(100);
    expect(pickReferenceWindow(speech(12, SR, 0.6), SR).clippedSamples).toBe(0);
  });

  it('falls back to a 10 s cut when there are no pauses', () => {
    const w = pickReferenceWindow(speech(15), SR);
    expect(w.cutsAtPauses).toBe(false);
    expect(w.end - w.start).toBe(10 * SR);
    expect(w.warnings.join(' ')).toMatch(/No pauses/);
  });
});

describe('loudness (BS.1770)', () => {
  it('reproduces the 48 kHz K-weighting coefficients of the standard', () => {
    const [s, h] = kWeightingFilters(48000);
    const std = [1.53512485958697, -2.69169618940638, 1.19839281085285, -1.69065929318241, 0.73248077421585];
    [s.b0, s.b1, s.b2, s.a1, s.a2].forEach((v, i) => expect(Math.abs(v - std[i])).toBeLessThan(1e-6));
    expect(Math.abs(h.a1 - -1.99004745483398)).toBeLessThan(1e-6);
    expect(Math.abs(h.a2 - 0.99007225036621)).toBeLessThan(1e-6);
  });

  it('measures a full-scale 997 Hz sine at −3.01 LUFS at several rates and gates silence out', () => {
    for (const rate of [48000, 44100, 32000, 16000]) expect(Math.abs(integratedLoudness(sine(997, rate, 3), rate) + 3.01)).toBeLessThan(0.05);
    const quiet = sine(997, SR, 3, 0.1);
    const l = integratedLoudness(quiet, SR);
    expect(Math.abs(l - (-3.01 - 20))).toBeLessThan(0.05);
    const withSilence = join([quiet, new Float32Array(3 * SR)]).x;
    expect(Math.abs(integratedLoudness(withSilence, SR) - l)).toBeLessThan(0.5);
    expect(integratedLoudness(new Float32Array(SR), SR)).toBe(-Infinity);
  });

  it('normalizes to the target and never pushes the peak over the ceiling', () => {
    const x = speech(4, SR, 0.02);
    const r = normalizeLoudness(x, SR, { targetLufs: -20 });
    expect(r.peakLimited).toBe(false);
    expect(Math.abs(integratedLoudness(r.audio, SR) + 20)).toBeLessThan(0.05);
    const spiky = speech(4, SR, 0.01);
    spiky[1000] = 0.9;
    const p = normalizeLoudness(spiky, SR, { targetLufs: -14, peakCeilingDb: -1 });
    expect(p.peakLimited).toBe(true);
    expect(Math.abs(peak(p.audio) - 10 ** (-1 / 20))).toBeLessThan(1e-6);
  });
});

describe('prepareReference', () => {
  it('turns a 20 s stereo 44.1 kHz recording into both model inputs', () => {
    const rate = 44100;
    const { x } = join([silence(1.2, rate), speech(3, rate, 0.1, 1), silence(0.4, rate), speech(4, rate, 0.1, 2), silence(0.4, rate), speech(2, rate, 0.1, 3), silence(3, rate), speech(6, rate, 0.1, 4)]);
    const right = x.map((v) => v * 0.5);
    const r = prepareReference({ sampleRate: rate, channels: [x, right] });
    const n = r.window.end - r.window.start;
    expect(r.wav16k.length).toBe(Math.ceil((n * 16000) / rate));
    expect(r.wav16k.length).toBeGreaterThanOrEqual(48000);
    expect(r.wav16k.length).toBeLessThanOrEqual(160000);
    expect(r.hubertInput.length).toBe(r.wav16k.length + 9600);
    expect(r.wav32k.length).toBe(Math.ceil((n * 32000) / rate));
    expect(r.spectrogram.bins).toBe(1025);
    expect(r.spectrogram.frames).toBe(spectrogramFrames(r.wav32k.length));
    expect(Math.abs(r.loudness!.outputLufs + 20)).toBeLessThan(1e-9);
    expect(Math.abs(integratedLoudness(r.wav32k, 32000) + 20)).toBeLessThan(0.2);
    expect(r.window.reason.length).toBeGreaterThan(10);
    console.log(r.window.reason);
  });

  it('rejects silence and over-long sources before doing any work', () => {
    expect(codeOf(() => prepareReference({ sampleRate: SR, channels: [new Float32Array(5 * SR)] }))).toBe('AUDIO_SILENT');
    expect(codeOf(() => prepareReference({ sampleRate: 8000, channels: [speech(61, 8000)] }))).toBe('AUDIO_TOO_LONG');
    expect(codeOf(() => prepareReference({ sampleRate: SR, channels: [join([silence(3), speech(1.5), silence(3)]).x] }))).toBe('REF_TOO_SHORT');
  });
});

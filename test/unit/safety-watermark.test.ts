import { describe, expect, it } from 'vitest';
import { resample } from '../../src/audio/resample';
import {
  detectWatermark,
  embedWatermark,
  makeWatermarkPayload,
  parseWatermarkPayload,
  RateWatermarkEmbedder,
  voiceIdHash,
  WATERMARK_LATENCY,
  WATERMARK_RATE,
  WatermarkEmbedder,
} from '../../src/safety/watermark';

const RATE = WATERMARK_RATE;
const KEY = 'unit-test-key';

function rng(seed: number) {
  let s = seed >>> 0 || 1;
  const u = () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 2 ** 32;
  };
  const g = () => Math.sqrt(-2 * Math.log(u() + 1e-12)) * Math.cos(2 * Math.PI * u());
  return { u, g };
}

/** Speech-like test signal: gliding-pitch pulse train through moving formant resonators, syllable envelopes, pauses and fricatives. */
function speechLike(sec: number, seed: number): Float32Array {
  const { u, g } = rng(seed);
  const y = new Float32Array(Math.round(sec * RATE));
  const vowels = [[730, 1090, 2440], [270, 2290, 3010], [530, 1840, 2480], [570, 840, 2410], [300, 870, 2240], [660, 1720, 2410]];
  let phase = 0;
  const state = [0, 0, 0, 0, 0, 0];
  let i = 0;
  while (i < y.length) {
    const len = Math.round((0.15 + 0.2 * u()) * RATE);
    const kind = u();
    const [f1, f2, f3] = vowels[Math.floor(u() * vowels.length)];
    const f0a = 90 + 120 * u(), f0b = 90 + 120 * u();
    for (let n = 0; n < len && i < y.length; n++, i++) {
      const t = n / len;
      const env = Math.sin(Math.PI * t) ** 0.6;
      if (kind < 0.12) { y[i] = 0; continue; } // pause
      if (kind < 0.3) { y[i] = 0.05 * env * g(); continue; } // fricative-ish noise
      const f0 = f0a + (f0b - f0a) * t;
      phase += f0 / RATE;
      let src = 0;
      if (phase >= 1) { phase -= 1; src = 1; }
      let v = 0;
      [f1, f2, f3].forEach((f, k) => {
        // Two-pole resonator per formant.
        const r = Math.exp((-Math.PI * (60 + 40 * k)) / RATE);
        const c = 2 * r * Math.cos((2 * Math.PI * f) / RATE);
        const out = src + c * state[2 * k] - r * r * state[2 * k + 1];
        state[2 * k + 1] = state[2 * k];
        state[2 * k] = out;
        v += out / (k + 1);
      });
      y[i] = 0.02 * env * v;
    }
  }
  return y;
}

function musicLike(sec: number, seed: number): Float32Array {
  const { u } = rng(seed);
  const y = new Float32Array(Math.round(sec * RATE));
  for (let t0 = 0; t0 < sec - 0.2; t0 += 0.2 + 0.3 * u()) {
    const f0 = 196 * 2 ** (Math.floor(u() * 24) / 12);
    const s0 = Math.floor(t0 * RATE);
    for (let n = 0; n < RATE && s0 + n < y.length; n++) {
      const t = n / RATE;
      let v = 0;
      for (let h = 1; h <= 10; h++) v += Math.sin(2 * Math.PI * f0 * h * t) * Math.exp(-t * (2 + h)) / h;
      y[s0 + n] += 0.1 * v;
    }
  }
  return y;
}

function lowpass(x: Float32Array, cutoff: number): Float32Array {
  const taps = 201, m = (taps - 1) / 2, fc = cutoff / RATE;
  const h = Float64Array.from({ length: taps }, (_, i) => {
    const k = i - m;
    const sinc = k === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * k) / (Math.PI * k);
    return sinc * (0.42 - 0.5 * Math.cos((2 * Math.PI * i) / (taps - 1)) + 0.08 * Math.cos((4 * Math.PI * i) / (taps - 1)));
  });
  return Float32Array.from(x, (_, n) => {
    let acc = 0;
    for (let i = 0; i < taps; i++) {
      const j = n + m - i;
      if (j >= 0 && j < x.length) acc += h[i] * x[j];
    }
    return acc;
  });
}

function withNoise(x: Float32Array, snrDb: number, seed: number): Float32Array {
  const { g } = rng(seed);
  const p = x.reduce((a, v) => a + v * v, 0) / x.length;
  const s = Math.sqrt(p / 10 ** (snrDb / 10));
  return Float32Array.from(x, (v) => v + s * g());
}

function snrDb(x: Float32Array, y: Float32Array): number {
  let s = 0, e = 0;
  for (let i = 0; i < x.length; i++) { s += x[i] ** 2; e += (y[i] - x[i]) ** 2; }
  return 10 * Math.log10(s / e);
}

const signals = [
  { name: 'speech-like', host: speechLike(7, 1) },
  { name: 'music-like', host: musicLike(7, 2) },
];
const payload = makeWatermarkPayload('voice-123', new Date(Date.UTC(2026, 4, 17)));
const marked = signals.map((s) => embedWatermark(s.host, RATE, KEY, payload));

describe('watermark', { timeout: 60_000 }, () => {
  it('recovers the exact payload from marked audio at a modest audible cost', () => {
    for (const [i, s] of signals.entries()) {
      const d = detectWatermark(marked[i], RATE, KEY);
      expect(d.present, s.name).toBe(true);
      expect(Array.from(d.payload ?? []), s.name).toEqual(Array.from(payload));
      expect(snrDb(s.host, marked[i]), s.name).toBeGreaterThan(15);
    }
    expect(parseWatermarkPayload(payload)).toEqual({ voiceHash: voiceIdHash('voice-123'), day: new Date(Date.UTC(2026, 4, 17)) });
  });

  it('says "not present" for unmarked audio and for the wrong key', () => {
    for (const [i, s] of signals.entries()) {
      const clean = detectWatermark(s.host, RATE, KEY);
      expect(clean.present, s.name).toBe(false);
      expect(clean.payload).toBeUndefined();
      for (const k of ['unit-test-kex', 'another key', 'x']) expect(detectWatermark(marked[i], RATE, k).present, `${s.name} ${k}`).toBe(false);
    }
    expect(detectWatermark(new Float32Array(RATE * 3), RATE, KEY).present).toBe(false); // digital silence
  });

  it('survives trimming, resampling, gain, noise and low-pass', () => {
    const attacks: [string, (x: Float32Array) => Float32Array, number][] = [
      ['4 s excerpt', (x) => x.subarray(Math.round(1.37 * RATE), Math.round(5.37 * RATE)), RATE],
      ['32k→16k→32k', (x) => resample(resample(x, RATE, 16000), 16000, RATE), RATE],
      ['read at 44.1 kHz', (x) => resample(x, RATE, 44100), 44100],
      ['48k round trip', (x) => resample(resample(x, RATE, 48000), 48000, RATE), RATE],
      ['gain −10 dB', (x) => x.map((v) => v * 0.316), RATE],
      ['white noise 20 dB', (x) => withNoise(x, 20, 7), RATE],
      ['low-pass 4 kHz', (x) => lowpass(x, 4000), RATE],
    ];
    for (const [i, s] of signals.entries()) {
      for (const [name, attack, rate] of attacks) {
        const d = detectWatermark(attack(marked[i]), rate, KEY);
        expect(d.present, `${s.name} after ${name} (score ${d.score.toFixed(2)})`).toBe(true);
        if (d.payload) expect(Array.from(d.payload)).toEqual(Array.from(payload));
        expect(detectWatermark(attack(s.host), rate, KEY).present, `unmarked ${s.name} after ${name}`).toBe(false);
      }
    }
  });

  it('streamed chunks with a running offset equal the one-shot mark', () => {
    const host = signals[0].host;
    const e = new WatermarkEmbedder(KEY, payload, RATE);
    const { u } = rng(99);
    const parts: Float32Array[] = [];
    for (let at = 0; at < host.length; ) {
      const n = Math.min(host.length - at, [1, 127, 4096, 9000, 32000][Math.floor(u() * 5)]);
      const out = e.process(host.subarray(at, at + n));
      at += n;
      parts.push(out);
      // Output never lags input by more than the stated latency.
      expect(at - parts.reduce((a, p) => a + p.length, 0)).toBeLessThanOrEqual(WATERMARK_LATENCY);
    }
    parts.push(e.flush());
    const streamed = new Float32Array(host.length);
    let o = 0;
    for (const p of parts) { streamed.set(p, o); o += p.length; }
    expect(o).toBe(host.length);
    expect(streamed).toEqual(marked[0]);
  });

  it('marks audio at other rates without resampling the host', () => {
    const host48 = resample(signals[0].host, RATE, 48000);
    const m48 = embedWatermark(host48, 48000, KEY, payload);
    expect(m48.length).toBe(host48.length);
    expect(snrDb(host48, m48)).toBeGreaterThan(15);
    const d = detectWatermark(m48, 48000, KEY);
    expect(d.present).toBe(true);
    expect(Array.from(d.payload ?? [])).toEqual(Array.from(payload));
  });

  it('rejects bad keys and payloads', () => {
    expect(() => embedWatermark(signals[0].host, RATE, '', payload)).toThrow(expect.objectContaining({ code: 'WATERMARK_KEY' }));
    expect(() => embedWatermark(signals[0].host, RATE, KEY, new Uint8Array(3))).toThrow(RangeError);
    expect(() => new WatermarkEmbedder(KEY, payload, 44100)).toThrow(RangeError);
  });
});

describe('RateWatermarkEmbedder (v3 24 kHz, v4 48 kHz output)', { timeout: 120_000 }, () => {
  it.each([48000, 24000])('%i Hz: streamed in uneven chunks equals embedWatermark of the whole, and is detected', (rate) => {
    const x = resample(speechLike(6, 11), RATE, rate);
    const n = x.length;
    const payload = makeWatermarkPayload('voice-rate');
    const whole = embedWatermark(x, rate, 'k', payload);
    const e = new RateWatermarkEmbedder('k', payload, rate);
    const parts: Float32Array[] = [];
    let at = 0;
    for (const size of [1, 4000, 17, 30000, 900, 50_000, 3, 70_000]) {
      parts.push(e.process(x.subarray(at, Math.min(n, at + size))));
      at = Math.min(n, at + size);
    }
    parts.push(e.process(x.subarray(at)));
    parts.push(e.flush());
    const streamed = new Float32Array(n);
    let k = 0;
    for (const p of parts) {
      streamed.set(p, k);
      k += p.length;
    }
    expect(k).toBe(n);
    let diff = 0;
    for (let i = 0; i < n; i++) diff = Math.max(diff, Math.abs(streamed[i] - whole[i]));
    expect(diff).toBeLessThan(1e-6);
    const found = detectWatermark(streamed, rate, 'k');
    expect(found.present).toBe(true);
    expect(found.payload && Array.from(found.payload)).toEqual(Array.from(payload));
  });
});

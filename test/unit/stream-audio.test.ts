import { describe, expect, it } from 'vitest';
import { chunkTokens, DEFAULT_STREAM, StreamAssembler, UPSTREAM_STREAM } from '../../src/engine/stream-audio';
import { FrameNoise } from '../../src/engine/synthesize';
import { mulberry32 } from '../../src/graph/weights';

/** A smooth "decoded" signal: every chunk decodes the same underlying waveform. */
const wave = (from: number, to: number) => Float32Array.from({ length: to - from }, (_, i) => Math.sin((from + i) * 0.01));

describe('StreamAssembler', () => {
  const spt = 100; // samples per token
  const ov = 2;

  it('emits exactly the whole signal, in order, when chunks agree on the overlap', () => {
    const chunks = [
      [0, 16],
      [16, 32],
      [32, 37],
    ];
    const a = new StreamAssembler(ov * spt);
    const parts: Float32Array[] = [];
    chunks.forEach(([s, e], i) => {
      const from = i === 0 ? 0 : (s - ov) * spt;
      parts.push(a.push(wave(from, e * spt), i === chunks.length - 1));
    });
    const all = Float32Array.from(parts.flatMap((p) => Array.from(p)));
    expect(all.length).toBe(37 * spt);
    const ref = wave(0, 37 * spt);
    let diff = 0;
    for (let i = 0; i < ref.length; i++) diff = Math.max(diff, Math.abs(all[i] - ref[i]));
    expect(diff).toBeLessThan(1e-6);
    // the first chunk holds back its overlap for the cross-fade
    expect(parts[0].length).toBe((16 - ov) * spt);
  });

  it('cross-fades where neighbouring decodes disagree, without a jump', () => {
    const a = new StreamAssembler(ov * spt);
    const first = a.push(new Float32Array(16 * spt).fill(1), false);
    const second = a.push(new Float32Array((8 + ov) * spt).fill(0), true);
    const joined = [...first, ...second];
    expect(joined.length).toBe(24 * spt);
    let maxStep = 0;
    for (let i = 1; i < joined.length; i++) maxStep = Math.max(maxStep, Math.abs(joined[i] - joined[i - 1]));
    expect(maxStep).toBeLessThan(0.02); // a hard cut would jump by 1
  });

  it('a single final chunk passes through unchanged', () => {
    const a = new StreamAssembler(ov * spt);
    const w = wave(0, 500);
    expect(Array.from(a.push(w, true))).toEqual(Array.from(w));
  });
});

describe('chunk plan', () => {
  it('starts with firstChunk tokens and doubles up to minChunk', () => {
    expect([0, 1, 2, 3, 4].map((i) => chunkTokens(DEFAULT_STREAM, i))).toEqual([4, 8, 16, 16, 16]);
    expect([0, 1, 2].map((i) => chunkTokens(UPSTREAM_STREAM, i))).toEqual([16, 16, 16]);
    expect([0, 1, 2].map((i) => chunkTokens({ minChunk: 10, overlap: 2, firstChunk: 3 }, i))).toEqual([3, 6, 10]);
  });

  it('growing chunks still add up to the whole signal, cross-fades included', () => {
    const spt = 100;
    const ov = DEFAULT_STREAM.overlap;
    const total = 45;
    const a = new StreamAssembler(ov * spt);
    const parts: Float32Array[] = [];
    let decoded = 0;
    for (let i = 0; decoded < total; i++) {
      const end = Math.min(total, decoded + chunkTokens(DEFAULT_STREAM, i));
      const from = decoded === 0 ? 0 : decoded - ov;
      parts.push(a.push(wave(from * spt, end * spt), end === total));
      decoded = end;
    }
    expect(parts[0].length).toBe((4 - ov) * spt);
    const all = Float32Array.from(parts.flatMap((p) => Array.from(p)));
    expect(all.length).toBe(total * spt);
    const ref = wave(0, total * spt);
    let diff = 0;
    for (let i = 0; i < ref.length; i++) diff = Math.max(diff, Math.abs(all[i] - ref[i]));
    expect(diff).toBeLessThan(1e-6);
  });
});

describe('FrameNoise', () => {
  it('gives every frame the same noise however the frames are taken', () => {
    const inter = 3;
    const whole = new FrameNoise(inter, mulberry32(9)).take(0, 20);
    const chunked = new FrameNoise(inter, mulberry32(9));
    // overlapping, growing pieces as streaming takes them
    for (const [from, n] of [
      [0, 8],
      [4, 12],
      [12, 8],
    ]) {
      const part = chunked.take(from, n);
      for (let c = 0; c < inter; c++) for (let t = 0; t < n; t++) expect(part[c * n + t]).toBe(whole[c * 20 + from + t]);
    }
    // standard normal-ish
    const big = new FrameNoise(4, mulberry32(1)).take(0, 5000);
    const mean = big.reduce((a, b) => a + b, 0) / big.length;
    const v = big.reduce((a, b) => a + (b - mean) ** 2, 0) / big.length;
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(v - 1)).toBeLessThan(0.05);
  });
});

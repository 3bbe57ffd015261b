import { describe, expect, it } from 'vitest';
import { StreamAssembler } from '../../src/engine/stream-audio';

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

import { describe, expect, it } from 'vitest';
import { encodeWav, parseWav } from '../../src/audio/wav';
import type { MynahError } from '../../src/errors';

const ramp = (n: number, f = 1) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.05 * f) * 0.9);

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as MynahError).code;
  }
  return 'ok';
}

describe('WAV', () => {
  it('round-trips float32 exactly and 16-bit PCM within half a step, mono and stereo', () => {
    const l = ramp(1000), r = ramp(1000, 3);
    const f = parseWav(encodeWav([l, r], 22050, 'float32'));
    expect(f.sampleRate).toBe(22050);
    expect(f.channels).toEqual([l, r]);
    const p = parseWav(encodeWav(l, 16000, 'pcm16'));
    expect(p.channels.length).toBe(1);
    let err = 0;
    for (let i = 0; i < l.length; i++) err = Math.max(err, Math.abs(p.channels[0][i] - l[i]));
    expect(err).toBeLessThanOrEqual(0.5 / 32768 + 1e-9);
  });

  it('writes a standard 44-byte header that other tools agree on', () => {
    const b = encodeWav(new Float32Array([0, 0.5, -1, 1]), 32000, 'pcm16');
    const v = new DataView(b.buffer);
    expect(b.length).toBe(44 + 8);
    expect(v.getUint16(20, true)).toBe(1);
    expect(v.getUint32(24, true)).toBe(32000);
    expect(v.getUint32(28, true)).toBe(64000);
    expect([v.getInt16(44, true), v.getInt16(46, true), v.getInt16(48, true), v.getInt16(50, true)]).toEqual([0, 16384, -32768, 32767]);
  });

  it('parses 8/24/32-bit PCM, float64, extensible headers and skips unknown chunks', () => {
    const mk = (format: number, bits: number, samples: number[], extensible = false) => {
      const bps = bits / 8;
      const fmtSize = extensible ? 40 : 16;
      const list = 9; // an odd-sized 'LIST' chunk (padded) before fmt
      const size = 12 + 8 + list + 1 + 8 + fmtSize + 8 + samples.length * bps;
      const v = new DataView(new ArrayBuffer(size));
      const tag = (at: number, s: string) => [...s].forEach((c, i) => v.setUint8(at + i, c.charCodeAt(0)));
      tag(0, 'RIFF'); v.setUint32(4, size - 8, true); tag(8, 'WAVE');
      let at = 12;
      tag(at, 'LIST'); v.setUint32(at + 4, list, true); at += 8 + list + 1;
      tag(at, 'fmt '); v.setUint32(at + 4, fmtSize, true);
      v.setUint16(at + 8, extensible ? 0xfffe : format, true); v.setUint16(at + 10, 1, true); v.setUint32(at + 12, 8000, true);
      v.setUint16(at + 20, bps, true); v.setUint16(at + 22, bits, true);
      if (extensible) v.setUint16(at + 8 + 24, format, true);
      at += 8 + fmtSize;
      tag(at, 'data'); v.setUint32(at + 4, samples.length * bps, true); at += 8;
      for (const s of samples) {
        if (format === 3 && bits === 64) v.setFloat64(at, s, true);
        else if (bits === 8) v.setUint8(at, s);
        else if (bits === 24) { v.setUint8(at, s & 255); v.setUint8(at + 1, (s >> 8) & 255); v.setUint8(at + 2, (s >> 16) & 255); }
        else if (bits === 32) v.setInt32(at, s, true);
        at += bps;
      }
      return new Uint8Array(v.buffer);
    };
    expect(Array.from(parseWav(mk(1, 8, [128, 255, 0])).channels[0])).toEqual([0, 127 / 128, -1]);
    expect(Array.from(parseWav(mk(1, 24, [0x400000, -0x800000 & 0xffffff, 0])).channels[0])).toEqual([0.5, -1, 0]);
    expect(Array.from(parseWav(mk(1, 32, [-0x40000000], true)).channels[0])).toEqual([-0.5]);
    expect(Array.from(parseWav(mk(3, 64, [0.25, -0.75])).channels[0])).toEqual([0.25, -0.75]);
  });

  it('rejects empty and corrupt files with clear codes', () => {
    expect(codeOf(() => parseWav(new Uint8Array(0)))).toBe('AUDIO_EMPTY');
    expect(codeOf(() => parseWav(new TextEncoder().encode('hello, this is not audio at all')))).toBe('AUDIO_CORRUPT');
    const noData = encodeWav(new Float32Array(0), 16000);
    expect(codeOf(() => parseWav(noData))).toBe('AUDIO_EMPTY');
    const truncated = encodeWav(ramp(100), 16000).slice(0, 30);
    expect(codeOf(() => parseWav(truncated))).toBe('AUDIO_CORRUPT');
  });
});

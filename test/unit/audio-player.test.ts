import { describe, expect, it } from 'vitest';
import { micError } from '../../src/audio/mic-errors';
import { PlaybackRing } from '../../src/audio/ring';
import { sniffAudio } from '../../src/audio/sniff';
import { encodeWav } from '../../src/audio/wav';

const seq = (start: number, n: number) => Float32Array.from({ length: n }, (_, i) => (start + i) / 1e6);

/** Renders `quanta` blocks of 128, interleaving writes from `feed(q)` before each block. */
function run(ring: PlaybackRing, quanta: number, feed: (q: number) => void) {
  const out: number[] = [];
  const events: string[] = [];
  const block = new Float32Array(128);
  for (let q = 0; q < quanta; q++) {
    feed(q);
    const r = ring.render(block);
    if (r.started) events.push(`start@${q}`);
    if (r.underrun) events.push(`underrun@${q}`);
    if (r.drained) events.push(`ended@${q}`);
    out.push(...block);
  }
  return { out, events };
}

describe('PlaybackRing (streaming player buffer)', () => {
  it('plays chunks of any size back to back without gaps once the prebuffer is full', () => {
    const ring = new PlaybackRing(1000, 256); // small capacity: forces growth and wrap-around
    const sizes = [300, 77, 1280, 5, 999, 640, 2048, 1];
    let next = 1;
    const { out, events } = run(ring, 80, (q) => {
      if (q < sizes.length) {
        ring.write(seq(next, sizes[q]));
        next += sizes[q];
      }
      if (q === sizes.length) ring.end();
    });
    const total = sizes.reduce((a, b) => a + b, 0);
    const first = out.findIndex((v) => v !== 0);
    expect(events[0]).toBe('start@2'); // 300+77+1280 ≥ 1000 after the 3rd write
    expect(out.slice(first, first + total)).toEqual(Array.from(seq(1, total)));
    expect(out.slice(first + total).every((v) => v === 0)).toBe(true);
    expect(events).toEqual(['start@2', `ended@${2 + Math.ceil(total / 128) - 1}`]);
    expect(ring.underruns).toBe(0);
    expect(ring.played).toBe(total);
  });

  it('reports an underrun when chunks arrive too late, then resumes after refilling', () => {
    const ring = new PlaybackRing(256);
    const { out, events } = run(ring, 30, (q) => {
      if (q === 0) ring.write(seq(1, 512)); // 4 quanta
      if (q === 10) ring.write(seq(513, 300)); // after a gap: 300 ≥ prebuffer
      if (q === 12) ring.end();
    });
    expect(events).toEqual(['start@0', 'underrun@4', 'start@10', 'ended@12']);
    expect(ring.underruns).toBe(1);
    // Nothing is lost or repeated: the non-silent samples are exactly the stream.
    expect(out.filter((v) => v !== 0)).toEqual(Array.from(seq(1, 812)));
  });

  it('starts a short stream that ends before the prebuffer fills', () => {
    const ring = new PlaybackRing(10_000);
    const { events } = run(ring, 5, (q) => {
      if (q === 1) {
        ring.write(seq(1, 200));
        ring.end();
      }
    });
    expect(events).toEqual(['start@1', 'ended@2']);
  });
});

describe('microphone errors', () => {
  it('maps getUserMedia failures to typed MynahErrors that say what to do', () => {
    expect(micError({ name: 'NotAllowedError' }).code).toBe('MIC_DENIED');
    expect(micError({ name: 'SecurityError' }).code).toBe('MIC_DENIED');
    expect(micError({ name: 'NotFoundError' }).code).toBe('MIC_MISSING');
    expect(micError({ name: 'OverconstrainedError' }).code).toBe('MIC_MISSING');
    expect(micError({ name: 'NotReadableError' }).code).toBe('MIC_BUSY');
    expect(micError(new Error('weird')).code).toBe('MIC_UNAVAILABLE');
    expect(micError({ name: 'NotAllowedError' }).message).toMatch(/Allow the microphone/);
  });
});

describe('format sniffing', () => {
  it('reads sample rates from FLAC, Ogg Vorbis and MP3 headers', () => {
    const flac = new Uint8Array(42);
    flac.set([0x66, 0x4c, 0x61, 0x43, 0, 0, 0, 34]);
    // 22050 Hz = 0x05622 in the 20-bit field at byte 18
    flac[18] = 0x05; flac[19] = 0x62; flac[20] = 0x20;
    expect(sniffAudio(flac)).toEqual({ format: 'flac', sampleRate: 22050 });
    const ogg = new Uint8Array(64);
    ogg.set([...'OggS'].map((c) => c.charCodeAt(0)));
    ogg[26] = 1; // one segment
    ogg.set([1, ...[...'vorbis'].map((c) => c.charCodeAt(0))], 28);
    new DataView(ogg.buffer).setUint32(28 + 12, 44100, true);
    expect(sniffAudio(ogg)).toEqual({ format: 'ogg-vorbis', sampleRate: 44100 });
    const mp3 = new Uint8Array(64);
    mp3.set([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0, 10]); // ID3 tag of 10 bytes body
    mp3.set([0xff, 0xf3, 0x94, 0x00], 20); // MPEG2 layer III, 128 kbps, index 1 → 24000
    expect(sniffAudio(mp3)).toEqual({ format: 'mp3', sampleRate: 24000 });
    expect(sniffAudio(encodeWav(new Float32Array(10), 8000))).toEqual({ format: 'wav' });
    expect(sniffAudio(new TextEncoder().encode('definitely not audio')).format).toBe('unknown');
  });
});

// The file-level watermark check the Studio's "Check a file" panel and the library use: real
// speech marked the way synthesis marks it, as WAV bytes and as PCM; unmarked, wrong key, silence.
import { describe, expect, it } from 'vitest';
import { downmix } from '../../src/audio/pcm';
import { resample } from '../../src/audio/resample';
import { encodeWav } from '../../src/audio/wav';
import { detectWatermark } from '../../src/safety/check';
import { DEFAULT_WATERMARK_KEY, embedWatermark, makeWatermarkPayload, voiceIdHash } from '../../src/safety/watermark';
import { referenceSpeech } from '../helpers/reference-speech';

const VOICE = 'c0ffee00-0000-4000-8000-000000000001';
const MADE = new Date('2026-05-17T21:30:00Z');
const ref = referenceSpeech();
const host = resample(downmix(ref.channels), ref.sampleRate, 32000); // 7.1 s of real speech at 32 kHz
const marked = embedWatermark(host, 32000, DEFAULT_WATERMARK_KEY, makeWatermarkPayload(VOICE, MADE));

describe('detectWatermark (file check)', () => {
  it('finds the mark in a 16-bit WAV file and reads voice hash and day', async () => {
    const r = await detectWatermark(encodeWav(marked, 32000));
    expect(r).toMatchObject({ found: true, voiceHash: voiceIdHash(VOICE), day: '2026-05-17', silent: false, tooShort: false });
    expect(r.score).toBeGreaterThan(5.5);
    expect(r.falseAlarm).toBeLessThan(1e-4);
    expect(r.checkedSec).toBeCloseTo(host.length / 32000, 3);
  });

  it('finds it in PCM at another rate (a re-saved 48 kHz stereo copy)', async () => {
    const at48 = resample(marked, 32000, 48000);
    const r = await detectWatermark({ sampleRate: 48000, channels: [at48, at48.map((x) => x * 0.5)] });
    expect(r.found).toBe(true);
    expect(r.voiceHash).toBe(voiceIdHash(VOICE));
  });

  it('does not find it in the unmarked speech, nor with another key', async () => {
    const clean = await detectWatermark(encodeWav(host, 32000));
    expect(clean.found).toBe(false);
    expect(clean.voiceHash).toBeUndefined();
    expect(clean.score).toBeLessThan(5.5);
    expect((await detectWatermark(encodeWav(marked, 32000), { key: 'an operator key' })).found).toBe(false);
  });

  it('examines only the first maxSeconds, and says when that is too little', async () => {
    const r = await detectWatermark({ sampleRate: 32000, channels: [marked] }, { maxSeconds: 1 });
    expect(r.checkedSec).toBe(1);
    expect(r.tooShort).toBe(true);
  });

  it('reports a silent file as silent, not as an error', async () => {
    const r = await detectWatermark(encodeWav(new Float32Array(32000 * 3), 32000));
    expect(r).toMatchObject({ found: false, silent: true });
  });

  it('rejects an empty file with AUDIO_EMPTY', async () => {
    await expect(detectWatermark(new Uint8Array(0))).rejects.toMatchObject({ code: 'AUDIO_EMPTY' });
  });
});

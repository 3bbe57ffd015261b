// The payload (voice hash + day) must read back from Mynah's own clean output, whatever the voice
// id: the tiny random pack's speech-shaped noise is a steady host on which a detector that only
// trusted the loudest tiles lost the payload about 1 time in 10 (CI's privacy e2e hit it). The
// engine's own mark is switched off here so that one unmarked output can carry many payloads.
import 'fake-indexeddb/auto';
import { createStore } from 'idb-keyval';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { tinyPack } from '../helpers/tiny-pack';
import { referenceSpeech, REFERENCE_TEXT } from '../helpers/reference-speech';

vi.mock('../../src/safety/watermark', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/safety/watermark')>();
  class Unmarked {
    process(x: Float32Array) {
      return x.slice();
    }
    flush() {
      return new Float32Array(0);
    }
  }
  return { ...real, WatermarkEmbedder: Unmarked, RateWatermarkEmbedder: Unmarked };
});

const { Engine } = await import('../../src/engine/engine');
const { embedWatermark, detectWatermark, makeWatermarkPayload, DEFAULT_WATERMARK_KEY } = await import('../../src/safety/watermark');

let host: Float32Array;

beforeAll(async () => {
  const scope = { crossOriginIsolated: false, navigator: { hardwareConcurrency: 1 } } as unknown as typeof globalThis;
  const engine = new Engine(ort, { scope, voices: createStore('mynah-watermark-output', 'voices') });
  await engine.init({ backend: 'wasm' });
  await engine.loadPack(await tinyPack());
  const { voice } = await engine.cloneVoice({ audio: referenceSpeech(), promptText: REFERENCE_TEXT, promptLang: 'en', name: 'host' }).result;
  const parts: Float32Array[] = [];
  await engine.synthesize('A marked sentence, long enough to carry the whole payload.', voice.id, { seed: 7, maxTokens: 150, lang: 'en' }, (c) => void parts.push(c.pcm)).result;
  host = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((o, p) => (host.set(p, o), o + p.length), 0);
  await engine.dispose();
});

describe('watermark payload on Mynah output', { timeout: 120_000 }, () => {
  it('reads back every one of 24 payloads from a clean 12 s output', () => {
    expect(host.length / 32000).toBeGreaterThan(10);
    const when = new Date(Date.UTC(2026, 11, 7));
    const misses: string[] = [];
    for (let i = 0; i < 24; i++) {
      const payload = makeWatermarkPayload(`voice-${i}`, when);
      const found = detectWatermark(embedWatermark(host, 32000, DEFAULT_WATERMARK_KEY, payload), 32000, DEFAULT_WATERMARK_KEY);
      if (!found.present || !found.payload || found.payload.some((b, j) => b !== payload[j])) misses.push(`voice-${i} (score ${found.score.toFixed(1)})`);
    }
    expect(misses).toEqual([]);
  });
});

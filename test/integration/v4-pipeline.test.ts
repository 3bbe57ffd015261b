// A v4 pack end to end in Node (onnxruntime-web wasm): a tiny LoRA fine-tune converted with its base
// and vocoder from upstream-format files, a voice cloned (its reference mel stored), speech at
// 48 kHz with progress after every sampling step, the same audio for the same seed, cancel between
// steps, and voices of other families refused.
import 'fake-indexeddb/auto';
import { createStore, type UseStore } from 'idb-keyval';
import * as ort from 'onnxruntime-web';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { logMel } from '../../src/audio/mel';
import { prepareReference } from '../../src/audio/prepare';
import { bytesSource } from '../../src/checkpoint/bytes';
import { Engine } from '../../src/engine/engine';
import type { SynthesisProgress } from '../../src/engine/synthesize';
import { PACK_TINY } from '../../src/pack/build';
import { convertToPack } from '../../src/pack/convert';
import type { LoadedPack } from '../../src/pack/fetch';
import { lockVoice, unlockVoice } from '../../src/store/lock';
import { DEFAULT_WATERMARK_KEY, detectWatermark } from '../../src/safety/watermark';
import { exportVoice, parseVoiceExport } from '../../src/store/voices';
import { referenceSpeech, REFERENCE_TEXT } from '../helpers/reference-speech';
import { tinyPack } from '../helpers/tiny-pack';

const scope = { crossOriginIsolated: false, navigator: { hardwareConcurrency: 1 } } as unknown as typeof globalThis;
const DIR = new URL('../fixtures/v3v4/', import.meta.url);
const CK = new URL('../fixtures/checkpoints/', import.meta.url);
const file = (url: URL, name: string) => bytesSource(new Uint8Array(readFileSync(url)), name);

let store: UseStore;
let v4: LoadedPack;

async function engineFor(pack: LoadedPack): Promise<Engine> {
  const e = new Engine(ort, { scope, voices: store });
  await e.init({ backend: 'wasm' });
  await e.loadPack(pack);
  return e;
}

beforeAll(async () => {
  store = createStore('mynah-test-v4', 'voices');
  v4 = await convertToPack(
    {
      gpt: file(new URL('s1-v2.ckpt', CK), 's1-v2.ckpt'),
      hubert: file(new URL('hubert/pytorch_model.bin', CK), 'pytorch_model.bin'),
      hubertConfig: new Blob([readFileSync(new URL('hubert/config.json', CK))]),
      sovits: file(new URL('tiny-v4/lora.pth', DIR), 'my-voice_e8_s16_l4.pth'),
      sovitsBase: file(new URL('tiny-v4/s2.pth', DIR), 's2Gv4.pth'),
      vocoder: file(new URL('tiny-v4/vocoder.pth', DIR), 'vocoder.pth'),
    },
    { id: 'tiny-v4-lora' },
  );
});

describe('v4 LoRA pack in the engine', () => {
  it('clones (with the reference mel), speaks 48 kHz audio with progress per step, deterministic per seed', async () => {
    const e = await engineFor(v4);
    const audio = referenceSpeech();
    const { voice } = await e.cloneVoice({ audio, promptText: REFERENCE_TEXT, promptLang: 'en', name: 'v4' }).result;
    expect(voice.modelVersion).toBe('v4');
    const mel = logMel(prepareReference(audio).wav32k, { sampleRate: 32000, nFft: 1280, hop: 320, win: 1280, bins: 100 });
    expect(Array.from(voice.refMel!)).toEqual(Array.from(mel.data));

    const speak = async (steps: number) => {
      const chunks: { pcm: Float32Array; sampleRate: number; kind: string; segmentDone: boolean }[] = [];
      const progress: SynthesisProgress[] = [];
      const report = await e.synthesize('Hello there, this is a test.', voice.id, { seed: 3, maxTokens: 40, sampleSteps: steps, pauseSec: 0 }, (c) => void chunks.push(c), (p) => void progress.push(p)).result;
      return { chunks, progress, report };
    };
    const a = await speak(4);
    expect(a.chunks.every((c) => c.sampleRate === 48000)).toBe(true);
    const speech = a.chunks.filter((c) => c.kind === 'speech');
    const samples = speech.reduce((n, c) => n + c.pcm.length, 0);
    const tokens = a.report.segments.reduce((n, s) => n + s.tokens, 0);
    // 4 condition frames per token, 480 samples per frame: 1920 samples (40 ms at 48 kHz) per token.
    expect(samples).toBe(1920 * tokens);
    expect(speech.every((c) => c.pcm.every(Number.isFinite))).toBe(true);
    expect(a.progress.length).toBe(4 * a.report.segments.length);
    expect(a.progress.map((p) => p.step)).toEqual(a.report.segments.flatMap(() => [1, 2, 3, 4]));
    expect(a.report.flow).toMatchObject({ steps: 4 });
    expect(a.report.flow!.stepMs).toBeGreaterThan(0);
    // The keyed mark is in the 48 kHz output (RateWatermarkEmbedder: marked at 32 kHz as it streams).
    const all = new Float32Array(a.chunks.reduce((n, c) => n + c.pcm.length, 0));
    let at = 0;
    for (const c of a.chunks) all.set(c.pcm, (at += c.pcm.length) - c.pcm.length);
    const found = detectWatermark(all, 48000, DEFAULT_WATERMARK_KEY);
    console.log(`v4 output: ${(all.length / 48000).toFixed(2)} s, watermark score ${found.score.toFixed(2)}, present ${found.present}`);
    expect(found.present).toBe(true);
    const b = await speak(4);
    expect(b.chunks.map((c) => Array.from(c.pcm))).toEqual(a.chunks.map((c) => Array.from(c.pcm)));
    await expect(e.synthesize('Hi.', voice.id, { sampleSteps: 0 }, () => {}).result).rejects.toMatchObject({ code: 'OPTIONS_INVALID' });
    await expect(e.synthesize('Hi.', voice.id, { sampleSteps: 1.5 }, () => {}).result).rejects.toMatchObject({ code: 'OPTIONS_INVALID' });
    // Upstream's web UI default for v4: 8 steps.
    const d = await e.synthesize('Hi.', voice.id, { seed: 1, maxTokens: 10 }, () => {}).result;
    expect(d.flow!.steps).toBe(8);
    await e.dispose();
  }, 300_000);

  it('cancel lands between sampling steps', async () => {
    const e = await engineFor(v4);
    const { voice } = await e.cloneVoice({ audio: referenceSpeech(), promptText: REFERENCE_TEXT, promptLang: 'en' }).result;
    let steps = 0;
    const job = e.synthesize('Hello there, this is a test.', voice.id, { seed: 3, maxTokens: 40, sampleSteps: 32 }, () => {}, () => {
      steps++;
      if (steps === 2) void e.cancel(job.id);
    });
    await expect(job.result).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(steps).toBeGreaterThanOrEqual(2);
    expect(steps).toBeLessThan(5);
    await e.dispose();
  }, 120_000);

  it('the reference mel survives export, import and locking', async () => {
    const e = await engineFor(v4);
    const { voice } = await e.cloneVoice({ audio: referenceSpeech(), promptText: REFERENCE_TEXT, promptLang: 'en' }).result;
    const back = parseVoiceExport(exportVoice(voice));
    expect(Array.from(back.refMel!)).toEqual(Array.from(voice.refMel!));
    const locked = await lockVoice(voice, 'correct horse battery', 600_000);
    expect(locked.refMel).toBeUndefined();
    expect(Array.from((await unlockVoice(locked, 'correct horse battery')).refMel!)).toEqual(Array.from(voice.refMel!));
    await e.dispose();
  }, 120_000);

  it('a v2 voice is refused by the v4 pack, naming the pack it needs', async () => {
    const v2 = await engineFor(await tinyPack(1, PACK_TINY));
    const { voice } = await v2.cloneVoice({ audio: referenceSpeech(), promptText: REFERENCE_TEXT, promptLang: 'en' }).result;
    const e = await engineFor(v4);
    const err = await e.synthesize('Hello.', voice.id, {}, () => {}).result.catch((x) => x);
    expect(err).toMatchObject({ code: 'VOICE_PACK_MISMATCH' });
    expect(err.message).toMatch(/GPT-SoVITS v2 pack.*GPT-SoVITS v4/);
    await v2.dispose();
    await e.dispose();
  }, 120_000);
});

describe('v3 pack in the engine', () => {
  it('clones (24 kHz reference mel) and speaks 24 kHz audio through BigVGAN, 960 samples per token', async () => {
    const v3 = await convertToPack(
      {
        gpt: file(new URL('s1-v2.ckpt', CK), 's1-v2.ckpt'),
        hubert: file(new URL('hubert/pytorch_model.bin', CK), 'pytorch_model.bin'),
        hubertConfig: new Blob([readFileSync(new URL('hubert/config.json', CK))]),
        sovits: file(new URL('tiny-v3/s2.pth', DIR), 's2Gv3-tiny.pth'),
        vocoder: file(new URL('tiny-v3/bigvgan_generator.pt', DIR), 'bigvgan_generator.pt'),
      },
      { id: 'tiny-v3' },
    );
    const e = await engineFor(v3);
    const { voice } = await e.cloneVoice({ audio: referenceSpeech(), promptText: REFERENCE_TEXT, promptLang: 'en' }).result;
    expect(voice.modelVersion).toBe('v3');
    const chunks: { pcm: Float32Array; sampleRate: number; kind: string }[] = [];
    const report = await e.synthesize('Hello there, this is a test.', voice.id, { seed: 3, maxTokens: 20, sampleSteps: 2, pauseSec: 0 }, (c) => void chunks.push(c)).result;
    expect(chunks.every((c) => c.sampleRate === 24000)).toBe(true);
    const samples = chunks.filter((c) => c.kind === 'speech').reduce((n, c) => n + c.pcm.length, 0);
    // floor(2 · 1.875 · tokens) condition frames per fragment, 256 samples each.
    expect(samples).toBe(report.segments.reduce((n, s) => n + 256 * Math.floor(3.75 * s.tokens), 0));
    expect(report.flow!.steps).toBe(2);
    // Upstream's web UI default for v3: 32 steps.
    expect((await e.synthesize('Hi.', voice.id, { seed: 1, maxTokens: 4 }, () => {}).result).flow!.steps).toBe(32);
    await e.dispose();
  }, 300_000);
});

// The whole vertical slice in Node on the tiny pack (onnxruntime-web wasm): clone a voice from real
// speech, save it, speak text in it, streamed; same seed -> same tokens; cancel; failures contained.
import 'fake-indexeddb/auto';
import { createStore, type UseStore } from 'idb-keyval';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { hubertFrameCount } from '../../src/graph/models/hubert';
import { sovitsHop } from '../../src/graph/models/sovits';
import { PACK_TINY } from '../../src/pack/build';
import { Engine } from '../../src/engine/engine';
import type { AudioChunk, SynthesisOptions } from '../../src/engine/synthesize';
import { getVoice } from '../../src/store/voices';
import { MynahError } from '../../src/errors';
import type { LoadedPack } from '../../src/pack/fetch';
import { referenceSpeech, REFERENCE_TEXT } from '../helpers/reference-speech';
import { tinyPack } from '../helpers/tiny-pack';

const scope = { crossOriginIsolated: false, navigator: { hardwareConcurrency: 1 } } as unknown as typeof globalThis;
const SAMPLES_PER_TOKEN = 2 * sovitsHop(PACK_TINY.sovits);

let pack: LoadedPack;
let store: UseStore;
let engine: Engine;
let voiceId: string;

async function newEngine(): Promise<Engine> {
  const e = new Engine(ort, { scope, voices: store });
  await e.init({ backend: 'wasm' });
  await e.loadPack(pack);
  return e;
}

async function speak(e: Engine, text: string, opts: SynthesisOptions, onChunk?: (c: AudioChunk, id: number) => void) {
  const chunks: AudioChunk[] = [];
  let id = 0;
  const job = e.synthesize(text, voiceId, opts, (c) => {
    chunks.push(c);
    onChunk?.(c, id);
  });
  id = job.id;
  const report = await job.result;
  return { chunks, report, speech: chunks.filter((c) => c.kind === 'speech') };
}

const join = (chunks: AudioChunk[]) => {
  const out = new Float32Array(chunks.reduce((n, c) => n + c.pcm.length, 0));
  let o = 0;
  for (const c of chunks) out.set(c.pcm, (o += c.pcm.length) - c.pcm.length);
  return out;
};

beforeAll(async () => {
  pack = await tinyPack();
  store = createStore('mynah-test-voices', 'voices');
  engine = await newEngine();
  const cloned = await engine.cloneVoice({ audio: referenceSpeech(), promptText: REFERENCE_TEXT, promptLang: 'en', name: 'Austen reader' }).result;
  voiceId = cloned.voice.id;
});

describe('cloneVoice', () => {
  it('saves a voice with prompt codes, phones and ge from the reference', async () => {
    const v = await getVoice(voiceId, store);
    expect(v.name).toBe('Austen reader');
    expect(v.packId).toBe(pack.manifest.id);
    // 7.1 s of speech fits the 3–10 s window whole (give or take trimmed silence).
    expect(v.refMeta.durationSec).toBeGreaterThan(5);
    expect(v.refMeta.durationSec).toBeLessThanOrEqual(7.2);
    const n16 = Math.round(v.refMeta.durationSec * 16000);
    const t50 = hubertFrameCount(PACK_TINY.hubert, n16 + 9600);
    expect(Math.abs(v.promptCodes.length - Math.floor(t50 / 2))).toBeLessThanOrEqual(1);
    expect(v.promptCodes.every((c) => c >= 0 && c < PACK_TINY.semantic.codebookSize)).toBe(true);
    expect(new Set(v.promptCodes).size).toBeGreaterThan(1);
    expect(v.ge.length).toBe(PACK_TINY.sovits.gin);
    expect(v.promptPhones.length).toBeGreaterThan(40);
  });

  it('rejects an empty transcript and saves nothing', async () => {
    const before = (await import('idb-keyval')).keys(store);
    await expect(engine.cloneVoice({ audio: referenceSpeech(), promptText: ' … ', promptLang: 'en' }).result).rejects.toMatchObject({ code: 'PROMPT_TEXT_EMPTY' });
    expect(await (await import('idb-keyval')).keys(store)).toEqual(await before);
  });
});

describe('synthesize', () => {
  const opts: SynthesisOptions = { seed: 7, maxTokens: 60, lang: 'en' };

  it('same seed gives the same tokens and audio; another seed does not', async () => {
    const a = await speak(engine, 'Hello there, how are you today?', opts);
    const b = await speak(engine, 'Hello there, how are you today?', opts);
    const c = await speak(engine, 'Hello there, how are you today?', { ...opts, seed: 8 });
    expect(a.report.segments.map((s) => s.tokens)).toEqual(b.report.segments.map((s) => s.tokens));
    expect(join(a.speech)).toEqual(join(b.speech));
    expect(join(a.speech)).not.toEqual(join(c.speech));
    for (const x of a.speech) expect(x.pcm.every(Number.isFinite)).toBe(true);
  });

  it('streams: the first chunk leaves after 16 tokens, long before the fragment ends', async () => {
    const { speech, report } = await speak(engine, 'Streaming speech arrives in pieces.', { ...opts, maxTokens: 100 });
    const total = report.segments[0].tokens;
    expect(total).toBeGreaterThan(40);
    expect(speech[0].tokens).toBe(16);
    expect(speech[0].segmentDone).toBe(false);
    expect(speech.length).toBeGreaterThan(2);
    // Cross-faded chunks add up to exactly one token's samples per token.
    expect(join(speech).length).toBe(total * SAMPLES_PER_TOKEN);
    const whole = await speak(engine, 'Streaming speech arrives in pieces.', { ...opts, maxTokens: 100, stream: false });
    expect(whole.report.segments[0].tokens).toBe(total);
    expect(join(whole.speech).length).toBe(total * SAMPLES_PER_TOKEN);
  });

  it('splits long text into fragments with pauses between them', async () => {
    const { chunks, report } = await speak(engine, 'First sentence here. Second one follows! And a third?', { ...opts, maxTokens: 20, cut: 'cut5', pauseSec: 0.25 });
    expect(report.segments.length).toBe(3);
    const pauses = chunks.filter((c) => c.kind === 'pause');
    expect(pauses.length).toBe(3);
    for (const p of pauses) expect(p.pcm.length).toBe(0.25 * 32000);
    expect(new Set(chunks.map((c) => c.segment))).toEqual(new Set([0, 1, 2]));
    expect(report.firstChunkMs).toBeGreaterThan(0);
  });

  it('cancel stops a running job within one decode step', async () => {
    let afterCancel = 0;
    let cancelled = false;
    const job = engine.synthesize('This text would take a long while to read out loud.', voiceId, { ...opts, maxTokens: 1500 }, () => {
      if (cancelled) afterCancel++;
      else cancelled = engine.cancel(job.id);
    });
    await expect(job.result).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(cancelled).toBe(true);
    expect(afterCancel).toBe(0);
    // The engine still works afterwards.
    const next = await speak(engine, 'Still alive.', opts);
    expect(next.speech.length).toBeGreaterThan(0);
  });

  it('a failing job is contained: typed errors, and the next job runs', async () => {
    const missing = engine.synthesize('Hi.', 'no-such-voice', opts, () => {});
    await expect(missing.result).rejects.toBeInstanceOf(MynahError);
    await expect(missing.result).rejects.toMatchObject({ code: 'VOICE_NOT_FOUND' });
    await expect(engine.synthesize('🙂🙂', voiceId, opts, () => {}).result).rejects.toMatchObject({ code: 'TEXT_EMPTY' });
    await expect(engine.synthesize('Hi.', voiceId, { ...opts, topP: 0 }, () => {}).result).rejects.toMatchObject({ code: 'OPTIONS_INVALID' });
    const ok = await speak(engine, 'Fine again.', opts);
    expect(ok.report.segments.length).toBe(1);
  });

  it('a saved voice works in a new engine instance (no re-cloning)', async () => {
    const a = await speak(engine, 'Remember me.', opts);
    const fresh = await newEngine();
    const b = await speak(fresh, 'Remember me.', opts);
    expect(join(b.speech)).toEqual(join(a.speech));
    await fresh.dispose();
  });

  it('refuses a voice made with another pack', async () => {
    const other = await tinyPack(2);
    other.manifest = { ...other.manifest, id: 'tiny-other' };
    const e = new Engine(ort, { scope, voices: store });
    await e.init({ backend: 'wasm' });
    await e.loadPack(other);
    await expect(e.synthesize('Hi.', voiceId, opts, () => {}).result).rejects.toMatchObject({ code: 'VOICE_PACK_MISMATCH' });
    await e.dispose();
  });
});

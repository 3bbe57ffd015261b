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
import { DEFAULT_WATERMARK_KEY } from '../../src/engine/synthesize';
import { detectWatermark, parseWatermarkPayload, voiceIdHash } from '../../src/safety/watermark';
import { lockVoice } from '../../src/store/lock';
import { saveVoice } from '../../src/store/voices';
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

  it('streams: the first chunk leaves after 4 tokens, then chunks of 8 and 16, long before the fragment ends', async () => {
    const { chunks, speech, report } = await speak(engine, 'Streaming speech arrives in pieces.', { ...opts, maxTokens: 100, pauseSec: 0 });
    const total = report.segments[0].tokens;
    expect(total).toBeGreaterThan(40);
    expect(speech.slice(0, 4).map((c) => c.tokens)).toEqual([4, 12, 28, 44]);
    expect(speech[0].segmentDone).toBe(false);
    expect(speech.length).toBeGreaterThan(4);
    // Cross-faded chunks add up to exactly one token's samples per token (the watermark's few
    // milliseconds of lag move samples between chunks, never add or drop any).
    expect(join(chunks).length).toBe(total * SAMPLES_PER_TOKEN);
    const whole = await speak(engine, 'Streaming speech arrives in pieces.', { ...opts, maxTokens: 100, pauseSec: 0, stream: false });
    expect(whole.report.segments[0].tokens).toBe(total);
    expect(join(whole.chunks).length).toBe(total * SAMPLES_PER_TOKEN);
    // upstream's 16-token chunks: the same tokens and length; the noise is per frame, so the
    // chunkings differ only around their cross-fades
    const upstream = await speak(engine, 'Streaming speech arrives in pieces.', { ...opts, maxTokens: 100, pauseSec: 0, stream: { minChunk: 16, overlap: 2 } });
    expect(upstream.speech[0].tokens).toBe(16);
    expect(join(upstream.chunks).length).toBe(total * SAMPLES_PER_TOKEN);
    const snr = (x: Float32Array, ref: Float32Array) => {
      const mean = ref.reduce((a, b) => a + b, 0) / ref.length;
      let sig = 0;
      let err = 0;
      for (let i = 0; i < ref.length; i++) {
        sig += (ref[i] - mean) ** 2;
        err += (x[i] - ref[i]) ** 2;
      }
      return 10 * Math.log10(sig / err);
    };
    const ref = join(whole.chunks);
    const [snrNew, snrOld] = [snr(join(chunks), ref), snr(join(upstream.chunks), ref)];
    console.log(`streamed vs whole-fragment decode: SNR ${snrNew.toFixed(1)} dB (4/8/16 chunks), ${snrOld.toFixed(1)} dB (16-token chunks)`);
    expect(snrNew).toBeGreaterThan(snrOld - 3);
  });

  it('marks every output with the keyed watermark of its voice', async () => {
    const { chunks } = await speak(engine, 'A marked sentence, long enough to carry the whole payload.', { ...opts, maxTokens: 150 });
    const audio = join(chunks);
    const found = detectWatermark(audio, 32000, DEFAULT_WATERMARK_KEY);
    expect(found.present).toBe(true);
    expect(parseWatermarkPayload(found.payload!).voiceHash).toBe(voiceIdHash(voiceId));
    expect(detectWatermark(audio, 32000, 'some other key').present).toBe(false);
  });

  it('refuses blocked text with CONTENT_BLOCKED before any audio', async () => {
    const blocking = new Engine(ort, { scope, voices: store });
    await blocking.init({ backend: 'wasm', contentFilter: { deny: ['forbidden phrase'] } });
    await blocking.loadPack(pack);
    let chunks = 0;
    await expect(blocking.synthesize('Say the Forbidden  Phrase now.', voiceId, opts, () => void chunks++).result).rejects.toMatchObject({ code: 'CONTENT_BLOCKED' });
    expect(chunks).toBe(0);
    // The operator's off-switch.
    const open = new Engine(ort, { scope, voices: store });
    await open.init({ backend: 'wasm', contentFilter: { enabled: false, deny: ['forbidden phrase'] } });
    await open.loadPack(pack);
    expect((await open.synthesize('Say the forbidden phrase now.', voiceId, opts, () => {}).result).segments.length).toBe(1);
  });

  it('a locked voice speaks only with its passphrase, and stays locked in the store', async () => {
    const plain = await getVoice(voiceId, store);
    const locked = await lockVoice({ ...plain, id: 'locked-voice' }, 'correct horse battery');
    await saveVoice(locked, store);
    await expect(engine.synthesize('Hi there.', 'locked-voice', opts, () => {}).result).rejects.toMatchObject({ code: 'VOICE_LOCKED' });
    await expect(engine.synthesize('Hi there.', 'locked-voice', { ...opts, passphrase: 'wrong horse battery' }, () => {}).result).rejects.toMatchObject({ code: 'BAD_PASSPHRASE' });
    const ok = await engine.synthesize('Hi there.', 'locked-voice', { ...opts, passphrase: 'correct horse battery' }, () => {}).result;
    expect(ok.segments[0].tokens).toBeGreaterThan(0);
    expect((await getVoice('locked-voice', store)).ge.length).toBe(0);
  });

  it('splits long text into fragments with pauses between them', async () => {
    const { chunks, report } = await speak(engine, 'First sentence here. Second one follows! And a third?', { ...opts, maxTokens: 20, cut: 'cut5', pauseSec: 0.25 });
    expect(report.segments.length).toBe(3);
    // One pause after each fragment (the last chunk is the watermark's tail, after the last pause).
    expect(chunks.filter((c) => c.kind === 'pause').length).toBe(4);
    const tokens = report.segments.reduce((n, s) => n + s.tokens, 0);
    expect(join(chunks).length).toBe(tokens * SAMPLES_PER_TOKEN + 3 * 0.25 * 32000);
    // The stretch after each fragment's speech is silent.
    const audio = join(chunks);
    let at = 0;
    for (const seg of report.segments) {
      at += seg.tokens * SAMPLES_PER_TOKEN;
      // (The watermark's 256-sample frames reach a little into the silence on both sides.)
      const gap = audio.subarray(at + 256, at + 8000 - 256);
      expect(Math.max(...gap.map(Math.abs))).toBeLessThan(1e-6);
      at += 8000;
    }
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

  it("speaks at precision 'int8' (opt-in): same voice, same length, close to fp32 audio", async () => {
    const e = new Engine(ort, { scope, voices: store });
    const info = await e.init({ backend: 'wasm', precision: 'int8' });
    expect(info.precision.t2s).toBe('int8');
    expect((await engine.backendInfo()).precision).toMatchObject({ t2s: 'fp32', t2sPrefill: 'int8' }); // the default
    await e.loadPack(pack);
    const text = 'Quantized speech.';
    const q = await speak(e, text, { ...opts, maxTokens: 20 });
    const f = await speak(engine, text, { ...opts, maxTokens: 20 });
    expect(q.report.segments.map((s) => s.tokens)).toEqual(f.report.segments.map((s) => s.tokens));
    const a = join(q.speech);
    expect(a.length).toBe(join(f.speech).length);
    expect(a.every(Number.isFinite)).toBe(true);
    await e.dispose();
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

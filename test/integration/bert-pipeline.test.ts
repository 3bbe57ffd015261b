// The Chinese BERT in the engine, on the tiny pack in Node (onnxruntime-web wasm): a Chinese prompt
// stores its features on the voice (equal to the bert graph's rows for the tokenized normalized
// text, repeated by word2ph), Chinese target text gets features that change the GPT's tokens, and
// English text gets zeros, so it sounds the same with or without the BERT in the pack.
import 'fake-indexeddb/auto';
import { createStore, type UseStore } from 'idb-keyval';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { phoneBert } from '../../src/engine/bert-features';
import { Engine } from '../../src/engine/engine';
import { loadModels, releaseSessions, session as modelSession, type LoadedModels } from '../../src/engine/models';
import { DEFAULT_SAMPLING, SemanticSampler, UPSTREAM_LIMITS } from '../../src/engine/sampling';
import { mulberry32 } from '../../src/graph/weights';
import type { AudioChunk, SynthesisOptions } from '../../src/engine/synthesize';
import { T2SRunner } from '../../src/engine/t2s-decode';
import { promptPhones } from '../../src/engine/voice';
import { PACK_TINY } from '../../src/pack/build';
import type { LoadedPack } from '../../src/pack/fetch';
import { getVoice, type Voice } from '../../src/store/voices';
import { BertTokenizer } from '../../src/text/bert-tokenizer';
import { textToPhones } from '../../src/text/frontend';
import { i64, maxAbsDiff, run } from '../helpers/ort';
import { referenceSpeech, REFERENCE_TEXT } from '../helpers/reference-speech';
import { tinyPack } from '../helpers/tiny-pack';

const scope = { crossOriginIsolated: false, navigator: { hardwareConcurrency: 1 } } as unknown as typeof globalThis;
const BERT_DIM = PACK_TINY.t2s.bertDim; // 1024, as upstream's GPT
const HIDDEN = PACK_TINY.roberta!.hidden; // 32: the tiny RoBERTa fills the leading dims
const ZH_PROMPT = '今天天气很好，我们一起去公园散步吧。';
const ZH_TEXT = '我们一起去银行吧。';
const EN_TEXT = 'Hello there, how are you today?';
const opts: SynthesisOptions = { seed: 11, maxTokens: 40, pauseSec: 0 };

let pack: LoadedPack;
let lean: LoadedPack;
let store: UseStore;
let full: Engine;
let noBert: Engine;
let enVoice: Voice;
let zhVoice: Voice;

async function engineFor(p: LoadedPack) {
  const e = new Engine(ort, { scope, voices: store });
  await e.init({ backend: 'wasm' });
  const summary = await e.loadPack(p);
  return { e, summary };
}

async function speak(e: Engine, text: string, voice: Voice, o: SynthesisOptions) {
  const chunks: AudioChunk[] = [];
  const report = await e.synthesize(text, voice.id, o, (c) => void chunks.push(c)).result;
  const audio = new Float32Array(chunks.reduce((n, c) => n + c.pcm.length, 0));
  let at = 0;
  for (const c of chunks) audio.set(c.pcm, (at += c.pcm.length) - c.pcm.length);
  return { report, audio };
}

/** Upstream's get_bert_feature written out: rows for [CLS] text [SEP] minus the ends, repeat, transpose. */
async function referenceFeatures(normText: string, word2ph: number[], tok: BertTokenizer): Promise<number[][]> {
  const ids = tok.encode(normText); // the whole text through the tokenizer, as upstream
  expect(ids.length - 2).toBe(word2ph.length);
  const bertBytes = pack.files.get(pack.manifest.files.find((f) => f.role === 'bert')!.name)!;
  const out = await run(bertBytes, { input_ids: i64(ids, [1, ids.length]) });
  const rows = out.hidden.data as Float32Array;
  const cols: number[][] = Array.from({ length: BERT_DIM }, () => []);
  word2ph.forEach((n, i) => {
    for (let k = 0; k < n; k++) for (let d = 0; d < BERT_DIM; d++) cols[d].push(d < HIDDEN ? rows[i * HIDDEN + d] : 0);
  });
  return cols;
}

beforeAll(async () => {
  pack = await tinyPack();
  lean = { manifest: { ...pack.manifest, files: pack.manifest.files.filter((f) => f.role !== 'bert' && f.role !== 'bert-vocab') }, files: pack.files };
  store = createStore('mynah-bert-test-voices', 'voices');
  full = (await engineFor(pack)).e;
  noBert = (await engineFor(lean)).e;
  enVoice = (await full.cloneVoice({ audio: referenceSpeech(), promptText: REFERENCE_TEXT, promptLang: 'en', name: 'en' }).result).voice;
  zhVoice = (await full.cloneVoice({ audio: referenceSpeech(), promptText: ZH_PROMPT, promptLang: 'zh', name: 'zh' }).result).voice;
});

describe('BERT features in the engine (tiny pack)', () => {
  it('loadPack says whether Chinese text gets BERT features', async () => {
    const a = await engineFor(pack);
    expect(a.summary.bert).toEqual({ available: true, note: expect.stringContaining(`${HIDDEN} wide, zero-filled to ${BERT_DIM}`) });
    const b = await engineFor(lean);
    expect(b.summary.bert.available).toBe(false);
    expect(b.summary.bert.note).toMatch(/no Chinese BERT/);
    // A pack whose BERT lost its vocabulary loads, without the BERT.
    const noVocab = { manifest: { ...pack.manifest, files: pack.manifest.files.filter((f) => f.role !== 'bert-vocab') }, files: pack.files };
    const c = await engineFor(noVocab);
    expect(c.summary.bert).toMatchObject({ available: false, note: expect.stringMatching(/not its vocabulary/) });
    await Promise.all([a.e.dispose(), b.e.dispose(), c.e.dispose()]);
  });

  it('a voice cloned with a Chinese prompt stores promptBert [1024, prompt phones]: the bert graph rows repeated by word2ph', async () => {
    const saved = await getVoice(zhVoice.id, store);
    const P = saved.promptPhones.length;
    expect(saved.promptBert).toBeInstanceOf(Float32Array);
    expect(saved.promptBert!.length).toBe(BERT_DIM * P);
    const { segments, ids } = await promptPhones(ZH_PROMPT, 'zh', 'v2');
    expect(Array.from(ids)).toEqual(Array.from(saved.promptPhones));
    expect(segments.every((s) => s.lang === 'zh')).toBe(true);
    const tok = BertTokenizer.fromVocabText(new TextDecoder().decode(pack.files.get('vocab.txt')!));
    const want: number[][] = Array.from({ length: BERT_DIM }, () => []);
    for (const s of segments) (await referenceFeatures(s.normText, s.word2ph!, tok)).forEach((c, d) => want[d].push(...c));
    expect(maxAbsDiff(saved.promptBert!, want.flat())).toBeLessThanOrEqual(1e-6);
    // Real features in the RoBERTa's 32 dims, zeros above them.
    expect(saved.promptBert!.subarray(0, HIDDEN * P).filter((x) => x !== 0).length).toBeGreaterThan(0.9 * HIDDEN * P);
    expect(saved.promptBert!.subarray(HIDDEN * P).every((x) => x === 0)).toBe(true);
    // An English prompt, or a pack without BERT, stores none (zeros).
    expect(enVoice.promptBert).toBeUndefined();
    const viaLean = await noBert.cloneVoice({ audio: referenceSpeech(), promptText: ZH_PROMPT, promptLang: 'zh' }).result;
    expect(viaLean.voice.promptBert).toBeUndefined();
    expect(Array.from(viaLean.voice.promptPhones)).toEqual(Array.from(saved.promptPhones));
  });

  it('Chinese text gets non-zero BERT features, which change the GPT’s tokens against zeros', async () => {
    const m: LoadedModels = await loadModels(ort, pack, (bytes, o) => ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], ...o }), false);
    const { segments } = await textToPhones(ZH_TEXT, 'zh');
    const target = await phoneBert(m, segments);
    expect(target.bertSegments).toBe(1);
    expect(target.bert.some((x) => x !== 0)).toBe(true);
    const T = target.phones;
    const P = enVoice.promptPhones.length;
    const X = P + T;
    const phones = BigInt64Array.from([...enVoice.promptPhones, ...segments.flatMap((s) => s.ids)], BigInt);
    const withBert = new Float32Array(BERT_DIM * X);
    for (let d = 0; d < BERT_DIM; d++) withBert.set(target.bert.subarray(d * T, (d + 1) * T), d * X + P);
    const runner = () => new T2SRunner(ort, { embed: modelSession(m, 't2s-embed'), token: modelSession(m, 't2s-token'), decoder: modelSession(m, 't2s-decoder') }, { layers: m.t2s.layers, dim: m.t2s.dim, onDevice: false });
    const prompt = BigInt64Array.from(enVoice.promptCodes, BigInt);
    /** The prefill step's logits, taken from the runner by a sampler that stops at once. */
    const embedAndDecode = async (bert: Float32Array) => {
      let logits = new Float32Array(0);
      const stop = { tokens: [] as number[], next: (l: Float32Array) => ((logits = Float32Array.from(l)), { token: 0, done: true }) } as unknown as SemanticSampler;
      for await (const _ of runner().generate({ phones, bert, bertDim: BERT_DIM, prompt }, stop)) void _;
      expect(logits.length).toBe(m.t2s.vocab);
      return logits;
    };
    const zeros = new Float32Array(BERT_DIM * X);
    // The first step's logits move (the same input twice gives exactly the same numbers).
    expect(maxAbsDiff(await embedAndDecode(zeros), await embedAndDecode(zeros))).toBe(0);
    expect(maxAbsDiff(await embedAndDecode(withBert), await embedAndDecode(zeros))).toBeGreaterThan(1e-3);

    // Upstream's sampling with the same random draws for both. The tiny random GPT's distribution
    // moves only a little, so tokens part ways after a while: over six seeds, most runs must.
    const decode = async (bert: Float32Array, seed: number) => {
      const sampler = new SemanticSampler(Array.from(enVoice.promptCodes), DEFAULT_SAMPLING, mulberry32(seed), { ...UPSTREAM_LIMITS, maxSteps: 100 });
      const tokens: number[] = [];
      for await (const t of runner().generate({ phones, bert, bertDim: BERT_DIM, prompt }, sampler)) tokens.push(t);
      return tokens;
    };
    const seeds = [1, 2, 3, 4, 5, 6];
    const differ: number[] = [];
    for (const seed of seeds) {
      const a = await decode(withBert, seed);
      if (seed === 1) expect(await decode(withBert, seed)).toEqual(a); // deterministic: any difference is the BERT's
      if (a.join() !== (await decode(zeros, seed)).join()) differ.push(seed);
    }
    console.log(`BERT vs zeros: tokens differ for seeds ${differ.join(', ')} of ${seeds.length}`);
    expect(differ.length).toBeGreaterThanOrEqual(4);
    await releaseSessions(m.sessions);

    // Through the engine, at a seed where the tokens part: the report says so, and the audio
    // differs from the same pack without BERT.
    const o = { ...opts, seed: differ[0], maxTokens: 100 };
    const withIt = await speak(full, ZH_TEXT, enVoice, o);
    const without = await speak(noBert, ZH_TEXT, enVoice, o);
    expect(withIt.report.bert).toMatchObject({ used: true, available: true, prompt: false });
    expect(withIt.report.segments.map((s) => s.bert)).toEqual([true]);
    expect(withIt.report.bertMs).toBeGreaterThan(0);
    expect(without.report.bert).toMatchObject({ used: false, available: false });
    expect(without.report.warnings.join(' ')).toMatch(/no Chinese BERT/);
    expect(withIt.audio).not.toEqual(without.audio);
  });

  it('English text keeps zero features: the same tokens and audio with or without the BERT', async () => {
    const a = await speak(full, EN_TEXT, enVoice, opts);
    const b = await speak(noBert, EN_TEXT, enVoice, opts);
    expect(a.report.bert).toMatchObject({ used: false, available: true, prompt: false });
    expect(a.report.segments.every((s) => !s.bert)).toBe(true);
    expect(b.report.warnings.join(' ')).not.toMatch(/BERT/); // nothing Chinese, nothing missed
    expect(a.report.segments.map((s) => s.tokens)).toEqual(b.report.segments.map((s) => s.tokens));
    expect(a.audio).toEqual(b.audio);
    // A Chinese-prompt voice brings its stored features along, even for English text.
    const c = await speak(full, EN_TEXT, zhVoice, opts);
    expect(c.report.bert).toMatchObject({ used: true, prompt: true });
    expect(c.report.segments.every((s) => !s.bert)).toBe(true);
  });
});

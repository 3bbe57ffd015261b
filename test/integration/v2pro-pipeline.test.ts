// v2Pro / v2ProPlus packs end to end in Node (onnxruntime-web wasm, tiny packs): cloning runs the
// speaker-verification graph and stores the fused ge; several recordings combine as upstream's
// auxiliary references (mean of per-reference ge); a voice only speaks with its own pack family.
import 'fake-indexeddb/auto';
import { createStore, type UseStore } from 'idb-keyval';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { kaldiFbank } from '../../src/audio/fbank';
import { prepareReference } from '../../src/audio/prepare';
import type { PcmAudio } from '../../src/audio/pcm';
import { Engine } from '../../src/engine/engine';
import { PACK_TINY, PACK_TINY_V2PRO, PACK_TINY_V2PROPLUS } from '../../src/pack/build';
import type { LoadedPack } from '../../src/pack/fetch';
import { exportVoice, getVoice, parseVoiceExport } from '../../src/store/voices';
import { lockVoice, unlockVoice } from '../../src/store/lock';
import { referenceSpeech, REFERENCE_TEXT } from '../helpers/reference-speech';
import { maxAbsDiff, run } from '../helpers/ort';
import { tinyPack } from '../helpers/tiny-pack';

const scope = { crossOriginIsolated: false, navigator: { hardwareConcurrency: 1 } } as unknown as typeof globalThis;

let store: UseStore;
const packs: Record<string, LoadedPack> = {};

async function engineFor(id: string): Promise<Engine> {
  const e = new Engine(ort, { scope, voices: store });
  await e.init({ backend: 'wasm' });
  await e.loadPack(packs[id]);
  return e;
}

/** Part of the reference clip (another "recording" of the same speaker). */
function slice(a: PcmAudio, fromSec: number, toSec: number): PcmAudio {
  const sr = a.sampleRate;
  return { sampleRate: sr, channels: a.channels.map((c) => c.slice(Math.round(fromSec * sr), Math.round(toSec * sr))) };
}

beforeAll(async () => {
  store = createStore('mynah-test-v2pro', 'voices');
  packs.v2 = await tinyPack(1, PACK_TINY);
  packs.v2Pro = await tinyPack(1, PACK_TINY_V2PRO);
  packs.v2ProPlus = await tinyPack(1, PACK_TINY_V2PROPLUS);
});

describe.each(['v2Pro', 'v2ProPlus'])('%s tiny pack', (version) => {
  it('clones (fused ge from the sv graph, as computed by hand) and speaks finite audio', async () => {
    const e = await engineFor(version);
    const audio = referenceSpeech();
    const { voice } = await e.cloneVoice({ audio, promptText: REFERENCE_TEXT, promptLang: 'en', name: version }).result;
    const cfg = version === 'v2Pro' ? PACK_TINY_V2PRO : PACK_TINY_V2PROPLUS;
    expect(voice.modelVersion).toBe(version);
    expect(voice.ge.length).toBe(cfg.sovits.gin);
    expect(voice.refGes).toBeUndefined();

    // The same steps by hand: fbank -> sv graph -> reference encoder with sv.
    const pack = packs[version];
    const file = (role: string) => pack.files.get(pack.manifest.files.find((f) => f.role === role)!.name)!;
    const prepared = prepareReference(audio);
    const fb = kaldiFbank(prepared.wav16k);
    const sv = (await run(file('sv'), { fbank: new ort.Tensor('float32', fb.data, [1, fb.frames, fb.bins]) })).sv;
    expect(sv.dims).toEqual([1, cfg.sovits.svDim]);
    const spec = prepared.spectrogram;
    const refer = new ort.Tensor('float32', spec.data, [1, spec.bins, spec.frames]);
    const ge = (await run(file('sovits-ref'), { refer, sv })).ge.data as Float32Array;
    // (Sessions made with other options may differ in the last bits.)
    expect(maxAbsDiff(voice.ge, ge)).toBeLessThan(1e-5);
    // The speaker-verification branch matters: another sv embedding gives another ge.
    const zeroSv = new ort.Tensor('float32', new Float32Array(cfg.sovits.svDim!), [1, cfg.sovits.svDim!]);
    const geNoSv = (await run(file('sovits-ref'), { refer, sv: zeroSv })).ge.data as Float32Array;
    expect(Math.max(...Array.from(ge, (v, i) => Math.abs(v - geNoSv[i])))).toBeGreaterThan(1e-3);

    const chunks: Float32Array[] = [];
    const report = await e.synthesize('Hello there, this is a test.', voice.id, { seed: 3, maxTokens: 40 }, (c) => void (c.kind === 'speech' && chunks.push(c.pcm))).result;
    const samples = chunks.reduce((n, c) => n + c.length, 0);
    expect(report.segments.length).toBeGreaterThan(0);
    expect(samples).toBeGreaterThan(0);
    expect(chunks.every((c) => c.every(Number.isFinite))).toBe(true);
    await e.dispose();
  });
});

describe('multi-reference voices', () => {
  it.each(['v2', 'v2Pro'])('%s: ge is the mean of the references’ ge; recordings can be added up to 5; export, lock and import keep them', async (version) => {
    const e = await engineFor(version);
    const audio = referenceSpeech();
    const extra = [slice(audio, 0, 4), slice(audio, 3, 7)];
    const single = await Promise.all([audio, ...extra].map(async (a, i) => (await e.cloneVoice({ audio: a, promptText: REFERENCE_TEXT, promptLang: 'en', name: `one ${i}` }).result).voice));
    const { voice } = await e.cloneVoice({ audio, promptText: REFERENCE_TEXT, promptLang: 'en', name: 'three', extraAudio: extra }).result;
    const gin = voice.ge.length;
    expect(voice.refGes!.length).toBe(3 * gin);
    expect(voice.auxRefs).toHaveLength(2);
    // Codes and phones are the main reference's; each reference's ge is what cloning it alone gives.
    expect(Array.from(voice.promptCodes)).toEqual(Array.from(single[0].promptCodes));
    single.forEach((s, r) => expect(Array.from(voice.refGes!.slice(r * gin, (r + 1) * gin))).toEqual(Array.from(s.ge)));
    for (let i = 0; i < gin; i++) expect(voice.ge[i]).toBeCloseTo((single[0].ge[i] + single[1].ge[i] + single[2].ge[i]) / 3, 6);

    const added = (await e.addVoiceReferences(voice.id, [slice(audio, 1, 5), slice(audio, 2, 6)]).result).voice;
    expect(added.refGes!.length).toBe(5 * gin);
    expect((await getVoice(voice.id, store)).refGes!.length).toBe(5 * gin);
    await expect(e.addVoiceReferences(voice.id, [slice(audio, 0, 4)]).result).rejects.toMatchObject({ code: 'TOO_MANY_REFERENCES' });
    // The failed addition lost nothing.
    expect(Array.from((await getVoice(voice.id, store)).ge)).toEqual(Array.from(added.ge));

    const back = parseVoiceExport(exportVoice(added));
    expect(Array.from(back.refGes!)).toEqual(Array.from(added.refGes!));
    const locked = await lockVoice(added, 'correct horse battery', 600_000);
    expect(locked.refGes).toBeUndefined();
    const unlocked = await unlockVoice(locked, 'correct horse battery');
    expect(Array.from(unlocked.refGes!)).toEqual(Array.from(added.refGes!));
    await e.dispose();
  }, 120_000);
});

describe('pack families', () => {
  it('a v2 voice is refused by a v2Pro pack (and back) with a message naming the pack it needs', async () => {
    const v2 = await engineFor('v2');
    const { voice } = await v2.cloneVoice({ audio: referenceSpeech(), promptText: REFERENCE_TEXT, promptLang: 'en' }).result;
    const pro = await engineFor('v2Pro');
    const err = await pro.synthesize('Hello.', voice.id, {}, () => {}).result.catch((x) => x);
    expect(err).toMatchObject({ code: 'VOICE_PACK_MISMATCH' });
    expect(err.message).toMatch(/GPT-SoVITS v2 pack \("tiny"\).*GPT-SoVITS v2Pro/);
    const proVoice = (await pro.cloneVoice({ audio: referenceSpeech(), promptText: REFERENCE_TEXT, promptLang: 'en' }).result).voice;
    const err2 = await v2.synthesize('Hello.', proVoice.id, {}, () => {}).result.catch((x) => x);
    expect(err2.message).toMatch(/GPT-SoVITS v2Pro pack \("tiny-v2pro"\)/);
    await v2.dispose();
    await pro.dispose();
  });
});

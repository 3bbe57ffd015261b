// The speaker's consent travels with the voice: cloneVoice stores the record it is given, and the
// record survives IndexedDB, export to a file, import into another library, and locking.
// Runs the real engine (onnxruntime-web wasm in Node) on the tiny pack.
import 'fake-indexeddb/auto';
import { createStore, keys, type UseStore } from 'idb-keyval';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine';
import { CONSENT_STATEMENT, makeConsent } from '../../src/safety/consent';
import { lockVoice, unlockVoice } from '../../src/store/lock';
import { exportVoice, getVoice, importVoice, parseVoiceExport, type VoiceConsent } from '../../src/store/voices';
import { referenceSpeech, REFERENCE_TEXT } from '../helpers/reference-speech';
import { tinyPack } from '../helpers/tiny-pack';

const scope = { crossOriginIsolated: false, navigator: { hardwareConcurrency: 1 } } as unknown as typeof globalThis;

let store: UseStore;
let engine: Engine;
let n = 0;
const freshStore = () => createStore(`consent-test-${n++}`, 'voices');

beforeAll(async () => {
  store = freshStore();
  engine = new Engine(ort, { scope, voices: store });
  await engine.init({ backend: 'wasm' });
  await engine.loadPack(await tinyPack());
});

const clone = (consent?: VoiceConsent) => engine.cloneVoice({ audio: referenceSpeech(), promptText: REFERENCE_TEXT, promptLang: 'en', name: 'Consenting reader', consent }).result;

describe('consent stored with the voice', () => {
  const given = makeConsent(true, CONSENT_STATEMENT, new Date('2026-03-04T05:06:07.000Z'));

  it('cloneVoice saves the record on the voice, and export/import keeps it', async () => {
    const { voice } = await clone(given);
    expect(voice.consent).toEqual(given);
    const saved = await getVoice(voice.id, store);
    expect(saved.consent).toEqual({ given: true, at: '2026-03-04T05:06:07.000Z', statement: CONSENT_STATEMENT });

    const file = exportVoice(saved);
    expect(JSON.parse(file).consent).toEqual(given);
    expect(parseVoiceExport(file).consent).toEqual(given);
    // Into another browser's library, and again into this one (where it gets a fresh id).
    const other = freshStore();
    const there = await importVoice(file, other);
    expect(there.id).toBe(voice.id);
    expect((await getVoice(there.id, other)).consent).toEqual(given);
    const copy = await importVoice(file, store);
    expect(copy.id).not.toBe(voice.id);
    expect((await getVoice(copy.id, store)).consent).toEqual(given);
  });

  it('a locked voice keeps its consent in the clear, through export and unlock', async () => {
    const { voice } = await clone(given);
    const locked = await lockVoice(await getVoice(voice.id, store), 'a long enough passphrase');
    const back = parseVoiceExport(exportVoice(locked));
    expect(back.consent).toEqual(given);
    expect((await unlockVoice(back, 'a long enough passphrase')).consent).toEqual(given);
  });

  it('a voice cloned without a record has none', async () => {
    const { voice } = await clone();
    expect('consent' in (await getVoice(voice.id, store))).toBe(false);
  });

  it('refuses a malformed record before running any model, and saves nothing', async () => {
    const before = (await keys(store)).length;
    for (const bad of [
      { given: false, at: given.at, statement: CONSENT_STATEMENT },
      { given: true, at: 'yesterday', statement: CONSENT_STATEMENT },
      { given: true, at: given.at, statement: '   ' },
    ]) {
      await expect(clone(bad as unknown as VoiceConsent)).rejects.toMatchObject({ code: 'CONSENT_INVALID' });
    }
    expect(() => makeConsent(false)).toThrow(expect.objectContaining({ code: 'CONSENT_REQUIRED' }));
    expect((await keys(store)).length).toBe(before);
  });
});

import 'fake-indexeddb/auto';
import { createStore } from 'idb-keyval';
import { describe, expect, it } from 'vitest';
import { deleteVoice, exportVoice, getVoice, importVoice, listVoices, parseVoiceExport, renameVoice, saveVoice, VOICE_SCHEMA, type Voice } from '../../src/store/voices';

let n = 0;
const freshStore = () => createStore(`test-voices-${n++}`, 'voices');

function voice(id: string, created = '2026-01-01T00:00:00Z'): Voice {
  return {
    schema: VOICE_SCHEMA,
    id,
    name: `voice ${id}`,
    created,
    packId: 'tiny',
    modelVersion: 'v2',
    promptText: '你好。',
    promptLang: 'zh',
    promptPhones: Int32Array.from([10, 20, 30]),
    promptBert: Float32Array.from({ length: 6 }, (_, i) => i / 7),
    promptCodes: Int32Array.from([1, 2, 1023, 0]),
    ge: Float32Array.from([0.5, -1.25, 3e-8]),
    refMeta: { durationSec: 4.2, note: 'best window 1.0–5.2 s' },
  };
}

describe('voice store', () => {
  it('saves, lists in creation order, renames and deletes', async () => {
    const store = freshStore();
    await saveVoice(voice('b', '2026-02-01T00:00:00Z'), store);
    await saveVoice(voice('a', '2026-01-01T00:00:00Z'), store);
    expect((await listVoices(store)).map((v) => v.id)).toEqual(['a', 'b']);
    expect((await renameVoice('a', '  Grandma ', store)).name).toBe('Grandma');
    expect((await getVoice('a', store)).name).toBe('Grandma');
    await deleteVoice('a', store);
    await expect(getVoice('a', store)).rejects.toMatchObject({ code: 'VOICE_NOT_FOUND' });
  });

  it('keeps typed arrays exact through IndexedDB and through export/import', async () => {
    const store = freshStore();
    const v = voice('x');
    await saveVoice(v, store);
    expect(await getVoice('x', store)).toEqual(v);
    const round = parseVoiceExport(exportVoice(v));
    expect(round).toEqual(v);
    expect(round.ge).toBeInstanceOf(Float32Array);
  });

  it('import never overwrites an existing voice', async () => {
    const store = freshStore();
    await saveVoice(voice('x'), store);
    const imported = await importVoice(exportVoice({ ...voice('x'), name: 'other' }), store);
    expect(imported.id).not.toBe('x');
    expect((await getVoice('x', store)).name).toBe('voice x');
    expect(await listVoices(store)).toHaveLength(2);
  });

  it('rejects broken voices and files with typed errors and saves nothing', async () => {
    const store = freshStore();
    await expect(saveVoice({ ...voice('y'), ge: Float32Array.from([NaN]) }, store)).rejects.toMatchObject({ code: 'VOICE_INVALID' });
    expect(() => parseVoiceExport('not json')).toThrow(expect.objectContaining({ code: 'VOICE_INVALID' }));
    expect(() => parseVoiceExport('{"kind":"something-else"}')).toThrow(/not a Mynah voice/);
    const damaged = JSON.parse(exportVoice(voice('z')));
    damaged.promptCodes = 'AAA'; // 2 bytes: not a whole int32
    await expect(importVoice(JSON.stringify(damaged), store)).rejects.toMatchObject({ code: 'VOICE_INVALID', message: expect.stringMatching(/damaged/) });
    const future = { ...JSON.parse(exportVoice(voice('w'))), schema: 99 };
    expect(() => parseVoiceExport(JSON.stringify(future))).toThrow(/schema 99/);
    expect(await listVoices(store)).toEqual([]);
  });
});

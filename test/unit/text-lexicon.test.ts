// The personal pronunciation list: validation messages, application in zh and en, the Japanese
// entry form, IndexedDB storage and travel with voice exports.
import 'fake-indexeddb/auto';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTextFrontend, textToPhones } from '../../src/text/frontend';
import { PronunciationList, resolvePronunciation, splitByWords } from '../../src/text/lexicon';
import { deletePronunciation, listPronunciations, mergePronunciations, savePronunciation } from '../../src/store/pronunciations';
import { pronunciationsInExport } from '../../src/store/voices';

beforeAll(() => loadTextFrontend(['zh', 'en']));
const phones = async (t: string, lang: 'zh' | 'en', list?: PronunciationList) =>
  (await textToPhones(t, lang, 'v2', list ? { pronunciations: list } : {})).segments.map((s) => s.phones.join(' ')).join(' | ');

describe('validation', () => {
  it.each([
    [{ word: 'tomato', lang: 'en', pronunciation: 'T AH0 M XX1 T OW2' }, /Unknown ARPAbet phone "XX1"/],
    [{ word: 'tomato', lang: 'en', pronunciation: 'T AH M EY1 T OW2' }, /Unknown ARPAbet phone "AH"/],
    [{ word: 'to mato', lang: 'en', pronunciation: 'T OW1' }, /one word of letters/],
    [{ word: '银行', lang: 'zh', pronunciation: 'yin2' }, /2 characters but 1 pinyin syllables/],
    [{ word: '银行', lang: 'zh', pronunciation: 'yin2 xingg2' }, /Unknown pinyin "xingg2"/],
    [{ word: '银行', lang: 'zh', pronunciation: 'yin xing' }, /Unknown pinyin "yin"/],
    [{ word: 'bank', lang: 'zh', pronunciation: 'yin2' }, /Chinese characters only/],
    [{ word: '橋', lang: 'ja', pronunciation: 'hashi' }, /kana only/],
    [{ word: '橋', lang: 'ja', pronunciation: 'はし', accent: 3 }, /from 0 \(flat\) to 2/],
    [{ word: 'x', lang: 'ko', pronunciation: 'x' }, /Unknown language/],
  ])('refuses %j', (e, msg) => {
    expect(() => resolvePronunciation(e as never)).toThrow(msg);
    try {
      resolvePronunciation(e as never);
    } catch (err) {
      expect((err as { code: string }).code).toBe('PRONUNCIATION_INVALID');
    }
  });

  it('accepts pinyin with ü or v, ARPAbet, sounds-like and kana with accent', () => {
    expect(resolvePronunciation({ word: '绿', lang: 'zh', pronunciation: 'lü4' }).phones).toEqual(['l', 'v4']);
    expect(resolvePronunciation({ word: '女', lang: 'zh', pronunciation: 'nv3' }).phones).toEqual(['n', 'v3']);
    expect(resolvePronunciation({ word: 'GIF', lang: 'en', pronunciation: 'sounds like: jiff' }).soundsLike).toBe('jiff');
    const ja = resolvePronunciation({ word: '箸', lang: 'ja', pronunciation: 'はし', accent: 1 });
    expect([ja.kana, ja.morae, ja.accent]).toEqual(['ハシ', 2, 1]);
    expect(new PronunciationList([{ word: '東京', lang: 'ja', pronunciation: 'とーきょー', accent: 0 }]).japanese()).toEqual([{ word: '東京', kana: 'トーキョー', morae: 4, accent: 0 }]);
  });

  it('splits text at listed words, longest first', () => {
    expect(splitByWords('去银行了', ['银行', '银'])).toEqual([
      { text: '去', word: false },
      { text: '银行', word: true },
      { text: '了', word: false },
    ]);
  });
});

describe('application', () => {
  it('Chinese: the listed word keeps its syllables and the rest is unchanged', async () => {
    const list = new PronunciationList([{ word: '银行', lang: 'zh', pronunciation: 'yin2 xing2' }]);
    expect(await phones('我去银行取钱。', 'zh')).toBe('w o3 q v4 y in2 h ang2 q v3 q ian2 .');
    expect(await phones('我去银行取钱。', 'zh', list)).toBe('w o3 q v4 y in2 x ing2 q v3 q ian2 .');
  });

  it('Japanese: a listed word is read from its kana and accent as its own accent phrase', async () => {
    await loadTextFrontend(['ja']);
    const ja = async (t: string, list?: PronunciationList) => (await textToPhones(t, 'ja', 'v2', list ? { pronunciations: list } : {})).segments.map((s) => s.phones.join(' ')).join(' | ');
    const plain = await ja('明日は晴れです。');
    const list = new PronunciationList([{ word: '明日', lang: 'ja', pronunciation: 'あす', accent: 2 }]);
    const listed = await ja('明日は晴れです。', list);
    // Its own accent phrase (the boundary # is UNK in the v2 table, as upstream writes it); a fall after
    // its last mora shows on no phone of a one-word phrase.
    expect(listed.startsWith('a [ s u UNK w a UNK h a [ r e ] d e s u')).toBe(true);
    expect(plain.startsWith('a [ sh i t a')).toBe(true);
    // Text without the word is unchanged.
    expect(await ja('今日は晴れです。', list)).toBe(await ja('今日は晴れです。'));
  });

  it('English: ARPAbet and sounds-like, in any case', async () => {
    const list = new PronunciationList([
      { word: 'tomato', lang: 'en', pronunciation: 'T AH0 M AA1 T OW2' },
      { word: 'gif', lang: 'en', pronunciation: 'sounds like: jiff' },
    ]);
    expect(await phones('Tomato GIF.', 'en', list)).toBe('T AH0 M AA1 T OW2 JH IH1 F .');
  });
});

describe('storage and export', () => {
  it('saves, replaces, deletes and merges', async () => {
    await savePronunciation({ word: 'tomato', lang: 'en', pronunciation: 'T AH0 M AA1 T OW2' });
    await savePronunciation({ word: 'Tomato', lang: 'en', pronunciation: 'T AH0 M EY1 T OW2' });
    expect(await listPronunciations()).toEqual([{ word: 'Tomato', lang: 'en', pronunciation: 'T AH0 M EY1 T OW2' }]);
    await expect(savePronunciation({ word: 'x', lang: 'en', pronunciation: 'QQ' })).rejects.toThrow(/Unknown ARPAbet/);
    expect(await mergePronunciations([{ word: 'tomato', lang: 'en', pronunciation: 'T OW1' }, { word: '银行', lang: 'zh', pronunciation: 'yin2 xing2' }, { bad: 1 }])).toBe(1);
    expect((await listPronunciations()).length).toBe(2);
    await deletePronunciation('TOMATO', 'en');
    expect((await listPronunciations()).map((e) => e.word)).toEqual(['银行']);
  });

  it('reads the list carried by a voice export', () => {
    expect(pronunciationsInExport(JSON.stringify({ kind: 'x', pronunciations: [{ word: 'a' }] }))).toEqual([{ word: 'a' }]);
    expect(pronunciationsInExport('not json')).toEqual([]);
  });
});

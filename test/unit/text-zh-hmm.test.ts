// jieba's HMMs (posseg and finalseg) as Mynah ports them, against jieba 0.42.1 itself
// (test/fixtures/text/jieba-hmm-cases.json, scripts/text-data/zh_hmm_cases.py): every Chinese run of
// the zh golden set and random strings, as jieba.posseg.lcut (HMM on) and jieba.lcut_for_search cut them.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { jiebaCutForSearch, jiebaPosseg, loadZhLexicon } from '../../src/text/g2p/zh-lexicon';

const { cases } = JSON.parse(readFileSync(new URL('../fixtures/text/jieba-hmm-cases.json', import.meta.url), 'utf8')) as {
  cases: Array<[string, Array<[string, string]>, string[]]>;
};

beforeAll(() => loadZhLexicon(), 60_000);

describe('jieba HMM port', () => {
  it('cuts and tags as jieba.posseg.lcut does', () => {
    const off = cases.filter(([s, want]) => JSON.stringify(jiebaPosseg(s)) !== JSON.stringify(want)).map(([s]) => s);
    expect(cases.length).toBeGreaterThan(5000);
    expect(off).toEqual([]);
  });
  it('cuts as jieba.lcut_for_search does (finalseg HMM)', () => {
    const off = cases.filter(([s, , want]) => JSON.stringify(jiebaCutForSearch(s)) !== JSON.stringify(want)).map(([s]) => s);
    expect(off).toEqual([]);
  });
});

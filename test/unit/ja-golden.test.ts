// Japanese G2P against upstream's own frontend: test/fixtures/text/ja-golden.json holds the phones that
// upstream GPT-SoVITS's japanese.py (v2 g2p with prosody, pyopenjtalk 0.4.1, OpenJTalk 1.11, NAIST-jdic)
// wrote for 4600 sentences (scripts/ja/make-golden.py). Every 5th sentence is held back: nothing was
// tuned on it. Targets: >= 95% of sentences exactly equal (with accent marks), >= 99.5% of phones.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { g2pJapanese, japaneseKanaToPhones, loadJapaneseTokenizer, toMecabInput } from '../../src/text/g2p/ja';
import { normalizeJa } from '../../src/text/normalize/ja';

interface GoldenFile {
  heldOutEvery: number;
  items: Array<[string, string]>;
}
const golden = JSON.parse(readFileSync(new URL('../fixtures/text/ja-golden.json', import.meta.url), 'utf8')) as GoldenFile;
const g2p = (text: string) => g2pJapanese(normalizeJa(text));
const MARKS = new Set(['[', ']', '#']);

function editDistance(a: string[], b: string[]): number {
  const d = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = d[0];
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = d[j];
      d[j] = Math.min(d[j] + 1, d[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return d[b.length];
}

/** Sentence-exact and phone accuracy (1 - edit distance / reference length), with and without marks. */
function score(items: Array<[string, string]>) {
  let exact = 0;
  let exactPlain = 0;
  let ref = 0;
  let err = 0;
  let refPlain = 0;
  let errPlain = 0;
  const misses: string[] = [];
  for (const [text, want] of items) {
    const w = want ? want.split(' ') : [];
    const got = g2p(text);
    const wp = w.filter((p) => !MARKS.has(p));
    const gp = got.filter((p) => !MARKS.has(p));
    if (got.join(' ') === w.join(' ')) exact++;
    else misses.push(`${text}\n  want ${want}\n  got  ${got.join(' ')}`);
    if (gp.join(' ') === wp.join(' ')) exactPlain++;
    ref += w.length;
    err += editDistance(got, w);
    refPlain += wp.length;
    errPlain += editDistance(gp, wp);
  }
  return { sentences: exact / items.length, sentencesPlain: exactPlain / items.length, phones: 1 - err / ref, phonesPlain: 1 - errPlain / refPlain, misses };
}

beforeAll(async () => {
  await loadJapaneseTokenizer();
}, 60_000);

describe('Japanese golden set (upstream japanese.py + pyopenjtalk)', () => {
  const heldOut = golden.items.filter((_, i) => i % golden.heldOutEvery === golden.heldOutEvery - 1);
  const tuned = golden.items.filter((_, i) => i % golden.heldOutEvery !== golden.heldOutEvery - 1);

  it('is large and varied enough to mean something', () => {
    expect(golden.items.length).toBeGreaterThanOrEqual(4000);
    expect(heldOut.length).toBeGreaterThanOrEqual(800);
  });

  it.each([
    ['held-back part', heldOut],
    ['tuned part', tuned],
  ] as const)('%s: >= 95%% sentences exact with accent marks, >= 99.5%% phones', (_name, items) => {
    const s = score(items);
    console.log(
      `${_name} (${items.length}): sentences ${(100 * s.sentences).toFixed(2)}% (${(100 * s.sentencesPlain).toFixed(2)}% without marks), ` +
        `phones ${(100 * s.phones).toFixed(3)}% (${(100 * s.phonesPlain).toFixed(3)}% without marks)`,
    );
    if (s.misses.length) console.log(s.misses.slice(0, 10).join('\n'));
    expect(s.sentences).toBeGreaterThanOrEqual(0.95);
    expect(s.phones).toBeGreaterThanOrEqual(0.995);
  }, 120_000);
});

describe('Japanese pronunciation, numbers and counters (as upstream)', () => {
  it.each([
    ['指定します', 'sh i [ t e e # sh i [ m a ] s u'],
    ['映画', 'e [ e g a'],
    ['でしょう', 'd e ] sh o o'],
    ['7時', 'sh i [ ch i ] j i'],
    ['10分', 'j u [ cl ] p u N'],
    ['4月', 'sh i [ g a ts u'],
    ['4月1日', 'sh i [ g a ts u # ts u [ i t a ch i'],
    ['4年', 'y o ] n e N'],
    ['電話は03-1234-5678', 'd e [ N w a w a # z e [ r o s a ] N - s e ] N # n i [ hy a k u # s a ] N j u u # y o ] N - g o [ s e ] N # r o [ cl py a k u # n a ] n a j u u # h a [ ch i'],
  ])('%s', (text, want) => {
    // Values from upstream's japanese.g2p (scripts/ja/make-golden.py).
    expect(g2p(text).join(' ')).toBe(want);
  });

  it('reads ASCII and half-width katakana as OpenJTalk does (full width first)', () => {
    expect(toMecabInput('abc ﾃﾞｰﾀ 12')).toBe('ａｂｃ　データ　１２');
  });
});

describe('japaneseKanaToPhones (personal pronunciation list)', () => {
  it.each([
    ['とうきょう', 0, 't o [ u ky o u'], // kana are read as written: a long vowel is ー (or the vowel itself)
    ['トーキョー', 0, 't o [ o ky o o'],
    ['はし', 1, 'h a ] sh i'],
    ['はし', 2, 'h a [ sh i'],
    ['アルジドノ', 3, 'a [ r u j i ] d o n o'],
    ['ん', 0, 'N'],
  ])('%s (%i)', (kana, acc, want) => {
    expect(japaneseKanaToPhones(kana, acc).join(' ')).toBe(want);
  });
});

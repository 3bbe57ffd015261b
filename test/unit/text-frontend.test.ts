// Golden phone sequences (test/fixtures/text/golden-*.json), reviewed case by case against upstream's rules,
// plus property tests over those texts and random mixed input. the dictionaries are loaded once here.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTextFrontend, MAX_FRAGMENT_CHARS, textToPhones, type LangMode } from '../../src/text/frontend';
import { SYMBOLS_V1, SYMBOLS_V2 } from '../../src/text/symbols';
import { MynahError } from '../../src/errors';

interface Golden {
  text: string;
  lang: LangMode;
  segments: Array<{ lang: string; normText: string; phones: string }>;
}
const load = (name: string): Golden[] => JSON.parse(readFileSync(new URL(`../fixtures/text/${name}.json`, import.meta.url), 'utf8'));
const GOLDEN: Record<string, Golden[]> = {
  zh: load('golden-zh'),
  en: load('golden-en'),
  ja: load('golden-ja'),
  mixed: load('golden-mixed'),
};

beforeAll(async () => {
  await loadTextFrontend(['zh', 'en', 'ja']);
});

describe.each(Object.keys(GOLDEN))('golden %s', (key) => {
  it(`has cases`, () => expect(GOLDEN[key].length).toBeGreaterThanOrEqual(15));
  it.each(GOLDEN[key].map((g) => [g.text, g] as const))('%s', async (_t, g) => {
    const r = await textToPhones(g.text, g.lang, 'v2');
    expect(r.segments.map((s) => ({ lang: s.lang, normText: s.normText, phones: s.phones.join(' ') }))).toEqual(g.segments);
  });
});

const allTexts = Object.values(GOLDEN).flat();

function checkInvariants(r: Awaited<ReturnType<typeof textToPhones>>, table: readonly string[]) {
  for (const s of r.segments) {
    expect(s.ids.length).toBe(s.phones.length);
    s.ids.forEach((id, i) => {
      expect(Number.isInteger(id) && id >= 0 && id < table.length).toBe(true);
      expect(table[id]).toBe(s.phones[i]);
    });
    if (s.lang === 'zh') {
      expect(s.word2ph).toBeDefined();
      expect(s.word2ph!.reduce((a, b) => a + b, 0)).toBe(s.phones.length);
      expect(s.word2ph!.length).toBe([...s.normText].length);
      expect(/^[\u4e00-\u9fa5!?…,.\-]*$/.test(s.normText)).toBe(true);
    } else expect(s.word2ph).toBeUndefined();
  }
}

describe('properties', () => {
  it('every id is valid and word2ph sums to the phone count (v2 and v1, all golden texts)', async () => {
    for (const g of allTexts) {
      checkInvariants(await textToPhones(g.text, g.lang, 'v2'), SYMBOLS_V2);
      const v1 = await textToPhones(g.text, g.lang, 'v1');
      checkInvariants(v1, SYMBOLS_V1);
      for (const s of v1.segments) expect(s.phones).not.toContain('[');
    }
  });

  it('random mixed input never throws and keeps the invariants', async () => {
    const pools = ['你好世界今天天气不错一二三儿', 'あいうえおカタカナーっん東京', 'abcXYZ hello', '0123456789', '，。！？,.!?…—~：、“”「」%$', '😀★αβ안녕\n\t'];
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let n = 0; n < 60; n++) {
      let t = '';
      const len = 1 + Math.floor(rand() * 40);
      for (let i = 0; i < len; i++) {
        const pool = [...pools[Math.floor(rand() * pools.length)]];
        t += pool[Math.floor(rand() * pool.length)];
      }
      for (const mode of ['auto', 'zh', 'ja', 'en'] as const) checkInvariants(await textToPhones(t, mode, 'v2'), SYMBOLS_V2);
    }
  });
});

describe('edge cases', () => {
  it('empty and blank input: no segments, a warning', async () => {
    for (const t of ['', '   ', '\n']) {
      const r = await textToPhones(t, 'auto', 'v2');
      expect(r.segments).toEqual([]);
      expect(r.warnings.length).toBeGreaterThan(0);
    }
  });
  it('emoji and unsupported scripts are skipped with a warning', async () => {
    const r = await textToPhones('😀😀 안녕하세요', 'auto', 'v2');
    expect(r.segments).toEqual([]);
    expect(r.warnings.join(' ')).toMatch(/Skipped/);
    const mixed = await textToPhones('你好😀世界', 'auto', 'v2');
    expect(mixed.segments.map((s) => s.normText)).toEqual(['你好世界']);
  });
  it('zh special characters ￥ and ^ become SP2 / SP3', async () => {
    const r = await textToPhones('你好￥世界', 'zh', 'v2');
    expect(r.segments[0].phones).toEqual(['n', 'i2', 'h', 'ao3', 'SP2', 'sh', 'ir4', 'j', 'ie4']);
  });
  it('short English gets a leading comma, very short text a leading period (upstream retry)', async () => {
    expect((await textToPhones('Wow!', 'en', 'v2')).segments[0].phones).toEqual(['.', 'W', 'AW1', '!']);
    expect((await textToPhones('Hi', 'en', 'v2')).segments[0].phones).toEqual([',', '.', 'HH', 'AY1']);
  });
  it('out-of-vocabulary English never goes silent', async () => {
    for (const w of ['Blorptastic', 'Zxqv', 'Qwrtp', 'Mynahbird', "Gr'ok"]) {
      const r = await textToPhones(w, 'en', 'v2');
      const phones = r.segments.flatMap((s) => s.phones).filter((p) => !',.'.includes(p));
      expect(phones.length).toBeGreaterThanOrEqual(3);
      expect(phones.some((p) => /[12]$/.test(p))).toBe(true);
      expect(phones).not.toContain('UNK');
    }
  });
  it('Japanese prosody marks: [ and ] are real v2 symbols, # becomes UNK (as upstream trained)', async () => {
    const r = await textToPhones('こんにちは。今日はいい天気ですね', 'ja', 'v2');
    expect(r.segments[0].phones).toContain('[');
    expect(r.segments[0].phones).toContain('UNK');
    expect(r.segments[0].ids).toContain(322);
  });
  it('over-long input is a typed error, fast', async () => {
    const huge = '今天天气很好。'.repeat(8000);
    expect(huge.length).toBeGreaterThan(MAX_FRAGMENT_CHARS);
    await expect(textToPhones(huge, 'auto', 'v2')).rejects.toThrowError(MynahError);
    await expect(textToPhones(huge, 'auto', 'v2')).rejects.toMatchObject({ code: 'TEXT_TOO_LONG' });
  });
  it('a 9k-character fragment converts without hanging', async () => {
    const big = '我们今天去公园散步，Hello world，東京に行きます。'.repeat(300).slice(0, 9000);
    const r = await textToPhones(big, 'auto', 'v2');
    checkInvariants(r, SYMBOLS_V2);
    expect(r.segments.length).toBeGreaterThan(100);
  });
});

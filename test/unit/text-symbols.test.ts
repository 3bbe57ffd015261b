import { describe, expect, it } from 'vitest';
import { SYMBOLS_V1, SYMBOLS_V2, phonesToIds, replaceUnknown } from '../../src/text/symbols';
import { OPENCPOP_STRICT } from '../../src/text/data/opencpop-strict';
import { MynahError } from '../../src/errors';

describe('symbol tables', () => {
  it('have upstream sizes: v1 322, v2 732', () => {
    expect(SYMBOLS_V1.length).toBe(322);
    expect(SYMBOLS_V2.length).toBe(732);
    expect(new Set(SYMBOLS_V2).size).toBe(732);
  });

  it('v2 starts with the v1 table unchanged', () => {
    expect(SYMBOLS_V2.slice(0, 322)).toEqual(SYMBOLS_V1);
  });

  it('v1 part is sorted by code point like Python sorted()', () => {
    const sorted = [...SYMBOLS_V1].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    expect(SYMBOLS_V1).toEqual(sorted);
  });

  it('matches the spec §1.8 spot checks', () => {
    const spots: Record<string, number> = {
      '!': 0, ',': 1, '-': 2, '.': 3, '?': 4, AA: 5, EE: 33, N: 64, OO: 66, SP: 77, SP2: 78, SP3: 79, UNK: 86, _: 95,
      a1: 97, cl: 126, '…': 321, '[': 322, ']': 323, 'ㄱ': 324, Yz: 731,
    };
    for (const [sym, id] of Object.entries(spots)) expect([sym, SYMBOLS_V2.indexOf(sym)]).toEqual([sym, id]);
    expect(SYMBOLS_V2[351]).toBe('停');
    expect(SYMBOLS_V2[352]).toBe('空');
    for (const [sym, id] of Object.entries(spots)) if (id < 322) expect(SYMBOLS_V1.indexOf(sym)).toBe(id);
  });

  it('maps phones to ids and rejects unknown phones with a typed error', () => {
    expect(phonesToIds(['n', 'i3', 'h', 'ao3', '.'], 'v2')).toEqual(['n', 'i3', 'h', 'ao3', '.'].map((p) => SYMBOLS_V2.indexOf(p)));
    expect(() => phonesToIds(['[', 'a'], 'v1')).toThrowError(MynahError);
    expect(replaceUnknown(['[', 'a', '#'], 'v1')).toEqual(['UNK', 'a', 'UNK']);
    expect(replaceUnknown(['[', 'a', '#'], 'v2')).toEqual(['[', 'a', 'UNK']);
  });

  it('opencpop-strict table has 429 syllables whose phones are all in the table', () => {
    expect(Object.keys(OPENCPOP_STRICT).length).toBe(429);
    expect(OPENCPOP_STRICT.zhi).toBe('zh ir');
    expect(OPENCPOP_STRICT.zi).toBe('z i0');
    expect(OPENCPOP_STRICT.ju).toBe('j v');
    expect(OPENCPOP_STRICT.yuan).toBe('y van');
    expect(OPENCPOP_STRICT.er).toBe('EE er');
    expect(OPENCPOP_STRICT.o).toBe('OO o');
    for (const entry of Object.values(OPENCPOP_STRICT)) {
      const [ini, fin] = entry.split(' ');
      expect(SYMBOLS_V1).toContain(ini);
      for (const t of '12345') expect(SYMBOLS_V1).toContain(fin + t);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { assertAllowed, checkText, contentFilterConfig, DEFAULT_DENY_LIST } from '../../src/safety/filter';

// Test terms stand in for real slurs so this file stays readable.
const cfg = contentFilterConfig({
  useDefaultList: false,
  deny: [
    { term: 'badword', id: 'test-slur', reason: 'a test slur' },
    { term: 'cunt', id: 'test-slur', reason: 'a test slur' },
    { term: 'kill yourself', id: 'test-threat', reason: 'a test threat' },
    { term: '坏词', id: 'test-zh', reason: 'a test Chinese word', allowIn: ['破坏词典'] },
    { term: 'ばか', id: 'test-ja', reason: 'a test Japanese word' },
    'plainterm',
  ],
  rules: [
    { id: 'card-number', reason: 'what looks like a payment card number', test: /\b(?:\d[ -]?){13,16}\b/ },
    { id: 'all-caps-shouting', reason: 'a whole message in capitals', test: (_n, original) => original.length > 12 && original === original.toUpperCase() && /[A-Z]/.test(original) },
  ],
});
const hit = (t: string) => checkText(t, cfg).matches.map((m) => m.ruleId);

describe('content filter', () => {
  it('finds listed words case-, width- and accent-insensitively, with positions', () => {
    expect(hit('what a badword!')).toEqual(['test-slur']);
    expect(hit('BadWord')).toEqual(['test-slur']);
    expect(hit('ｂａｄｗｏｒｄ')).toEqual(['test-slur']); // full-width
    expect(hit('bädwörd')).toEqual(['test-slur']);
    expect(hit('bаdword')).toEqual(['test-slur']); // Cyrillic а
    const m = checkText('say badword now', cfg).matches[0];
    expect([m.start, m.end]).toEqual([4, 11]);
    expect(hit('a plainterm here')).toEqual(['deny-list']);
  });

  it('catches inserted spaces, punctuation, zero-width characters and leetspeak', () => {
    expect(hit('b a d w o r d')).toEqual(['test-slur']);
    expect(hit('b.a.d.w.o.r.d')).toEqual(['test-slur']);
    expect(hit('b-a_d*w~o/r\\d')).toEqual(['test-slur']);
    expect(hit('ba dw or d')).toEqual(['test-slur']);
    expect(hit('bad\u200bword')).toEqual(['test-slur']);
    expect(hit('b4dw0rd')).toEqual(['test-slur']);
    expect(hit('b@dw0rd')).toEqual(['test-slur']);
    expect(hit('kill   yourself')).toEqual(['test-threat']);
    expect(hit('kill\nyour-self')).toEqual(['test-threat']);
  });

  it('does not flag innocent text that merely contains a listed word (Scunthorpe)', () => {
    expect(hit('I grew up in Scunthorpe.')).toEqual([]);
    expect(hit('badwords')).toEqual([]); // not the listed form
    expect(hit('a mad wordsmith')).toEqual([]);
    expect(hit('unbadwordly')).toEqual([]);
    expect(hit('bad word')).toEqual([]); // two real words, the term has no space
    expect(hit('skill yourself up')).toEqual([]);
    expect(hit('The year 1337 and 4 cats.')).toEqual([]);
    expect(checkText('Hello there, how are you today?', cfg)).toEqual({ ok: true, matches: [] });
  });

  it('matches Chinese and Japanese without word spaces, with exceptions and script folding', () => {
    expect(hit('你这个坏词啊')).toEqual(['test-zh']);
    expect(hit('你这个坏 词啊')).toEqual(['test-zh']);
    expect(hit('壞詞')).toEqual(['test-zh']); // traditional folded to simplified
    expect(hit('他在破坏词典')).toEqual([]); // allowIn exception
    expect(hit('おまえはばかだ')).toEqual(['test-ja']);
    expect(hit('おまえはバカだ')).toEqual(['test-ja']); // katakana
    expect(hit('おまえはﾊﾞｶだ')).toEqual(['test-ja']); // half-width katakana with a separate voicing mark
    expect(hit('おはかまいりに行く')).toEqual([]); // はか (grave) is not ばか: voicing is kept
    expect(hit('ばかす')).toEqual(['test-ja']); // CJK terms match inside words unless excepted
  });

  it('applies regex and predicate rules', () => {
    expect(hit('my card is 4111 1111 1111 1111 thanks')).toEqual(['card-number']);
    expect(hit('THIS IS A WHOLE MESSAGE IN CAPS')).toEqual(['all-caps-shouting']);
    expect(hit('Call me at 5 pm')).toEqual([]);
  });

  it('assertAllowed names the rule, not the words', () => {
    expect(() => assertAllowed('you badword', cfg)).toThrow(expect.objectContaining({ code: 'CONTENT_BLOCKED' }));
    try {
      assertAllowed('you badword, kill yourself', cfg);
      expect.unreachable();
    } catch (e) {
      const msg = (e as Error).message;
      expect(msg).toContain('test-slur');
      expect(msg).toContain('1 more rule');
      expect(msg).not.toMatch(/badword|kill yourself/i);
    }
    expect(() => assertAllowed('all fine here', cfg)).not.toThrow();
  });

  it('has a default list on by default, which the operator can switch off', () => {
    const term = DEFAULT_DENY_LIST[0].term;
    expect(checkText(`you ${term}`).ok).toBe(false);
    expect(checkText(`you ${term.split('').join(' ')}`).ok).toBe(false);
    expect(checkText(`you ${term}`, contentFilterConfig({ enabled: false })).ok).toBe(true);
    expect(checkText(`you ${term}`, contentFilterConfig({ useDefaultList: false })).ok).toBe(true);
    expect(checkText('今天天气很好，我们一起去公园散步吧。').ok).toBe(true);
    expect(checkText('きょうはとてもいい天気ですね。').ok).toBe(true);
    expect(checkText('The spice market; a skier; Spicer road.').ok).toBe(true);
    const c = contentFilterConfig();
    expect(Object.isFrozen(c)).toBe(true);
    expect(() => { (c as { enabled: boolean }).enabled = false; }).toThrow();
  });
});

// Letter-to-sound rules for English words missing from CMUdict. Deliberately simple: spelling patterns to
// ARPAbet, primary stress on the first vowel, reduced vowels elsewhere. Always returns a non-empty,
// valid ARPAbet sequence for any word with at least one letter.

type Rule = [pattern: string, phones: string[]];

// Longest patterns first. `V` in a phone list marks the syllable's vowel (stress digit added later).
const RULES: Rule[] = [
  ['tion', ['SH', 'AH', 'N']], ['sion', ['ZH', 'AH', 'N']], ['ture', ['CH', 'ER']], ['ough', ['AO']],
  ['eigh', ['EY']], ['augh', ['AO']], ['ight', ['AY', 'T']], ['tch', ['CH']], ['dge', ['JH']], ['igh', ['AY']],
  ['sch', ['S', 'K']], ['que', ['K']], ['ck', ['K']], ['ph', ['F']], ['sh', ['SH']], ['ch', ['CH']], ['th', ['TH']],
  ['wh', ['W']], ['ng', ['NG']], ['qu', ['K', 'W']], ['kn', ['N']], ['wr', ['R']], ['gh', ['G']],
  ['ee', ['IY']], ['ea', ['IY']], ['ie', ['IY']], ['oo', ['UW']], ['ou', ['AW']], ['ow', ['OW']], ['oa', ['OW']],
  ['ai', ['EY']], ['ay', ['EY']], ['ei', ['EY']], ['ey', ['EY']], ['oi', ['OY']], ['oy', ['OY']], ['au', ['AO']],
  ['aw', ['AO']], ['ew', ['UW']], ['ue', ['UW']], ['ui', ['UW']],
  ['ar', ['AA', 'R']], ['or', ['AO', 'R']], ['er', ['ER']], ['ir', ['ER']], ['ur', ['ER']], ['yr', ['ER']],
];

const SHORT: Record<string, string> = { a: 'AE', e: 'EH', i: 'IH', o: 'AA', u: 'AH', y: 'IH' };
const LONG: Record<string, string> = { a: 'EY', e: 'IY', i: 'AY', o: 'OW', u: 'UW', y: 'AY' };
const CONSONANT: Record<string, string[]> = {
  b: ['B'], d: ['D'], f: ['F'], h: ['HH'], j: ['JH'], k: ['K'], l: ['L'], m: ['M'], n: ['N'], p: ['P'],
  q: ['K'], r: ['R'], s: ['S'], t: ['T'], v: ['V'], w: ['W'], x: ['K', 'S'], z: ['Z'],
};
const VOWEL_PHONES = new Set(['AA', 'AE', 'AH', 'AO', 'AW', 'AY', 'EH', 'ER', 'EY', 'IH', 'IY', 'OW', 'OY', 'UH', 'UW']);
const isVowelLetter = (c: string | undefined) => c !== undefined && 'aeiou'.includes(c);

function rawPhones(word: string): string[] {
  const w = word.toLowerCase().replace(/[^a-z]/g, '');
  const out: string[] = [];
  // A final silent "e" after consonant(s) makes the previous vowel long (make, time, home).
  // Past tense "-ed": T after voiceless consonants, AH0 D after t/d, else D (walked, wanted, gleeped -> P T).
  const ed = /^(.{2,}[^aeiou])ed$/.exec(w);
  if (ed && !w.endsWith('eed')) {
    const stem = rawPhones(ed[1]);
    const last = ed[1][ed[1].length - 1];
    if (last === 't' || last === 'd') return [...stem, 'AH', 'D'];
    return [...stem, 'pkfsx'.includes(last) || /(sh|ch)$/.test(ed[1]) ? 'T' : 'D'];
  }
  const syllabicL = w.length > 3 && /[^aeiou]le$/.test(w);
  const silentE = !syllabicL && w.length > 2 && w.endsWith('e') && !isVowelLetter(w[w.length - 2]);
  const body = syllabicL ? w.slice(0, -2) : silentE ? w.slice(0, -1) : w;
  let i = 0;
  while (i < body.length) {
    const rest = body.slice(i);
    const rule = RULES.find(([p]) => rest.startsWith(p));
    if (rule) {
      out.push(...rule[1]);
      i += rule[0].length;
      continue;
    }
    const c = body[i];
    const next = body[i + 1];
    if (c === next && !isVowelLetter(c)) {
      i += 1; // doubled consonant sounds once
      continue;
    }
    if (c === 'c') out.push(next && 'eiy'.includes(next) ? 'S' : 'K');
    else if (c === 'g') out.push(next && 'eiy'.includes(next) && i > 0 ? 'JH' : 'G');
    else if (c === 'y') {
      if (i === 0) out.push('Y');
      else out.push(i === body.length - 1 ? (out.some((p) => VOWEL_PHONES.has(p)) ? 'IY' : 'AY') : 'IH');
    } else if (c in SHORT) {
      const isLast = i === body.length - 1;
      const magic = silentE && i === body.length - 2;
      if (magic || (isLast && c !== 'a' && c !== 'e')) out.push(LONG[c]);
      else if (isLast && c === 'a') out.push('AH');
      else if (isLast && c === 'e' && body.length > 2) {
        /* word-final e after a vowel pattern is silent */
      } else out.push(SHORT[c]);
    } else if (CONSONANT[c]) out.push(...CONSONANT[c]);
    i += 1;
  }
  if (syllabicL) out.push('AH', 'L');
  return out;
}

/** ARPAbet with stress digits for an out-of-vocabulary word. */
export function letterToSound(word: string): string[] {
  let phones = rawPhones(word);
  if (!phones.some((p) => VOWEL_PHONES.has(p))) phones = [...phones, 'AH'];
  let seenVowel = false;
  return phones.map((p) => {
    if (!VOWEL_PHONES.has(p)) return p;
    if (!seenVowel) {
      seenVowel = true;
      return p + '1';
    }
    // Unstressed: reduce the short vowels like natural speech does.
    if (p === 'AE' || p === 'AH' || p === 'AA' || p === 'EH') return 'AH0';
    return p + '0';
  });
}

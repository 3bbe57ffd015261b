// The personal pronunciation list: words a person says how to pronounce, applied in every synthesis
// and in "show phones". Language-neutral: one entry type, one validator per language, one lookup.
//   zh: pinyin with tone digits, one syllable per character ("zhang3 de5", ü as v or ü);
//   en: ARPAbet with stress digits ("P R AE1 K T IH0 S") or a "sounds like" spelling in ordinary
//       English words ("sounds like: pray tiss"), read through the English dictionary;
//   ja: kana (hiragana or katakana, ー for long vowels) and an optional accent nucleus
//       (the mora after which the pitch falls; 0 = flat), e.g. { pronunciation: 'はし', accent: 1 }.
import { MynahError } from '../errors';
import { OPENCPOP_STRICT } from './data/opencpop-strict';
import { SYMBOLS_V2 } from './symbols';

export type PronLang = 'zh' | 'en' | 'ja';

export interface PronunciationEntry {
  /** The word as it is written in text (en: matched without regard to case). */
  word: string;
  lang: PronLang;
  /** zh pinyin, en ARPAbet or "sounds like: ...", ja kana. */
  pronunciation: string;
  /** ja only: accent nucleus mora (0 = flat, 1..morae). */
  accent?: number;
}

/** A validated entry, ready to apply. */
export interface ResolvedPronunciation {
  entry: PronunciationEntry;
  /** zh / en (ARPAbet): the phones to use. */
  phones?: string[];
  /** en "sounds like": words to read instead. */
  soundsLike?: string;
  /** ja: katakana reading, mora count and accent. */
  kana?: string;
  morae?: number;
  accent?: number;
}

export const MAX_PRONUNCIATIONS = 5000;
const invalid = (msg: string): never => {
  throw new MynahError('PRONUNCIATION_INVALID', msg);
};

const ARPABET = new Set(
  'AA0 AA1 AA2 AE0 AE1 AE2 AH0 AH1 AH2 AO0 AO1 AO2 AW0 AW1 AW2 AY0 AY1 AY2 EH0 EH1 EH2 ER ER0 ER1 ER2 EY0 EY1 EY2 IH IH0 IH1 IH2 IY0 IY1 IY2 OW0 OW1 OW2 OY0 OY1 OY2 UH0 UH1 UH2 UW0 UW1 UW2 B CH D DH F G HH JH K L M N NG P R S SH T TH V W Y Z ZH'.split(' '),
);
const SOUNDS_LIKE = /^\s*sounds\s+like\s*:\s*/i;
const KANA = /^[\u3041-\u3096\u30A1-\u30FA\u30FC]+$/;
const SMALL_KANA = new Set([...'ぁぃぅぇぉゃゅょゎァィゥェォャュョヮ']);

/** Opencpop-strict phones for one toned pinyin syllable ("zhang3", "lv4", "lü4", "er2"), or undefined. */
export function pinyinSyllablePhones(syllable: string): [string, string] | undefined {
  const m = /^([a-zü]+)([1-5])$/.exec(syllable.toLowerCase().replace(/ü/g, 'v').replace(/u:/g, 'v'));
  if (!m) return undefined;
  const entry = OPENCPOP_STRICT[m[1]];
  if (!entry) return undefined;
  const [initial, final] = entry.split(' ');
  return [initial, final + m[2]];
}

function countMorae(kana: string): number {
  return [...kana].filter((c) => !SMALL_KANA.has(c)).length;
}

const toKatakana = (s: string) => s.replace(/[\u3041-\u3096]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0x60));

/** Checks one entry; throws MynahError PRONUNCIATION_INVALID with a message that says what to fix. */
export function resolvePronunciation(e: PronunciationEntry): ResolvedPronunciation {
  if (typeof e !== 'object' || e === null) return invalid('A pronunciation entry must be an object { word, lang, pronunciation }.');
  const { lang } = e;
  if (lang !== 'zh' && lang !== 'en' && lang !== 'ja') return invalid(`Unknown language "${String(lang)}": use zh, en or ja.`);
  if (typeof e.word !== 'string' || typeof e.pronunciation !== 'string') return invalid('Both the word and its pronunciation must be text.');
  const word = e.word.trim().normalize('NFC');
  const pron = e.pronunciation.trim().normalize('NFC');
  if (!word || [...word].length > 64) return invalid('The word must have 1 to 64 characters.');
  if (!pron || pron.length > 400) return invalid(`Say how "${word}" is pronounced (at most 400 characters).`);
  const entry: PronunciationEntry = { word, lang, pronunciation: pron, ...(e.accent !== undefined ? { accent: e.accent } : {}) };
  if (lang === 'zh') {
    if (!/^[\u4e00-\u9fa5]+$/.test(word)) return invalid(`"${word}": a Chinese entry must be written in Chinese characters only.`);
    const syl = pron.split(/[\s,]+/).filter(Boolean);
    if (syl.length !== word.length) return invalid(`"${word}" has ${word.length} characters but ${syl.length} pinyin syllables: give one syllable with a tone digit per character, e.g. "zhang3 de5".`);
    const phones: string[] = [];
    for (const s of syl) {
      const ph = pinyinSyllablePhones(s);
      if (!ph) return invalid(`Unknown pinyin "${s}" for "${word}": write a syllable with a tone digit 1-5 (5 = neutral), e.g. "hao3", "lv4".`);
      phones.push(...ph);
    }
    return { entry, phones };
  }
  if (lang === 'en') {
    if (!/^[A-Za-z][A-Za-z'\-]*$/.test(word)) return invalid(`"${word}": an English entry is one word of letters (apostrophes and hyphens allowed).`);
    if (SOUNDS_LIKE.test(pron)) {
      const like = pron.replace(SOUNDS_LIKE, '');
      if (!/^[A-Za-z' \-]+$/.test(like) || !/[A-Za-z]/.test(like)) return invalid(`"${word}" sounds like "${like}": write ordinary English words (letters, spaces, apostrophes).`);
      return { entry, soundsLike: like };
    }
    const phones = pron.split(/\s+/);
    const unknown = phones.find((p) => !ARPABET.has(p) || !SYMBOLS_V2.includes(p));
    if (unknown !== undefined) {
      return invalid(`Unknown ARPAbet phone "${unknown}" in the pronunciation of "${word}": use phones like "HH AH0 L OW1" (vowels take a stress digit 0-2), or write "sounds like: ..." with ordinary words.`);
    }
    return { entry, phones };
  }
  if (!/^[\u3005\u3041-\u3096\u30A1-\u30FA\u30FC\u4e00-\u9fff\uff10-\uff19A-Za-z0-9]+$/.test(word)) return invalid(`"${word}": a Japanese entry is one word without spaces or marks.`);
  if (!KANA.test(pron)) return invalid(`The reading of "${word}" must be kana only (hiragana or katakana, ー for a long vowel), e.g. "はし".`);
  const kana = toKatakana(pron);
  const morae = countMorae(kana);
  if (e.accent !== undefined && (!Number.isInteger(e.accent) || e.accent < 0 || e.accent > morae)) {
    return invalid(`The accent of "${word}" must be a whole number from 0 (flat) to ${morae} (its mora count).`);
  }
  return { entry, kana, morae, ...(e.accent !== undefined ? { accent: e.accent } : {}) };
}

/** Japanese entries as the Japanese G2P consumes them (a user-dictionary word with its reading and accent). */
export interface JaPronunciation {
  word: string;
  kana: string;
  morae: number;
  accent?: number;
}

/** A validated list, indexed for lookup. Later entries for the same word and language win. */
export class PronunciationList {
  readonly entries: readonly ResolvedPronunciation[];
  private readonly by = new Map<string, ResolvedPronunciation>();
  constructor(entries: readonly PronunciationEntry[] = []) {
    if (!Array.isArray(entries)) invalid('The pronunciation list must be an array of entries.');
    if (entries.length > MAX_PRONUNCIATIONS) invalid(`At most ${MAX_PRONUNCIATIONS} pronunciations.`);
    const list = entries.map(resolvePronunciation);
    for (const r of list) this.by.set(PronunciationList.key(r.entry.lang, r.entry.word), r);
    this.entries = [...this.by.values()];
  }
  private static key(lang: PronLang, word: string): string {
    return `${lang}\u0000${lang === 'en' ? word.toLowerCase() : word}`;
  }
  get size(): number {
    return this.entries.length;
  }
  get(lang: PronLang, word: string): ResolvedPronunciation | undefined {
    return this.by.get(PronunciationList.key(lang, word));
  }
  /** Words of one language, longest first (for matching inside text without spaces). */
  words(lang: PronLang): string[] {
    return this.entries.filter((r) => r.entry.lang === lang).map((r) => r.entry.word).sort((a, b) => b.length - a.length);
  }
  /** The Japanese entries, for the Japanese G2P (see README "Personal pronunciation list"). */
  japanese(): JaPronunciation[] {
    return this.entries
      .filter((r) => r.entry.lang === 'ja')
      .map((r) => ({ word: r.entry.word, kana: r.kana!, morae: r.morae!, ...(r.accent !== undefined ? { accent: r.accent } : {}) }));
  }
}

/** Splits text into runs, marking the runs that are words of the list (longest match, left to right). */
export function splitByWords(text: string, words: readonly string[]): Array<{ text: string; word: boolean }> {
  if (!words.length) return [{ text, word: false }];
  const out: Array<{ text: string; word: boolean }> = [];
  let plain = '';
  for (let i = 0; i < text.length; ) {
    const w = words.find((x) => text.startsWith(x, i));
    if (w) {
      if (plain) out.push({ text: plain, word: false });
      plain = '';
      out.push({ text: w, word: true });
      i += w.length;
    } else plain += text[i++];
  }
  if (plain) out.push({ text: plain, word: false });
  return out;
}

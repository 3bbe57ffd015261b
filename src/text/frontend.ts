// Text frontend: text -> GPT-SoVITS phone ids per language segment (upstream get_phones_and_bert + clean_text).
import { MynahError } from '../errors';
import { g2pEnglish, loadEnglishDictionary } from './g2p/en';
import { g2pJapanese, japaneseKanaToPhones, loadJapaneseTokenizer, type JapaneseLoadOptions } from './g2p/ja';
import { g2pChinese, loadZhLexicon } from './g2p/zh';
import { normalizeEn } from './normalize/en';
import { normalizeJa } from './normalize/ja';
import { normalizeZh } from './normalize/zh';
import { segmentByLanguage, splitText, type CutMethod, type LangMode, type SegmentLang } from './segment';
import { PronunciationList, splitByWords } from './lexicon';
import { phonesToIds, replaceUnknown, type ModelVersion } from './symbols';

export { PronunciationList };
export { splitText, type CutMethod, type LangMode, type SegmentLang, type ModelVersion };

export interface PhoneSegment {
  text: string;
  lang: SegmentLang;
  phones: string[];
  ids: number[];
  /** zh only: phones per character of normText (for repeating BERT features). */
  word2ph?: number[];
  normText: string;
}

export interface PhoneResult {
  segments: PhoneSegment[];
  warnings: string[];
}

export interface FrontendOptions {
  ja?: JapaneseLoadOptions;
  /** The personal pronunciation list, applied to every segment of its language. */
  pronunciations?: PronunciationList;
}

/** Longest text one call converts; longer text must go through splitText first. */
export const MAX_FRAGMENT_CHARS = 10_000;

/** Loads the dictionaries the given languages need (CMUdict for en, NAIST-jdic for ja). */
export async function loadTextFrontend(langs: readonly SegmentLang[] = ['zh', 'en', 'ja'], opts: FrontendOptions = {}): Promise<void> {
  const jobs: Promise<unknown>[] = [];
  if (langs.includes('zh')) jobs.push(loadZhLexicon());
  if (langs.includes('en')) jobs.push(loadEnglishDictionary());
  if (langs.includes('ja')) jobs.push(loadJapaneseTokenizer(opts.ja));
  await Promise.all(jobs);
}

// Upstream clean_special: in Chinese, these characters become pause symbols instead of commas.
const ZH_SPECIAL: ReadonlyArray<[string, string]> = [
  ['￥', 'SP2'],
  ['^', 'SP3'],
];

function cleanSegment(text: string, lang: SegmentLang, version: ModelVersion, warnings: string[], list?: PronunciationList): PhoneSegment {
  if (lang === 'zh') {
    const special = ZH_SPECIAL.find(([ch]) => text.includes(ch));
    const src = special ? text.split(special[0]).join(',') : text;
    const normText = normalizeZh(src);
    const words = list?.words('zh') ?? [];
    const r = g2pChinese(normText, words.length ? { words, phones: (w) => list!.get('zh', w)?.phones } : undefined);
    warnings.push(...r.warnings);
    let phones = r.phones;
    if (special) phones = phones.map((p) => (p === ',' ? special[1] : p));
    phones = replaceUnknown(phones, version);
    return { text, lang, phones, ids: phonesToIds(phones, version), word2ph: r.word2ph, normText };
  }
  if (lang === 'en') {
    const enWords = list?.words('en') ?? [];
    let normText: string;
    let phones: string[];
    if (!enWords.length) {
      normText = normalizeEn(text);
      phones = g2pEnglish(normText);
    } else {
      // Listed words are taken out before normalization (which would spell "GIF" as letters).
      const overrides = { get: (w: string) => list!.get('en', w) };
      const re = new RegExp(`(?<![A-Za-z'])(${enWords.map((w) => w.replace(/[-']/g, '\\$&')).join('|')})(?![A-Za-z'])`, 'gi');
      const norm: string[] = [];
      phones = [];
      text.split(re).forEach((part, i) => {
        if (i % 2 === 1) {
          norm.push(part);
          phones.push(...g2pEnglish(part, overrides));
        } else if (part) {
          const n = normalizeEn(part);
          norm.push(n);
          phones.push(...g2pEnglish(n, overrides));
        }
      });
      normText = norm.join('');
    }
    if (phones.length < 4) phones = [',', ...phones];
    phones = replaceUnknown(phones, version);
    return { text, lang, phones, ids: phonesToIds(phones, version), normText };
  }
  const normText = normalizeJa(text);
  const phones = replaceUnknown(g2pJapaneseWithList(normText, warnings, list), version);
  return { text, lang, phones, ids: phonesToIds(phones, version), normText };
}

const PUNCT = new Set([',', '.', '!', '?', '…', '-']);

/**
 * Japanese with the personal list: each listed word is read from its kana and accent as its own
 * accent phrase (joined to its neighbours with `#`, upstream's phrase boundary); the rest as usual.
 */
function g2pJapaneseWithList(normText: string, warnings: string[], list?: PronunciationList): string[] {
  const entries = list?.japanese() ?? [];
  if (!entries.length) return g2pJapanese(normText, warnings);
  const byWord = new Map(entries.map((e) => [e.word.normalize('NFKC'), e]));
  const out: string[] = [];
  const append = (phones: string[]) => {
    if (!phones.length) return;
    const last = out[out.length - 1];
    if (last !== undefined && !PUNCT.has(last) && !PUNCT.has(phones[0])) out.push('#');
    out.push(...phones);
  };
  for (const part of splitByWords(normText, [...byWord.keys()].sort((a, b) => b.length - a.length))) {
    if (part.word) {
      const e = byWord.get(part.text)!;
      append(japaneseKanaToPhones(e.kana, e.accent ?? 0));
    } else append(g2pJapanese(part.text, warnings));
  }
  return out;
}

async function convert(text: string, lang: LangMode, version: ModelVersion, opts: FrontendOptions, warnings: string[]): Promise<PhoneSegment[]> {
  const clean = text.replace(/ {2,}/g, ' ');
  const parts = segmentByLanguage(clean, lang, warnings);
  await loadTextFrontend([...new Set(parts.map((p) => p.lang))], opts);
  const out: PhoneSegment[] = [];
  for (const p of parts) {
    const seg = cleanSegment(p.text, p.lang, version, warnings, opts.pronunciations);
    // A run that reads as nothing but a mark adds no speech; keep marks only between spoken runs.
    if (seg.phones.length === 0 || (seg.lang === 'en' && seg.phones.every((ph) => ph === ','))) {
      if (seg.text.trim()) warnings.push(`Nothing to read in "${seg.text.trim().slice(0, 40)}"; skipped.`);
      continue;
    }
    out.push(seg);
  }
  return out;
}

/**
 * Converts one fragment of text (see splitText for long text) to phones and ids, segment by segment.
 * `lang`: 'auto' detects zh / ja / en runs; 'zh' / 'ja' read every non-English run in that language;
 * 'en' reads everything as English. Unreadable characters are skipped with a warning.
 * Throws MynahError 'TEXT_TOO_LONG' above MAX_FRAGMENT_CHARS characters.
 */
export async function textToPhones(text: string, lang: LangMode = 'auto', version: ModelVersion = 'v2', opts: FrontendOptions = {}): Promise<PhoneResult> {
  if (typeof text !== 'string') throw new MynahError('TEXT_INVALID', 'Text must be a string.');
  if ([...text].length > MAX_FRAGMENT_CHARS) {
    throw new MynahError('TEXT_TOO_LONG', `Text has ${[...text].length} characters; split it with splitText first (at most ${MAX_FRAGMENT_CHARS} per call).`);
  }
  const warnings: string[] = [];
  if (!text.trim()) return { segments: [], warnings: ['The text is empty.'] };
  let segments = await convert(text, lang, version, opts, warnings);
  // Upstream retries very short results once with a leading "." so the model gets some context.
  const count = segments.reduce((n, s) => n + s.phones.length, 0);
  if (count > 0 && count < 6) segments = await convert('.' + text, lang, version, opts, warnings);
  if (!segments.length) warnings.push('Nothing readable was found in the text.');
  return { segments, warnings };
}

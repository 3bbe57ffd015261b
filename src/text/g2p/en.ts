// English G2P: CMUdict lookup with GPT-SoVITS's lookup order (single letters, dictionary, short OOV spelled
// out, possessive 's, compound split) and our letter-to-sound rules where upstream uses a neural predictor.
import { letterToSound } from './en-lts';

export type EnglishDictionary = Readonly<Record<string, string>>;

// Upstream's engdict-hot.rep overrides (GPT_SoVITS/text/engdict-hot.rep).
const HOT_WORDS: Record<string, string> = {
  chatgpt: 'CH AE1 T JH IY1 P IY1 T IY1',
  json: 'JH EY1 S AH0 N',
  conda: 'K AA1 N D AH0',
};
// Entries upstream deletes so that these words are spelled letter by letter.
const SPELLED_OUT = new Set(['ae', 'ai', 'ar', 'ios', 'hud', 'os']);

let cmu: EnglishDictionary | undefined;
let loading: Promise<EnglishDictionary> | undefined;

/** Loads CMUdict once (a 4.6 MB module, so it is imported lazily and cached). */
export function loadEnglishDictionary(): Promise<EnglishDictionary> {
  if (cmu) return Promise.resolve(cmu);
  // A failed download (offline before it was ever fetched) is not remembered: the next call retries.
  loading ??= import('cmu-pronouncing-dictionary').then(
    (m) => (cmu = m.dictionary),
    (e) => {
      loading = undefined;
      throw e;
    },
  );
  return loading;
}

export function englishDictionaryLoaded(): boolean {
  return cmu !== undefined;
}

function lookup(word: string): string[] | undefined {
  if (SPELLED_OUT.has(word)) return undefined;
  const hot = HOT_WORDS[word];
  if (hot) return hot.split(' ');
  const entry = cmu?.[word];
  return entry ? entry.split(' ') : undefined;
}

function letterPhones(letter: string): string[] {
  if (letter === 'a') return ['EY1'];
  return lookup(letter) ?? letterToSound(letter);
}

const VOICELESS = new Set(['P', 'T', 'K', 'F', 'TH', 'HH']);
const SIBILANT = new Set(['S', 'Z', 'SH', 'ZH', 'CH', 'JH']);

/** Splits a compound into known words (fewest pieces), like upstream's wordsegment step; undefined if impossible. */
function splitCompound(word: string): string[] | undefined {
  if (word.length > 40) return undefined;
  const n = word.length;
  const best: Array<string[] | undefined> = new Array(n + 1).fill(undefined);
  const cost: number[] = new Array(n + 1).fill(Infinity);
  best[0] = [];
  cost[0] = 0;
  for (let end = 1; end <= n; end++) {
    for (let start = Math.max(0, end - 20); start < end; start++) {
      const prev = best[start];
      if (!prev) continue;
      const piece = word.slice(start, end);
      // Pieces: dictionary words of 3+ letters, spelled-out abbreviations, or one leading letter ("tsixty").
      const known = (piece.length === 1 && start === 0) || (piece.length >= 3 && lookup(piece)) || SPELLED_OUT.has(piece);
      if (!known) continue;
      const c = cost[start] + (piece.length === 1 ? 2 : piece.length === 2 ? 1.5 : 1);
      if (best[end] === undefined || c < cost[end]) {
        best[end] = [...prev, piece];
        cost[end] = c;
      }
    }
  }
  const res = best[n];
  if (!res || res.length < 2 || res.length > 3) return undefined;
  // A leading single letter is only believable before one whole word ("t" + "sixty").
  if (res[0].length === 1 && res.length > 2) return undefined;
  return res;
}

/** Phones for one word token (lower-cased letters, possibly with ' or -). */
function queryWord(word: string, depth = 0): string[] {
  if (word.length > 1) {
    const hit = lookup(word);
    if (hit) return hit;
  }
  const letters = word.replace(/[^a-z]/g, '');
  if (word.length <= 3) {
    const out: string[] = [];
    for (const ch of word) out.push(...(/[a-z]/.test(ch) ? letterPhones(ch) : [ch]));
    return out;
  }
  const poss = /^([a-z]+)'s$/.exec(word);
  if (poss) {
    const base = queryWord(poss[1], depth + 1);
    const last = base[base.length - 1];
    if (VOICELESS.has(last)) return [...base, 'S'];
    if (SIBILANT.has(last)) return [...base, 'AH0', 'Z'];
    return [...base, 'Z'];
  }
  if (/[-']/.test(word) && depth < 4) {
    const parts = word.split(/[-']+/).filter(Boolean);
    if (parts.length > 1) return parts.flatMap((p) => queryWord(p, depth + 1));
  }
  const pieces = depth < 4 ? splitCompound(letters) : undefined;
  if (pieces) return pieces.flatMap((p) => queryWord(p, depth + 1));
  return letterToSound(letters);
}

/** Tokens as NLTK's TweetTokenizer yields them for normalized text: words (with inner ' or -), single marks. */
export function tokenizeEnglish(text: string): string[] {
  return text.match(/[A-Za-z](?:[A-Za-z'\-_]*[A-Za-z])?|\S/g) ?? [];
}

/**
 * Phones for normalized English text. Requires `loadEnglishDictionary()` to have resolved.
 * Marks pass through (`'` becomes `-`); anything that is not a phone or mark is dropped.
 */
export interface EnOverrides {
  /** Given phones for a word (lower case), or words it sounds like. */
  get(word: string): { phones?: string[]; soundsLike?: string } | undefined;
}

export function g2pEnglish(normText: string, overrides?: EnOverrides, depth = 0): string[] {
  if (!cmu) throw new Error('CMUdict is not loaded: await loadEnglishDictionary() first');
  const phones: string[] = [];
  for (const token of tokenizeEnglish(normText)) {
    const word = token.toLowerCase();
    const given = /[a-z]/.test(word) ? overrides?.get(word) : undefined;
    if (given?.phones) {
      phones.push(...given.phones);
      continue;
    }
    if (given?.soundsLike !== undefined && depth < 2) {
      phones.push(...g2pEnglish(given.soundsLike, overrides, depth + 1).filter((p) => !'!?…,.-'.includes(p)));
      continue;
    }
    if (!/[a-z]/.test(word)) {
      if (word === "'") phones.push('-');
      else if ('!?…,.-'.includes(word)) phones.push(word);
      continue;
    }
    if (word.length === 1) phones.push(...(token === 'A' ? ['EY1'] : (lookup(word) ?? letterToSound(word))));
    else if (word === 'read') phones.push('R', 'IY1', 'D');
    else phones.push(...queryWord(word));
  }
  return phones.map((p) => (p === "'" ? '-' : p));
}

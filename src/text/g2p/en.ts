// English G2P as upstream GPT-SoVITS's english.py (en_G2p over g2p_en): its own dictionary (cmudict.rep +
// cmudict-fast.rep + engdict-hot.rep) and name dictionary, g2p_en's homographs chosen by NLTK's perceptron
// part-of-speech tagger, short unknown words spelled out, possessive 's, and g2p_en's neural predictor for
// unknown words. Upstream splits unknown words with wordsegment first; Mynah uses a dictionary split instead.
import { OovModel } from './en-oov';
import { PerceptronTagger } from './en-tagger';

export type EnglishDictionary = ReadonlyMap<string, string>;

interface EnglishData {
  cmu: Map<string, string>;
  names: Map<string, string>;
  homographs: Map<string, [string[], string[], string]>;
  tagger: PerceptronTagger;
  oov: OovModel;
}

// Entries upstream deletes so that these words are spelled letter by letter (kept for the compound split).
const SPELLED_OUT = new Set(['ae', 'ai', 'ar', 'ios', 'hud', 'os']);

let data: EnglishData | undefined;
let loading: Promise<EnglishDictionary> | undefined;

function parseLines(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split('\n')) {
    // A few cmudict-fast lines have two spaces after the word: upstream gets an empty phone there,
    // which its replace_phs drops.
    const sp = line.indexOf(' ');
    m.set(line.slice(0, sp), line.slice(sp + 1).trim().replace(/ {2,}/g, ' '));
  }
  return m;
}

/**
 * Loads the English data once, lazily, as three chunks fetched in parallel: the dictionaries
 * (src/text/data/en-dict.ts), the tagger weights and the unknown-word model.
 */
export function loadEnglishDictionary(): Promise<EnglishDictionary> {
  if (data) return Promise.resolve(data.cmu);
  // A failed download (offline before it was ever fetched) is not remembered: the next call retries.
  loading ??= Promise.all([import('../data/en-dict'), import('../data/en-tagger'), import('../data/en-oov-model')]).then(
    ([d, t, m]) => {
      const homographs = new Map<string, [string[], string[], string]>();
      for (const line of d.HOMOGRAPHS.split('\n')) {
        const [w, a, b, pos] = line.split('|');
        homographs.set(w, [a.split(' '), b.split(' '), pos]);
      }
      data = { cmu: parseLines(d.WORDS), names: parseLines(d.NAMES), homographs, tagger: new PerceptronTagger(t), oov: new OovModel(m) };
      return data.cmu;
    },
    (e) => {
      loading = undefined;
      throw e;
    },
  );
  return loading;
}

export function englishDictionaryLoaded(): boolean {
  return data !== undefined;
}

function lookup(word: string): string[] | undefined {
  const entry = data?.cmu.get(word);
  return entry ? entry.split(' ') : undefined;
}

/** Python's str.istitle(): cased runs start upper-case and continue lower-case, with at least one cased letter. */
function isTitle(s: string): boolean {
  let prevCased = false;
  let any = false;
  for (const ch of s) {
    const upper = ch !== ch.toLowerCase();
    const lower = ch !== ch.toUpperCase();
    if (upper) {
      if (prevCased) return false;
      prevCased = any = true;
    } else if (lower) {
      if (!prevCased) return false;
      prevCased = any = true;
    } else prevCased = false;
  }
  return any;
}

function letterPhones(letter: string): string[] {
  if (letter === 'a') return ['EY1'];
  return lookup(letter) ?? [letter];
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

/** Phones for one word token (upstream en_G2p.qryword); `original` keeps the case for the name dictionary. */
function queryWord(original: string, depth = 0): string[] {
  const word = original.toLowerCase();
  if (word.length > 1) {
    const hit = lookup(word);
    if (hit) return hit;
  }
  if (isTitle(original)) {
    const name = data?.names.get(word);
    if (name) return name.split(' ');
  }
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
  // Upstream asks wordsegment (unigram/bigram counts) how to split; Mynah splits at - and ' and into
  // dictionary words, and sends what stays whole to g2p_en's predictor as upstream does.
  if (/[-']/.test(word) && depth < 4) {
    const parts = word.split(/[-']+/).filter(Boolean);
    if (parts.length > 1) return parts.flatMap((p) => queryWord(p, depth + 1));
  }
  const letters = word.replace(/[^a-z0-9]/g, '');
  const pieces = depth < 4 ? splitCompound(letters) : undefined;
  if (pieces) return pieces.flatMap((p) => queryWord(p, depth + 1));
  return data!.oov.predict(letters);
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
  if (!data) throw new Error('The English dictionary is not loaded: await loadEnglishDictionary() first');
  const phones: string[] = [];
  const tokens = tokenizeEnglish(normText);
  // Tags only up to the last homograph (each tag depends on the words and tags before it, and two words after).
  let lastHomograph = -1;
  tokens.forEach((t, i) => {
    if (t.length > 1 && data!.homographs.has(t.toLowerCase())) lastHomograph = i;
  });
  const tags = lastHomograph >= 0 ? data.tagger.tag(tokens, lastHomograph) : [];
  tokens.forEach((token, i) => {
    const word = token.toLowerCase();
    const given = /[a-z]/.test(word) ? overrides?.get(word) : undefined;
    if (given?.phones) {
      phones.push(...given.phones);
      return;
    }
    if (given?.soundsLike !== undefined && depth < 2) {
      phones.push(...g2pEnglish(given.soundsLike, overrides, depth + 1).filter((p) => !'!?…,.-'.includes(p)));
      return;
    }
    if (!/[a-z]/.test(word)) {
      if (word === "'") phones.push('-');
      else if ('!?…,.-'.includes(word)) phones.push(word);
      return;
    }
    if (word.length === 1) {
      phones.push(...(token === 'A' ? ['EY1'] : (lookup(word) ?? [word])));
      return;
    }
    const homograph = data!.homographs.get(word);
    if (homograph) {
      const [pron1, pron2, pos1] = homograph;
      const pos = tags[i];
      const first = pos.startsWith(pos1) || (pos.length < pos1.length && pos1.startsWith(pos));
      phones.push(...(first ? pron1 : pron2));
      return;
    }
    phones.push(...queryWord(token));
  });
  // Upstream's g2p(): <unk> becomes UNK, and the predictor's unstressed UW and sequence marks are dropped.
  return phones.flatMap((p) => (p === "'" ? ['-'] : p === '<unk>' ? ['UNK'] : p === 'UW' || p === '' || p.startsWith('<') ? [] : [p]));
}

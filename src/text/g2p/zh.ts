// Mandarin G2P as upstream's v2 frontend runs without g2pW (GPT_SoVITS/text/chinese2.py, pypinyin path):
// sentences split after marks, jieba posseg words, pre-merge for sandhi, pypinyin initials/finals per word,
// tone sandhi, erhua, then opencpop-strict initials/finals with tones. word2ph: 2 per syllable, 1 per mark.
import { OPENCPOP_STRICT } from '../data/opencpop-strict';
import { MUST_ERHUA, NOT_ERHUA } from '../data/zh-word-lists';
import { PUNCTUATION_SET } from '../symbols';
import { modifiedTone, preMergeForModify } from '../tone-sandhi';
import { splitByWords } from '../lexicon';
import { jiebaCutForSearch, jiebaPosseg, loadZhLexicon, pypinyinWord, zhLexiconLoaded, type TaggedWord } from './zh-lexicon';

export { loadZhLexicon, zhLexiconLoaded };

export interface ZhPhones {
  phones: string[];
  /** One entry per character of the normalized text: 2 per syllable, 1 per mark. */
  word2ph: number[];
  warnings: string[];
}

/** Words whose phones are given (the personal pronunciation list): word -> 2 phones per character. */
export interface ZhOverrides {
  words: readonly string[];
  phones(word: string): string[] | undefined;
}

function mergeErhua(initials: string[], finals: string[], word: string, pos: string): [string[], string[]] {
  const n = finals.length;
  if (n && word[n - 1] === '儿' && finals[n - 1] === 'er1') finals[n - 1] = 'er2';
  if (!MUST_ERHUA.has(word) && (NOT_ERHUA.has(word) || ['a', 'j', 'nr'].includes(pos))) return [initials, finals];
  if (finals.length !== word.length) return [initials, finals];
  const outF: string[] = [];
  finals.forEach((f, i) => {
    let phn = f;
    if (i === n - 1 && word[i] === '儿' && (phn === 'er2' || phn === 'er5') && !NOT_ERHUA.has(word.slice(-2)) && outF.length) {
      phn = 'er' + outF[outF.length - 1].slice(-1);
    }
    outF.push(phn);
  });
  return [initials, outF];
}

const V_REP: Record<string, string> = { uei: 'ui', iou: 'iu', uen: 'un' };
const PINYIN_REP: Record<string, string> = { ing: 'ying', i: 'yi', in: 'yin', u: 'wu' };
const SINGLE_REP: Record<string, string> = { v: 'yu', e: 'e', i: 'y', u: 'w' };

/** Opencpop-strict phones for one pypinyin initial + toned final (upstream's post-processing). */
export function pinyinToPhones(c: string, v: string): [string, string] | undefined {
  const bare = v.slice(0, -1);
  const tone = v.slice(-1);
  if (!'12345'.includes(tone) || !tone) return undefined;
  let py = c + bare;
  if (c) {
    if (V_REP[bare]) py = c + V_REP[bare];
  } else if (PINYIN_REP[py]) py = PINYIN_REP[py];
  else if (SINGLE_REP[py[0]] !== undefined) py = SINGLE_REP[py[0]] + py.slice(1);
  const entry = OPENCPOP_STRICT[py];
  if (!entry) return undefined;
  const [ini, fin] = entry.split(' ');
  return [ini, fin + tone];
}

/** Kept for callers that want a toneless syllable's phones (pronunciation list validation). */
export function syllableToPhones(py: string, tone: string): [string, string] | undefined {
  const entry = OPENCPOP_STRICT[py];
  if (!entry) return undefined;
  const [initial, final] = entry.split(' ');
  return [initial, final + tone];
}

const finalsOf = (w: string) => pypinyinWord(w)[1];

/** jieba words with tags, after upstream's pre-merge, for one sentence; listed words stay whole. */
export function zhWords(sentence: string, overrides?: ZhOverrides): TaggedWord[] {
  const out: TaggedWord[] = [];
  for (const run of splitByWords(sentence, overrides?.words ?? [])) {
    if (run.word) out.push([run.text, 'user']);
    else out.push(...preMergeForModify(jiebaPosseg(run.text), finalsOf));
  }
  return out;
}

/** Phones and word2ph for normalized Chinese text (only ideographs and `!?…,.-`). Needs loadZhLexicon(). */
export function g2pChinese(normText: string, overrides?: ZhOverrides): ZhPhones {
  const phones: string[] = [];
  const word2ph: number[] = [];
  const warnings: string[] = [];
  const sentences = normText.split(/(?<=[!?…,.\-])\s*/).filter((s) => s.trim() !== '');
  for (const raw of sentences) {
    const sentence = raw.replace(/[a-zA-Z]+/g, '');
    // Per syllable: pypinyin initial + final, or given phones.
    const items: Array<[string, string] | { phones: [string, string] }> = [];
    for (const [word, pos] of zhWords(sentence, overrides)) {
      if (pos === 'eng') continue;
      const given = pos === 'user' ? overrides?.phones(word) : undefined;
      if (given) {
        for (let i = 0; i + 1 < given.length; i += 2) items.push({ phones: [given[i], given[i + 1]] });
        continue;
      }
      let [ini, fin] = pypinyinWord(word);
      fin = modifiedTone(word, pos, fin, jiebaCutForSearch);
      [ini, fin] = mergeErhua(ini, fin, word, pos);
      ini.forEach((c, i) => items.push([c, fin[i]]));
    }
    for (const item of items) {
      if (!Array.isArray(item)) {
        phones.push(...item.phones);
        word2ph.push(2);
        continue;
      }
      const [c, v] = item;
      if (c === v) {
        if (PUNCTUATION_SET.has(c)) {
          phones.push(c);
          word2ph.push(1);
        } else {
          warnings.push(`No phones for "${c}"; using UNK.`);
          phones.push('UNK', 'UNK');
          word2ph.push(2);
        }
        continue;
      }
      const ph = pinyinToPhones(c, v);
      if (ph) phones.push(...ph);
      else {
        warnings.push(`No phones for the syllable "${c}${v}"; using UNK.`);
        phones.push('UNK', 'UNK');
      }
      word2ph.push(2);
    }
  }
  return { phones, word2ph, warnings };
}

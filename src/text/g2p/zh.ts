// Mandarin G2P: normalized text -> opencpop-strict initials/finals with tones, and word2ph for BERT.
// Word segmentation: the platform's ICU word segmenter (Intl.Segmenter), where upstream uses jieba.
// Pinyin: pinyin-pro (word-level polyphone dictionary), where upstream uses the g2pW neural model.
import { pinyin } from 'pinyin-pro';
import { OPENCPOP_STRICT } from '../data/opencpop-strict';
import { MUST_ERHUA, NOT_ERHUA } from '../data/zh-word-lists';
import { PUNCTUATION_SET } from '../symbols';
import { applyToneSandhi, premergeForSandhi, type ToneWord } from '../tone-sandhi';

export interface ZhPhones {
  phones: string[];
  /** One entry per character of the normalized text: 2 per syllable, 1 per mark. */
  word2ph: number[];
  warnings: string[];
}

let segmenter: Intl.Segmenter | undefined;
function wordSegmenter(): Intl.Segmenter {
  segmenter ??= new Intl.Segmenter('zh', { granularity: 'word' });
  return segmenter;
}

const wordCache = new Map<string, boolean>();
/** A string counts as a dictionary word when the segmenter keeps it whole. */
export function isDictionaryWord(s: string): boolean {
  let hit = wordCache.get(s);
  if (hit === undefined) {
    const segs = [...wordSegmenter().segment(s)];
    hit = segs.length === 1;
    if (wordCache.size > 50_000) wordCache.clear();
    wordCache.set(s, hit);
  }
  return hit;
}

// Reduplicated adverbs (jieba tags them d), which keep their tones; other AA words are nouns/verbs/adjectives.
const ADVERB_REDUPLICATIONS = new Set([
  '常常', '刚刚', '渐渐', '仅仅', '偏偏', '往往', '默默', '悄悄', '稍稍', '统统', '纷纷', '久久', '万万', '明明',
  '白白', '频频', '连连', '处处', '时时', '步步', '屡屡', '每每', '一一', '慢慢', '好好', '早早', '匆匆', '微微',
  '隐隐', '暗暗', '轻轻', '紧紧', '深深', '远远', '高高', '大大', '多多', '略略', '苦苦', '恰恰', '真真', '重重',
]);
// Locative words whose final 上/下/里 is neutral (jieba tags s / f).
const LOCATIVES = new Set([
  '家里', '心里', '手里', '屋里', '城里', '村里', '夜里', '梦里', '水里', '眼里', '嘴里', '怀里', '店里', '院里',
  '地上', '天上', '身上', '桌上', '路上', '街上', '床上', '墙上', '山上', '树上', '脸上', '头上', '手上', '楼上',
  '底下', '楼下', '乡下', '山下', '树下', '地下', '脚下', '私下', '眼下',
]);

/** Guesses the jieba part-of-speech tag for the few rules that look at it. */
function guessPos(word: string, index: number): string {
  const c = [...word];
  if (c.length === 1 && PUNCTUATION_SET.has(word)) return 'x';
  if (word === '了') return 'ul';
  if (word === '着') return 'uz';
  if (word === '过' && index > 0) return 'ug';
  if (c.length === 2 && c[0] === c[1]) return ADVERB_REDUPLICATIONS.has(word) ? 'd' : 'n';
  if (LOCATIVES.has(word)) return 's';
  if (c.length > 1 && (c[c.length - 1] === '们' || c[c.length - 1] === '子')) return 'n';
  return 'v';
}

/**
 * Word segmentation with two repairs towards jieba's behaviour: a word-final 不 stands alone (so it merges
 * with the next word as upstream expects), and X一X (想一想) is one word.
 */
export function segmentWords(sentence: string): string[] {
  const chars = [...sentence];
  const cuts = new Set<number>([0, chars.length]);
  let at = 0;
  for (const { segment } of wordSegmenter().segment(sentence)) {
    const n = [...segment].length;
    if (n > 1 && segment.endsWith('不')) cuts.add(at + n - 1);
    at += n;
    cuts.add(at);
  }
  for (let i = 1; i + 1 < chars.length; i++) {
    if (chars[i] === '一' && chars[i - 1] === chars[i + 1] && /[\u4e00-\u9fa5]/.test(chars[i - 1]) && chars[i - 1] !== '一') {
      for (const k of [i, i + 1]) cuts.delete(k);
      cuts.add(i - 1);
      cuts.add(i + 2);
    }
  }
  const sorted = [...cuts].sort((a, b) => a - b);
  const words: string[] = [];
  for (let k = 0; k + 1 < sorted.length; k++) words.push(chars.slice(sorted[k], sorted[k + 1]).join(''));
  return words;
}

interface Syllable {
  pinyin: string; // toneless, ü as v; for marks the mark itself
  tone: string; // '1'..'5'; '' for marks
}

function syllablesFor(sentence: string): Syllable[] {
  const chars = [...sentence];
  const raw = pinyin(sentence, { type: 'array', toneType: 'num', v: true, toneSandhi: false, nonZh: 'spaced' });
  const list = raw.length === chars.length ? raw : chars.map((c) => pinyin(c, { type: 'array', toneType: 'num', v: true, toneSandhi: false })[0] ?? c);
  return list.map((p, i) => {
    const ch = chars[i];
    if (PUNCTUATION_SET.has(ch)) return { pinyin: ch, tone: '' };
    const m = /^([a-zü]+)([0-5])$/.exec(p.replace(/ü/g, 'v'));
    if (!m) return { pinyin: p, tone: '5' };
    return { pinyin: m[1], tone: m[2] === '0' ? '5' : m[2] };
  });
}

function erhua(word: string, pos: string, tones: string[]): string[] {
  const c = [...word];
  const t = [...tones];
  const last = c.length - 1;
  if (c[last] === '儿' && t[last] === '1') t[last] = '2';
  if (!MUST_ERHUA.has(word) && (NOT_ERHUA.has(word) || ['a', 'j', 'nr'].includes(pos))) return t;
  if (c.length >= 2 && c[last] === '儿' && (t[last] === '2' || t[last] === '5') && !NOT_ERHUA.has(c.slice(-2).join(''))) {
    t[last] = t[last - 1];
  }
  return t;
}

/** Initial and final (toned) for one syllable via the opencpop-strict table, or undefined if unknown. */
export function syllableToPhones(py: string, tone: string): [string, string] | undefined {
  const entry = OPENCPOP_STRICT[py];
  if (!entry) return undefined;
  const [initial, final] = entry.split(' ');
  return [initial, final + tone];
}

/** Phones and word2ph for normalized Chinese text (only ideographs and `!?…,.-`). */
export function g2pChinese(normText: string): ZhPhones {
  const phones: string[] = [];
  const word2ph: number[] = [];
  const warnings: string[] = [];
  // Sentences end after a mark; whitespace after marks is dropped.
  const sentences = normText.split(/(?<=[!?…,.\-])\s*/).filter((s) => s.trim() !== '');
  for (const sentence of sentences) {
    const syl = syllablesFor(sentence);
    const words: ToneWord[] = [];
    const pinyins: string[][] = [];
    let at = 0;
    let idx = 0;
    for (const segment of segmentWords(sentence)) {
      const n = [...segment].length;
      const s = syl.slice(at, at + n);
      words.push({ word: segment, pos: guessPos(segment, idx++), tones: s.map((x) => x.tone) });
      pinyins.push(s.map((x) => x.pinyin));
      at += n;
    }
    // Merging keeps character order, so pinyin can be re-read by position afterwards.
    const flatPinyin = pinyins.flat();
    let pos = 0;
    for (const w of premergeForSandhi(words)) {
      const n = w.tones.length;
      const isMark = n === 1 && PUNCTUATION_SET.has(w.word);
      const tones = isMark ? w.tones : erhua(w.word, w.pos, applyToneSandhi(w, isDictionaryWord));
      for (let k = 0; k < n; k++) {
        const py = flatPinyin[pos + k];
        if (PUNCTUATION_SET.has(py)) {
          phones.push(py);
          word2ph.push(1);
          continue;
        }
        const ph = syllableToPhones(py, tones[k]);
        if (ph) phones.push(...ph);
        else {
          warnings.push(`No phones for the syllable "${py}" of "${[...w.word][k]}"; using UNK.`);
          phones.push('UNK', 'UNK');
        }
        word2ph.push(2);
      }
      pos += n;
    }
  }
  return { phones, word2ph, warnings };
}

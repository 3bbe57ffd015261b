// Mandarin tone sandhi as GPT-SoVITS applies it (PaddleSpeech rules in text/tone_sandhi.py): word merging
// before sandhi (不, 一, reduplication, third tones, 儿), then per word 不 / 一 / neutral-tone / third-tone rules.
import { MUST_NEUTRAL_TONE_WORDS, MUST_NOT_NEUTRAL_TONE_WORDS } from './data/zh-word-lists';

/** A word with its part of speech (jieba-style tag, guessed) and one tone per character ('' for marks). */
export interface ToneWord {
  word: string;
  pos: string;
  tones: string[];
}

const SANDHI_MARKS = '：，；。？！“”‘’\':,;.?!';
const NUMERIC = new Set([...'0123456789零〇一二三四五六七八九十百千万亿两廿卅壹贰叁肆伍陆柒捌玖拾佰仟']);
export const isNumericChar = (c: string) => NUMERIC.has(c);

const chars = (s: string) => [...s];
const allThird = (tones: readonly string[]): boolean => tones.every((t) => t === '3');

/** Whether a string is a dictionary word (used to split words in two, like jieba's cut_for_search). */
export type IsWord = (s: string) => boolean;

/** Splits a word into two sub-words at its leftmost known shorter word (upstream `_split_word`). */
export function splitWord(word: string, isWord: IsWord): [string, string] {
  const c = chars(word);
  let sub: string | undefined;
  let at = -1;
  for (const len of [2, 3]) {
    for (let i = 0; len < c.length && i + len <= c.length; i++) {
      if (isWord(c.slice(i, i + len).join(''))) {
        sub = c.slice(i, i + len).join('');
        at = i;
        break;
      }
    }
    if (sub) break;
  }
  if (!sub) return [word, ''];
  const subLen = chars(sub).length;
  if (at === 0) return [sub, c.slice(subLen).join('')];
  return [c.slice(0, c.length - subLen).join(''), sub];
}

function buSandhi(word: string, tones: string[]): void {
  const c = chars(word);
  if (c.length === 3 && c[1] === '不') {
    tones[1] = '5';
    return;
  }
  c.forEach((ch, i) => {
    if (ch === '不' && i + 1 < c.length && tones[i + 1] === '4') tones[i] = '2';
  });
}

function yiSandhi(word: string, tones: string[]): void {
  const c = chars(word);
  if (c.includes('一') && c.every((ch) => ch === '一' || isNumericChar(ch))) return;
  if (c.length === 3 && c[1] === '一' && c[0] === c[2]) {
    tones[1] = '5';
  } else if (word.startsWith('第一')) {
    tones[1] = '1';
  } else {
    c.forEach((ch, i) => {
      if (ch !== '一' || i + 1 >= c.length) return;
      if (tones[i + 1] === '4') tones[i] = '2';
      else if (!SANDHI_MARKS.includes(c[i + 1])) tones[i] = '4';
    });
  }
}

const isNeutralWord = (w: string) => MUST_NEUTRAL_TONE_WORDS.has(w) || MUST_NEUTRAL_TONE_WORDS.has(chars(w).slice(-2).join(''));

function neutralSandhi(word: string, pos: string, tones: string[], isWord: IsWord): string[] {
  const c = chars(word);
  const last = c.length - 1;
  c.forEach((ch, j) => {
    if (j >= 1 && ch === c[j - 1] && 'nva'.includes(pos[0]) && !MUST_NOT_NEUTRAL_TONE_WORDS.has(word)) tones[j] = '5';
  });
  const ge = c.indexOf('个');
  if (c.length >= 1 && '吧呢哈啊呐噻嘛吖嗨呐哦哒额滴哩哟喽啰耶喔诶'.includes(c[last])) tones[last] = '5';
  else if (c.length >= 1 && '的地得'.includes(c[last])) tones[last] = '5';
  else if (c.length === 1 && '了着过'.includes(word) && ['ul', 'uz', 'ug'].includes(pos)) tones[last] = '5';
  else if (c.length > 1 && '们子'.includes(c[last]) && (pos === 'r' || pos === 'n') && !MUST_NOT_NEUTRAL_TONE_WORDS.has(word)) tones[last] = '5';
  else if (c.length > 1 && '上下里'.includes(c[last]) && ['s', 'l', 'f'].includes(pos)) tones[last] = '5';
  // Directional complements (上来, 下去, ...). Our segmenter keeps longer words than jieba ("一起去"), so the
  // last two characters must form a word themselves.
  else if (c.length > 1 && '来去'.includes(c[last]) && '上下进出回过起开'.includes(c[last - 1]) && (c.length === 2 || isWord(c[last - 1] + c[last]))) tones[last] = '5';
  else if ((ge >= 1 && (isNumericChar(c[ge - 1]) || '几有两半多各整每做是'.includes(c[ge - 1]))) || word === '个') tones[ge] = '5';
  else if (isNeutralWord(word)) tones[last] = '5';

  const [first, second] = splitWord(word, isWord);
  const n1 = chars(first).length;
  const parts = [tones.slice(0, n1), tones.slice(n1)];
  [first, second].forEach((sub, i) => {
    if (parts[i].length && isNeutralWord(sub)) parts[i][parts[i].length - 1] = '5';
  });
  return [...parts[0], ...parts[1]];
}

function thirdSandhi(word: string, tones: string[], isWord: IsWord): string[] {
  const n = chars(word).length;
  if (n === 2 && allThird(tones)) {
    tones[0] = '2';
  } else if (n === 3) {
    const [first] = splitWord(word, isWord);
    const n1 = chars(first).length;
    if (allThird(tones)) {
      if (n1 === 2) {
        tones[0] = '2';
        tones[1] = '2';
      } else if (n1 === 1) tones[1] = '2';
    } else {
      const parts = [tones.slice(0, n1), tones.slice(n1)];
      parts.forEach((sub, i) => {
        if (sub.length === 2 && allThird(sub)) sub[0] = '2';
        else if (i === 1 && sub.length && !allThird(sub) && sub[0] === '3' && parts[0].length && parts[0][parts[0].length - 1] === '3') {
          parts[0][parts[0].length - 1] = '2';
        }
      });
      return [...parts[0], ...parts[1]];
    }
  } else if (n === 4) {
    const a = tones.slice(0, 2);
    const b = tones.slice(2);
    if (allThird(a)) a[0] = '2';
    if (allThird(b)) b[0] = '2';
    return [...a, ...b];
  }
  return tones;
}

/** Tone changes inside one word, in upstream order: 不, 一, neutral tones, third-tone sandhi. */
export function applyToneSandhi(w: ToneWord, isWord: IsWord): string[] {
  const tones = [...w.tones];
  buSandhi(w.word, tones);
  yiSandhi(w.word, tones);
  const neutral = neutralSandhi(w.word, w.pos, tones, isWord);
  return thirdSandhi(w.word, neutral, isWord);
}

const concat = (a: ToneWord, b: ToneWord): ToneWord => ({ word: a.word + b.word, pos: a.pos, tones: [...a.tones, ...b.tones] });

function mergeBu(seg: ToneWord[]): ToneWord[] {
  const out: ToneWord[] = [];
  let pending: ToneWord | undefined;
  for (const w of seg) {
    const cur = pending ? concat(pending, w) : w;
    pending = undefined;
    if (cur.word === '不') pending = cur;
    else out.push(cur);
  }
  if (pending) out.push({ ...pending, pos: 'd' });
  return out;
}

function mergeYi(seg: ToneWord[]): ToneWord[] {
  const out: ToneWord[] = [];
  for (let i = 0; i < seg.length; i++) {
    const w = seg[i];
    const prev = out[out.length - 1];
    const next = seg[i + 1];
    // X 一 X (reduplicated verb around 一): one word.
    if (w.word === '一' && prev && next && prev.word === next.word && chars(prev.word).length === 1 && !isNumericChar(prev.word)) {
      out[out.length - 1] = concat(concat(prev, w), next);
      i++;
      continue;
    }
    out.push(w);
  }
  const res: ToneWord[] = [];
  for (const w of out) {
    const prev = res[res.length - 1];
    if (prev && prev.word === '一') res[res.length - 1] = concat(prev, w);
    else res.push(w);
  }
  return res;
}

function mergeReduplication(seg: ToneWord[]): ToneWord[] {
  const out: ToneWord[] = [];
  for (const w of seg) {
    const prev = out[out.length - 1];
    if (prev && prev.word === w.word) out[out.length - 1] = concat(prev, w);
    else out.push(w);
  }
  return out;
}

const isReduplication = (w: string) => chars(w).length === 2 && chars(w)[0] === chars(w)[1];

function mergeThirdTones(seg: ToneWord[], joinable: (a: ToneWord, b: ToneWord) => boolean): ToneWord[] {
  const out: ToneWord[] = [];
  const merged = seg.map(() => false);
  seg.forEach((w, i) => {
    const prev = seg[i - 1];
    if (i >= 1 && joinable(prev, w) && !merged[i - 1]) {
      if (!isReduplication(prev.word) && chars(prev.word).length + chars(w.word).length <= 3) {
        out[out.length - 1] = concat(out[out.length - 1], w);
        merged[i] = true;
        return;
      }
    }
    out.push(w);
  });
  return out;
}

function mergeEr(seg: ToneWord[]): ToneWord[] {
  const out: ToneWord[] = [];
  seg.forEach((w, i) => {
    if (i >= 1 && w.word === '儿' && seg[i - 1].word !== '#') out[out.length - 1] = concat(out[out.length - 1], w);
    else out.push(w);
  });
  return out;
}

/** Word merges done before sandhi (upstream `pre_merge_for_modify`). */
export function premergeForSandhi(seg: ToneWord[]): ToneWord[] {
  let s = mergeBu(seg);
  s = mergeYi(s);
  s = mergeReduplication(s);
  s = mergeThirdTones(s, (a, b) => allThird(a.tones) && allThird(b.tones));
  s = mergeThirdTones(s, (a, b) => a.tones[a.tones.length - 1] === '3' && b.tones[0] === '3');
  return mergeEr(s);
}

// Mandarin tone sandhi as GPT-SoVITS applies it (text/tone_sandhi.py, PaddleSpeech's rules): word merging
// before sandhi (不, 一, reduplication, third tones, 儿), then per word 不 / 一 / neutral-tone / third-tone
// rules on pypinyin finals ("ao3", "i5", or a mark for punctuation). A port of the rules, run on jieba's
// words and tags (g2p/zh-lexicon.ts).
import { MUST_NEUTRAL_TONE_WORDS, MUST_NOT_NEUTRAL_TONE_WORDS } from './data/zh-word-lists';

const SANDHI_MARKS = '：，；。？！“”‘’\':,;.?!';
// Characters Python's str.isnumeric() accepts in U+4E00..U+9FA5 (and ASCII digits).
const NUMERIC = new Set([...'0123456789一七万三九二五亖亿什仟仨伍佰億兆兩八六十千卄卅卌叁参參叄四壱壹幺廾廿弌弍弎弐拾捌柒漆玖百肆萬貮貳贰阡陆陌陸零']);
export const isNumericChar = (c: string): boolean => NUMERIC.has(c);

const setTone = (f: string, t: string): string => f.slice(0, -1) + t;
const lastCh = (f: string | undefined): string => (f ? f[f.length - 1] : '');
const allThird = (finals: readonly string[]): boolean => finals.every((x) => lastCh(x) === '3');

/** jieba's cut_for_search, which `_split_word` reads. */
export type CutForSearch = (word: string) => string[];
/** pypinyin FINALS_TONE3 of a word, which the third-tone merges read. */
export type FinalsOf = (word: string) => string[];

export function splitWord(word: string, cutForSearch: CutForSearch): [string, string] {
  const list = cutForSearch(word)
    .map((w, i) => [w, i] as const)
    .sort((a, b) => a[0].length - b[0].length || a[1] - b[1])
    .map(([w]) => w);
  const first = list[0];
  const at = word.indexOf(first);
  if (at === 0) return [first, word.slice(first.length)];
  return [word.slice(0, word.length - first.length), first];
}

function buSandhi(word: string, finals: string[]): string[] {
  if (word.length === 3 && word[1] === '不') finals[1] = setTone(finals[1], '5');
  else
    for (let i = 0; i < word.length; i++) {
      if (word[i] === '不' && i + 1 < word.length && lastCh(finals[i + 1]) === '4') finals[i] = setTone(finals[i], '2');
    }
  return finals;
}

function yiSandhi(word: string, finals: string[]): string[] {
  if (word.includes('一') && [...word].every((c) => c === '一' || isNumericChar(c))) return finals;
  if (word.length === 3 && word[1] === '一' && word[0] === word[2]) finals[1] = setTone(finals[1], '5');
  else if (word.startsWith('第一')) finals[1] = setTone(finals[1], '1');
  else
    for (let i = 0; i < word.length; i++) {
      if (word[i] !== '一' || i + 1 >= word.length) continue;
      if (lastCh(finals[i + 1]) === '4') finals[i] = setTone(finals[i], '2');
      else if (!SANDHI_MARKS.includes(word[i + 1])) finals[i] = setTone(finals[i], '4');
    }
  return finals;
}

const mustNeutral = (w: string) => MUST_NEUTRAL_TONE_WORDS.has(w) || MUST_NEUTRAL_TONE_WORDS.has(w.slice(-2));

function neutralSandhi(word: string, pos: string, finals: string[], cut: CutForSearch): string[] {
  for (let j = 1; j < word.length; j++) {
    if (word[j] === word[j - 1] && 'nva'.includes(pos[0]) && !MUST_NOT_NEUTRAL_TONE_WORDS.has(word)) finals[j] = setTone(finals[j], '5');
  }
  const ge = word.indexOf('个');
  const last = word.length - 1;
  const end = word[last];
  if (word.length >= 1 && '吧呢哈啊呐噻嘛吖嗨呐哦哒额滴哩哟喽啰耶喔诶'.includes(end)) finals[last] = setTone(finals[last], '5');
  else if (word.length >= 1 && '的地得'.includes(end)) finals[last] = setTone(finals[last], '5');
  else if (word.length === 1 && '了着过'.includes(word) && ['ul', 'uz', 'ug'].includes(pos)) finals[last] = setTone(finals[last], '5');
  else if (word.length > 1 && '们子'.includes(end) && (pos === 'r' || pos === 'n') && !MUST_NOT_NEUTRAL_TONE_WORDS.has(word)) finals[last] = setTone(finals[last], '5');
  else if (word.length > 1 && '上下里'.includes(end) && ['s', 'l', 'f'].includes(pos)) finals[last] = setTone(finals[last], '5');
  else if (word.length > 1 && '来去'.includes(end) && '上下进出回过起开'.includes(word[last - 1])) finals[last] = setTone(finals[last], '5');
  else if ((ge >= 1 && (isNumericChar(word[ge - 1]) || '几有两半多各整每做是'.includes(word[ge - 1]))) || word === '个') finals[ge] = setTone(finals[ge], '5');
  else if (mustNeutral(word)) finals[last] = setTone(finals[last], '5');

  const parts = splitWord(word, cut);
  const lists = [finals.slice(0, parts[0].length), finals.slice(parts[0].length)];
  parts.forEach((w, i) => {
    if (mustNeutral(w) && lists[i].length) lists[i][lists[i].length - 1] = setTone(lists[i][lists[i].length - 1], '5');
  });
  return [...lists[0], ...lists[1]];
}

function threeSandhi(word: string, finals: string[], cut: CutForSearch): string[] {
  if (word.length === 2 && allThird(finals)) finals[0] = setTone(finals[0], '2');
  else if (word.length === 3) {
    const parts = splitWord(word, cut);
    if (allThird(finals)) {
      if (parts[0].length === 2) {
        finals[0] = setTone(finals[0], '2');
        finals[1] = setTone(finals[1], '2');
      } else if (parts[0].length === 1) finals[1] = setTone(finals[1], '2');
    } else {
      const lists = [finals.slice(0, parts[0].length), finals.slice(parts[0].length)];
      for (let i = 0; i < 2; i++) {
        const sub = lists[i];
        if (allThird(sub) && sub.length === 2) sub[0] = setTone(sub[0], '2');
        else if (i === 1 && !allThird(sub) && lastCh(sub[0]) === '3' && lastCh(lists[0][lists[0].length - 1]) === '3') {
          lists[0][lists[0].length - 1] = setTone(lists[0][lists[0].length - 1], '2');
        }
        finals = [...lists[0], ...lists[1]];
      }
    }
  } else if (word.length === 4) {
    const lists = [finals.slice(0, 2), finals.slice(2)];
    finals = [];
    for (const sub of lists) {
      if (allThird(sub) && sub.length) sub[0] = setTone(sub[0], '2');
      finals.push(...sub);
    }
  }
  return finals;
}

/** Upstream modified_tone: 不, 一, neutral tone, third tone, in that order. */
export function modifiedTone(word: string, pos: string, finals: string[], cut: CutForSearch): string[] {
  let f = buSandhi(word, [...finals]);
  f = yiSandhi(word, f);
  f = neutralSandhi(word, pos, f, cut);
  return threeSandhi(word, f, cut);
}

type Seg = [string, string];

function mergeBu(seg: Seg[]): Seg[] {
  const out: Seg[] = [];
  let last = '';
  for (let [word, pos] of seg) {
    if (last === '不') word = last + word;
    if (word !== '不') out.push([word, pos]);
    last = word;
  }
  if (last === '不') out.push([last, 'd']);
  return out;
}

function mergeYi(seg: Seg[]): Seg[] {
  let out: Seg[] = [];
  for (let i = 0; i < seg.length; ) {
    const [word, pos] = seg[i];
    if (i - 1 >= 0 && word === '一' && i + 1 < seg.length) {
      const last = out.length ? out[out.length - 1] : seg[i - 1];
      if (last[0] === seg[i + 1][0] && last[1] === 'v' && seg[i + 1][1] === 'v') {
        if (!out.length) throw new Error('merge_yi'); // upstream's IndexError: the merge is skipped
        out[out.length - 1] = [last[0] + '一' + seg[i + 1][0], last[1]];
        i += 2;
        continue;
      }
    }
    out.push([word, pos]);
    i++;
  }
  const res: Seg[] = [];
  for (const [word, pos] of out) {
    if (res.length && res[res.length - 1][0] === '一') res[res.length - 1][0] += word;
    else res.push([word, pos]);
  }
  out = res;
  return out;
}

const isReduplication = (w: string) => w.length === 2 && w[0] === w[1];

function mergeThree(seg: Seg[], finalsOf: FinalsOf, second: boolean): Seg[] {
  const finals = seg.map(([w]) => finalsOf(w));
  const out: Seg[] = [];
  const merged = new Array(seg.length).fill(false);
  seg.forEach(([word, pos], i) => {
    const cond =
      i >= 1 &&
      !merged[i - 1] &&
      (second
        ? lastCh(finals[i - 1][finals[i - 1].length - 1]) === '3' && lastCh(finals[i][0]) === '3'
        : allThird(finals[i - 1]) && allThird(finals[i]));
    if (cond && !isReduplication(seg[i - 1][0]) && seg[i - 1][0].length + word.length <= 3) {
      out[out.length - 1][0] += word;
      merged[i] = true;
    } else out.push([word, pos]);
  });
  return out;
}

function mergeEr(seg: Seg[]): Seg[] {
  const out: Seg[] = [];
  seg.forEach(([word, pos], i) => {
    if (i >= 1 && word === '儿' && seg[i - 1][0] !== '#') out[out.length - 1][0] += word;
    else out.push([word, pos]);
  });
  return out;
}

function mergeReduplication(seg: Seg[]): Seg[] {
  const out: Seg[] = [];
  for (const [word, pos] of seg) {
    if (out.length && word === out[out.length - 1][0]) out[out.length - 1][0] += word;
    else out.push([word, pos]);
  }
  return out;
}

/** Upstream pre_merge_for_modify (a failing step leaves the words as they were, as upstream's try/except does). */
export function preMergeForModify(input: ReadonlyArray<Seg>, finalsOf: FinalsOf): Seg[] {
  const copy = (s: ReadonlyArray<Seg>) => s.map(([w, p]) => [w, p] as Seg);
  let seg = mergeBu(copy(input));
  const attempt = (fn: (s: Seg[]) => Seg[]) => {
    try {
      seg = fn(copy(seg));
    } catch {
      /* kept as it was */
    }
  };
  attempt(mergeYi);
  seg = mergeReduplication(seg);
  attempt((s) => mergeThree(s, finalsOf, false));
  attempt((s) => mergeThree(s, finalsOf, true));
  return mergeEr(seg);
}

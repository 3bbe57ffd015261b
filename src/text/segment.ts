// Language segmentation of mixed zh/ja/en text, and splitting long text into synthesis fragments with
// GPT-SoVITS's cut methods (TTS_infer_pack/text_segmentation_method.py and TextPreprocessor.pre_seg_text).
import { MynahError } from '../errors';

export type SegmentLang = 'zh' | 'ja' | 'en';
export type LangMode = 'auto' | SegmentLang;

export interface LangSegment {
  lang: SegmentLang;
  text: string;
}

type CharClass = 'latin' | 'kana' | 'han' | 'hangul' | 'digit' | 'mark' | 'other';

const RE_LATIN = /[A-Za-z\uFF21-\uFF3A\uFF41-\uFF5A\u00C0-\u024F]/;
const RE_KANA = /[\u3041-\u3096\u3099-\u309F\u30A1-\u30FA\u30FC-\u30FF\uFF66-\uFF9F\u31F0-\u31FF]/;
const RE_HAN = /[\u3005\u3007\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF\u{20000}-\u{3134F}]/u;
const RE_HANGUL = /[\u1100-\u11FF\u3130-\u318F\uAC00-\uD7AF]/;
const RE_DIGIT = /[0-9\uFF10-\uFF19]/;
// Marks, spaces and common symbols: they never decide a language and stick to a neighbour.
const RE_MARK = /[\s\p{P}\p{S}\u3000-\u303F\uFF01-\uFF0F\uFF1A-\uFF20\uFF3B-\uFF40\uFF5B-\uFF65\u2000-\u206F]/u;

function classify(ch: string): CharClass {
  if (RE_DIGIT.test(ch)) return 'digit';
  if (RE_LATIN.test(ch)) return 'latin';
  if (RE_KANA.test(ch)) return 'kana';
  if (RE_HAN.test(ch)) return 'han';
  if (RE_HANGUL.test(ch)) return 'hangul';
  if (/\p{Extended_Pictographic}/u.test(ch)) return 'other';
  if (RE_MARK.test(ch)) return 'mark';
  return 'other';
}

const SENTENCE_END = /[。！？!?\n]/;
const CLAUSE_MARKS = [',', '.', '!', '?', '，', '。', '！', '？'];

interface Piece {
  cls: CharClass | 'block';
  lang?: SegmentLang | 'digit';
  text: string;
}

// Frequent simplified-Chinese characters that Japanese text does not use: a Han run holding one is Chinese
// even next to kana (e.g. "你也喜欢まいご吗").
const ZH_ONLY = new Set([
  ...'们这么吗呢吧你她没说话还过个对时间欢给让车东见长门问习儿两为应该边语气岁书买卖钱吃喝饭请谢认识读难许讲记较总类热爱乐哪啊呀咱啥怎谁很也是于实业无电动发现经进样头开关后从',
]);

/**
 * Splits mixed text into language runs. Unknown scripts (Hangul, Cyrillic, emoji, ...) are removed with a
 * warning. In 'zh' / 'ja' mode every non-English run gets that language; in 'en' mode the whole text is English.
 */
export function segmentByLanguage(text: string, mode: LangMode, warnings: string[] = []): LangSegment[] {
  if (mode === 'en') return text.trim() ? [{ lang: 'en', text }] : [];
  // 1. runs of one character class (digits keep inner separators such as 3.14, 12:30, 1,000, 50%)
  const runs: Piece[] = [];
  const dropped = new Set<string>();
  const chars = [...text];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i];
    let cls = classify(ch);
    if (cls === 'other' || cls === 'hangul') {
      dropped.add(ch);
      continue;
    }
    if (cls === 'mark' && /[.,:/%\-]/.test(ch) && runs.at(-1)?.cls === 'digit' && RE_DIGIT.test(chars[i + 1] ?? '')) cls = 'digit';
    if (cls === 'mark' && ch === '%' && runs.at(-1)?.cls === 'digit') cls = 'digit';
    const last = runs.at(-1);
    if (last && last.cls === cls) last.text += ch;
    else runs.push({ cls, text: ch });
  }
  if (dropped.size) warnings.push(`Skipped characters no supported language reads: ${[...dropped].slice(0, 20).join(' ')}`);

  // 2. CJK blocks (han/kana runs between Latin text and sentence ends) decide zh or ja together.
  const pieces: Piece[] = [];
  let block: Piece[] = [];
  const flushBlock = () => {
    if (!block.length) return;
    const hasKana = block.some((p) => p.cls === 'kana');
    for (const p of block) {
      if (p.cls === 'kana') pieces.push({ ...p, lang: 'ja' });
      else if (p.cls === 'han') pieces.push({ ...p, lang: hasKana && ![...p.text].some((c) => ZH_ONLY.has(c)) ? 'ja' : 'zh' });
      else pieces.push(p);
    }
    block = [];
  };
  for (const r of runs) {
    if (r.cls === 'latin') {
      flushBlock();
      pieces.push({ ...r, lang: 'en' });
    } else if (r.cls === 'han' || r.cls === 'kana') block.push(r);
    else {
      block.push(r);
      if (r.cls === 'mark' && SENTENCE_END.test(r.text)) flushBlock();
    }
  }
  flushBlock();

  // 3. Marks and spaces join the previous run (or the next one at the start).
  const merged: Piece[] = [];
  for (const p of pieces) {
    const last = merged.at(-1);
    if (p.cls === 'mark' && last) last.text += p.text;
    else if (last && last.cls === 'mark' && !last.lang) {
      // A leading mark ("-17度", "$2") takes the next run's class; digits keep their 'digit' label.
      last.cls = p.cls;
      last.lang = p.cls === 'digit' ? 'digit' : p.lang;
      last.text += p.text;
    } else merged.push({ ...p, lang: p.cls === 'digit' ? 'digit' : p.lang });
  }
  // Text made only of marks: nothing to read.
  const withLang = merged.filter((p) => p.lang);

  // 4. Digits follow their context (upstream LangSegmenter rules).
  const resolved: LangSegment[] = [];
  withLang.forEach((p, i) => {
    let lang = p.lang!;
    if (lang === 'digit') {
      const prev = resolved.at(-1);
      const next = withLang.slice(i + 1).find((x) => x.lang !== 'digit');
      if (mode !== 'auto') lang = mode;
      else if (!prev && !next) lang = 'zh';
      else if (!next) lang = prev!.lang;
      else if (!prev) lang = next.lang as SegmentLang;
      else if (prev.lang === next.lang) lang = prev.lang;
      else if (CLAUSE_MARKS.includes(prev.text.trimEnd().slice(-1))) lang = next.lang as SegmentLang;
      else if (CLAUSE_MARKS.includes(next.text[0])) lang = prev.lang;
      else if (/[。.]$/.test(p.text.trimEnd())) lang = prev.lang;
      else lang = [...prev.text].length >= [...next.text].length ? prev.lang : (next.lang as SegmentLang);
    }
    let l = lang as SegmentLang;
    if (mode !== 'auto' && l !== 'en') l = mode;
    const last = resolved.at(-1);
    if (last && last.lang === l) last.text += p.text;
    else resolved.push({ lang: l, text: p.text });
  });
  return resolved;
}

// --- cutting long text -----------------------------------------------------------------------------

export type CutMethod = 'cut0' | 'cut1' | 'cut2' | 'cut3' | 'cut4' | 'cut5';

/** Marks after which a fragment may end (upstream `splits`). */
export const SPLIT_MARKS: ReadonlySet<string> = new Set(['，', '。', '？', '！', ',', '.', '?', '!', '~', ':', '：', '—', '…']);
const READ_NOTHING = new Set(['!', '?', '…', ',', '.', '-', ' ']);
const onlyMarks = (s: string, set: ReadonlySet<string> = READ_NOTHING) => [...s].every((c) => set.has(c));

function splitAfterMarks(text: string): string[] {
  let t = text.replace(/……/g, '。').replace(/——/g, '，');
  if (!SPLIT_MARKS.has(t.at(-1) ?? '')) t += '。';
  const out: string[] = [];
  let start = 0;
  const chars = [...t];
  chars.forEach((c, i) => {
    if (SPLIT_MARKS.has(c)) {
      out.push(chars.slice(start, i + 1).join(''));
      start = i + 1;
    }
  });
  return out;
}

const stripNewlines = (s: string) => s.replace(/^\n+|\n+$/g, '');

/** One cut method: returns fragments (upstream joins them with newlines). */
export function applyCut(text: string, method: CutMethod): string[] {
  switch (method) {
    case 'cut0':
      return onlyMarks(text) ? [] : [text];
    case 'cut1': {
      const t = stripNewlines(text);
      const parts = splitAfterMarks(t);
      const groups: string[] = [];
      if (parts.length > 4) for (let i = 0; i < parts.length; i += 4) groups.push(parts.slice(i, i + 4).join(''));
      else groups.push(t);
      // Upstream's grouping makes the next-to-last group run to the end: the last 1-4 pieces join it.
      if (groups.length > 1) {
        const tail = groups.pop()!;
        groups[groups.length - 1] += tail;
      }
      return groups.filter((g) => !onlyMarks(g));
    }
    case 'cut2': {
      const t = stripNewlines(text);
      const parts = splitAfterMarks(t);
      if (parts.length < 2) return [t];
      const out: string[] = [];
      let acc = '';
      let len = 0;
      for (const p of parts) {
        len += [...p].length;
        acc += p;
        if (len > 50) {
          out.push(acc);
          acc = '';
          len = 0;
        }
      }
      if (acc) out.push(acc);
      if (out.length > 1 && [...out[out.length - 1]].length < 50) out.splice(-2, 2, out[out.length - 2] + out[out.length - 1]);
      return out.filter((g) => !onlyMarks(g));
    }
    case 'cut3':
      return stripNewlines(text).replace(/^。+|。+$/g, '').split('。').filter((g) => !onlyMarks(g));
    case 'cut4':
      return stripNewlines(text).replace(/^\.+|\.+$/g, '').split(/(?<!\d)\.(?!\d)/).filter((g) => !onlyMarks(g));
    case 'cut5': {
      const marks = new Set([',', '.', ';', '?', '!', '、', '，', '。', '？', '！', '；', '：', '…']);
      const chars = [...stripNewlines(text)];
      const out: string[] = [];
      let cur = '';
      chars.forEach((c, i) => {
        cur += c;
        if (!marks.has(c)) return;
        if (c === '.' && i > 0 && i < chars.length - 1 && /\d/.test(chars[i - 1]) && /\d/.test(chars[i + 1])) return;
        out.push(cur);
        cur = '';
      });
      if (cur) out.push(cur);
      return out.filter((g) => !onlyMarks(g, marks));
    }
    default:
      throw new MynahError('OPTIONS_INVALID', `Unknown text cut method "${String(method)}".`);
  }
}

/** Cuts an over-long fragment at marks so that no piece exceeds maxLen characters (when marks allow). */
export function splitBigText(text: string, maxLen: number): string[] {
  const pieces = text.split(/([，。？！,.?!~:：—…])/);
  const out: string[] = [];
  let cur = '';
  for (const p of pieces) {
    if ([...(cur + p)].length > maxLen) {
      if (cur) out.push(cur);
      cur = p;
    } else cur += p;
    // A piece with no marks at all is cut hard, so maxLen always holds.
    while ([...cur].length > maxLen) {
      out.push([...cur].slice(0, maxLen).join(''));
      cur = [...cur].slice(maxLen).join('');
    }
  }
  if (cur) out.push(cur);
  return out;
}

/** Concatenates consecutive fragments until each has at least `threshold` characters. */
export function mergeShortTexts(texts: string[], threshold: number): string[] {
  if (texts.length < 2) return texts;
  const out: string[] = [];
  let acc = '';
  for (const t of texts) {
    acc += t;
    if ([...acc].length >= threshold) {
      out.push(acc);
      acc = '';
    }
  }
  if (acc) {
    if (out.length) out[out.length - 1] += acc;
    else out.push(acc);
  }
  return out;
}

/** A run of marks from `!?…,.-` keeps only its first mark. */
export function collapseRepeatedMarks(text: string): string {
  return text.replace(/([!?…,.\-])[!?…,.\-]+/g, '$1');
}

/**
 * Splits text into synthesis fragments like upstream's TextPreprocessor: collapse repeated marks, prepend a
 * mark when the first clause is very short, cut, merge fragments shorter than 5 characters, end each fragment
 * with a mark, and cut fragments longer than `maxLen` at punctuation.
 */
export function splitText(text: string, method: CutMethod = 'cut1', maxLen = 510, lang: LangMode = 'auto'): string[] {
  if (!Number.isFinite(maxLen) || maxLen < 1) throw new MynahError('OPTIONS_INVALID', `maxLen must be a positive number, got ${maxLen}.`);
  let t = stripNewlines(collapseRepeatedMarks(text));
  if (!t) return [];
  const endMark = lang === 'en' ? '.' : '。';
  const firstClause = t.split(/[，。？！,.?!~:：—…]/)[0].trim();
  if (!SPLIT_MARKS.has(t[0]) && [...firstClause].length < 4) t = endMark + t;
  const cut = applyCut(t, method).join('\n').replace(/\n{2,}/g, '\n').split('\n');
  const kept = cut.filter((x) => x !== '' && x !== ' ');
  const merged = mergeShortTexts(kept, 5);
  const out: string[] = [];
  for (let frag of merged) {
    if (!frag.trim()) continue;
    if (!/[\p{L}\p{N}_]/u.test(frag)) continue;
    if (!SPLIT_MARKS.has(frag.at(-1)!)) frag += endMark;
    if ([...frag].length > maxLen) out.push(...splitBigText(frag, maxLen));
    else out.push(frag);
  }
  return out;
}

// Content filter applied to text before synthesis.
//
// The configuration belongs to the operator of the embedding site: it is passed in code when the
// engine is created and frozen. Nothing here reads URL parameters, storage or user settings, so an
// end user cannot switch it off; `enabled: false` is the operator's explicit off-switch.
//
// Deny-list matching works on a "skeleton" of the text: NFKC (full-width/half-width folded),
// lower-case, accents stripped, common look-alike letters (Cyrillic/Greek) mapped to Latin,
// katakana folded to hiragana, traditional Chinese folded to simplified, and every character that
// is not a letter or digit dropped. So "Ｂ.a d-w o r d" and "b a d w o r d" both reach "badword".
// For words in space-separated scripts a hit must start and end at a word boundary of the original
// text (no "Scunthorpe" problem), and spaces inside the hit are only accepted where the term has
// them, or when the hit is spelled out in pieces of one or two letters. Chinese and Japanese terms
// match anywhere (no word spaces), with per-entry `allowIn` exceptions for innocent words.
import { MynahError } from '../errors';
import { TRAD_SIMP_PAIRS } from '../text/data/trad-to-simp';
import { checkFilterOptions } from '../validate';

export interface DenyEntry {
  /** Word or phrase as written; matching is case-, width- and accent-insensitive. */
  term: string;
  /** Rule id reported in matches and errors (never the term itself). Default 'deny-list'. */
  id?: string;
  /** Why it is blocked, shown to the user. Default 'a word on the blocked list'. */
  reason?: string;
  /** Innocent words that contain the term; a hit inside one of them is ignored. */
  allowIn?: readonly string[];
}

export interface ContentRule {
  id: string;
  reason: string;
  /** A RegExp is run on the NFKC, lower-cased text; a function gets that and the original text. */
  test: RegExp | ((normalized: string, original: string) => boolean);
}

export interface ContentFilterConfig {
  /** The operator's off-switch: false disables every check. */
  enabled: boolean;
  /** Include DEFAULT_DENY_LIST. */
  useDefaultList: boolean;
  deny: readonly (DenyEntry | string)[];
  rules: readonly ContentRule[];
}

export interface FilterMatch {
  ruleId: string;
  reason: string;
  /** UTF-16 offsets of the hit in the original text (for highlighting), when known. */
  start?: number;
  end?: number;
}

export interface FilterResult {
  ok: boolean;
  matches: FilterMatch[];
}

// The default list is stored ROT13-encoded so the source does not spell out slurs; it is a small
// floor (slurs and incitement to self-harm in English, Chinese and Japanese), not a policy. Words
// with common innocent senses (idioms, technical verbs, slang for car parts) are left out.
// Operators extend it with `deny` or replace it with useDefaultList: false.
const rot13 = (s: string) => s.replace(/[a-z]/gi, (c) => String.fromCharCode(((c.toLowerCase().charCodeAt(0) - 97 + 13) % 26) + (c === c.toLowerCase() ? 97 : 65)));
const SLUR = { id: 'slur', reason: 'a slur' };
const SELF_HARM = { id: 'self-harm-incitement', reason: 'telling someone to kill themselves' };
export const DEFAULT_DENY_LIST: readonly DenyEntry[] = Object.freeze([
  ...['avttre', 'avttref', 'avttn', 'avttnf', 'snttbg', 'snttbgf', 'xvxr', 'xvxrf', 'fcvp', 'fcvpf', 'jrgonpx', 'jrgonpxf'].map((t) => ({ term: rot13(t), ...SLUR })),
  ...['黑鬼', '支那人', '支那猪', '死支那', '白皮猪'].map((t) => ({ term: t, ...SLUR })),
  ...['ガイジ', 'チョン公'].map((t) => ({ term: t, ...SLUR })),
  ...['xvyy lbhefrys', 'tb xvyy lbhefrys', 'xvyy lbhe frys'].map((t) => ({ term: rot13(t), ...SELF_HARM })),
  ...['你去死吧', '去自杀吧', '死ねばいい', '自殺しろ'].map((t) => ({ term: t, ...SELF_HARM })),
]);

/** Builds a frozen filter configuration (defaults: enabled, with the default list, no extra rules). */
export function contentFilterConfig(c: Partial<ContentFilterConfig> = {}): Readonly<ContentFilterConfig> {
  // Bounded sizes and types (FILTER_INVALID otherwise), so the check stays linear in the text.
  checkFilterOptions(c);
  return Object.freeze({
    enabled: c.enabled ?? true,
    useDefaultList: c.useDefaultList ?? true,
    deny: Object.freeze([...(c.deny ?? [])]),
    rules: Object.freeze([...(c.rules ?? [])]),
  });
}

export const DEFAULT_FILTER_CONFIG = contentFilterConfig();

// ---- normalization ----

const tradToSimp = new Map<string, string>();
{
  const chars = Array.from(TRAD_SIMP_PAIRS);
  for (let i = 0; i + 1 < chars.length; i += 2) tradToSimp.set(chars[i], chars[i + 1]);
}

const LOOKALIKE: Record<string, string> = {
  а: 'a', в: 'b', е: 'e', ё: 'e', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x', і: 'i', ї: 'i', ј: 'j', ѕ: 's', ԁ: 'd', ԛ: 'q', ԝ: 'w',
  α: 'a', β: 'b', ε: 'e', η: 'n', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x', ς: 's',
};
const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's', '!': 'i', '|': 'i', '€': 'e' };

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const SPACE = /\s/u;

interface Skeleton {
  text: string; // one UTF-16 unit per entry below (all mapped chars are BMP)
  start: Int32Array; // original offset of the cluster each char came from
  end: Int32Array;
  /** gap[k]: what lies in the original between char k−1 and char k: 0 nothing, 1 separators, 2 whitespace. */
  gap: Uint8Array;
}

function foldChar(ch: string, leet: boolean): string {
  const l = LOOKALIKE[ch];
  if (l) return l;
  const cp = ch.codePointAt(0)!;
  if (cp >= 0x30a1 && cp <= 0x30f6) return String.fromCodePoint(cp - 0x60); // katakana → hiragana
  const s = tradToSimp.get(ch);
  if (s) return s;
  if (leet && LEET[ch]) return LEET[ch];
  return ch;
}

/** Grapheme-ish clusters: a code point plus following combining / voicing marks. */
function clusters(text: string): { s: string; at: number }[] {
  const out: { s: string; at: number }[] = [];
  const re = /[^\p{M}\u3099\u309a\uff9e\uff9f][\p{M}\u3099\u309a\uff9e\uff9f]*|[\p{M}\u3099\u309a\uff9e\uff9f]+/gsu;
  for (const m of text.matchAll(re)) out.push({ s: m[0], at: m.index! });
  return out;
}

function skeleton(text: string, leet: boolean): Skeleton {
  const chars: string[] = [];
  const start: number[] = [];
  const end: number[] = [];
  const gap: number[] = [];
  let pending = 0;
  for (const { s, at } of clusters(text)) {
    // Strip accents but keep kana voicing marks (は and ば are different words). Plain ASCII
    // needs none of that (a fast path: long English text is mostly ASCII).
    const ascii = s.length === 1 && s.charCodeAt(0) < 0x80;
    const norm = ascii ? s.toLowerCase() : s.normalize('NFKC').toLowerCase().normalize('NFD').replace(/(?![\u3099\u309a])\p{M}/gu, '').normalize('NFC');
    let kept = false;
    for (const ch of norm) {
      const f = foldChar(ch, leet);
      if (LETTER_OR_DIGIT.test(f) || (leet && LEET[ch])) {
        for (const c of f) {
          chars.push(c);
          start.push(at);
          end.push(at + s.length);
          gap.push(pending);
          pending = 0;
        }
        kept = true;
      }
    }
    if (!kept) pending = Math.max(pending, SPACE.test(s) ? 2 : 1);
  }
  gap.push(pending); // after the last char
  return { text: chars.join(''), start: Int32Array.from(start), end: Int32Array.from(end), gap: Uint8Array.from(gap) };
}

interface CompiledTerm {
  id: string;
  reason: string;
  text: string; // skeleton of the term
  breaks: Set<number>; // skeleton offsets where the term itself has a space
  wordish: boolean; // needs word boundaries (not a CJK term)
  allowIn: string[]; // skeletons of innocent containing words
}

function compileTerm(e: DenyEntry | string): CompiledTerm | undefined {
  const entry = typeof e === 'string' ? { term: e } : e;
  const sk = skeleton(entry.term, false);
  if (!sk.text) return undefined;
  const breaks = new Set<number>();
  for (let k = 1; k < sk.text.length; k++) if (sk.gap[k] > 0) breaks.add(k);
  return {
    id: entry.id ?? 'deny-list',
    reason: entry.reason ?? 'a word on the blocked list',
    text: sk.text,
    breaks,
    wordish: !CJK.test(sk.text),
    allowIn: (entry.allowIn ?? []).map((w) => skeleton(w, false).text).filter(Boolean),
  };
}

/** A trie over the terms' skeletons: one walk per text position finds every term starting there. */
interface TrieNode {
  next: Map<string, TrieNode>;
  ends: CompiledTerm[];
}

const compiled = new WeakMap<object, TrieNode>();
function termsOf(config: Readonly<ContentFilterConfig>): TrieNode {
  let root = compiled.get(config);
  if (!root) {
    const all = [...(config.useDefaultList ? DEFAULT_DENY_LIST : []), ...config.deny];
    root = { next: new Map(), ends: [] };
    for (const term of all.map(compileTerm)) {
      if (!term) continue;
      let node = root;
      for (let i = 0; i < term.text.length; i++) {
        const ch = term.text[i]; // UTF-16 units, as the skeleton text is walked
        let n = node.next.get(ch);
        if (!n) node.next.set(ch, (n = { next: new Map(), ends: [] }));
        node = n;
      }
      node.ends.push(term);
    }
    compiled.set(config, root);
  }
  return root;
}

function acceptHit(sk: Skeleton, k0: number, term: CompiledTerm): boolean {
  const k1 = k0 + term.text.length;
  if (term.wordish && ((k0 > 0 && sk.gap[k0] === 0) || (k1 < sk.text.length && sk.gap[k1] === 0))) return false;
  let foreignSpace = false;
  for (let k = k0 + 1; k < k1; k++) if (sk.gap[k] === 2 && !term.breaks.has(k - k0)) foreignSpace = true;
  if (foreignSpace) {
    // Only "s p e l l e d  o u t" pieces of one or two letters may carry extra spaces.
    let piece = 0;
    for (let k = k0; k < k1; k++) {
      if (k > k0 && sk.gap[k] === 2) piece = 0;
      if (++piece > 2) return false;
    }
  }
  for (const w of term.allowIn) {
    // The hit lies inside an occurrence of an allowed word.
    for (let from = Math.max(0, k1 - w.length); from <= k0; from++) {
      if (sk.text.startsWith(w, from) && from + w.length >= k1) return false;
    }
  }
  return true;
}

/** Checks `text` against the deny-list and rules of `config`. Never throws on content. */
export function checkText(text: string, config: Readonly<ContentFilterConfig> = DEFAULT_FILTER_CONFIG): FilterResult {
  if (!config.enabled) return { ok: true, matches: [] };
  const matches: FilterMatch[] = [];
  const seen = new Set<string>();
  const skeletons = [skeleton(text, false), skeleton(text, true)];
  const root = termsOf(config);
  for (const sk of skeletons) {
    for (let k = 0; k < sk.text.length; k++) {
      const hits: CompiledTerm[] = [];
      for (let node = root.next.get(sk.text[k]), j = k + 1; node; node = j < sk.text.length ? node.next.get(sk.text[j++]) : undefined) hits.push(...node.ends);
      for (const term of hits) {
        if (!acceptHit(sk, k, term)) continue;
        const start = sk.start[k];
        const end = sk.end[k + term.text.length - 1];
        const key = `${term.id}:${start}:${end}`;
        if (seen.has(key)) continue;
        seen.add(key);
        matches.push({ ruleId: term.id, reason: term.reason, start, end });
      }
    }
  }
  const normalized = text.normalize('NFKC').toLowerCase();
  for (const rule of config.rules) {
    if (rule.test instanceof RegExp) {
      const re = new RegExp(rule.test.source, rule.test.flags.includes('g') ? rule.test.flags : `${rule.test.flags}g`);
      for (const m of normalized.matchAll(re)) {
        matches.push({ ruleId: rule.id, reason: rule.reason, start: m.index, end: m.index! + m[0].length });
        if (m[0].length === 0) break;
      }
    } else if (rule.test(normalized, text)) {
      matches.push({ ruleId: rule.id, reason: rule.reason });
    }
  }
  matches.sort((a, b) => (a.start ?? -1) - (b.start ?? -1));
  return { ok: matches.length === 0, matches };
}

/** Throws MynahError CONTENT_BLOCKED naming the first rule that matched (never the matched words). */
export function assertAllowed(text: string, config: Readonly<ContentFilterConfig> = DEFAULT_FILTER_CONFIG): void {
  const r = checkText(text, config);
  if (r.ok) return;
  const rules = [...new Map(r.matches.map((m) => [m.ruleId, m])).values()];
  const first = rules[0];
  const more = rules.length > 1 ? ` and ${rules.length - 1} more rule${rules.length > 2 ? 's' : ''}` : '';
  throw new MynahError('CONTENT_BLOCKED', `This text can't be spoken: it contains ${first.reason} (content rule "${first.ruleId}"${more}). Edit the text and try again.`);
}

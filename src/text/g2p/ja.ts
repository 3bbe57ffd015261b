// Japanese G2P: kuromoji (IPADIC) readings -> OpenJTalk-style phones with v2 prosody marks.
// Upstream uses pyopenjtalk full-context labels; kuromoji has no accent dictionary, so every accent phrase
// is treated as flat (heiban): `[` after its first mora, `#` between accent phrases, no `]`.
import type { IpadicFeatures, Tokenizer } from 'kuromoji';
import { MynahError } from '../../errors';
import { buildJapaneseTokenizer } from './ja-dictionary';
import { readJapaneseDecimal, spellLatinJa } from '../normalize/ja';

export type JapaneseTokenizer = Tokenizer<IpadicFeatures>;

let tokenizer: JapaneseTokenizer | undefined;
let loading: Promise<JapaneseTokenizer> | undefined;

export interface JapaneseLoadOptions {
  /**
   * Folder (path in Node, URL in a browser or worker) holding kuromoji's *.dat.gz dictionary files.
   * Node default: node_modules/kuromoji/dict/ relative to the working directory.
   */
  dicPath?: string;
}

/** Loads kuromoji and its dictionary once; later calls return the same tokenizer. */
export function loadJapaneseTokenizer(opts: JapaneseLoadOptions = {}): Promise<JapaneseTokenizer> {
  if (tokenizer) return Promise.resolve(tokenizer);
  const dicPath = opts.dicPath ?? 'node_modules/kuromoji/dict/';
  loading ??= buildJapaneseTokenizer(dicPath).then(
    (tok) => (tokenizer = tok),
    (err: unknown) => {
      loading = undefined;
      throw new MynahError('JA_DICTIONARY_UNAVAILABLE', `Could not load the Japanese dictionary from ${dicPath}: ${String(err)}. Check the connection and try again.`);
    },
  );
  return loading;
}

export function japaneseTokenizerLoaded(): boolean {
  return tokenizer !== undefined;
}

// --- kana -> phones -------------------------------------------------------------------------------

const VOWELS: Record<string, string> = { ア: 'a', イ: 'i', ウ: 'u', エ: 'e', オ: 'o' };
const ROWS: Array<[string, string]> = [
  // [five kana a-i-u-e-o, consonant per kana separated by spaces]
  ['カキクケコ', 'k k k k k'], ['ガギグゲゴ', 'g g g g g'], ['サシスセソ', 's sh s s s'], ['ザジズゼゾ', 'z j z z z'],
  ['タチツテト', 't ch ts t t'], ['ダヂヅデド', 'd j z d d'], ['ナニヌネノ', 'n n n n n'], ['ハヒフヘホ', 'h h f h h'],
  ['バビブベボ', 'b b b b b'], ['パピプペポ', 'p p p p p'], ['マミムメモ', 'm m m m m'], ['ラリルレロ', 'r r r r r'],
];
const SINGLE = new Map<string, string[]>();
for (const [k, v] of Object.entries(VOWELS)) SINGLE.set(k, [v]);
for (const [kana, cons] of ROWS) {
  const cs = cons.split(' ');
  [...kana].forEach((k, i) => SINGLE.set(k, [cs[i], 'aiueo'[i]]));
}
for (const [k, ph] of Object.entries({
  ヤ: 'y a', ユ: 'y u', ヨ: 'y o', ワ: 'w a', ヲ: 'o', ヰ: 'i', ヱ: 'e', ン: 'N', ッ: 'cl', ヴ: 'v u',
  ァ: 'a', ィ: 'i', ゥ: 'u', ェ: 'e', ォ: 'o', ャ: 'y a', ュ: 'y u', ョ: 'y o', ヮ: 'w a', ヵ: 'k a', ヶ: 'k e',
})) SINGLE.set(k, ph.split(' '));

const DIGRAPH = new Map<string, string[]>();
const YOON: Record<string, string> = {
  キ: 'ky', ギ: 'gy', シ: 'sh', ジ: 'j', チ: 'ch', ヂ: 'j', ニ: 'ny', ヒ: 'hy', ビ: 'by', ピ: 'py', ミ: 'my', リ: 'ry',
};
for (const [k, c] of Object.entries(YOON)) {
  DIGRAPH.set(k + 'ャ', [c, 'a']);
  DIGRAPH.set(k + 'ュ', [c, 'u']);
  DIGRAPH.set(k + 'ョ', [c, 'o']);
  DIGRAPH.set(k + 'ェ', [c, 'e']);
}
for (const [k, ph] of Object.entries({
  ティ: 't i', ディ: 'd i', トゥ: 't u', ドゥ: 'd u', テュ: 'ty u', デュ: 'dy u', ファ: 'f a', フィ: 'f i', フェ: 'f e',
  フォ: 'f o', フュ: 'hy u', ウィ: 'w i', ウェ: 'w e', ウォ: 'w o', ヴァ: 'v a', ヴィ: 'v i', ヴェ: 'v e', ヴォ: 'v o',
  ツァ: 'ts a', ツィ: 'ts i', ツェ: 'ts e', ツォ: 'ts o', イェ: 'y e', スィ: 's i', ズィ: 'z i', クァ: 'k a', グァ: 'g a',
})) DIGRAPH.set(k, ph.split(' '));

/** Hiragana to katakana; half-width forms to full width. */
export function toKatakana(text: string): string {
  return text.normalize('NFKC').replace(/[\u3041-\u3096]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0x60));
}

/** Katakana reading -> list of morae, each a list of phones. Unknown characters are skipped. */
export function kanaToMorae(kana: string): string[][] {
  const k = toKatakana(kana);
  const morae: string[][] = [];
  let lastVowel = '';
  for (let i = 0; i < k.length; i++) {
    const two = k.slice(i, i + 2);
    let ph = DIGRAPH.get(two);
    if (ph) i++;
    else if (k[i] === 'ー' || k[i] === '〜') ph = lastVowel ? [lastVowel] : undefined;
    else ph = SINGLE.get(k[i]);
    if (!ph) continue;
    const v = ph[ph.length - 1];
    if ('aiueo'.includes(v)) lastVowel = v;
    morae.push(ph);
  }
  return morae;
}

// --- accent phrases ----------------------------------------------------------------------------------

const ATTACHING_POS = new Set(['助詞', '助動詞']);

/** Whether this token continues the previous accent phrase (particles, auxiliaries, suffixes, compounds). */
function attaches(tok: IpadicFeatures, prev: IpadicFeatures | undefined): boolean {
  if (!prev) return false;
  if (ATTACHING_POS.has(tok.pos)) return true;
  if (tok.pos_detail_1 === '接尾' || tok.pos_detail_1 === '非自立') return true;
  if (prev.pos === '接頭詞') return true;
  if (tok.pos === '名詞' && prev.pos === '名詞' && tok.pos_detail_1 !== '代名詞' && prev.pos_detail_1 !== '代名詞') return true;
  if (tok.pos === '動詞' && prev.pos === '動詞') return true;
  if (tok.pos === '動詞' && tok.basic_form === 'する' && prev.pos_detail_1 === 'サ変接続') return true;
  return false;
}

function tokenReading(tok: IpadicFeatures, warnings: string[]): string {
  const surface = tok.surface_form;
  if (/^[0-9０-９]+([.．][0-9０-９]+)?$/.test(surface)) return readJapaneseDecimal(surface.normalize('NFKC'));
  if (tok.pronunciation && tok.pronunciation !== '*') return tok.pronunciation;
  if (/^[a-zａ-ｚ]+$/i.test(surface)) return spellLatinJa(surface.normalize('NFKC'));
  if (/^[\u3041-\u30ffｦ-ﾝー]+$/.test(surface)) return toKatakana(surface);
  // Mixed digits and kana/kanji from the unknown-word model: read what we can.
  const parts = surface.normalize('NFKC').match(/[0-9]+|[a-z]+|[\u3041-\u30ffー]+|./gi) ?? [];
  return parts
    .map((p) => {
      if (/^[0-9]+$/.test(p)) return readJapaneseDecimal(p);
      if (/^[a-z]+$/i.test(p)) return spellLatinJa(p);
      if (/^[\u3041-\u30ffー]+$/.test(p)) return toKatakana(p);
      warnings.push(`No Japanese reading for "${p}"; skipped.`);
      return '';
    })
    .join('');
}

/** Phones with prosody marks for one run of Japanese characters (no punctuation inside). */
export function japaneseRunToPhones(run: string, warnings: string[]): string[] {
  if (!tokenizer) throw new Error('kuromoji is not loaded: await loadJapaneseTokenizer() first');
  const phrases: string[][][] = [];
  let prev: IpadicFeatures | undefined;
  for (const tok of tokenizer.tokenize(run)) {
    const morae = kanaToMorae(tokenReading(tok, warnings));
    if (!morae.length) continue;
    if (phrases.length && attaches(tok, prev)) phrases[phrases.length - 1].push(...morae);
    else phrases.push(morae);
    prev = tok;
  }
  const out: string[] = [];
  phrases.forEach((morae, p) => {
    morae.forEach((m, i) => {
      out.push(...m);
      if (i === 0 && morae.length > 1) out.push('[');
    });
    if (p < phrases.length - 1) out.push('#');
  });
  return out;
}

const JA_CHAR = /[A-Za-z\d\u3005\u3040-\u30ff\u4e00-\u9fff\uff11-\uff19\uff21-\uff3a\uff41-\uff5a\uff66-\uff9d]/;
const MARK_MAP: Record<string, string> = { '：': ',', '；': ',', '，': ',', '。': '.', '！': '!', '？': '?', '\n': '.', '·': ',', '、': ',' };

/**
 * Phones for normalized Japanese text (upstream japanese.g2p with prosody): runs of Japanese characters
 * become phones, each other character is kept as a mark (mapped to ASCII punctuation; spaces dropped).
 */
export function g2pJapanese(normText: string, warnings: string[] = []): string[] {
  const text = normText.replace(/％/g, 'パーセント').toLowerCase();
  const out: string[] = [];
  let run = '';
  const flush = () => {
    if (run) out.push(...japaneseRunToPhones(run, warnings));
    run = '';
  };
  for (const ch of text) {
    if (JA_CHAR.test(ch)) {
      run += ch;
      continue;
    }
    flush();
    if (ch === ' ') continue;
    out.push(MARK_MAP[ch] ?? ch);
  }
  flush();
  return out;
}

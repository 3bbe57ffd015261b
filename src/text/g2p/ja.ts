// Japanese G2P, as upstream GPT-SoVITS v2 does it with pyopenjtalk: OpenJTalk's frontend over NAIST-jdic
// (MeCab lattice, pronunciation, number and counter readings, accent phrases and accent types) and the
// phones with prosody marks that upstream's pyopenjtalk_g2p_prosody reads from the full-context labels:
// `[` pitch rise, `]` pitch fall after the accent nucleus, `#` accent-phrase boundary, `_` pause.
import { MynahError } from '../../errors';
import { decodeJaDict } from './ja-dict-format';
import { JaTokenizer } from './ja-mecab';
import { accentPhrasePhones, njdPhones } from './ja-njd';

/** The dictionary file (data/ja/, built by scripts/ja/build-dict.ts from NAIST-jdic). */
export const JAPANESE_DICTIONARY_FILE = 'naist-jdic.bin.gz';

let tokenizer: JaTokenizer | undefined;
let loading: Promise<JaTokenizer> | undefined;

export interface JapaneseLoadOptions {
  /**
   * Folder (path in Node, URL in a browser or worker) holding naist-jdic.bin.gz.
   * Node default: data/ja/ relative to the working directory.
   */
  dicPath?: string;
}

// Typed by hand: the library's declaration build has no Node types.
const gl = globalThis as { process?: { versions?: { node?: string } }; WorkerGlobalScope?: unknown; window?: unknown };
const isNode = !!gl.process?.versions?.node && gl.WorkerGlobalScope === undefined && gl.window === undefined;

async function readDictionary(base: string): Promise<Uint8Array<ArrayBuffer>> {
  if (isNode && !/^[a-z]+:/i.test(base)) {
    // A variable specifier keeps bundlers from pulling node:fs into the browser build.
    const fsName = 'node:fs/promises';
    const fs = (await import(/* @vite-ignore */ fsName)) as { readFile(path: string): Promise<Uint8Array> };
    return new Uint8Array(await fs.readFile(base.replace(/\/?$/, '/') + JAPANESE_DICTIONARY_FILE));
  }
  const url = new URL(JAPANESE_DICTIONARY_FILE, new URL(base.replace(/\/?$/, '/'), globalThis.location?.href));
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url.pathname}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

async function gunzip(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Loads the Japanese dictionary once; later calls return the same analyser. */
export function loadJapaneseTokenizer(opts: JapaneseLoadOptions = {}): Promise<JaTokenizer> {
  if (tokenizer) return Promise.resolve(tokenizer);
  const dicPath = opts.dicPath ?? 'data/ja/';
  loading ??= readDictionary(dicPath)
    .then(gunzip)
    .then((bytes) => (tokenizer = new JaTokenizer(decodeJaDict(bytes))))
    .catch((err: unknown) => {
      loading = undefined;
      throw new MynahError('JA_DICTIONARY_UNAVAILABLE', `Could not load the Japanese dictionary from ${dicPath}: ${String(err)}. Check the connection and try again.`);
    });
  return loading;
}

export function japaneseTokenizerLoaded(): boolean {
  return tokenizer !== undefined;
}

// --- OpenJTalk's input conversion (text2mecab) --------------------------------------------------------

const HALF_KANA = 'ｦｧｨｩｪｫｬｭｮｯｰｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜﾝ';
const FULL_KANA = 'ヲァィゥェォャュョッーアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン';
const ASCII_FULL: Record<string, string> = { '"': '”', "'": '’', '-': '−', '\\': '￥', '`': '‘', '~': '〜', ' ': '　' };

/** ASCII and half-width katakana to the full-width forms the dictionary holds (OpenJTalk's text2mecab). */
export function toMecabInput(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const code = c.charCodeAt(0);
    const k = HALF_KANA.indexOf(c);
    if (k >= 0) {
      const full = FULL_KANA[k];
      const mark = text[i + 1];
      if (mark === 'ﾞ' && 'ウカキクケコサシスセソタチツテトハヒフヘホ'.includes(full)) {
        out += full === 'ウ' ? 'ヴ' : String.fromCharCode(full.charCodeAt(0) + 1);
        i++;
      } else if (mark === 'ﾟ' && 'ハヒフヘホ'.includes(full)) {
        out += String.fromCharCode(full.charCodeAt(0) + 2);
        i++;
      } else out += full;
    } else if (c === 'ﾞ' || c === 'ﾟ') continue;
    else if (ASCII_FULL[c]) out += ASCII_FULL[c];
    else if (code > 0x20 && code < 0x7f) out += String.fromCharCode(code + 0xfee0);
    else if (code < 0x20 || code === 0x7f) continue;
    else out += ({ '｡': '。', '｢': '「', '｣': '」', '､': '、', '･': '・' } as Record<string, string>)[c] ?? c;
  }
  return out;
}

/** Phones with prosody marks for one run of Japanese characters (upstream pyopenjtalk_g2p_prosody minus ^ and $). */
export function japaneseRunToPhones(run: string): string[] {
  if (!tokenizer) throw new Error('the Japanese dictionary is not loaded: await loadJapaneseTokenizer() first');
  return njdPhones(tokenizer.tokenize(toMecabInput(run)));
}

/**
 * Phones for one word given as kana (hiragana or katakana, long vowels as ー) and its accent type
 * (0 = flat, n = pitch falls after the n-th mora), read as one accent phrase the way upstream's frontend
 * writes it: e.g. ("トーキョー", 0) -> t o [ o ky o o. For the personal pronunciation list.
 */
export function japaneseKanaToPhones(kana: string, accent: number): string[] {
  const kata = kana.normalize('NFKC').replace(/[\u3041-\u3096]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0x60));
  return accentPhrasePhones(kata, accent);
}

const JA_CHAR = /[A-Za-z\d\u3005\u3040-\u30ff\u4e00-\u9fff\uff11-\uff19\uff21-\uff3a\uff41-\uff5a\uff66-\uff9d]/u;
const MARK_MAP: Record<string, string> = { '：': ',', '；': ',', '，': ',', '。': '.', '！': '!', '？': '?', '\n': '.', '·': ',', '、': ',', '...': '…' };

/**
 * Phones for normalized Japanese text (upstream japanese.g2p with prosody): the text is split at every
 * character that is not Japanese-ish; each piece that starts with a Japanese character becomes phones,
 * each separator is kept as a mark (mapped to ASCII punctuation; spaces dropped).
 */
export function g2pJapanese(normText: string, _warnings: string[] = []): string[] {
  const text = normText.replace(/％/g, 'パーセント').toLowerCase();
  const out: string[] = [];
  let run = '';
  const flush = () => {
    if (run && JA_CHAR.test(run[0])) out.push(...japaneseRunToPhones(run));
    run = '';
  };
  for (const ch of text) {
    if (isJaChar(ch)) {
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

// Python's \d (str patterns) is any Unicode decimal digit; JavaScript's \d is ASCII only.
function isJaChar(ch: string): boolean {
  return JA_CHAR.test(ch) || /^\p{Nd}$/u.test(ch);
}

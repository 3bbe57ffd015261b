// BERT WordPiece tokenizer, built from a vocab.txt (one token per line, line number = id), with the
// rules of Hugging Face's BertTokenizer that chinese-roberta-wwm-ext-large is loaded with:
//   1. special tokens written in the text ([CLS], [SEP], ...) stay whole;
//   2. clean: drop NUL, U+FFFD and control characters, every kind of whitespace becomes a space;
//   3. every CJK ideograph becomes a word of its own;
//   4. per word: lower-case and strip accents (do_lower_case is on for this model), then every
//      punctuation mark becomes a word of its own;
//   5. WordPiece: greedy longest match first, continuation pieces prefixed "##"; a word with a
//      piece missing from the vocabulary (or longer than 100 characters) becomes [UNK].
// GPT-SoVITS feeds it normalized Chinese text (ideographs and `!?…,.-` only), which gives exactly
// one token per character.
import { MynahError } from '../errors';

export const BERT_SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;

export interface BertTokenizerOptions {
  /** Lower-case words (BertTokenizer's do_lower_case; true for chinese-roberta-wwm-ext). */
  lowercase?: boolean;
  /** Strip accents (NFD, drop combining marks); follows `lowercase` when not given, as in HF. */
  stripAccents?: boolean;
  /** Longer words become [UNK] (HF's max_input_chars_per_word). */
  maxCharsPerWord?: number;
}

/** The tokens of a vocab.txt, in id order (a trailing newline does not add an entry). */
export function parseVocabText(text: string): string[] {
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => l.replace(/\r$/, ''));
}

/** A vocab.txt for these tokens. */
export function vocabText(tokens: readonly string[]): string {
  return tokens.join('\n') + '\n';
}

/** Is this code point one BERT treats as a CJK ideograph (its own word)? Same blocks as HF. */
export function isCjkIdeograph(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b820 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

/** ASCII symbols count as punctuation even where Unicode calls them symbols ($, +, ^, `...). */
export function isBertPunctuation(ch: string): boolean {
  const cp = ch.codePointAt(0)!;
  if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) return true;
  return /^\p{P}$/u.test(ch);
}

const isWhitespace = (ch: string) => ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || /^\p{Zs}$/u.test(ch);
const isControl = (ch: string) => ch !== '\t' && ch !== '\n' && ch !== '\r' && /^\p{C}$/u.test(ch);

export class BertTokenizer {
  readonly size: number;
  readonly unkId: number;
  readonly clsId: number;
  readonly sepId: number;
  private readonly ids = new Map<string, number>();
  private readonly lowercase: boolean;
  private readonly stripAccents: boolean;
  private readonly maxCharsPerWord: number;
  private readonly specials: RegExp;

  constructor(
    readonly tokens: readonly string[],
    opts: BertTokenizerOptions = {},
  ) {
    // As HF's load_vocab: a token listed twice keeps its last id.
    tokens.forEach((t, i) => this.ids.set(t, i));
    this.size = tokens.length;
    const need = (t: string) => {
      const id = this.ids.get(t);
      if (id === undefined) throw new MynahError('VOCAB_INVALID', `The BERT vocabulary has no ${t} token. Use the vocab.txt or tokenizer.json that came with chinese-roberta-wwm-ext-large.`);
      return id;
    };
    this.unkId = need('[UNK]');
    this.clsId = need('[CLS]');
    this.sepId = need('[SEP]');
    this.lowercase = opts.lowercase ?? true;
    this.stripAccents = opts.stripAccents ?? this.lowercase;
    this.maxCharsPerWord = opts.maxCharsPerWord ?? 100;
    const present = BERT_SPECIAL_TOKENS.filter((t) => this.ids.has(t)).map((t) => t.replace(/[[\]]/g, '\\$&'));
    this.specials = new RegExp(`(${present.join('|')})`);
  }

  static fromVocabText(text: string, opts?: BertTokenizerOptions): BertTokenizer {
    return new BertTokenizer(parseVocabText(text), opts);
  }

  id(token: string): number | undefined {
    return this.ids.get(token);
  }

  /** Steps 2–4: words and punctuation marks, before WordPiece. */
  basicTokens(text: string): string[] {
    let spaced = '';
    for (const ch of text) {
      const cp = ch.codePointAt(0)!;
      if (cp === 0 || cp === 0xfffd || isControl(ch)) continue;
      if (isWhitespace(ch)) spaced += ' ';
      else if (isCjkIdeograph(cp)) spaced += ` ${ch} `;
      else spaced += ch;
    }
    const out: string[] = [];
    for (let word of spaced.normalize('NFC').split(' ')) {
      if (!word) continue;
      if (this.lowercase) word = word.toLowerCase();
      if (this.stripAccents) word = word.normalize('NFD').replace(/\p{Mn}/gu, '');
      let run = '';
      for (const ch of word) {
        if (isBertPunctuation(ch)) {
          if (run) out.push(run);
          out.push(ch);
          run = '';
        } else run += ch;
      }
      if (run) out.push(run);
    }
    return out;
  }

  /** Step 5 for one word. */
  wordPieces(word: string): string[] {
    const chars = [...word];
    if (chars.length > this.maxCharsPerWord) return ['[UNK]'];
    const pieces: string[] = [];
    let start = 0;
    while (start < chars.length) {
      let end = chars.length;
      let found: string | undefined;
      while (start < end) {
        const piece = (start > 0 ? '##' : '') + chars.slice(start, end).join('');
        if (this.ids.has(piece)) {
          found = piece;
          break;
        }
        end--;
      }
      if (found === undefined) return ['[UNK]'];
      pieces.push(found);
      start = end;
    }
    return pieces;
  }

  /** Tokens of the text, without [CLS]/[SEP]. */
  tokenize(text: string): string[] {
    const out: string[] = [];
    for (const part of text.split(this.specials)) {
      if (!part) continue;
      if (this.ids.has(part) && (BERT_SPECIAL_TOKENS as readonly string[]).includes(part)) out.push(part);
      else for (const word of this.basicTokens(part)) out.push(...this.wordPieces(word));
    }
    return out;
  }

  /** Ids of [CLS] text [SEP], as the tokenizer's input_ids. */
  encode(text: string): number[] {
    return [this.clsId, ...this.tokenize(text).map((t) => this.ids.get(t) ?? this.unkId), this.sepId];
  }

  /**
   * One id per character, each character tokenized alone ([UNK] where that is not exactly one
   * token). For normalized Chinese text this equals tokenizing the whole text, because ideographs
   * and punctuation are always words of their own; it also keeps rows aligned with word2ph when a
   * character would tokenize to nothing (whitespace) or to several pieces.
   */
  charIds(chars: readonly string[]): number[] {
    return chars.map((ch) => {
      const t = this.tokenize(ch);
      return t.length === 1 ? (this.ids.get(t[0]) ?? this.unkId) : this.unkId;
    });
  }
}

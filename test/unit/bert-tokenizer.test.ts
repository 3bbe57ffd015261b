// The BERT tokenizer on small vocabularies: Hugging Face BertTokenizer's rules (clean, CJK split,
// lower-case + accents, punctuation, greedy WordPiece, [UNK]), one token per character of
// normalized Chinese, and the vocab.txt / tokenizer.json readers.
import { describe, expect, it } from 'vitest';
import { readBertVocab } from '../../src/checkpoint/bert-vocab';
import { BertTokenizer, isBertPunctuation, isCjkIdeograph, parseVocabText, vocabText } from '../../src/text/bert-tokenizer';
import { normalizeZh } from '../../src/text/normalize/zh';

const SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
const tokenizer = (words: string[], opts = {}) => new BertTokenizer([...SPECIALS, ...words], opts);

describe('BertTokenizer', () => {
  it('splits words into the longest pieces first, continuations marked ##', () => {
    // The classic case: upper case and an accent folded away, a comma split off.
    const t = tokenizer(['want', '##want', '##ed', 'wa', 'un', 'runn', '##ing', ',']);
    expect(t.tokenize('UNwant\u00E9d,running')).toEqual(['un', '##want', '##ed', ',', 'runn', '##ing']);
    // One missing piece makes the whole word [UNK], not a partial match.
    expect(t.tokenize('unwantedX running')).toEqual(['[UNK]', 'runn', '##ing']);
    expect(t.tokenize('')).toEqual([]);
  });

  it('gives every CJK ideograph its own token, with or without spaces', () => {
    const t = tokenizer(['我', '爱', '你', '中', '文', 'ab', '##c']);
    expect(t.tokenize('我爱你')).toEqual(['我', '爱', '你']);
    expect(t.tokenize('abc中文abc')).toEqual(['ab', '##c', '中', '文', 'ab', '##c']);
    // An ideograph outside the vocabulary is one [UNK], not merged with its neighbours.
    expect(t.tokenize('我龘你')).toEqual(['我', '[UNK]', '你']);
    // Extension B (outside the BMP) counts as an ideograph too.
    expect(t.tokenize('我\u{20000}你')).toEqual(['我', '[UNK]', '你']);
  });

  it('splits off every punctuation mark, ASCII symbols included', () => {
    const t = tokenizer(['a', 'b', '!', '?', '…', ',', '.', '-', '$', '^', '“', '”']);
    expect(t.tokenize('a,b.')).toEqual(['a', ',', 'b', '.']);
    expect(t.tokenize('a...b')).toEqual(['a', '.', '.', '.', 'b']);
    expect(t.tokenize('a…b-a$b^')).toEqual(['a', '…', 'b', '-', 'a', '$', 'b', '^']);
    expect(t.tokenize('“a”')).toEqual(['“', 'a', '”']);
    expect(['!', '$', '^', '`', '~', '…', '，', '。', '、'].every(isBertPunctuation)).toBe(true);
    expect(['a', '我', ' ', '1'].some(isBertPunctuation)).toBe(false);
  });

  it('cleans the text: control characters go, every kind of space separates', () => {
    const t = tokenizer(['ab', 'cd']);
    expect(t.tokenize('a\u0000b\uFFFD\u200B')).toEqual(['ab']);
    expect(t.tokenize('ab\u3000cd\tab\ncd\u00A0ab')).toEqual(['ab', 'cd', 'ab', 'cd', 'ab']);
  });

  it('lower-cases and strips accents by default, and can be told not to', () => {
    const words = ['cafe', 'café', 'CAFE'];
    expect(tokenizer(words).tokenize('CAFÉ Café')).toEqual(['cafe', 'cafe']);
    expect(tokenizer(words, { lowercase: false }).tokenize('CAFE café')).toEqual(['CAFE', 'café']);
    expect(tokenizer(words, { lowercase: false, stripAccents: true }).tokenize('café')).toEqual(['cafe']);
  });

  it('keeps special tokens written in the text whole, and words past 100 characters are [UNK]', () => {
    const t = tokenizer(['a', '##a', 'cls']);
    // Only the exact spelling is special; lower-case brackets are punctuation around a word.
    expect(t.tokenize('[CLS]a[SEP] [cls]')).toEqual(['[CLS]', 'a', '[SEP]', '[UNK]', 'cls', '[UNK]']);
    expect(t.tokenize('a'.repeat(100))).toEqual(['a', ...Array(99).fill('##a')]);
    expect(t.tokenize('a'.repeat(101))).toEqual(['[UNK]']);
  });

  it('encodes as [CLS] ids [SEP]', () => {
    const t = tokenizer(['你', '好', ',']);
    expect(t.encode('你好,')).toEqual([2, 5, 6, 7, 3]);
    expect(t.encode('')).toEqual([2, 3]);
    expect([t.unkId, t.clsId, t.sepId]).toEqual([1, 2, 3]);
  });

  it('gives normalized Chinese one token per character: charIds equals tokenizing the whole text', () => {
    const chars = [...'我们一起去银行吧今天天气很好你说呢'];
    const t = tokenizer([...new Set(chars), '!', '?', '…', ',', '.', '-']);
    for (const raw of ['我们一起去银行吧。', '今天天气很好，你说呢？', '你好……我们——一起！', '今天2024年3月5日，天气很好。']) {
      const norm = normalizeZh(raw);
      expect(norm).toMatch(/^[\u4e00-\u9fa5!?…,.\-]+$/);
      const whole = t.tokenize(norm).map((x) => t.id(x)!);
      expect(whole, norm).toHaveLength([...norm].length);
      expect(t.charIds([...norm]), norm).toEqual(whole);
    }
    // Where a character would give no token or several, its row is [UNK] so rows stay aligned.
    const u = tokenizer(['a', '##b', '我']);
    expect(u.charIds([...'我 ab'])).toEqual([u.id('我'), u.unkId, u.id('a'), u.unkId]);
  });

  it('needs [UNK], [CLS] and [SEP]; a token listed twice keeps its last id', () => {
    expect(() => new BertTokenizer(['[PAD]', '[CLS]', '[SEP]', 'a'])).toThrow(expect.objectContaining({ code: 'VOCAB_INVALID' }));
    const t = new BertTokenizer([...SPECIALS, 'a', 'a']);
    expect(t.id('a')).toBe(6);
    expect(t.size).toBe(7);
  });

  it('knows the CJK ideograph blocks BERT spaces out', () => {
    expect([0x4e00, 0x9fa5, 0x9fff, 0x3400, 0xf900, 0x20000, 0x2b820, 0x2f800].every(isCjkIdeograph)).toBe(true);
    expect([0x3042, 0x30a2, 0xac00, 0x3002, 0xff0c, 0x41].some(isCjkIdeograph)).toBe(false); // kana, hangul, marks, A
  });
});

describe('vocabulary files', () => {
  it('vocab.txt: one token per line, line number = id; CRLF, BOM and the final newline do not add entries', () => {
    expect(parseVocabText('[PAD]\n[UNK]\na\n')).toEqual(['[PAD]', '[UNK]', 'a']);
    expect(parseVocabText('\uFEFF[PAD]\r\n[UNK]\r\na')).toEqual(['[PAD]', '[UNK]', 'a']);
    expect(parseVocabText(vocabText(['x', 'y']))).toEqual(['x', 'y']);
    expect(readBertVocab('[PAD]\n[UNK]\n', 'vocab.txt')).toEqual({ tokens: ['[PAD]', '[UNK]'] });
  });

  it('tokenizer.json: tokens ordered by id, lower-casing read from the normalizer', () => {
    const json = JSON.stringify({ normalizer: { type: 'BertNormalizer', lowercase: false }, model: { type: 'WordPiece', vocab: { b: 2, '[PAD]': 0, a: 1 } } });
    expect(readBertVocab(json, 'tokenizer.json')).toEqual({ tokens: ['[PAD]', 'a', 'b'], lowercase: false });
    expect(readBertVocab(` ${json}`, 'renamed.txt').tokens).toEqual(['[PAD]', 'a', 'b']);
  });

  it('refuses files that are not a usable vocabulary', () => {
    const bad = (text: string, name: string) => expect(() => readBertVocab(text, name), name).toThrow(expect.objectContaining({ code: 'VOCAB_INVALID' }));
    bad('', 'vocab.txt');
    bad('PK\u0003\u0004\u0000\u0000', 'vocab.txt');
    bad('{ not json', 'tokenizer.json');
    bad(JSON.stringify({ model: { type: 'BPE', vocab: { a: 0 } } }), 'tokenizer.json');
    bad(JSON.stringify({ model: { type: 'WordPiece', vocab: { a: 0, b: 2 } } }), 'tokenizer.json'); // gap
    bad(JSON.stringify({ model: { type: 'WordPiece', vocab: { a: 0, b: 0 } } }), 'tokenizer.json'); // id twice
    bad(JSON.stringify({ model: { type: 'WordPiece', vocab: ['a'] } }), 'tokenizer.json');
  });
});

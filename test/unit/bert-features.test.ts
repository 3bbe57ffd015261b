// Phone-level BERT features: character rows repeated by word2ph and laid out [bertDim, phones]
// (checked against a plain repeat-then-transpose reference), windows past the position limit,
// zeros for non-Chinese segments and without a BERT, and refusal when rows cannot line up.
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { expandByWord2ph, phoneBert } from '../../src/engine/bert-features';
import type { LoadedModels } from '../../src/engine/models';
import { BertTokenizer } from '../../src/text/bert-tokenizer';
import { textToPhones, type PhoneSegment } from '../../src/text/frontend';

/** Upstream's steps written out: repeat row i word2ph[i] times -> [phones, hidden], transpose, pad. */
function reference(rows: number[][], word2ph: number[], bertDim: number): number[][] {
  const phoneRows: number[][] = [];
  word2ph.forEach((n, i) => {
    for (let k = 0; k < n; k++) phoneRows.push(rows[i]);
  });
  return Array.from({ length: bertDim }, (_, d) => phoneRows.map((r) => r[d] ?? 0));
}

const matrix = (flat: Float32Array, rows: number, cols: number) => Array.from({ length: rows }, (_, r) => Array.from(flat.subarray(r * cols, (r + 1) * cols)));

describe('expandByWord2ph', () => {
  it('repeats each character row once per phone and transposes, as upstream', () => {
    const hidden = 3;
    const word2ph = [2, 2, 1, 2];
    const rows = word2ph.map((_, i) => Array.from({ length: hidden }, (_, d) => 10 * i + d + 0.5));
    const phones = 7;
    const out = new Float32Array(hidden * phones);
    expandByWord2ph(Float32Array.from(rows.flat()), hidden, word2ph, out, hidden, phones, 0);
    expect(matrix(out, hidden, phones)).toEqual(reference(rows, word2ph, hidden));
  });

  it('writes at a phone offset of a wider matrix, leaving other columns and dims past the rows at zero', () => {
    const hidden = 2;
    const bertDim = 5;
    const word2ph = [1, 2];
    const rows = [
      [1, 2],
      [3, 4],
    ];
    const total = 6;
    const out = new Float32Array(bertDim * total);
    expandByWord2ph(Float32Array.from(rows.flat()), hidden, word2ph, out, bertDim, total, 2);
    const ref = reference(rows, word2ph, bertDim).map((r) => [0, 0, ...r, 0]);
    expect(matrix(out, bertDim, total)).toEqual(ref);
  });

  it('refuses rows that do not match word2ph, or phones past the matrix', () => {
    const out = new Float32Array(8);
    expect(() => expandByWord2ph(new Float32Array(6), 2, [2, 2], out, 2, 4, 0)).toThrow(/3 BERT rows for 2 characters/);
    expect(() => expandByWord2ph(new Float32Array(4), 2, [2, 2], out, 2, 4, 1)).toThrow(/covers phones 1..5/);
  });
});

// ---- phoneBert over a stand-in RoBERTa whose rows tell which id sat at which position ---------

const HIDDEN = 3;
const BERT_DIM = 5;

function fakeModels(maxPositions: number, tokenizer: BertTokenizer, calls: number[][], withBert = true): LoadedModels {
  const session = {
    async run(feeds: Record<string, ort.Tensor>) {
      const ids = Array.from(feeds.input_ids.data as BigInt64Array, Number);
      expect(feeds.input_ids.dims).toEqual([1, ids.length]);
      expect(ids.length).toBeLessThanOrEqual(maxPositions);
      calls.push(ids);
      // Graph contract: [CLS]/[SEP] rows dropped; row = (id, position in this run, constant).
      const rows = ids.slice(1, -1).flatMap((id, p) => [id, p + 1, 7]);
      return { hidden: new ort.Tensor('float32', Float32Array.from(rows), [ids.length - 2, HIDDEN]) };
    },
  };
  return {
    ort,
    manifest: { id: 'fake' },
    sessions: { bert: session },
    onDevice: false,
    t2s: { bertDim: BERT_DIM },
    bert: withBert ? { tokenizer, roberta: { hidden: HIDDEN, maxPositions } } : undefined,
    bertInfo: { available: withBert, note: '' },
  } as unknown as LoadedModels;
}

describe('phoneBert', () => {
  const text = '你好,Mynah!今天天气很好.';
  let segments: PhoneSegment[];
  const vocab = (segs: PhoneSegment[]) => new BertTokenizer(['[PAD]', '[UNK]', '[CLS]', '[SEP]', ...new Set(segs.flatMap((s) => [...s.normText]))]);
  beforeAll(async () => {
    segments = (await textToPhones(text, 'auto')).segments;
  });

  it('fills Chinese segments from their characters, zeros elsewhere, and keeps the phone order', async () => {
    expect(segments.map((s) => s.lang)).toEqual(['zh', 'en', 'zh']);
    const tok = vocab(segments);
    const calls: number[][] = [];
    const r = await phoneBert(fakeModels(512, tok, calls), segments);
    const total = segments.reduce((n, s) => n + s.ids.length, 0);
    expect(r).toMatchObject({ phones: total, zhSegments: 2, bertSegments: 2 });
    expect(r.bert).toHaveLength(BERT_DIM * total);
    // One run per Chinese segment, each [CLS] chars [SEP].
    expect(calls).toEqual(segments.filter((s) => s.lang === 'zh').map((s) => [tok.clsId, ...tok.charIds([...s.normText]), tok.sepId]));
    const want: number[][] = Array.from({ length: BERT_DIM }, () => []);
    for (const s of segments) {
      const chars = [...s.normText];
      const rows = s.lang === 'zh' ? tok.charIds(chars).map((id, p) => [id, p + 1, 7]) : [];
      const cols = s.lang === 'zh' ? reference(rows, s.word2ph!, BERT_DIM) : Array.from({ length: BERT_DIM }, () => new Array<number>(s.ids.length).fill(0));
      cols.forEach((c, d) => want[d].push(...c));
    }
    expect(matrix(r.bert, BERT_DIM, total)).toEqual(want);
  });

  it('runs text longer than the position limit in windows, each with its own [CLS]/[SEP]', async () => {
    const long = (await textToPhones('今天天气很好,我们一起去公园散步吧.', 'zh')).segments;
    expect(long).toHaveLength(1);
    const chars = [...long[0].normText];
    const tok = vocab(long);
    const calls: number[][] = [];
    const r = await phoneBert(fakeModels(6, tok, calls), long); // 4 characters per window
    expect(calls.map((c) => c.length)).toEqual([...Array(Math.floor(chars.length / 4)).fill(6), ...(chars.length % 4 ? [(chars.length % 4) + 2] : [])]);
    expect(calls.every((c) => c[0] === tok.clsId && c[c.length - 1] === tok.sepId)).toBe(true);
    const rows = tok.charIds(chars).map((id, i) => [id, (i % 4) + 1, 7]);
    expect(matrix(r.bert, BERT_DIM, r.phones)).toEqual(reference(rows, long[0].word2ph!, BERT_DIM));
  });

  it('gives zeros without a BERT, and refuses a segment whose word2ph does not fit its text', async () => {
    const tok = vocab(segments);
    const calls: number[][] = [];
    const none = await phoneBert(fakeModels(512, tok, calls, false), segments);
    expect(none).toMatchObject({ zhSegments: 2, bertSegments: 0 });
    expect(none.bert.every((x) => x === 0)).toBe(true);
    expect(calls).toEqual([]);
    const broken = [{ ...segments[0], word2ph: segments[0].word2ph!.slice(1) }];
    await expect(phoneBert(fakeModels(512, tok, calls), broken)).rejects.toMatchObject({ code: 'BERT_FAILED' });
  });
});

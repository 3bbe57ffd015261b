// BERT features for the GPT (upstream get_bert_feature / get_bert_inf): for a Chinese segment, the
// normalized text is tokenized one token per character, the RoBERTa graph gives hidden_states[-3]
// per character ([CLS]/[SEP] rows already dropped), and each character's row is repeated word2ph[i]
// times, once per phone it produced, giving [bertDim, phones]. Other languages get zeros. Segments
// are laid side by side along the phone axis, as their phones are.
import { MynahError } from '../errors';
import type { PhoneSegment } from '../text/frontend';
import { session, type LoadedModels } from './models';

/**
 * Writes character rows [chars, hidden] into columns `at`.. of a [bertDim, total] matrix, row i
 * repeated word2ph[i] times. Dims from `hidden` to `bertDim` stay as they are (zero).
 */
export function expandByWord2ph(rows: Float32Array, hidden: number, word2ph: readonly number[], out: Float32Array, bertDim: number, total: number, at: number): void {
  if (rows.length !== hidden * word2ph.length) throw new Error(`${rows.length / hidden} BERT rows for ${word2ph.length} characters`);
  const span = word2ph.reduce((a, b) => a + b, 0);
  if (at < 0 || at + span > total) throw new Error(`word2ph covers phones ${at}..${at + span}, the matrix has ${total}`);
  const dims = Math.min(hidden, bertDim);
  let col = at;
  for (let i = 0; i < word2ph.length; i++) {
    for (let r = 0; r < word2ph[i]; r++, col++) {
      for (let d = 0; d < dims; d++) out[d * total + col] = rows[i * hidden + d];
    }
  }
}

/**
 * RoBERTa rows [ids.length, hidden] for one token id per character. Text longer than the model's
 * 512 positions (upstream splits fragments at 510 characters, but normalization can lengthen them)
 * runs in consecutive windows, each with its own [CLS]/[SEP].
 */
export async function characterStates(m: LoadedModels, ids: readonly number[]): Promise<Float32Array> {
  const bert = m.bert!;
  const { hidden, maxPositions } = bert.roberta;
  const window = maxPositions - 2;
  const out = new Float32Array(ids.length * hidden);
  const s = session(m, 'bert');
  for (let start = 0; start < ids.length; start += window) {
    const chunk = ids.slice(start, start + window);
    const input = BigInt64Array.from([bert.tokenizer.clsId, ...chunk, bert.tokenizer.sepId], BigInt);
    const res = await s.run({ input_ids: new m.ort.Tensor('int64', input, [1, input.length]) });
    const rows = res.hidden.data as Float32Array;
    if (rows.length !== chunk.length * hidden) throw new MynahError('BERT_FAILED', `The Chinese BERT returned ${rows.length / hidden} rows for ${chunk.length} characters. Re-convert the pack.`);
    out.set(rows, start * hidden);
    res.hidden.dispose();
  }
  return out;
}

export interface PhoneBert {
  /** [bertDim, phones], phones on the last axis. */
  bert: Float32Array;
  phones: number;
  /** Chinese segments, and how many of them got features from the BERT (0 without one). */
  zhSegments: number;
  bertSegments: number;
}

/** BERT features of a fragment's segments, zeros where there is no Chinese or no BERT. */
export async function phoneBert(m: LoadedModels, segments: readonly PhoneSegment[]): Promise<PhoneBert> {
  const bertDim = m.t2s.bertDim;
  const phones = segments.reduce((n, s) => n + s.ids.length, 0);
  const bert = new Float32Array(bertDim * phones);
  let at = 0;
  let zhSegments = 0;
  let bertSegments = 0;
  for (const seg of segments) {
    if (seg.lang === 'zh') {
      zhSegments++;
      if (m.bert) {
        const chars = [...seg.normText];
        const w2p = seg.word2ph ?? [];
        if (w2p.length !== chars.length || w2p.reduce((a, b) => a + b, 0) !== seg.ids.length) {
          throw new MynahError('BERT_FAILED', `The phones of "${seg.text.slice(0, 40)}" do not line up with its characters, so no BERT features can be given. Please report this text.`);
        }
        const rows = await characterStates(m, m.bert.tokenizer.charIds(chars));
        expandByWord2ph(rows, m.bert.roberta.hidden, w2p, bert, bertDim, phones, at);
        bertSegments++;
      }
    }
    at += seg.ids.length;
  }
  return { bert, phones, zhSegments, bertSegments };
}

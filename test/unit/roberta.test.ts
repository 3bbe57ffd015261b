import { describe, expect, it } from 'vitest';
import type { Graph } from '../../src/graph/builder';
import { bertLayerNames, buildRoberta, ROBERTA_LARGE, ROBERTA_TINY, robertaLayersUsed, type RobertaConfig } from '../../src/graph/models/roberta';
import { ZeroWeights } from '../../src/graph/weights';
import { JitteredWeights, layerNormRef, maxAbs, postNormLayerRef, relDiff, weightOf } from '../helpers/nn-reference';
import { i64, maxAbsDiff, run } from '../helpers/ort';

const cfg = ROBERTA_TINY;
const D = cfg.hidden;

const layerRefNames = (i: number) => {
  const n = bertLayerNames(i);
  return {
    q: n.attention.query,
    k: n.attention.key,
    v: n.attention.value,
    o: n.attention.out,
    norm1: n.attentionNorm,
    ff1: n.ffnIn,
    ff2: n.ffnOut,
    norm2: n.ffnNorm,
  };
};

/** hidden_states[-3] of a `cfg.layers`-layer BERT, rows 1..L-2 (plain loops). */
function robertaRef(g: Graph, c: RobertaConfig, ids: number[]): Float64Array {
  const L = ids.length;
  const d = c.hidden;
  const words = weightOf(g, 'embeddings.word_embeddings.weight', [c.vocab, d]);
  const positions = weightOf(g, 'embeddings.position_embeddings.weight', [c.maxPositions, d]);
  const types = weightOf(g, 'embeddings.token_type_embeddings.weight', [c.typeVocab, d]);
  const e = new Float64Array(L * d);
  for (let t = 0; t < L; t++) for (let i = 0; i < d; i++) e[t * d + i] = words[ids[t] * d + i] + positions[t * d + i] + types[i];
  let h = layerNormRef(e, L, d, weightOf(g, 'embeddings.LayerNorm.weight'), weightOf(g, 'embeddings.LayerNorm.bias'), c.eps);
  // hidden_states = (embeddings, layer 1 out, ..., layer N out); [-3] is layer N-2's output.
  const states = [h];
  for (let i = 0; i < c.layers; i++) {
    if (!g.initializers.has(`encoder.layer.${i}.output.dense.weight`)) break; // deeper layers are not in the graph
    h = postNormLayerRef(g, h, L, d, c.heads, c.ffn, c.eps, layerRefNames(i));
    states.push(h);
  }
  expect(states.length).toBe(c.layers - 1); // so states.at(-1) is the full model's hidden_states[-3]
  return states[states.length - 1].slice(d, (L - 1) * d);
}

function tokenIds(n: number, seed: number): number[] {
  const ids = [101]; // [CLS]
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 48271) % 2147483647;
    ids.push(670 + (s % 20000)); // CJK range of the vocabulary
  }
  ids.push(102); // [SEP]
  return ids;
}

describe('chinese-roberta-wwm-ext-large graph (GPT-SoVITS BERT features)', () => {
  it('tiny model matches a plain BERT reference on hidden_states[-3] without [CLS]/[SEP]', async () => {
    const g = buildRoberta(cfg, new JitteredWeights(41));
    expect(robertaLayersUsed(cfg)).toBe(2);
    expect(g.initializers.has('encoder.layer.1.output.LayerNorm.weight')).toBe(true);
    expect(g.initializers.has('encoder.layer.2.attention.self.query.weight')).toBe(false);
    const ids = tokenIds(9, 5);
    const out = await run(g, { input_ids: i64(ids, [1, ids.length]) });
    expect(out.hidden.dims).toEqual([ids.length - 2, D]);
    const ref = robertaRef(g, cfg, ids);
    const actual = out.hidden.data as Float32Array;
    const rel = relDiff(actual, ref);
    console.log(`RoBERTa tiny (L=${ids.length}): max |diff| ${maxAbsDiff(actual, ref).toExponential(2)}, max |ref| ${maxAbs(ref).toPrecision(3)}, relative ${rel.toExponential(2)}`);
    expect(rel).toBeLessThan(1e-5);
  });

  it('outputs L - 2 rows for several lengths, up to the 512-position limit', async () => {
    const g = buildRoberta(cfg, new JitteredWeights(42));
    const bytes = g.toBytes();
    for (const chars of [1, 5, 40, 510]) {
      const ids = tokenIds(chars, chars + 1);
      const out = await run(bytes, { input_ids: i64(ids, [1, ids.length]) });
      expect(out.hidden.dims).toEqual([chars, D]);
      expect(Array.from(out.hidden.data as Float32Array).every(Number.isFinite)).toBe(true);
    }
    // the row of a character depends on its position: the same token at two places differs
    const ids = [101, 800, 800, 102];
    const out = Array.from((await run(bytes, { input_ids: i64(ids, [1, 4]) })).hidden.data as Float32Array);
    expect(maxAbsDiff(out.slice(0, D), out.slice(D))).toBeGreaterThan(1e-3);
  });

  it('real size: HF BertModel names; 299.28 M parameters up to layer 22, 325.5 M for the full model', () => {
    const g = buildRoberta(ROBERTA_LARGE, new ZeroWeights());
    const dims = (n: string) => g.initializers.get(n)?.dims;
    expect(dims('embeddings.word_embeddings.weight')).toEqual([21128, 1024]);
    expect(dims('embeddings.position_embeddings.weight')).toEqual([512, 1024]);
    expect(dims('embeddings.token_type_embeddings.weight')).toEqual([2, 1024]);
    expect(dims('embeddings.LayerNorm.bias')).toEqual([1024]);
    expect(dims('encoder.layer.21.attention.self.key.weight')).toEqual([1024, 1024]);
    expect(dims('encoder.layer.21.attention.output.dense.bias')).toEqual([1024]);
    expect(dims('encoder.layer.21.attention.output.LayerNorm.weight')).toEqual([1024]);
    expect(dims('encoder.layer.21.intermediate.dense.weight')).toEqual([4096, 1024]);
    expect(dims('encoder.layer.21.output.dense.weight')).toEqual([1024, 4096]);
    expect(dims('encoder.layer.21.output.LayerNorm.bias')).toEqual([1024]);
    expect(g.initializers.has('encoder.layer.22.attention.self.query.weight')).toBe(false);

    const embeddings = 21128 * 1024 + 512 * 1024 + 2 * 1024 + 2 * 1024;
    const layer = 4 * (1024 * 1024 + 1024) + 2 * 1024 + (1024 * 4096 + 4096) + (4096 * 1024 + 1024) + 2 * 1024;
    expect(g.parameterCount()).toBe(embeddings + 22 * layer);
    expect(g.parameterCount()).toBe(299_280_384);

    // All 24 layers (a config with two more layers puts all 24 in the graph).
    const all = buildRoberta({ ...ROBERTA_LARGE, layers: 26 }, new ZeroWeights()).parameterCount();
    expect(all).toBe(embeddings + 24 * layer);
    const pooler = 1024 * 1024 + 1024; // BertModel only
    const mlmHead = 1024 * 1024 + 1024 + 2 * 1024 + 21128; // transform dense + LayerNorm + decoder bias (weight tied)
    expect(all + pooler).toBe(325_522_432); // BertModel
    expect(all + mlmHead).toBe(325_545_608); // BertForMaskedLM, as GPT-SoVITS loads it
  });
});

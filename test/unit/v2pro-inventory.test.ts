// The v2Pro / v2ProPlus graphs ask for exactly the tensors upstream's modules have at real size
// (names and shapes from the state dicts scripts/make-v2pro-fixtures.py recorded), and the
// parameter counts add up to upstream's.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SOVITS_V2PRO, SOVITS_V2PROPLUS, sovitsParameterShapesByPart, sovitsWeightNormNames } from '../../src/graph/models/sovits';
import { SV_ERES2NETV2, svParameterShapes } from '../../src/graph/models/sv';

const DIR = new URL('../fixtures/v2pro/', import.meta.url);
const spec = (c: string) => (JSON.parse(readFileSync(new URL(`${c}/weights-spec.json`, DIR), 'utf8')) as { tensors: Record<string, { shape: number[] }> }).tensors;
const meta = (c: string) => JSON.parse(readFileSync(new URL(`${c}/meta.json`, DIR), 'utf8'));
const numel = (s: number[]) => s.reduce((a, b) => a * b, 1);

describe.each([
  ['real-v2Pro', SOVITS_V2PRO],
  ['real-v2ProPlus', SOVITS_V2PROPLUS],
] as const)('%s', (c, cfg) => {
  const upstream = Object.fromEntries(Object.entries(spec(c)).filter(([k]) => k.startsWith('s2/')).map(([k, v]) => [k.slice(3), v.shape]));

  it('SoVITS: every tensor the graphs use is upstream’s (weight norm folded); the rest is training state or the semantic graph’s', () => {
    const ours = Object.fromEntries(Object.values(sovitsParameterShapesByPart(cfg)).flat());
    const normed = new Set(sovitsWeightNormNames(cfg));
    for (const [name, shape] of Object.entries(ours)) {
      if (normed.has(name)) {
        const base = name.replace(/\.weight$/, '');
        expect(upstream[`${base}.weight_v`], name).toEqual(shape);
        expect(upstream[`${base}.weight_g`], name).toEqual([shape[0], 1, 1]);
      } else expect(upstream[name], name).toEqual(shape);
    }
    const used = new Set(Object.keys(ours).flatMap((n) => (normed.has(n) ? [n.replace(/\.weight$/, '.weight_g'), n.replace(/\.weight$/, '.weight_v')] : [n])));
    const rest = Object.keys(upstream).filter((k) => !used.has(k));
    expect(rest.sort()).toEqual(['quantizer.vq.layers.0._codebook.cluster_size', 'quantizer.vq.layers.0._codebook.embed_avg', 'quantizer.vq.layers.0._codebook.inited', 'ssl_proj.bias', 'ssl_proj.weight']);
  });

  it('SoVITS parameter count: ours + weight_g gains + ssl_proj − the codebook buffer = upstream’s', () => {
    const parts = sovitsParameterShapesByPart(cfg);
    const ours = Object.values(parts).flat().reduce((a, [, s]) => a + numel(s), 0);
    const gains = sovitsWeightNormNames(cfg).reduce((a, n) => a + Object.fromEntries(Object.values(parts).flat())[n][0], 0);
    const sslProj = numel(upstream['ssl_proj.weight']) + numel(upstream['ssl_proj.bias']);
    const codebook = numel(upstream['quantizer.vq.layers.0._codebook.embed']);
    expect(ours + gains + sslProj - codebook).toBe(meta(c).sovits.counts_without_enc_q.parameters);
  });
});

describe('ERes2NetV2 (pretrained_eres2netv2w24s4ep4.ckpt)', () => {
  const upstream = Object.fromEntries(Object.entries(spec('real-v2Pro')).filter(([k]) => k.startsWith('sv/')).map(([k, v]) => [k.slice(3), v.shape]));
  it('the sv graph uses upstream’s tensors; left out: step counters and the embedding head forward3 skips', () => {
    const ours = Object.fromEntries(svParameterShapes(SV_ERES2NETV2));
    for (const [name, shape] of Object.entries(ours)) expect(upstream[name], name).toEqual(shape);
    const rest = Object.keys(upstream).filter((k) => !(k in ours));
    expect(rest.every((k) => k.endsWith('num_batches_tracked') || k.startsWith('seg_1.'))).toBe(true);
    const head = numel(upstream['seg_1.weight']) + numel(upstream['seg_1.bias']);
    const ourCount = Object.values(ours).reduce((a, s) => a + numel(s), 0);
    // BatchNorm running statistics are buffers upstream, weights here.
    const stats = Object.keys(ours).filter((k) => /running_(mean|var)$/.test(k)).reduce((a, k) => a + numel(ours[k]), 0);
    expect(ourCount - stats + head).toBe(meta('real-v2Pro').sv.counts.parameters);
  });
});

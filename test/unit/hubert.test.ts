import { describe, expect, it } from 'vitest';
import { Graph } from '../../src/graph/builder';
import {
  buildHubert,
  HUBERT_BASE,
  HUBERT_TINY,
  hubertFeatureEncoder,
  hubertFrameCount,
  hubertLayerNames,
  hubertPositionalEmbedding,
  type HubertConfig,
} from '../../src/graph/models/hubert';
import { postNormEncoderLayer } from '../../src/graph/ops/encoder-blocks';
import { ZeroWeights } from '../../src/graph/weights';
import {
  addRef,
  channelNormRef,
  conv1dRef,
  geluAll,
  JitteredWeights,
  layerNormRef,
  linearRef,
  maxAbs,
  noise,
  postNormLayerRef,
  relDiff,
  transposeRef,
  weightOf,
} from '../helpers/nn-reference';
import { f32, maxAbsDiff, run } from '../helpers/ort';

/** Logs max |diff|, max |ref| and their ratio (for the report); returns the ratio. */
function compare(label: string, actual: ArrayLike<number>, ref: ArrayLike<number>): number {
  const rel = relDiff(actual, ref);
  console.log(`${label}: max |diff| ${maxAbsDiff(actual, ref).toExponential(2)}, max |ref| ${maxAbs(ref).toPrecision(3)}, relative ${rel.toExponential(2)}`);
  return rel;
}

const cfg = HUBERT_TINY;
const D = cfg.hidden;

/** Reference feature encoder: audio -> [C][T]. */
function featureEncoderRef(g: Graph, c: HubertConfig, audio: Float32Array): { y: Float64Array; t: number } {
  let x: Float64Array = Float64Array.from(audio);
  let t = audio.length;
  let inC = 1;
  c.convDims.forEach((outC, i) => {
    const k = c.convKernels[i];
    const conv = conv1dRef(x, inC, t, weightOf(g, `feature_extractor.conv_layers.${i}.conv.weight`, [outC, inC, k]), null, outC, k, { stride: c.convStrides[i] });
    x = conv.y;
    t = conv.t;
    if (i === 0) {
      const p = 'feature_extractor.conv_layers.0.layer_norm';
      x = channelNormRef(x, outC, t, weightOf(g, `${p}.weight`, [outC]), weightOf(g, `${p}.bias`, [outC]), 1e-5);
    }
    x = geluAll(x);
    inC = outC;
  });
  return { y: x, t };
}

/** Reference positional embedding of h [t][D] -> [t][D]. */
function positionalRef(g: Graph, c: HubertConfig, h: Float64Array, t: number): Float64Array {
  const k = c.posConvKernel;
  const w = weightOf(g, 'encoder.pos_conv_embed.conv.weight', [c.hidden, c.hidden / c.posConvGroups, k]);
  const b = weightOf(g, 'encoder.pos_conv_embed.conv.bias', [c.hidden]);
  const conv = conv1dRef(transposeRef(h, t, c.hidden), c.hidden, t, w, b, c.hidden, k, { pad: Math.floor(k / 2), groups: c.posConvGroups });
  expect(conv.t).toBe(k % 2 === 0 ? t + 1 : t);
  // keep the first t frames of every channel
  const trimmed = new Float64Array(c.hidden * t);
  for (let ch = 0; ch < c.hidden; ch++) for (let i = 0; i < t; i++) trimmed[ch * t + i] = conv.y[ch * conv.t + i];
  return transposeRef(geluAll(trimmed), c.hidden, t);
}

const layerRefNames = (i: number) => {
  const n = hubertLayerNames(i);
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

/** Whole-model reference: audio -> [D][T]. */
function hubertRef(g: Graph, c: HubertConfig, audio: Float32Array): { y: Float64Array; t: number } {
  const feat = featureEncoderRef(g, c, audio);
  const t = feat.t;
  const convC = c.convDims[c.convDims.length - 1];
  const frames = transposeRef(feat.y, convC, t);
  const normed = layerNormRef(frames, t, convC, weightOf(g, 'feature_projection.layer_norm.weight'), weightOf(g, 'feature_projection.layer_norm.bias'), c.eps);
  const proj = linearRef(normed, t, convC, weightOf(g, 'feature_projection.projection.weight', [c.hidden, convC]), weightOf(g, 'feature_projection.projection.bias'), c.hidden);
  let h = addRef(proj, positionalRef(g, c, proj, t));
  h = layerNormRef(h, t, c.hidden, weightOf(g, 'encoder.layer_norm.weight'), weightOf(g, 'encoder.layer_norm.bias'), c.eps);
  for (let i = 0; i < c.layers; i++) h = postNormLayerRef(g, h, t, c.hidden, c.heads, c.ffn, c.eps, layerRefNames(i));
  return { y: transposeRef(h, t, c.hidden), t };
}

describe('HuBERT graph (chinese-hubert-base layout)', () => {
  it('conv feature encoder with per-channel GroupNorm matches a plain reference', async () => {
    const ws = new JitteredWeights(11, 2.5);
    const g = new Graph('fe');
    const audio = g.input('audio', 'float32', [1, 'N']);
    g.output(hubertFeatureEncoder(g, ws, cfg, audio), 'feat', 'float32');
    const x = noise(16000, 3, 0.5);
    const out = await run(g, { audio: f32(x, [1, x.length]) });
    const ref = featureEncoderRef(g, cfg, x);
    expect(out.feat.dims).toEqual([1, 16, 49]);
    expect(ref.t).toBe(49);
    expect(maxAbs(ref.y)).toBeGreaterThan(0.1);
    expect(compare('feature encoder', out.feat.data as Float32Array, ref.y)).toBeLessThan(1e-5);
    // the first layer's GroupNorm really is there (and only there)
    expect(g.initializers.has('feature_extractor.conv_layers.0.layer_norm.weight')).toBe(true);
    expect(g.initializers.has('feature_extractor.conv_layers.1.layer_norm.weight')).toBe(false);
    expect([...g.initializers.keys()].some((n) => n.endsWith('conv.bias'))).toBe(false);
  });

  for (const kernel of [16, 15]) {
    it(`positional conv embedding (grouped, kernel ${kernel}, ${kernel % 2 ? 'no trim' : 'last frame trimmed'}) matches a reference`, async () => {
      const c = { ...cfg, posConvKernel: kernel };
      const ws = new JitteredWeights(12);
      const g = new Graph('pos');
      const h = g.input('h', 'float32', ['T', D]);
      g.output(hubertPositionalEmbedding(g, ws, c, h), 'pos', 'float32', ['T', D]);
      const t = 23;
      const x = noise(t * D, 5);
      const out = await run(g, { h: f32(x, [t, D]) });
      expect(out.pos.dims).toEqual([t, D]);
      expect(compare(`positional embedding k=${kernel}`, out.pos.data as Float32Array, positionalRef(g, c, Float64Array.from(x), t))).toBeLessThan(1e-5);
    });
  }

  it('one post-norm encoder layer matches a reference', async () => {
    const ws = new JitteredWeights(13);
    const g = new Graph('layer');
    const h = g.input('h', 'float32', ['T', D]);
    g.output(postNormEncoderLayer(g, ws, h, { dim: D, heads: cfg.heads, ffn: cfg.ffn, eps: cfg.eps }, hubertLayerNames(0)), 'y', 'float32', ['T', D]);
    const t = 17;
    const x = noise(t * D, 9);
    const out = await run(g, { h: f32(x, [t, D]) });
    const ref = postNormLayerRef(g, Float64Array.from(x), t, D, cfg.heads, cfg.ffn, cfg.eps, layerRefNames(0));
    expect(compare('encoder layer', out.y.data as Float32Array, ref)).toBeLessThan(1e-5);
  });

  it('whole tiny HuBERT matches the reference: audio [1, N] -> ssl [1, D, T50]', async () => {
    const g = buildHubert(cfg, new JitteredWeights(14, 2.5));
    const x = noise(16000 + 800, 21, 0.3);
    const out = await run(g, { audio: f32(x, [1, x.length]) });
    const ref = hubertRef(g, cfg, x);
    expect(out.ssl.dims).toEqual([1, D, ref.t]);
    expect(compare(`whole HuBERT tiny (T=${ref.t})`, out.ssl.data as Float32Array, ref.y)).toBeLessThan(2e-5);
  });

  it('frame count is floor((N - 400) / 320) + 1 and the graph produces exactly that many', async () => {
    const g = buildHubert(cfg, new JitteredWeights(15));
    const bytes = g.toBytes();
    for (const n of [16000, 48000, 48000 + 9600, 160000 + 9600, 400, 719, 720]) {
      const expected = Math.floor((n - 400) / 320) + 1;
      expect(hubertFrameCount(cfg, n)).toBe(expected);
      expect(hubertFrameCount(HUBERT_BASE, n)).toBe(expected);
      if (n < 16000) continue;
      const out = await run(bytes, { audio: f32(noise(n, n, 0.2), [1, n]) });
      expect(out.ssl.dims).toEqual([1, D, expected]);
    }
    expect(hubertFrameCount(cfg, 48000 + 9600)).toBe(179);
    expect(hubertFrameCount(cfg, 160000 + 9600)).toBe(529);
  });

  it('real size: HF names and shapes, 94.37 M parameters', () => {
    const g = buildHubert(HUBERT_BASE, new ZeroWeights());
    const dims = (n: string) => g.initializers.get(n)?.dims;
    expect(dims('feature_extractor.conv_layers.0.conv.weight')).toEqual([512, 1, 10]);
    expect(dims('feature_extractor.conv_layers.0.layer_norm.weight')).toEqual([512]);
    expect(dims('feature_extractor.conv_layers.6.conv.weight')).toEqual([512, 512, 2]);
    expect(dims('feature_projection.layer_norm.bias')).toEqual([512]);
    expect(dims('feature_projection.projection.weight')).toEqual([768, 512]);
    expect(dims('encoder.pos_conv_embed.conv.weight')).toEqual([768, 48, 128]);
    expect(dims('encoder.pos_conv_embed.conv.bias')).toEqual([768]);
    expect(dims('encoder.layer_norm.weight')).toEqual([768]);
    expect(dims('encoder.layers.11.attention.out_proj.weight')).toEqual([768, 768]);
    expect(dims('encoder.layers.11.feed_forward.intermediate_dense.weight')).toEqual([3072, 768]);
    expect(dims('encoder.layers.11.feed_forward.output_dense.bias')).toEqual([768]);
    expect(dims('encoder.layers.11.final_layer_norm.weight')).toEqual([768]);
    expect(g.initializers.has('encoder.layers.12.layer_norm.weight')).toBe(false);

    // Expected count from the architecture, term by term.
    const convs = 512 * 10 + 4 * 512 * 512 * 3 + 2 * 512 * 512 * 2 + 2 * 512; // + GroupNorm
    const projection = 2 * 512 + 512 * 768 + 768;
    const posConv = 768 * 48 * 128 + 768; // folded weight + bias
    const layer = 4 * (768 * 768 + 768) + 2 * 768 + (768 * 3072 + 3072) + (3072 * 768 + 768) + 2 * 768;
    const graphCount = convs + projection + posConv + 2 * 768 + 12 * layer;
    expect(graphCount).toBe(94_370_816);
    expect(g.parameterCount()).toBe(graphCount);
    // HF HubertModel counts weight_g [1, 1, 128] separately and has masked_spec_embed [768].
    expect(g.parameterCount() + 128 + 768).toBe(94_371_712);
  });
});

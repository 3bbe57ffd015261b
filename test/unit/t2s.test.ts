import type * as ort from 'onnxruntime-web';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import type { Graph } from '../../src/graph/builder';
import {
  buildT2SDecoder,
  buildT2SPrefillEmbed,
  buildT2STokenEmbed,
  t2sParameterCount,
  t2sParameterNames,
  T2S_TINY,
  T2S_V1,
  T2S_V2,
  type T2SConfig,
} from '../../src/graph/models/t2s';
import { RandomWeights, ZeroWeights, mulberry32, type Init, type WeightSource } from '../../src/graph/weights';
import { f32, i64, maxAbsDiff, run, session } from '../helpers/ort';

// ---------------------------------------------------------------------------------------------
// Weights: the graphs ask a RandomWeights source by name; the references below read the very same
// tensors back by name (and check the shape), interpreting them with PyTorch's layouts.

class Recorded implements WeightSource {
  readonly seen = new Map<string, { dims: number[]; data: Float32Array }>();
  constructor(private readonly inner: WeightSource) {}
  get(name: string, dims: number[], init: Init): Float32Array {
    const data = this.inner.get(name, dims, init);
    this.seen.set(name, { dims, data });
    return data;
  }
  w(name: string, dims: number[]): Float32Array {
    const t = this.seen.get(name);
    if (!t) throw new Error(`graph never asked for ${name}`);
    expect(t.dims, name).toEqual(dims);
    return t.data;
  }
}

function weightsFor(cfg: T2SConfig, seed = 7) {
  const ws = new Recorded(new RandomWeights(seed));
  const graphs = { embed: buildT2SPrefillEmbed(cfg, ws), token: buildT2STokenEmbed(cfg, ws), decoder: buildT2SDecoder(cfg, ws) };
  return { ws, graphs };
}

// ---------------------------------------------------------------------------------------------
// Plain references (double precision loops), written from upstream's definitions.

function pe(pos: number, c: number, dim: number): number {
  const i = Math.floor(c / 2);
  const angle = pos * Math.exp(2 * i * -(Math.log(10000) / dim));
  return c % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
}

function refPrefillEmbed(cfg: T2SConfig, ws: Recorded, phones: number[], bert: Float32Array, prompt: number[]): Float64Array {
  const D = cfg.dim;
  const X = phones.length;
  const textTable = ws.w('ar_text_embedding.word_embeddings.weight', [cfg.phonemeVocab, D]);
  const projW = ws.w('bert_proj.weight', [D, cfg.bertDim]);
  const projB = ws.w('bert_proj.bias', [D]);
  const textAlpha = ws.w('ar_text_position.alpha', [1])[0];
  const out = new Float64Array((X + prompt.length) * D);
  for (let i = 0; i < X; i++) {
    for (let c = 0; c < D; c++) {
      let proj = projB[c];
      for (let k = 0; k < cfg.bertDim; k++) proj += bert[k * X + i] * projW[c * cfg.bertDim + k];
      out[i * D + c] = textTable[phones[i] * D + c] + proj + textAlpha * pe(i, c, D);
    }
  }
  for (let j = 0; j < prompt.length; j++) {
    const row = refTokenEmbed(cfg, ws, prompt[j], j);
    out.set(row, (X + j) * D);
  }
  return out;
}

function refTokenEmbed(cfg: T2SConfig, ws: Recorded, token: number, position: number): Float64Array {
  const D = cfg.dim;
  const table = ws.w('ar_audio_embedding.word_embeddings.weight', [cfg.vocab, D]);
  const alpha = ws.w('ar_audio_position.alpha', [1])[0];
  const out = new Float64Array(D);
  for (let c = 0; c < D; c++) out[c] = table[token * D + c] + alpha * pe(position, c, D);
  return out;
}

/** y[r, o] = sum_i x[r, i] W[o, i] + b[o] (PyTorch Linear). */
function refLinear(x: Float64Array, rows: number, inF: number, W: Float32Array, b: Float32Array | null, outF: number): Float64Array {
  const y = new Float64Array(rows * outF);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < outF; o++) {
      let s = b ? b[o] : 0;
      for (let i = 0; i < inF; i++) s += x[r * inF + i] * W[o * inF + i];
      y[r * outF + o] = s;
    }
  }
  return y;
}

function refLayerNorm(x: Float64Array, rows: number, D: number, w: Float32Array, b: Float32Array): Float64Array {
  const y = new Float64Array(rows * D);
  for (let r = 0; r < rows; r++) {
    let mean = 0;
    for (let c = 0; c < D; c++) mean += x[r * D + c];
    mean /= D;
    let variance = 0;
    for (let c = 0; c < D; c++) variance += (x[r * D + c] - mean) ** 2;
    variance /= D;
    const inv = 1 / Math.sqrt(variance + 1e-5);
    for (let c = 0; c < D; c++) y[r * D + c] = (x[r * D + c] - mean) * inv * w[c] + b[c];
  }
  return y;
}

/**
 * Upstream's full (uncached) forward pass over N rows: X text rows then audio rows. Returns the
 * last row's logits and every layer's K and V rows laid out [N, layers, D].
 */
function refDecoder(cfg: T2SConfig, ws: Recorded, input: ArrayLike<number>, N: number, X: number) {
  const { dim: D, heads: H, layers: L, ffn: F } = cfg;
  const hd = D / H;
  let x: Float64Array = Float64Array.from(input);
  const K = new Float64Array(N * L * D);
  const V = new Float64Array(N * L * D);
  // True where a query row may look at a key column.
  const visible = (q: number, k: number) => k < X || (q >= X && k <= q);
  for (let l = 0; l < L; l++) {
    const p = `h.layers.${l}`;
    const qkv = refLinear(x, N, D, ws.w(`${p}.self_attn.in_proj_weight`, [3 * D, D]), ws.w(`${p}.self_attn.in_proj_bias`, [3 * D]), 3 * D);
    const q = (r: number, c: number) => qkv[r * 3 * D + c];
    const k = (r: number, c: number) => qkv[r * 3 * D + D + c];
    const v = (r: number, c: number) => qkv[r * 3 * D + 2 * D + c];
    for (let r = 0; r < N; r++) {
      for (let c = 0; c < D; c++) {
        K[(r * L + l) * D + c] = k(r, c);
        V[(r * L + l) * D + c] = v(r, c);
      }
    }
    const heads = new Float64Array(N * D);
    for (let h = 0; h < H; h++) {
      for (let i = 0; i < N; i++) {
        const scores: number[] = [];
        for (let j = 0; j < N; j++) {
          if (!visible(i, j)) {
            scores.push(-Infinity);
            continue;
          }
          let s = 0;
          for (let d = 0; d < hd; d++) s += q(i, h * hd + d) * k(j, h * hd + d);
          scores.push(s / Math.sqrt(hd));
        }
        const top = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - top));
        const sum = e.reduce((a, b) => a + b, 0);
        for (let d = 0; d < hd; d++) {
          let acc = 0;
          for (let j = 0; j < N; j++) acc += (e[j] / sum) * v(j, h * hd + d);
          heads[i * D + h * hd + d] = acc;
        }
      }
    }
    const att = refLinear(heads, N, D, ws.w(`${p}.self_attn.out_proj.weight`, [D, D]), ws.w(`${p}.self_attn.out_proj.bias`, [D]), D);
    x = refLayerNorm(x.map((a, i) => a + att[i]), N, D, ws.w(`${p}.norm1.weight`, [D]), ws.w(`${p}.norm1.bias`, [D]));
    const hidden = refLinear(x, N, D, ws.w(`${p}.linear1.weight`, [F, D]), ws.w(`${p}.linear1.bias`, [F]), F).map((a) => Math.max(a, 0));
    const ff = refLinear(hidden, N, F, ws.w(`${p}.linear2.weight`, [D, F]), ws.w(`${p}.linear2.bias`, [D]), D);
    x = refLayerNorm(x.map((a, i) => a + ff[i]), N, D, ws.w(`${p}.norm2.weight`, [D]), ws.w(`${p}.norm2.bias`, [D]));
  }
  const logits = refLinear(x.subarray((N - 1) * D), 1, D, ws.w('ar_predict_layer.weight', [cfg.vocab, D]), null, cfg.vocab);
  return { logits, K, V };
}

// ---------------------------------------------------------------------------------------------

function randomInts(n: number, below: number, seed: number): number[] {
  const r = mulberry32(seed);
  return Array.from({ length: n }, () => Math.floor(r() * below));
}

function randomFloats(n: number, seed: number, scale = 1): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: n }, () => (r() * 2 - 1) * scale);
}

const data = (t: ort.Tensor) => t.data as Float32Array;

async function prefillEmbed(cfg: T2SConfig, g: Graph, X: number, Y: number, seed: number) {
  const phones = randomInts(X, cfg.phonemeVocab, seed);
  const bert = randomFloats(cfg.bertDim * X, seed + 1);
  const prompt = randomInts(Y, cfg.vocab - 1, seed + 2);
  const out = await run(g, { phones: i64(phones, [X]), bert: f32(bert, [cfg.bertDim, X]), prompt: i64(prompt, [Y]) });
  return { phones, bert, prompt, x: out.x };
}

/**
 * Decoder feeds from caches kept here packed, [P, layers, D] (the reference's layout); the graph
 * takes one [P, D] input per layer.
 */
function decoderFeeds(cfg: T2SConfig, x: Float32Array, n: number, pastK: Float32Array, pastV: Float32Array, P: number, X: number) {
  const L = cfg.layers;
  const D = cfg.dim;
  const feeds: Record<string, ort.Tensor> = { x: f32(x, [n, D]), text_len: i64([X], [1]) };
  const layer = (packed: Float32Array, l: number) => {
    const out = new Float32Array(P * D);
    for (let r = 0; r < P; r++) out.set(packed.subarray((r * L + l) * D, (r * L + l + 1) * D), r * D);
    return out;
  };
  for (let l = 0; l < L; l++) {
    feeds[`past_k_${l}`] = f32(layer(pastK, l), [P, D]);
    feeds[`past_v_${l}`] = f32(layer(pastV, l), [P, D]);
  }
  return feeds;
}

/** A decoder's new_k/new_v [layers, n, D] as packed rows [n, layers, D]. */
function rowsOf(t: ort.Tensor): Float32Array {
  const [L, n, D] = t.dims;
  const src = data(t);
  const out = new Float32Array(src.length);
  for (let l = 0; l < L; l++) for (let r = 0; r < n; r++) out.set(src.subarray((l * n + r) * D, (l * n + r + 1) * D), (r * L + l) * D);
  return out;
}

const cfg = T2S_TINY;

describe('T2S embeddings', () => {
  it('prefill embed matches the reference (text + BERT projection + positions, then prompt)', async () => {
    const { ws, graphs } = weightsFor(cfg);
    for (const [X, Y] of [
      [5, 3],
      [1, 1],
      [9, 4],
    ]) {
      const { phones, bert, prompt, x } = await prefillEmbed(cfg, graphs.embed, X, Y, 100 + X);
      expect(x.dims).toEqual([X + Y, cfg.dim]);
      const diff = maxAbsDiff(data(x), refPrefillEmbed(cfg, ws, phones, bert, prompt));
      console.info(`prefill embed X=${X} Y=${Y}: max abs diff ${diff.toExponential(2)}`);
      expect(diff).toBeLessThan(1e-4);
    }
  });

  it('token embed matches the reference at several absolute positions', async () => {
    const { ws, graphs } = weightsFor(cfg);
    const s = await session(graphs.token);
    try {
      let worst = 0;
      for (const [token, position] of [
        [0, 0],
        [1024, 3],
        [517, 47],
        [12, 1499],
      ]) {
        const out = await s.run({ token: i64([token], [1]), position: i64([position], [1]) });
        expect(out.x.dims).toEqual([1, cfg.dim]);
        worst = Math.max(worst, maxAbsDiff(data(out.x), refTokenEmbed(cfg, ws, token, position)));
      }
      console.info(`token embed: max abs diff ${worst.toExponential(2)}`);
      expect(worst).toBeLessThan(1e-4);
    } finally {
      await s.release();
    }
  });

  it('a token embedded at position Y+k equals row X+Y+k of a longer prefill embed', async () => {
    const { graphs } = weightsFor(cfg);
    const X = 4;
    const Y = 6;
    const { prompt, x } = await prefillEmbed(cfg, graphs.embed, X, Y, 5);
    // Row X+j of the prefill is prompt token j at audio position j.
    const j = 5;
    const tok = await run(graphs.token, { token: i64([prompt[j]], [1]), position: i64([j], [1]) });
    expect(maxAbsDiff(data(tok.x), data(x).subarray((X + j) * cfg.dim, (X + j + 1) * cfg.dim))).toBeLessThan(1e-5);
  });
});

describe('T2S decoder vs the upstream forward pass (prefill, empty past)', () => {
  for (const layers of [1, 2]) {
    it(`${layers} layer(s): logits and K/V rows match`, async () => {
      const c = { ...cfg, layers };
      const { ws, graphs } = weightsFor(c, 11 + layers);
      const X = 6;
      const Y = 4;
      const { x } = await prefillEmbed(c, graphs.embed, X, Y, 21);
      const N = X + Y;
      const out = await run(graphs.decoder, decoderFeeds(c, data(x), N, new Float32Array(0), new Float32Array(0), 0, X));
      const ref = refDecoder(c, ws, data(x), N, X);
      const dl = maxAbsDiff(data(out.logits), ref.logits);
      const dk = maxAbsDiff(rowsOf(out.new_k), ref.K);
      const dv = maxAbsDiff(rowsOf(out.new_v), ref.V);
      console.info(`decoder ${layers} layer(s): logits ${dl.toExponential(2)}, new_k ${dk.toExponential(2)}, new_v ${dv.toExponential(2)}`);
      expect(dl).toBeLessThan(1e-4);
      expect(dk).toBeLessThan(1e-4);
      expect(dv).toBeLessThan(1e-4);
    });
  }

  it('the mask matters: a text-only prefix ignores later audio rows, audio rows do not', async () => {
    // Changing the last audio row must leave every text row's K/V of layer 2 unchanged (layer 1
    // K/V depend only on their own row), and must change the logits (the last row sees it).
    const { graphs } = weightsFor(cfg, 3);
    const X = 4;
    const Y = 3;
    const { x } = await prefillEmbed(cfg, graphs.embed, X, Y, 8);
    const a = Float32Array.from(data(x));
    const b = Float32Array.from(a);
    for (let c = 0; c < cfg.dim; c++) b[(X + Y - 1) * cfg.dim + c] += 0.5;
    const empty = new Float32Array(0);
    const ra = await run(graphs.decoder, decoderFeeds(cfg, a, X + Y, empty, empty, 0, X));
    const rb = await run(graphs.decoder, decoderFeeds(cfg, b, X + Y, empty, empty, 0, X));
    const rowsBefore = (X + Y - 1) * cfg.layers * cfg.dim;
    expect(maxAbsDiff(rowsOf(ra.new_k).subarray(0, rowsBefore), rowsOf(rb.new_k).subarray(0, rowsBefore))).toBeLessThan(1e-6);
    expect(maxAbsDiff(data(ra.logits), data(rb.logits))).toBeGreaterThan(1e-3);
    // Changing a text row changes the earlier text rows' layer-2 K (text attends to all text).
    const t = Float32Array.from(a);
    for (let c = 0; c < cfg.dim; c++) t[(X - 1) * cfg.dim + c] += 0.5;
    const rt = await run(graphs.decoder, decoderFeeds(cfg, t, X + Y, empty, empty, 0, X));
    const layer2Row0 = (k: ort.Tensor) => rowsOf(k).subarray(1 * cfg.dim, 2 * cfg.dim);
    expect(maxAbsDiff(layer2Row0(ra.new_k), layer2Row0(rt.new_k))).toBeGreaterThan(1e-3);
  });
});

describe('T2S KV-cached decoding', () => {
  it('prefill + 5 cached steps give the same logits and cache as full uncached passes', async () => {
    const { ws, graphs } = weightsFor(cfg, 19);
    const [decoder, token] = await Promise.all([session(graphs.decoder), session(graphs.token)]);
    try {
      const D = cfg.dim;
      const L = cfg.layers;
      const X = 7;
      const Y = 3;
      const { x: x0 } = await prefillEmbed(cfg, graphs.embed, X, Y, 31);
      const empty = new Float32Array(0);
      const pre = await decoder.run(decoderFeeds(cfg, data(x0), X + Y, empty, empty, 0, X));
      // The prefill itself against the reference, so the chain starts from a verified point.
      expect(maxAbsDiff(data(pre.logits), refDecoder(cfg, ws, data(x0), X + Y, X).logits)).toBeLessThan(1e-4);

      let cacheK: Float32Array = Float32Array.from(rowsOf(pre.new_k));
      let cacheV: Float32Array = Float32Array.from(rowsOf(pre.new_v));
      let rows: Float32Array = Float32Array.from(data(x0)); // every input row so far, for the uncached passes
      let logits = data(pre.logits);
      let worstLogits = 0;
      let worstCache = 0;
      const tokens: number[] = [];
      for (let k = 0; k < 5; k++) {
        // Feed the arg-max token (EOS column excluded) like a greedy decoder would.
        let best = 0;
        for (let t = 1; t < cfg.vocab - 1; t++) if (logits[t] > logits[best]) best = t;
        tokens.push(best);
        const emb = await token.run({ token: i64([best], [1]), position: i64([Y + k], [1]) });
        const P = X + Y + k;
        const step = await decoder.run(decoderFeeds(cfg, data(emb.x), 1, cacheK, cacheV, P, X));
        expect(step.logits.dims).toEqual([1, cfg.vocab]);
        expect(step.new_k.dims).toEqual([L, 1, D]);
        cacheK = concat(cacheK, rowsOf(step.new_k));
        cacheV = concat(cacheV, rowsOf(step.new_v));
        rows = concat(rows, data(emb.x));

        const full = await decoder.run(decoderFeeds(cfg, rows, P + 1, empty, empty, 0, X));
        const dl = maxAbsDiff(data(step.logits), data(full.logits));
        const dc = Math.max(maxAbsDiff(cacheK, rowsOf(full.new_k)), maxAbsDiff(cacheV, rowsOf(full.new_v)));
        expect(dl).toBeLessThan(1e-4);
        expect(dc).toBeLessThan(1e-4);
        worstLogits = Math.max(worstLogits, dl);
        worstCache = Math.max(worstCache, dc);
        logits = data(step.logits);
      }
      // The last step also against the independent reference on all rows.
      const ref = refDecoder(cfg, ws, rows, X + Y + 5, X);
      const dRef = maxAbsDiff(logits, ref.logits);
      console.info(
        `cached decode (tokens ${tokens.join(',')}): logits vs full pass ${worstLogits.toExponential(2)}, cache ${worstCache.toExponential(2)}, last step vs reference ${dRef.toExponential(2)}`,
      );
      expect(dRef).toBeLessThan(1e-4);
      expect(maxAbsDiff(cacheK, ref.K)).toBeLessThan(1e-4);
    } finally {
      await Promise.all([decoder.release(), token.release()]);
    }
  });
});

function concat(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

describe('T2S graph shapes', () => {
  it('every output has the documented shape for several (X, Y, P, n)', async () => {
    const { graphs } = weightsFor(cfg, 2);
    const D = cfg.dim;
    const L = cfg.layers;
    for (const [X, Y] of [
      [1, 1],
      [3, 1],
      [8, 5],
    ]) {
      const { x } = await prefillEmbed(cfg, graphs.embed, X, Y, X * 10 + Y);
      expect(x.dims).toEqual([X + Y, D]);
    }
    const dec = await session(graphs.decoder);
    try {
      for (const [X, P, n] of [
        [3, 0, 4], // prefill, Y = 1
        [1, 0, 2], // shortest text, Y = 1
        [6, 0, 11],
        [3, 4, 1], // first decode step after X=3, Y=1
        [6, 20, 1],
        [5, 9, 3], // several rows at once on top of a cache
      ]) {
        const out = await dec.run(decoderFeeds(cfg, randomFloats(n * D, n + P), n, randomFloats(P * L * D, P), randomFloats(P * L * D, P + 1), P, X));
        expect(out.logits.dims).toEqual([1, cfg.vocab]);
        expect(out.new_k.dims).toEqual([L, n, D]);
        expect(out.new_v.dims).toEqual([L, n, D]);
        expect(data(out.logits).every(Number.isFinite)).toBe(true);
      }
    } finally {
      await dec.release();
    }
    const tok = await run(graphs.token, { token: i64([5], [1]), position: i64([0], [1]) });
    expect(tok.x.dims).toEqual([1, D]);
  });
});

describe('T2S decoder on WebGPU: nothing read back but the logits', () => {
  it('Range (CPU inputs on WebGPU) reads only casts of int64 row counts and constants', () => {
    // A float op feeding Range would run on the GPU and be read back on every decode step (counted
    // in Chromium: 2 reads per step instead of 1). int64 arithmetic stays on the CPU.
    const g = buildT2SDecoder(cfg, new RandomWeights(1));
    const proto = onnxProto.onnx.ModelProto.decode(g.toBytes()).graph!;
    const producer = new Map(proto.node!.flatMap((n) => n.output!.map((o) => [o, n] as const)));
    const ranges = proto.node!.filter((n) => n.opType === 'Range');
    expect(ranges.length).toBeGreaterThan(0);
    for (const r of ranges) {
      for (const input of r.input!) {
        const p = producer.get(input);
        if (!p) {
          expect(g.initializers.has(input)).toBe(true);
          continue;
        }
        expect(p.opType).toBe('Cast');
        expect(['Gather', 'Add']).toContain(producer.get(p.input![0])!.opType); // int64 row counts
      }
    }
  });
});

describe('T2S parameters', () => {
  function namedWeights(graphs: Graph[]): Map<string, number> {
    const seen = new Map<string, number>();
    for (const g of graphs) for (const init of g.initializers.values()) if (!init.name.startsWith('const_')) seen.set(init.name, init.data.length);
    return seen;
  }

  it('the three tiny graphs use exactly the listed upstream names', () => {
    const { graphs } = weightsFor(cfg);
    const names = [...namedWeights([graphs.embed, graphs.token, graphs.decoder]).keys()].sort();
    expect(names).toEqual([...t2sParameterNames(cfg)].sort());
    // The transformer stack lives only in the decoder; the embed graphs hold only embeddings.
    expect([...graphs.token.initializers.keys()].filter((n) => !n.startsWith('const_')).sort()).toEqual([
      'ar_audio_embedding.word_embeddings.weight',
      'ar_audio_position.alpha',
    ]);
    expect([...graphs.decoder.initializers.keys()].some((n) => n.startsWith('ar_') && n !== 'ar_predict_layer.weight')).toBe(false);
  });

  it('real size: unique named weights over the three v2 graphs = upstream 77,606,402', () => {
    const ws = new ZeroWeights();
    const unique = namedWeights([buildT2SPrefillEmbed(T2S_V2, ws), buildT2STokenEmbed(T2S_V2, ws), buildT2SDecoder(T2S_V2, ws)]);
    const total = [...unique.values()].reduce((a, b) => a + b, 0);
    expect(total).toBe(77_606_402);
    expect(t2sParameterCount(T2S_V2)).toBe(77_606_402);
    expect(unique.size).toBe(t2sParameterNames(T2S_V2).length);
    // v1 differs only in the phoneme table (512 rows instead of 732).
    const v1Embed = buildT2SPrefillEmbed(T2S_V1, ws);
    expect(v1Embed.initializers.get('ar_text_embedding.word_embeddings.weight')?.dims).toEqual([512, 512]);
    expect(t2sParameterCount(T2S_V1)).toBe(77_606_402 - 220 * 512);
    expect(t2sParameterCount(T2S_V1)).toBe(77_493_762);
  });
});

// The decode loop's bookkeeping (cache appends, absolute audio positions, text length) checked
// against recomputing the whole sequence from scratch at every step with an empty cache.
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { buildT2SDecoder, buildT2SPrefillEmbed, buildT2STokenEmbed, T2S_TINY } from '../../src/graph/models/t2s';
import { RandomWeights } from '../../src/graph/weights';
import { SemanticSampler, UPSTREAM_LIMITS } from '../../src/engine/sampling';
import { T2SRunner } from '../../src/engine/t2s-decode';
import { session } from '../helpers/ort';

const cfg = T2S_TINY;
const greedy = { topK: 1, topP: 1, temperature: 1, repetitionPenalty: 1.35 };

describe('T2SRunner', () => {
  it('cached decoding picks the same tokens as full recomputation', async () => {
    const ws = new RandomWeights(3);
    const [embed, token, decoder] = await Promise.all([session(buildT2SPrefillEmbed(cfg, ws)), session(buildT2STokenEmbed(cfg, ws)), session(buildT2SDecoder(cfg, ws))]);
    const X = 9;
    const phones = BigInt64Array.from({ length: X }, (_, i) => BigInt((i * 37 + 5) % cfg.phonemeVocab));
    const prompt = BigInt64Array.from({ length: 6 }, (_, i) => BigInt((i * 101 + 7) % 1024));
    const bert = Float32Array.from({ length: cfg.bertDim * X }, (_, i) => Math.sin(i) * 0.1);
    const limits = { ...UPSTREAM_LIMITS, maxSteps: 24 };

    const runner = new T2SRunner(ort, { embed, token, decoder }, { layers: cfg.layers, dim: cfg.dim, onDevice: false, reserveRows: 4 });
    const cached: number[] = [];
    for await (const t of runner.generate({ phones, bert, bertDim: cfg.bertDim, prompt }, new SemanticSampler(Array.from(prompt, Number), greedy, Math.random, limits))) cached.push(t);

    // Reference: every step runs the decoder over all rows so far with an empty past.
    const sampler = new SemanticSampler(Array.from(prompt, Number), greedy, Math.random, limits);
    const x0 = (await embed.run({ phones: new ort.Tensor('int64', phones, [X]), bert: new ort.Tensor('float32', bert, [cfg.bertDim, X]), prompt: new ort.Tensor('int64', prompt, [prompt.length]) })).x;
    let rows = Float32Array.from(x0.data as Float32Array);
    const empty = new ort.Tensor('float32', new Float32Array(0), [0, cfg.layers, cfg.dim]);
    for (let step = 0; !sampler.done; step++) {
      const n = rows.length / cfg.dim;
      const out = await decoder.run({ x: new ort.Tensor('float32', rows, [n, cfg.dim]), past_k: empty, past_v: empty, text_len: new ort.Tensor('int64', BigInt64Array.of(BigInt(X)), [1]) });
      const { token: t, done } = sampler.next(out.logits.data as Float32Array);
      if (done) break;
      const e = await token.run({ token: new ort.Tensor('int64', BigInt64Array.of(BigInt(t)), [1]), position: new ort.Tensor('int64', BigInt64Array.of(BigInt(prompt.length + step)), [1]) });
      const next = new Float32Array(rows.length + cfg.dim);
      next.set(rows);
      next.set(e.x.data as Float32Array, rows.length);
      rows = next;
    }
    expect(cached.length).toBeGreaterThan(11);
    expect(cached).toEqual(sampler.tokens);
    expect(runner.stats.steps).toBe(sampler.steps);
    // Growing past the reserved rows (4) exercised the cache's reallocation.
    expect(cached.length).toBeGreaterThan(4);
  });
});

// The T2S runner's optional prefill session (WASM's default: the prefill in int8, decode steps in
// fp32): it runs the first call only, every later step runs the main decoder on its cache.
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { buildT2SDecoder, buildT2SPrefillEmbed, buildT2STokenEmbed, T2S_TINY } from '../../src/graph/models/t2s';
import { RandomWeights } from '../../src/graph/weights';
import { quantizeInt8 } from '../../src/graph/quantize';
import { SemanticSampler, UPSTREAM_LIMITS } from '../../src/engine/sampling';
import { T2SRunner } from '../../src/engine/t2s-decode';
import { session } from '../helpers/ort';

const cfg = T2S_TINY;
const greedy = { topK: 1, topP: 1, temperature: 1, repetitionPenalty: 1.35 };

/** Counts the runs of a session. */
function counted(s: ort.InferenceSession) {
  const calls = { n: 0, rows: [] as number[] };
  const wrapped = new Proxy(s, {
    get(target, prop, receiver) {
      if (prop === 'run') {
        return (feeds: Record<string, ort.Tensor>) => {
          calls.n++;
          calls.rows.push(feeds.x.dims[0]);
          return target.run(feeds);
        };
      }
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return { wrapped, calls };
}

describe('T2SRunner with a prefill session', () => {
  it('runs the prefill session once, on every prompt row, and the decoder for every later step; greedy tokens match fp32 throughout', async () => {
    const ws = new RandomWeights(4);
    const decBytes = buildT2SDecoder(cfg, ws).toBytes();
    const q8 = quantizeInt8(decBytes, { minElements: 1 });
    expect(q8.report.matmuls).toBeGreaterThan(0);
    const [embed, token, decoder, prefill8] = await Promise.all([
      session(buildT2SPrefillEmbed(cfg, ws)),
      session(buildT2STokenEmbed(cfg, ws)),
      session(decBytes),
      // every matmul in int8 (the tiny decoder's are below the default size threshold)
      session(q8.bytes, { prepack: false }),
    ]);
    const X = 9;
    const phones = BigInt64Array.from({ length: X }, (_, i) => BigInt((i * 37 + 5) % cfg.phonemeVocab));
    const prompt = BigInt64Array.from({ length: 6 }, (_, i) => BigInt((i * 101 + 7) % 1024));
    const bert = Float32Array.from({ length: cfg.bertDim * X }, (_, i) => Math.sin(i) * 0.1);
    const limits = { ...UPSTREAM_LIMITS, maxSteps: 24 };
    const run = async (sessions: ConstructorParameters<typeof T2SRunner>[1]) => {
      const runner = new T2SRunner(ort, sessions, { layers: cfg.layers, dim: cfg.dim, onDevice: false, reserveRows: 4 });
      const tokens: number[] = [];
      for await (const t of runner.generate({ phones, bert, bertDim: cfg.bertDim, prompt }, new SemanticSampler(Array.from(prompt, Number), greedy, Math.random, limits))) tokens.push(t);
      return { tokens, steps: runner.stats.steps };
    };
    const fp32 = await run({ embed, token, decoder });
    const main = counted(decoder);
    const pre = counted(prefill8);
    const mixed = await run({ embed, token, decoder: main.wrapped, prefill: pre.wrapped });
    expect(pre.calls.n).toBe(1);
    expect(pre.calls.rows).toEqual([X + prompt.length]);
    expect(main.calls.n).toBe(mixed.steps - 1);
    expect(main.calls.rows.every((r) => r === 1)).toBe(true);
    expect(mixed.tokens).toEqual(fp32.tokens);
    for (const s of [embed, token, decoder, prefill8]) await s.release();
  });
});

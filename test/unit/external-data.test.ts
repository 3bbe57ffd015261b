// Sessions are created from a weight-less graph plus the model bytes as external data (one copy
// into onnxruntime instead of a protobuf parse and a copy out of it): same outputs, no bytes copied.
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { EXTERNAL_DATA_PATH, externalizeWeights } from '../../src/graph/external-data';
import { buildT2SDecoder, T2S_TINY } from '../../src/graph/models/t2s';
import { mulberry32, RandomWeights } from '../../src/graph/weights';

ort.env.wasm.numThreads = 1;

describe('external weights', () => {
  it('a graph with its weights as external data computes what the whole model computes', async () => {
    const bytes = buildT2SDecoder({ ...T2S_TINY, dim: 64, ffn: 128 }, new RandomWeights(3)).toBytes();
    const ext = externalizeWeights(bytes);
    expect(ext.data).toBe(bytes); // the model bytes themselves, not a copy
    expect(ext.tensors).toBeGreaterThan(5);
    expect(ext.graph.length).toBeLessThan(bytes.length / 10);
    const r = mulberry32(1);
    const D = 64;
    const feeds: Record<string, ort.Tensor> = { x: new ort.Tensor('float32', Float32Array.from({ length: 3 * D }, () => r() - 0.5), [3, D]), text_len: new ort.Tensor('int64', BigInt64Array.of(2n), [1]) };
    for (let l = 0; l < T2S_TINY.layers; l++) for (const kv of ['k', 'v']) feeds[`past_${kv}_${l}`] = new ort.Tensor('float32', Float32Array.from({ length: 4 * D }, () => r() - 0.5), [4, D]);
    const opts = { executionProviders: ['wasm'], graphOptimizationLevel: 'all' } as const;
    const whole = await ort.InferenceSession.create(bytes, opts);
    const split = await ort.InferenceSession.create(ext.graph, { ...opts, externalData: [{ path: EXTERNAL_DATA_PATH, data: ext.data }] });
    const [a, b] = [await whole.run(feeds), await split.run(feeds)];
    for (const name of ['logits', 'new_k', 'new_v']) expect(Array.from(b[name].data as Float32Array)).toEqual(Array.from(a[name].data as Float32Array));
    // Without the external data the graph alone cannot be loaded: the weights really moved out.
    await expect(ort.InferenceSession.create(ext.graph, opts)).rejects.toThrow();
    await Promise.all([whole.release(), split.release()]);
  });
});

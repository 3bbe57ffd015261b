// The decode loop's bookkeeping (cache appends, absolute audio positions, text length) checked
// against recomputing the whole sequence from scratch at every step with an empty cache.
import * as ort from 'onnxruntime-web';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { buildT2SDecoder, buildT2SPrefillEmbed, buildT2STokenEmbed, decoderCacheLayout, T2S_TINY } from '../../src/graph/models/t2s';
import { RandomWeights } from '../../src/graph/weights';
import { SemanticSampler, UPSTREAM_LIMITS } from '../../src/engine/sampling';
import { T2SRunner } from '../../src/engine/t2s-decode';
import { session } from '../helpers/ort';

const cfg = T2S_TINY;
const greedy = { topK: 1, topP: 1, temperature: 1, repetitionPenalty: 1.35 };

/**
 * The decoder with the cache contract of packs built before per-layer cache inputs: packed
 * past_k/past_v [P, layers, dim] in, new_k/new_v [n, layers, dim] out (wrapped around today's graph).
 */
function packedDecoder(bytes: Uint8Array, layers: number, dim: number): Uint8Array {
  const { onnx } = onnxProto;
  const model = onnx.ModelProto.decode(bytes);
  const g = model.graph!;
  const layerInput = /^past_([kv])_(\d+)$/;
  const type = (shape: (number | string)[]) => ({ tensorType: { elemType: 1, shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } });
  g.input = [...g.input!.filter((i) => !layerInput.test(i.name!)), ...['past_k', 'past_v'].map((name) => onnx.ValueInfoProto.create({ name, type: type(['P', layers, dim]) }))];
  const extra: InstanceType<typeof onnx.NodeProto>[] = [];
  for (let l = 0; l < layers; l++) {
    g.initializer!.push(onnx.TensorProto.create({ name: `layer_${l}`, dims: [], dataType: 7, rawData: new Uint8Array(BigInt64Array.of(BigInt(l)).buffer) }));
    for (const kv of ['k', 'v']) extra.push(onnx.NodeProto.create({ opType: 'Gather', input: [`past_${kv}`, `layer_${l}`], output: [`past_${kv}_${l}`], attribute: [{ name: 'axis', type: 2, i: 1 }] }));
  }
  for (const name of ['new_k', 'new_v']) {
    for (const node of g.node!) node.output = node.output!.map((o) => (o === name ? `${name}_layers` : o));
    extra.push(onnx.NodeProto.create({ opType: 'Transpose', input: [`${name}_layers`], output: [name], attribute: [{ name: 'perm', type: 7, ints: [1, 0, 2] }] }));
  }
  g.node = [...extra, ...g.node!];
  return onnx.ModelProto.encode(model).finish();
}

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
    const empty: Record<string, ort.Tensor> = {};
    for (let l = 0; l < cfg.layers; l++) for (const kv of ['k', 'v']) empty[`past_${kv}_${l}`] = new ort.Tensor('float32', new Float32Array(0), [0, cfg.dim]);
    for (let step = 0; !sampler.done; step++) {
      const n = rows.length / cfg.dim;
      const out = await decoder.run({ x: new ort.Tensor('float32', rows, [n, cfg.dim]), ...empty, text_len: new ort.Tensor('int64', BigInt64Array.of(BigInt(X)), [1]) });
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

    // A second run on the same decoder reuses the (now larger, dirty) host cache: same tokens,
    // also for a shorter text whose rows overlap the old ones.
    const again: number[] = [];
    const second = new T2SRunner(ort, { embed, token, decoder }, { layers: cfg.layers, dim: cfg.dim, onDevice: false, reserveRows: 4 });
    for await (const t of second.generate({ phones, bert, bertDim: cfg.bertDim, prompt }, new SemanticSampler(Array.from(prompt, Number), greedy, Math.random, limits))) again.push(t);
    expect(again).toEqual(cached);
    // The first 4 phones, with their BERT columns ([bertDim, X] layout).
    const short = { phones: phones.subarray(0, 4), bert: Float32Array.from({ length: cfg.bertDim * 4 }, (_, i) => bert[Math.floor(i / 4) * X + (i % 4)]), bertDim: cfg.bertDim, prompt };
    const decodeShort = async () => {
      const out: number[] = [];
      const r = new T2SRunner(ort, { embed, token, decoder }, { layers: cfg.layers, dim: cfg.dim, onDevice: false, reserveRows: 4 });
      for await (const t of r.generate(short, new SemanticSampler(Array.from(prompt, Number), greedy, Math.random, limits))) out.push(t);
      return out;
    };
    const shortReused = await decodeShort();
    const fresh = await session(buildT2SDecoder(cfg, ws)); // a decoder with no pooled cache
    const shortFresh: number[] = [];
    const r = new T2SRunner(ort, { embed, token, decoder: fresh }, { layers: cfg.layers, dim: cfg.dim, onDevice: false, reserveRows: 4 });
    for await (const t of r.generate(short, new SemanticSampler(Array.from(prompt, Number), greedy, Math.random, limits))) shortFresh.push(t);
    expect(shortReused).toEqual(shortFresh);
  });

  it('runs decoders of older packs (packed [P, layers, dim] cache) to the same tokens', async () => {
    const ws = new RandomWeights(5);
    const built = buildT2SDecoder(cfg, ws);
    const [embed, token, perLayer, packed] = await Promise.all([
      session(buildT2SPrefillEmbed(cfg, ws)),
      session(buildT2STokenEmbed(cfg, ws)),
      session(built),
      session(packedDecoder(built.toBytes(), cfg.layers, cfg.dim)),
    ]);
    expect(decoderCacheLayout(perLayer.inputNames)).toBe('per-layer');
    expect(decoderCacheLayout(packed.inputNames)).toBe('packed');
    const X = 5;
    const inputs = {
      phones: BigInt64Array.from({ length: X }, (_, i) => BigInt((i * 53 + 11) % cfg.phonemeVocab)),
      bert: new Float32Array(cfg.bertDim * X),
      bertDim: cfg.bertDim,
      prompt: BigInt64Array.from({ length: 4 }, (_, i) => BigInt((i * 77 + 3) % 1024)),
    };
    const decode = async (decoder: ort.InferenceSession) => {
      const runner = new T2SRunner(ort, { embed, token, decoder }, { layers: cfg.layers, dim: cfg.dim, onDevice: false, reserveRows: 3 });
      const sampler = new SemanticSampler(Array.from(inputs.prompt, Number), greedy, Math.random, { ...UPSTREAM_LIMITS, maxSteps: 20 });
      const out: number[] = [];
      for await (const t of runner.generate(inputs, sampler)) out.push(t);
      return out;
    };
    const a = await decode(perLayer);
    expect(a.length).toBeGreaterThan(11);
    expect(await decode(packed)).toEqual(a);
  });
});

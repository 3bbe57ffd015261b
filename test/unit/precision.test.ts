// The int8 (WASM) and fp16 (WebGPU shader-f16) variants are transforms of the built fp32 graphs.
// Checked here: the graph contract (input/output names and float32 IO) is unchanged, the weights
// really changed type, the variants run in onnxruntime-web and stay close to fp32.
import * as ort from 'onnxruntime-web';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { convertToFp16, halfToFloat, toHalf } from '../../src/graph/fp16';
import { choosePrecision, graphForPlan } from '../../src/engine/precision';
import { buildSoVITSDecoder, sovitsFrameCount, SOVITS_TINY } from '../../src/graph/models/sovits';
import { buildT2SDecoder, T2S_TINY } from '../../src/graph/models/t2s';
import { quantizeInt8 } from '../../src/graph/quantize';
import { mulberry32, RandomWeights } from '../../src/graph/weights';
import { session } from '../helpers/ort';

const { onnx } = onnxProto;
const FLOAT = 1;
const FLOAT16 = 10;

function io(bytes: Uint8Array) {
  const g = onnx.ModelProto.decode(bytes).graph!;
  const sig = (vs: typeof g.input) => vs!.map((v) => `${v.name}:${v.type?.tensorType?.elemType}`);
  return { inputs: sig(g.input), outputs: sig(g.output), graph: g };
}

/** Named weights (not the builder's anonymous constants) by element type. */
function weightTypes(bytes: Uint8Array): Map<number, number> {
  const counts = new Map<number, number>();
  for (const t of io(bytes).graph.initializer!) {
    const n = (t.dims ?? []).reduce((a, b) => a * Number(b), 1);
    if (n < 64) continue;
    counts.set(t.dataType!, (counts.get(t.dataType!) ?? 0) + 1);
  }
  return counts;
}

const rand = (n: number, seed: number, scale = 1) => {
  const r = mulberry32(seed);
  return Float32Array.from({ length: n }, () => (r() * 2 - 1) * scale);
};

function t2sFeeds(P: number, n: number, X: number) {
  const { layers, dim } = T2S_TINY;
  const feeds: Record<string, ort.Tensor> = { x: new ort.Tensor('float32', rand(n * dim, 1), [n, dim]), text_len: new ort.Tensor('int64', BigInt64Array.of(BigInt(X)), [1]) };
  for (let l = 0; l < layers; l++) {
    feeds[`past_k_${l}`] = new ort.Tensor('float32', rand(P * dim, 10 + l), [P, dim]);
    feeds[`past_v_${l}`] = new ort.Tensor('float32', rand(P * dim, 20 + l), [P, dim]);
  }
  return feeds;
}

function sovitsFeeds(Ts: number, Tt: number) {
  const c = SOVITS_TINY;
  const r = mulberry32(9);
  const Tf = sovitsFrameCount(Ts);
  return {
    codes: new ort.Tensor('int64', BigInt64Array.from({ length: Ts }, () => BigInt(Math.floor(r() * 1024))), [1, 1, Ts]),
    phones: new ort.Tensor('int64', BigInt64Array.from({ length: Tt }, () => BigInt(1 + Math.floor(r() * 700))), [1, Tt]),
    ge: new ort.Tensor('float32', rand(c.gin, 3), [1, c.gin, 1]),
    noise: new ort.Tensor('float32', rand(c.inter * Tf, 4), [1, c.inter, Tf]),
    noise_scale: new ort.Tensor('float32', Float32Array.of(0.5), [1]),
    speed: new ort.Tensor('float32', Float32Array.of(1), [1]),
  };
}

async function outputs(bytes: Uint8Array, feeds: Record<string, ort.Tensor>) {
  const s = await session(bytes);
  try {
    const out = await s.run(feeds);
    return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, { dims: t.dims, type: t.type, data: t.data as Float32Array }]));
  } finally {
    await s.release();
  }
}

/** max |a - b| / max |a|. */
function relErr(a: Float32Array, b: Float32Array): number {
  let d = 0;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    m = Math.max(m, Math.abs(a[i]));
  }
  return d / m;
}

function snrDb(ref: Float32Array, x: Float32Array): number {
  let s = 0;
  let e = 0;
  for (let i = 0; i < ref.length; i++) {
    s += ref[i] ** 2;
    e += (ref[i] - x[i]) ** 2;
  }
  return 10 * Math.log10(s / e);
}

describe('fp16 numbers', () => {
  it('rounds float32 to the nearest half and saturates instead of overflowing', () => {
    for (const v of [0, 1, -2.5, 0.1, 3.14159, 65504, -0.000061035156, 5.96e-8, 1e-3]) {
      const back = halfToFloat(toHalf(v));
      expect(Math.abs(back - v)).toBeLessThanOrEqual(Math.max(Math.abs(v) * 2 ** -11, 2 ** -25));
    }
    expect(toHalf(1)).toBe(0x3c00);
    expect(toHalf(-2)).toBe(0xc000);
    expect(halfToFloat(toHalf(1e6))).toBe(65504);
    expect(halfToFloat(toHalf(-1e6))).toBe(-65504);
    expect(toHalf(1e-9)).toBe(0);
    // 2049 is not a half: ties go to even (2048).
    expect(halfToFloat(toHalf(2049))).toBe(2048);
  });
});

describe('fp16 graphs', () => {
  it('T2S decoder: same IO contract in float32, fp16 weights, masks and norms kept fp32, close to fp32', async () => {
    const fp32 = buildT2SDecoder(T2S_TINY, new RandomWeights(4)).toBytes();
    const { bytes, report } = convertToFp16(fp32);
    expect(io(bytes).inputs).toEqual(io(fp32).inputs);
    expect(io(bytes).outputs).toEqual(io(fp32).outputs);
    expect(io(bytes).outputs.every((o) => o.endsWith(`:${FLOAT}`))).toBe(true);
    const types = weightTypes(bytes);
    expect(types.get(FLOAT16)).toBeGreaterThan(0);
    expect(types.get(FLOAT) ?? 0).toBe(0);
    // LayerNorms (2 per layer), Softmax (1 per layer) and the mask arithmetic stay fp32.
    expect(report.fp32Nodes).toBeGreaterThan(3 * T2S_TINY.layers);
    expect(report.fp16Nodes).toBeGreaterThan(report.fp32Nodes);
    const ops = io(bytes).graph.node!.filter((n) => n.opType === 'LayerNormalization' || n.opType === 'Softmax');
    const halfValues = new Set(io(bytes).graph.node!.filter((n) => n.opType === 'Cast' && Number(n.attribute![0].i) === FLOAT16).flatMap((n) => n.output!));
    for (const n of ops) expect(halfValues.has(n.input![0])).toBe(false);

    for (const [P, n] of [
      [0, 7],
      [9, 1],
    ]) {
      const feeds = t2sFeeds(P, n, 4);
      const [a, b] = [await outputs(fp32, feeds), await outputs(bytes, feeds)];
      for (const name of ['logits', 'new_k', 'new_v']) {
        expect(b[name].type).toBe('float32');
        expect(b[name].dims).toEqual(a[name].dims);
        const e = relErr(a[name].data, b[name].data);
        console.info(`fp16 t2s P=${P} n=${n} ${name}: max rel diff ${e.toExponential(2)}`);
        expect(e).toBeLessThan(1e-2);
        expect(e).toBeGreaterThan(0); // it really computed in fp16
      }
    }
  });

  it('T2S decoder: the attention mask compares fp32 positions (fp16 is exact only to 2048)', () => {
    // onnxruntime's CPU backend runs fp16-less ops in fp32 by itself, so this is checked on the
    // graph: nothing upstream of a comparison passes through fp16. (With fp16 positions, 2051 and
    // 2052 both round to 2052 and audio row 2051 would see row 2052.)
    const g = io(convertToFp16(buildT2SDecoder(T2S_TINY, new RandomWeights(6)).toBytes()).bytes).graph;
    const producer = new Map(g.node!.flatMap((n) => n.output!.map((o) => [o, n] as const)));
    const halfInits = new Set(g.initializer!.filter((t) => t.dataType === FLOAT16).map((t) => t.name!));
    const comparisons = g.node!.filter((n) => ['Less', 'LessOrEqual'].includes(n.opType!));
    expect(comparisons.length).toBeGreaterThan(0);
    for (const cmp of comparisons) {
      const seen = new Set<string>();
      const stack = [...cmp.input!];
      while (stack.length) {
        const v = stack.pop()!;
        if (seen.has(v)) continue;
        seen.add(v);
        expect(halfInits.has(v), `${cmp.opType} reads fp16 ${v}`).toBe(false);
        const n = producer.get(v);
        if (!n || n.opType === 'Shape') continue; // sizes are int64 whatever x's precision
        expect(n.opType === 'Cast' && Number(n.attribute![0].i) === FLOAT16, `${cmp.opType} reads fp16 via ${n.name}`).toBe(false);
        stack.push(...n.input!);
      }
    }
  });

  it('SoVITS decoder: same IO contract, runs, audio close to fp32', async () => {
    const fp32 = buildSoVITSDecoder(SOVITS_TINY, new RandomWeights(8)).toBytes();
    const { bytes } = convertToFp16(fp32);
    expect(io(bytes).inputs).toEqual(io(fp32).inputs);
    expect(io(bytes).outputs).toEqual(io(fp32).outputs);
    expect(weightTypes(bytes).get(FLOAT16)).toBeGreaterThan(0);
    const feeds = sovitsFeeds(10, 12);
    const [a, b] = [await outputs(fp32, feeds), await outputs(bytes, feeds)];
    expect(b.audio.dims).toEqual(a.audio.dims);
    const snr = snrDb(a.audio.data, b.audio.data);
    console.info(`fp16 sovits: SNR vs fp32 ${snr.toFixed(1)} dB`);
    expect(snr).toBeGreaterThan(25);
    expect(snr).toBeLessThan(200);
  });
});

describe('int8 graphs', () => {
  it('T2S decoder: every weight matmul is DynamicQuantizeMatMul with int8 weights; same IO; close to fp32', async () => {
    const fp32 = buildT2SDecoder(T2S_TINY, new RandomWeights(4)).toBytes();
    const { bytes, report } = quantizeInt8(fp32, { minElements: 0 });
    // in_proj, out_proj, linear1, linear2 per layer, and the classifier.
    expect(report.matmuls).toBe(4 * T2S_TINY.layers + 1);
    const g = io(bytes).graph;
    expect(g.node!.filter((n) => n.opType === 'Gemm').length).toBe(0);
    expect(g.node!.filter((n) => n.opType === 'DynamicQuantizeMatMul' && n.domain === 'com.microsoft').length).toBe(report.matmuls);
    expect(io(bytes).inputs).toEqual(io(fp32).inputs);
    expect(io(bytes).outputs).toEqual(io(fp32).outputs);
    expect(report.int8Bytes).toBeLessThan(report.floatBytes / 3);
    const feeds = t2sFeeds(9, 1, 4);
    const [a, b] = [await outputs(fp32, feeds), await outputs(bytes, feeds)];
    const e = relErr(a.logits.data, b.logits.data);
    console.info(`int8 t2s logits: max rel diff ${e.toExponential(2)}`);
    expect(e).toBeGreaterThan(0);
    expect(e).toBeLessThan(0.1);
  });

  it('SoVITS decoder with int8 convs (ConvInteger): runs, audio close to fp32', async () => {
    const fp32 = buildSoVITSDecoder(SOVITS_TINY, new RandomWeights(8)).toBytes();
    const { bytes, report } = quantizeInt8(fp32, { convs: true, minElements: 0 });
    expect(report.convs).toBeGreaterThan(10);
    expect(io(bytes).graph.node!.some((n) => n.opType === 'Conv' && (n.input ?? []).some((i) => i.endsWith('.weight')))).toBe(false);
    const feeds = sovitsFeeds(10, 12);
    const [a, b] = [await outputs(fp32, feeds), await outputs(bytes, feeds)];
    const snr = snrDb(a.audio.data, b.audio.data);
    console.info(`int8 sovits (convs): SNR vs fp32 ${snr.toFixed(1)} dB`);
    expect(snr).toBeGreaterThan(10);
    expect(snr).toBeLessThan(200);
  });
});

describe('precision choice', () => {
  it('WebGPU without shader-f16 runs fp32 and says why; with it, fp16', () => {
    const plain = choosePrecision('webgpu', false);
    expect([plain.t2s, plain.sovits]).toEqual(['fp32', 'fp32']);
    expect(plain.reason).toMatch(/no shader-f16/);
    const f16 = choosePrecision('webgpu', true);
    expect([f16.t2s, f16.sovits]).toEqual(['fp16', 'fp16']);
    expect(choosePrecision('webgpu', false, 'fp16').t2s).toBe('fp32');
    expect(choosePrecision('webgpu', true, 'int8').t2s).toBe('fp32');
    expect(choosePrecision('webgpu', true, 'fp32').t2s).toBe('fp32');
  });

  it('WASM: fp32 by default, int8 T2S (SoVITS fp32) on request; fp16 is refused with a reason', () => {
    const auto = choosePrecision('wasm', false);
    expect([auto.t2s, auto.sovits]).toEqual(['fp32', 'fp32']);
    const int8 = choosePrecision('wasm', false, 'int8');
    expect([int8.t2s, int8.sovits]).toEqual(['int8', 'fp32']);
    const f16 = choosePrecision('wasm', true, 'fp16');
    expect([f16.t2s, f16.sovits]).toEqual(['fp32', 'fp32']);
    expect(f16.reason).toMatch(/WebGPU only/);
    expect(choosePrecision('wasm', false, 'fp32').t2s).toBe('fp32');
  });

  it('a plan transforms only the decoder it names', () => {
    const fp32 = buildT2SDecoder({ ...T2S_TINY, dim: 256, heads: 4, ffn: 512, layers: 1 }, new RandomWeights(2)).toBytes();
    const plan = choosePrecision('wasm', false, 'int8');
    expect(graphForPlan('t2s-decoder', fp32, plan).length).toBeLessThan(fp32.length / 2);
    expect(graphForPlan('hubert', fp32, plan)).toBe(fp32);
    const f16 = graphForPlan('t2s-decoder', fp32, choosePrecision('webgpu', true));
    expect(weightTypes(f16).get(FLOAT16)).toBeGreaterThan(0);
  });
});

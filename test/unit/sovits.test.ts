import type * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { Graph } from '../../src/graph/builder';
import {
  buildSoVITSDecoder,
  buildSoVITSRefEncoder,
  SOVITS_TINY,
  SOVITS_V1,
  SOVITS_V2,
  sovitsCodesToFeatures,
  sovitsFlowReverse,
  sovitsFrameCount,
  sovitsGenerator,
  sovitsHop,
  sovitsParameterNames,
  sovitsParameterShapesByPart,
  sovitsTextEncoder,
  sovitsWeightNormNames,
  type SoVITSConfig,
} from '../../src/graph/models/sovits';
import {
  absoluteToRelative,
  channelLayerNorm,
  couplingReverse,
  dimOf,
  flipChannels,
  linearResize,
  mrte,
  relativeToAbsolute,
  resBlock1,
  upsampleStage,
  vitsAttention,
  wn,
} from '../../src/graph/ops/vits';
import { mulberry32, RandomWeights, ZeroWeights, type Init, type WeightSource } from '../../src/graph/weights';
import { f32, i64, maxAbsDiff, run, session } from '../helpers/ort';
import { flip, interpolateLinear, mat, Ref, type Mat } from '../helpers/vits-ref';

const cfg = SOVITS_TINY;

function randn(n: number, seed: number, scale = 1): number[] {
  const r = mulberry32(seed);
  return Array.from({ length: n }, () => (r() * 2 - 1) * scale * Math.sqrt(3));
}

const randMat = (c: number, t: number, seed: number, scale = 1): Mat => mat(c, t, randn(c * t, seed, scale));
const tensorOf = (m: Mat) => f32(m.d, [1, m.c, m.t]);
const data = (t: ort.Tensor) => t.data as Float32Array;

/**
 * Random weights with one parameter scaled: with small random weights the generator's output
 * is tiny (~1e-3); scaling conv_post (linear, right before tanh) brings it to ~0.5, where the
 * tanh is nonlinear and an absolute tolerance means something.
 */
class ScaledWeights implements WeightSource {
  constructor(
    readonly inner: WeightSource,
    readonly name: string,
    readonly gain: number,
  ) {}
  get(name: string, dims: number[], init: Init): Float32Array {
    const w = this.inner.get(name, dims, init);
    return name === this.name ? w.map((v) => v * this.gain) : w;
  }
}

/** A one-input graph [1, C, T] -> [1, ?, ?] around one building block. */
function blockGraph(channels: number, build: (g: Graph, x: string) => string): Graph {
  const g = new Graph('block');
  const x = g.input('x', 'float32', [1, channels, 'T']);
  g.output(build(g, x), 'y', 'float32');
  return g;
}

describe('VITS building blocks vs a plain TypeScript reference', () => {
  it('relative <-> absolute position skews match their index definitions exactly', async () => {
    const H = 2;
    const w = 4;
    const W = 2 * w + 1;
    const g = new Graph('skew');
    const rel = g.input('rel', 'float32', [H, 'T', W]);
    const p = g.input('p', 'float32', [H, 'T', 'T']);
    const length = dimOf(g, p, 1);
    g.output(relativeToAbsolute(g, rel, length, w, H), 'abs', 'float32');
    g.output(absoluteToRelative(g, p, length, w, H), 'rel_out', 'float32');
    const s = await session(g);
    for (const T of [1, 2, 4, 5, 9, 13]) {
      const relData = randn(H * T * W, 10 + T);
      const pData = randn(H * T * T, 20 + T);
      const out = await s.run({ rel: f32(relData, [H, T, W]), p: f32(pData, [H, T, T]) });
      expect(out.abs.dims).toEqual([H, T, T]);
      expect(out.rel_out.dims).toEqual([H, T, W]);
      const wantAbs: number[] = [];
      const wantRel: number[] = [];
      for (let h = 0; h < H; h++) {
        for (let i = 0; i < T; i++) {
          for (let j = 0; j < T; j++) wantAbs.push(Math.abs(j - i) <= w ? relData[(h * T + i) * W + j - i + w] : 0);
          for (let r = 0; r < W; r++) {
            const j = i + r - w;
            wantRel.push(j >= 0 && j < T ? pData[(h * T + i) * T + j] : 0);
          }
        }
      }
      expect(maxAbsDiff(data(out.abs), Float32Array.from(wantAbs))).toBe(0);
      expect(maxAbsDiff(data(out.rel_out), Float32Array.from(wantRel))).toBe(0);
    }
    await s.release();
  });

  it('relative-position self-attention (window 4, relative keys and values) matches the reference', async () => {
    const ws = new RandomWeights(11);
    const C = 16;
    const heads = 2;
    const g = blockGraph(C, (g, x) => vitsAttention(g, ws, x, x, 'blk', { channels: C, heads, window: 4 }));
    const s = await session(g);
    const ref = new Ref(ws);
    let worst = 0;
    for (const T of [1, 3, 5, 12]) {
      const x = randMat(C, T, 100 + T);
      const out = await s.run({ x: tensorOf(x) });
      expect(out.y.dims).toEqual([1, C, T]);
      const want = ref.attention(x, x, 'blk', heads, 4);
      worst = Math.max(worst, maxAbsDiff(data(out.y), want.d));
    }
    await s.release();
    expect(worst).toBeLessThan(2e-5);
    console.log(`rel-pos attention max abs diff ${worst.toExponential(2)}`);
  });

  it('the relative terms matter: zeroing emb_rel_k/emb_rel_v changes the attention output', async () => {
    const ws = new RandomWeights(11);
    const C = 16;
    const T = 6;
    const x = randMat(C, T, 7);
    const full = await run(blockGraph(C, (g, x) => vitsAttention(g, ws, x, x, 'blk', { channels: C, heads: 2, window: 4 })), { x: tensorOf(x) });
    const plain = new Ref(ws).attention(x, x, 'blk', 2); // same weights, no relative terms
    expect(maxAbsDiff(data(full.y), plain.d)).toBeGreaterThan(1e-3);
  });

  it('channel LayerNorm normalises each frame over channels with gamma/beta', async () => {
    const ws = new RandomWeights(12);
    const C = 16;
    const x = randMat(C, 7, 3, 2);
    const out = await run(blockGraph(C, (g, x) => channelLayerNorm(g, ws, x, 'ln', C)), { x: tensorOf(x) });
    const diff = maxAbsDiff(data(out.y), new Ref(ws).layerNorm(x, 'ln').d);
    expect(diff).toBeLessThan(1e-5);
  });

  it('WN with a global condition, a reverse coupling layer with Flip, and ResBlock1 match the reference', async () => {
    const ws = new RandomWeights(13);
    const H = 16;
    const gin = 8;
    const wnOpts = { hidden: H, kernel: 5, dilationRate: 2, layers: 3, gin };
    const g = new Graph('wn');
    const x = g.input('x', 'float32', [1, H, 'T']);
    const cond = g.input('cond', 'float32', [1, gin, 1]);
    g.output(wn(g, ws, x, cond, 'wn', wnOpts), 'wn_out', 'float32');
    const flowCfg: SoVITSConfig = { ...cfg, hidden: H, flowKernel: 5, flowDilationRate: 2, flowWNLayers: 3 };
    g.output(couplingReverse(g, ws, flipChannels(g, x, H), cond, 'cpl', H, wnOpts), 'cpl_out', 'float32');
    g.output(resBlock1(g, ws, x, 'rb', H, 7, [1, 3, 5]), 'rb_out', 'float32');
    const s = await session(g);
    const ref = new Ref(ws);
    const diffs = { wn: 0, coupling: 0, resblock: 0 };
    for (const T of [1, 6, 20]) {
      const xm = randMat(H, T, 30 + T);
      const cm = randn(gin, 40 + T);
      const out = await s.run({ x: tensorOf(xm), cond: f32(cm, [1, gin, 1]) });
      const ge = Float64Array.from(cm);
      diffs.wn = Math.max(diffs.wn, maxAbsDiff(data(out.wn_out), ref.wn(xm, ge, 'wn', 5, 2, 3).d));
      diffs.coupling = Math.max(diffs.coupling, maxAbsDiff(data(out.cpl_out), ref.couplingReverse(flip(xm), ge, 'cpl', flowCfg).d));
      diffs.resblock = Math.max(diffs.resblock, maxAbsDiff(data(out.rb_out), ref.resBlock1(xm, 'rb', 7, [1, 3, 5]).d));
      expect(out.rb_out.dims).toEqual([1, H, T]);
    }
    await s.release();
    console.log(`WN ${diffs.wn.toExponential(2)}, coupling ${diffs.coupling.toExponential(2)}, ResBlock1 ${diffs.resblock.toExponential(2)}`);
    expect(diffs.wn).toBeLessThan(1e-5);
    expect(diffs.coupling).toBeLessThan(1e-5);
    expect(diffs.resblock).toBeLessThan(1e-5);
  });

  it('a generator stage (lrelu -> ConvTranspose1d -> mean of ResBlock1s) matches the reference', async () => {
    const ws = new RandomWeights(14);
    const stageCfg: SoVITSConfig = { ...cfg, upsampleRates: [10, 8], upsampleKernels: [16, 16] };
    const ref = new Ref(ws);
    let worst = 0;
    for (const stage of [0, 1]) {
      const C = 16 >> stage;
      const g = blockGraph(C, (g, x) =>
        upsampleStage(g, ws, x, 'dec', stage, {
          inChannels: C,
          outChannels: C / 2,
          rate: stageCfg.upsampleRates[stage],
          kernel: stageCfg.upsampleKernels[stage],
          resblockKernels: stageCfg.resblockKernels,
          resblockDilations: stageCfg.resblockDilations,
          firstResblock: stage * 3,
        }),
      );
      for (const T of [1, 4]) {
        const x = randMat(C, T, 50 + T + stage);
        const out = await run(g, { x: tensorOf(x) });
        expect(out.y.dims).toEqual([1, C / 2, T * stageCfg.upsampleRates[stage]]);
        worst = Math.max(worst, maxAbsDiff(data(out.y), ref.upsampleStage(x, stage, stageCfg).d));
      }
    }
    console.log(`upsample stage max abs diff ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(1e-5);
  });

  it('MRTE (cross-attention of SSL frames over text, + ssl + ge) matches the reference', async () => {
    const ws = new RandomWeights(15);
    const C = 16;
    const hidden = 32;
    const g = new Graph('mrte');
    const ssl = g.input('ssl', 'float32', [1, C, 'Ty']);
    const text = g.input('text', 'float32', [1, C, 'Tt']);
    const ge = g.input('ge', 'float32', [1, hidden, 1]);
    g.output(mrte(g, ws, ssl, text, ge, 'm', { channels: C, hidden, heads: 4 }), 'y', 'float32');
    const s = await session(g);
    const ref = new Ref(ws);
    let worst = 0;
    for (const [Ty, Tt] of [
      [1, 1],
      [8, 3],
      [5, 11],
    ]) {
      const sm = randMat(C, Ty, 60 + Ty);
      const tm = randMat(C, Tt, 70 + Tt);
      const gm = randn(hidden, 80);
      const out = await s.run({ ssl: tensorOf(sm), text: tensorOf(tm), ge: f32(gm, [1, hidden, 1]) });
      expect(out.y.dims).toEqual([1, C, Ty]);
      worst = Math.max(worst, maxAbsDiff(data(out.y), ref.mrte(sm, tm, Float64Array.from(gm), 'm', hidden, 4).d));
    }
    await s.release();
    console.log(`MRTE max abs diff ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(1e-5);
  });

  it('linear resize equals torch F.interpolate(mode="linear", align_corners=False), identity at equal length', async () => {
    const C = 3;
    const g = new Graph('resize');
    const x = g.input('x', 'float32', [1, C, 'T']);
    const like = g.input('like', 'float32', [1, 1, 'N']);
    g.output(linearResize(g, x, C, dimOf(g, like, 2)), 'y', 'float32');
    const s = await session(g);
    for (const [T, N] of [
      [6, 6],
      [6, 5],
      [6, 9],
      [10, 23],
      [7, 1],
      [1, 4],
    ]) {
      const xm = randMat(C, T, 90 + T + N);
      const out = await s.run({ x: tensorOf(xm), like: f32(new Float32Array(N), [1, 1, N]) });
      expect(out.y.dims).toEqual([1, C, N]);
      const want = T === N ? xm : interpolateLinear(xm, N);
      expect(maxAbsDiff(data(out.y), want.d)).toBeLessThan(T === N ? 1e-7 : 2e-6);
    }
    await s.release();
  });
});

describe('SoVITS graphs (tiny config) vs the TypeScript reference', () => {
  const spec = (F: number, seed: number) => mat(cfg.specBins, F, randn(cfg.specBins * F, seed).map((v) => Math.abs(v) * 2));

  it('reference encoder: refer [1, 1025, F] -> ge [1, gin, 1], v2 reads 704 bins, v1 all 1025', async () => {
    for (const [c, name] of [
      [cfg, 'v2'],
      [{ ...cfg, refBins: 1025 }, 'v1'],
    ] as const) {
      const ws = new RandomWeights(21);
      const g = buildSoVITSRefEncoder(c, ws);
      expect(g.initializers.get('ref_enc.spectral.0.fc.weight')?.dims).toEqual([c.styleHidden, c.refBins]);
      const s = await session(g);
      const ref = new Ref(ws);
      let worst = 0;
      for (const F of [1, 5, 17]) {
        const sm = spec(F, 200 + F);
        const out = await s.run({ refer: tensorOf(sm) });
        expect(out.ge.dims).toEqual([1, c.gin, 1]);
        worst = Math.max(worst, maxAbsDiff(data(out.ge), ref.refEncoder(sm, c)));
      }
      // Bins past refBins must not matter (v2) / must matter (v1).
      const a = spec(4, 300);
      const b = mat(a.c, a.t, a.d);
      for (let i = 800 * a.t; i < b.d.length; i++) b.d[i] += 1;
      const [oa, ob] = [await s.run({ refer: tensorOf(a) }), await s.run({ refer: tensorOf(b) })];
      const moved = maxAbsDiff(data(oa.ge), data(ob.ge));
      if (name === 'v2') expect(moved).toBe(0);
      else expect(moved).toBeGreaterThan(1e-4);
      await s.release();
      console.log(`ref encoder ${name} max abs diff ${worst.toExponential(2)}`);
      expect(worst).toBeLessThan(1e-5);
    }
  });

  it('decoder end to end (quantizer, enc_p, flow reverse, generator) matches the reference at several speeds', async () => {
    const ws = new ScaledWeights(new RandomWeights(22), 'dec.conv_post.weight', 300);
    const s = await session(buildSoVITSDecoder(cfg, ws));
    const ref = new Ref(ws);
    const codes = [3, 1023, 0];
    const phones = [1, 731, 45, 45, 0];
    const ge = randn(cfg.gin, 400, 0.5);
    let worst = 0;
    const peaks: number[] = [];
    for (const speed of [1, 1.3, 0.7]) {
      const Tf = sovitsFrameCount(codes.length, speed);
      const noise = randMat(cfg.inter, Tf, 500 + Tf);
      const out = await s.run({
        codes: i64(codes, [1, 1, codes.length]),
        phones: i64(phones, [1, phones.length]),
        ge: f32(ge, [1, cfg.gin, 1]),
        noise: tensorOf(noise),
        noise_scale: f32([0.5], [1]),
        speed: f32([speed], [1]),
      });
      expect(out.audio.dims).toEqual([1, 1, sovitsHop(cfg) * Tf]);
      const want = ref.decode(codes, phones, Float64Array.from(ge), noise, 0.5, cfg).audio;
      const diff = maxAbsDiff(data(out.audio), want.d);
      worst = Math.max(worst, diff);
      const peak = want.d.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      expect(peak).toBeGreaterThan(0.2);
      expect(peak).toBeLessThan(0.99);
      peaks.push(peak);
    }
    await s.release();
    console.log(`decoder max abs diff ${worst.toExponential(2)} (reference peaks ${peaks.map((p) => p.toFixed(5))})`);
    expect(worst).toBeLessThan(1e-5);
  });

  it('decoder stages: enc_p (m_p, logs_p), flow reverse and generator each match the reference', async () => {
    const ws = new ScaledWeights(new RandomWeights(26), 'dec.conv_post.weight', 300);
    const g = new Graph('stages');
    const codes = g.input('codes', 'int64', [1, 1, 'Ts']);
    const phones = g.input('phones', 'int64', [1, 'Tt']);
    const ge = g.input('ge', 'float32', [1, cfg.gin, 1]);
    const frames = g.input('frames_like', 'float32', [1, 1, 'Tf']);
    const zp = g.input('zp', 'float32', [1, cfg.inter, 'Tz']);
    const z = g.input('z', 'float32', [1, cfg.inter, 'Tg']);
    const enc = sovitsTextEncoder(g, ws, cfg, sovitsCodesToFeatures(g, ws, cfg, codes), phones, ge, dimOf(g, frames, 2));
    g.output(enc.mean, 'm_p', 'float32');
    g.output(enc.logScale, 'logs_p', 'float32');
    g.output(sovitsFlowReverse(g, ws, cfg, zp, ge), 'z_out', 'float32');
    g.output(sovitsGenerator(g, ws, cfg, z, ge), 'audio', 'float32');
    const s = await session(g);
    const ref = new Ref(ws);
    const diffs = { m: 0, logs: 0, flow: 0, gen: 0 };
    for (const [codeList, phoneList, Tf] of [
      [[7], [2], 2],
      [[3, 1023, 0, 511], [1, 731, 45, 45, 0, 9, 300], 8],
      [[3, 1023, 0, 511], [5, 6, 7], 6], // 8 encoder frames resized to 6 (faster speech)
      [[9, 8, 7], [100, 200], 11], // 6 resized to 11 (slower)
    ] as [number[], number[], number][]) {
      const geData = randn(cfg.gin, 700 + Tf, 0.5);
      const noise = randMat(cfg.inter, Tf, 800 + Tf);
      const want = ref.decode(codeList, phoneList, Float64Array.from(geData), noise, 0.7, cfg);
      const out = await s.run({
        codes: i64(codeList, [1, 1, codeList.length]),
        phones: i64(phoneList, [1, phoneList.length]),
        ge: f32(geData, [1, cfg.gin, 1]),
        frames_like: f32(new Float32Array(Tf), [1, 1, Tf]),
        zp: tensorOf(want.zp),
        z: tensorOf(want.z),
      });
      expect(out.m_p.dims).toEqual([1, cfg.inter, Tf]);
      expect(out.audio.dims).toEqual([1, 1, 640 * Tf]);
      diffs.m = Math.max(diffs.m, maxAbsDiff(data(out.m_p), want.m.d));
      diffs.logs = Math.max(diffs.logs, maxAbsDiff(data(out.logs_p), want.logs.d));
      diffs.flow = Math.max(diffs.flow, maxAbsDiff(data(out.z_out), want.z.d));
      diffs.gen = Math.max(diffs.gen, maxAbsDiff(data(out.audio), want.audio.d));
      // The flow must move z away from z_p (otherwise a missing flow would pass).
      expect(maxAbsDiff(want.z.d, want.zp.d)).toBeGreaterThan(0.1);
    }
    await s.release();
    console.log(`stages max abs diff: m_p ${diffs.m.toExponential(2)}, logs_p ${diffs.logs.toExponential(2)}, flow ${diffs.flow.toExponential(2)}, generator ${diffs.gen.toExponential(2)}`);
    expect(diffs.m).toBeLessThan(1e-5);
    expect(diffs.logs).toBeLessThan(1e-5);
    expect(diffs.flow).toBeLessThan(2e-5);
    expect(diffs.gen).toBeLessThan(1e-5);
  });

  it('noise_scale 0 makes the output independent of the noise; 0.5 does not', async () => {
    const s = await session(buildSoVITSDecoder(cfg, new RandomWeights(23)));
    const Ts = 4;
    const Tf = sovitsFrameCount(Ts);
    const feeds = (noiseSeed: number, scale: number) => ({
      codes: i64([5, 6, 7, 8], [1, 1, Ts]),
      phones: i64([10, 20, 30], [1, 3]),
      ge: f32(randn(cfg.gin, 1), [1, cfg.gin, 1]),
      noise: tensorOf(randMat(cfg.inter, Tf, noiseSeed)),
      noise_scale: f32([scale], [1]),
      speed: f32([1], [1]),
    });
    const [a, b] = [await s.run(feeds(1, 0)), await s.run(feeds(2, 0))];
    expect(maxAbsDiff(data(a.audio), data(b.audio))).toBe(0);
    const [c, d] = [await s.run(feeds(1, 0.5)), await s.run(feeds(2, 0.5))];
    expect(maxAbsDiff(data(c.audio), data(d.audio))).toBeGreaterThan(1e-4);
    await s.release();
  });

  it('frame count follows upstream int(2·Ts / speed) + 1 (speed != 1) and sets the output length', async () => {
    // Values from Python: int(110 / 1.1) + 1 == 100 and int(18 / 0.6) + 1 == 31; in float32
    // arithmetic both come out one frame off (101 and 30), hence the count from `noise`.
    expect(sovitsFrameCount(55, 1.1)).toBe(100);
    expect(sovitsFrameCount(9, 0.6)).toBe(31);
    expect(sovitsFrameCount(10, 1)).toBe(20);
    expect(sovitsFrameCount(10, 1.25)).toBe(17);
    expect(sovitsFrameCount(10, 0.8)).toBe(26);
    expect(sovitsFrameCount(10, 2)).toBe(11);
    const s = await session(buildSoVITSDecoder(cfg, new RandomWeights(24)));
    for (const [Ts, speed] of [
      [5, 1],
      [5, 1.5],
      [5, 0.75],
    ]) {
      const Tf = sovitsFrameCount(Ts, speed);
      const out = await s.run({
        codes: i64(Array.from({ length: Ts }, (_, i) => i * 100), [1, 1, Ts]),
        phones: i64([3, 4], [1, 2]),
        ge: f32(randn(cfg.gin, 2), [1, cfg.gin, 1]),
        noise: tensorOf(randMat(cfg.inter, Tf, 3)),
        noise_scale: f32([0.5], [1]),
        speed: f32([speed], [1]),
      });
      expect(out.audio.dims).toEqual([1, 1, 640 * Tf]);
    }
    await s.release();
  });

  it('output shapes for several code and phone counts', async () => {
    const s = await session(buildSoVITSDecoder(cfg, new RandomWeights(25)));
    for (const [Ts, Tt] of [
      [1, 1],
      [2, 7],
      [9, 3],
      [6, 12],
    ]) {
      const Tf = 2 * Ts;
      const out = await s.run({
        codes: i64(randn(Ts, Ts).map((v) => Math.floor(Math.abs(v) * 500) % 1024), [1, 1, Ts]),
        phones: i64(randn(Tt, Tt).map((v) => Math.floor(Math.abs(v) * 400) % 732), [1, Tt]),
        ge: f32(randn(cfg.gin, 5), [1, cfg.gin, 1]),
        noise: tensorOf(randMat(cfg.inter, Tf, 6)),
        noise_scale: f32([0.5], [1]),
        speed: f32([1], [1]),
      });
      expect(out.audio.dims).toEqual([1, 1, 1280 * Ts]);
      expect(data(out.audio).every((v) => Number.isFinite(v) && Math.abs(v) <= 1)).toBe(true);
    }
    await s.release();
  });
});

/** Named initializers of graphs (anonymous constants excluded) with their dims. */
function namedInitializers(...graphs: Graph[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const g of graphs) for (const [name, init] of g.initializers) if (!name.startsWith('const_')) out.set(name, init.dims);
  return out;
}

const numel = (dims: number[]) => dims.reduce((a, b) => a * b, 1);

describe('SoVITS parameter inventory', () => {
  it('the graphs use exactly the listed upstream names and shapes; weight-normed names are among them', () => {
    for (const c of [cfg, { ...cfg, refBins: 1025, textVocab: 322 }]) {
      const ws = new RandomWeights(1);
      const inGraphs = namedInitializers(buildSoVITSRefEncoder(c, ws), buildSoVITSDecoder(c, ws));
      const listed = new Map(Object.values(sovitsParameterShapesByPart(c)).flat());
      expect([...inGraphs.keys()].sort()).toEqual([...listed.keys()].sort());
      for (const [name, dims] of listed) expect(inGraphs.get(name), name).toEqual(dims);
      expect(sovitsParameterNames(c).length).toBe(listed.size);
      const normed = sovitsWeightNormNames(c);
      expect(normed.every((n) => listed.has(n))).toBe(true);
      // 2 ups-like groups per flow: cond_layer + in_layers + res_skip_layers; dec: ups + 18 per stage.
      expect(normed.length).toBe(c.flows * (1 + 2 * c.flowWNLayers) + c.upsampleRates.length * (1 + 6 * c.resblockKernels.length));
    }
  });

  it('real-size (s2.json) parameter counts equal upstream, counting weight_g for weight-normed layers', () => {
    const ws = new ZeroWeights();
    const refGraph = buildSoVITSRefEncoder(SOVITS_V2, ws);
    const decGraph = buildSoVITSDecoder(SOVITS_V2, ws);
    const parts = sovitsParameterShapesByPart(SOVITS_V2);
    const inGraphs = namedInitializers(refGraph, decGraph);
    const normed = new Set(sovitsWeightNormNames(SOVITS_V2));
    const count = (part: keyof typeof parts) => {
      let folded = 0;
      let gains = 0;
      for (const [name, dims] of parts[part]) {
        expect(inGraphs.get(name), name).toEqual(dims);
        folded += numel(dims);
        if (normed.has(name)) gains += dims[0]; // weight_g [dims[0], 1, 1]
      }
      return { folded, upstream: folded + gains };
    };
    const counts = {
      ref_enc: count('ref_enc'),
      quantizer: count('quantizer'),
      enc_p: count('enc_p'),
      flow: count('flow'),
      dec: count('dec'),
    };
    console.log(JSON.stringify(counts));
    expect(counts.dec.upstream).toBe(14_662_144);
    expect(counts.flow.upstream).toBe(10_260_096);
    expect(counts.enc_p.upstream).toBe(14_146_048);
    expect(counts.ref_enc.upstream).toBe(567_040);
    expect(counts.quantizer.upstream).toBe(786_432);
    expect(refGraph.parameterCount()).toBe(counts.ref_enc.folded);
    expect(decGraph.parameterCount()).toBe(counts.quantizer.folded + counts.enc_p.folded + counts.flow.folded + counts.dec.folded);
  });

  it('v1 differs only in the reference encoder input (1025 bins) and the 322-row phone table', () => {
    const parts = sovitsParameterShapesByPart(SOVITS_V1);
    const shape = (name: string) => Object.values(parts).flat().find(([n]) => n === name)?.[1];
    expect(shape('ref_enc.spectral.0.fc.weight')).toEqual([128, 1025]);
    expect(shape('enc_p.text_embedding.weight')).toEqual([322, 192]);
    expect(sovitsHop(SOVITS_V2)).toBe(640);
    expect(sovitsHop(SOVITS_TINY)).toBe(640);
  });
});

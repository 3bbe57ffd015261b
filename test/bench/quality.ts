// fp32 vs int8 on the same inputs, in one process: the T2S decoder (prefill, then decode steps
// teacher-forced with the fp32 model's greedy tokens, each variant keeping its own KV cache) and
// the SoVITS decoder (one 18-token streaming chunk). Prints logit differences, waveform SNR and
// per-call times.
//   tsx test/bench/quality.ts <tiny|full> <threads>
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { mulberry32 } from '../../src/graph/weights';
import { quantizeInt8 } from '../../src/graph/quantize';
import type { SoVITSConfig } from '../../src/graph/models/sovits';
import type { T2SConfig } from '../../src/graph/models/t2s';
import { textToPhones } from '../../src/text/frontend';
import { MODEL_FAMILIES } from '../../src/pack/versions';
import { REFERENCE_TEXT } from '../helpers/reference-speech';
import { SOVITS_CHUNK_TOKENS, sovitsChunkFeeds } from './sovits-chunk';
import { BENCH_TEXT, emit, ensurePack, median, readManifest, type PackKind } from './common';
import { argmax, LogitDiffs, type LogitDiff } from './diff-stats';

export type { LogitDiff };

export interface QualityResult {
  t2s: {
    rows: number;
    steps: number;
    fp32: { prefillMs: number; stepMs: number; weightOnlyStepMs: number };
    int8: { prefillMs: number; stepMs: number; weightOnlyStepMs: number };
    prefill: LogitDiff;
    decode: LogitDiff;
    /** The engine's default on WASM: the prefill in int8, the decode steps in fp32 (reading the int8 prefill's K/V rows). */
    mixed: LogitDiff;
    quantizeMs: number;
    fp32Bytes: number;
    int8Bytes: number;
  };
  sovits: {
    tokens: number;
    audioSec: number;
    fp32Ms: number;
    int8Ms: number;
    snrDb: number;
    convs: number;
    fp32Bytes: number;
    int8Bytes: number;
  };
}

const [kind, threadsArg] = process.argv.slice(2) as [PackKind, string];
ort.env.wasm.numThreads = Number(threadsArg ?? 2);
const dir = ensurePack(kind);
const manifest = readManifest(dir);
const dims = manifest.dims as { t2s: T2SConfig; sovits: SoVITSConfig };
const file = (role: string) => new Uint8Array(readFileSync(join(dir, manifest.files.find((f) => f.role === role)!.name)));
const create = (bytes: Uint8Array) => ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });

// ---- T2S -----------------------------------------------------------------------------------
const { layers, dim, bertDim } = dims.t2s;
const phones = (await textToPhones(`${REFERENCE_TEXT} ${BENCH_TEXT}`, 'en', MODEL_FAMILIES[manifest.version].symbols)).segments.flatMap((s) => s.ids);
const X = phones.length;
const rand = mulberry32(5);
const Y = 178; // 7.1 s of reference at 25 Hz, as the cloned voice has
const prompt = BigInt64Array.from({ length: Y }, () => BigInt(Math.floor(rand() * 1024)));
const STEPS = kind === 'full' ? 48 : 24;

const decBytes = file('t2s-decoder');
const tq = performance.now();
const q8 = quantizeInt8(decBytes);
const quantizeMs = performance.now() - tq;
const embed = await create(file('t2s-embed'));
const token = await create(file('t2s-token'));
const dec32 = await create(decBytes);
const dec8 = await create(q8.bytes);
const x0 = (await embed.run({
  phones: new ort.Tensor('int64', BigInt64Array.from(phones, BigInt), [X]),
  bert: new ort.Tensor('float32', new Float32Array(bertDim * X), [bertDim, X]),
  prompt: new ort.Tensor('int64', prompt, [Y]),
})).x;

/**
 * A decoder with its own host cache (per-layer inputs, as the engine feeds them): preallocated and
 * fed as views of the rows so far, like the engine's HostKV, so a step's time is what the engine sees
 * (growing fresh arrays each step left ~36 MB of garbage per step and slowed the steps measured).
 */
class Stepper {
  private k: Float32Array[];
  private v: Float32Array[];
  rows = 0;
  times: number[] = [];
  /** `capacity`: rows it will hold (default: the prefill and every decode step). */
  constructor(
    public s: ort.InferenceSession,
    private readonly capacity = X + Y + STEPS,
  ) {
    this.k = Array.from({ length: layers }, () => new Float32Array(capacity * dim));
    this.v = Array.from({ length: layers }, () => new Float32Array(capacity * dim));
  }
  async run(x: ort.Tensor): Promise<Float32Array> {
    const feeds: Record<string, ort.Tensor> = { x, text_len: new ort.Tensor('int64', BigInt64Array.of(BigInt(X)), [1]) };
    const used = this.rows * dim;
    for (let l = 0; l < layers; l++) {
      feeds[`past_k_${l}`] = new ort.Tensor('float32', this.k[l].subarray(0, used), [this.rows, dim]);
      feeds[`past_v_${l}`] = new ort.Tensor('float32', this.v[l].subarray(0, used), [this.rows, dim]);
    }
    const t0 = performance.now();
    const out = await this.s.run(feeds);
    this.times.push(performance.now() - t0);
    const n = x.dims[0];
    if (this.rows + n > this.capacity) throw new Error('Stepper: more rows than allocated');
    const nk = out.new_k.data as Float32Array;
    const nv = out.new_v.data as Float32Array;
    for (let l = 0; l < layers; l++) {
      this.k[l].set(nk.subarray(l * n * dim, (l + 1) * n * dim), used);
      this.v[l].set(nv.subarray(l * n * dim, (l + 1) * n * dim), used);
    }
    this.rows += n;
    return out.logits.data as Float32Array;
  }
}

// Prefill timing: best of two extra runs on fresh caches (the first run of a session is slower).
const prefillMs = async (s: ort.InferenceSession) => {
  const ts: number[] = [];
  for (let i = 0; i < 2; i++) {
    const st = new Stepper(s);
    await st.run(x0);
    ts.push(st.times[0]);
  }
  return Math.min(...ts);
};
const prefill32 = await prefillMs(dec32);
const prefill8 = await prefillMs(dec8);
// One row over a (nearly) empty cache: the step is (almost) only the weight reads, so bytes / time is
// the bandwidth the WASM matmul kernels reach. Alternating the two variants, best of 12.
const rowStep = async (s: ort.InferenceSession) => {
  const st = new Stepper(s, 16);
  const one = new ort.Tensor('float32', (x0.data as Float32Array).slice(0, dim), [1, dim]);
  await st.run(one); // the first run of a shape is slower
  return async () => {
    await st.run(one); // the cache grows by a row per call: at most 13, negligible next to the weights
    return st.times[st.times.length - 1];
  };
};
const w32 = await rowStep(dec32);
const w8 = await rowStep(dec8);
const weightOnly = { fp32: Infinity, int8: Infinity };
for (let i = 0; i < 12; i++) {
  weightOnly.fp32 = Math.min(weightOnly.fp32, await w32());
  weightOnly.int8 = Math.min(weightOnly.int8, await w8());
}
const a = new Stepper(dec32);
const b = new Stepper(dec8);
const c = new Stepper(dec8); // int8 prefill, then fp32 steps
const pre = new LogitDiffs();
let la = await a.run(x0);
let lb = await b.run(x0);
await c.run(x0);
c.s = dec32;
pre.add(la, lb);
const steps = new LogitDiffs();
const mixed = new LogitDiffs();
const eos = dims.t2s.vocab - 1;
for (let i = 0; i < STEPS; i++) {
  const t = argmax(la, eos); // greedy, EOS excluded: the same token goes to both
  const x = (await token.run({ token: new ort.Tensor('int64', BigInt64Array.of(BigInt(t)), [1]), position: new ort.Tensor('int64', BigInt64Array.of(BigInt(Y + i)), [1]) })).x;
  la = await a.run(x);
  lb = await b.run(x);
  steps.add(la, lb);
  mixed.add(la, await c.run(x));
}
for (const s of [embed, token, dec32, dec8]) await s.release();
const mx = mixed.result();
process.stdout.write(`t2s: int8 prefill + fp32 steps vs fp32: logits max |Δ| ${mx.maxAbs.toFixed(4)}, mean |Δ| ${mx.meanAbs.toExponential(2)}, KL ${mx.klMean.toExponential(2)}, same arg-max ${(mx.top1Agree * 100).toFixed(0)}%\n`);
process.stdout.write(`t2s: prefill ${X + Y} rows fp32 ${prefill32.toFixed(0)} ms, int8 ${prefill8.toFixed(0)} ms; step fp32 ${median(a.times.slice(1)).toFixed(1)} ms, int8 ${median(b.times.slice(1)).toFixed(1)} ms\n`);

// ---- SoVITS --------------------------------------------------------------------------------
const sov = file('sovits-decoder');
const sq = quantizeInt8(sov, { convs: true });
const feeds = await sovitsChunkFeeds(ort, dims.sovits, MODEL_FAMILIES[manifest.version].symbols);
async function timeSovits(bytes: Uint8Array) {
  const s = await create(bytes);
  const ts: number[] = [];
  let audio = new Float32Array(0);
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const out = await s.run(feeds);
    ts.push(performance.now() - t0);
    audio = Float32Array.from(out.audio.data as Float32Array);
  }
  await s.release();
  return { ms: median(ts.slice(1)), audio };
}
const s32 = await timeSovits(sov);
const s8 = await timeSovits(sq.bytes);
// SNR against the fp32 waveform's variance: random weights leave a DC offset that would flatter it.
const mean = s32.audio.reduce((acc, v) => acc + v, 0) / s32.audio.length;
let sig = 0;
let err = 0;
for (let i = 0; i < s32.audio.length; i++) {
  sig += (s32.audio[i] - mean) ** 2;
  err += (s32.audio[i] - s8.audio[i]) ** 2;
}
process.stdout.write(`sovits: ${SOVITS_CHUNK_TOKENS} tokens fp32 ${s32.ms.toFixed(0)} ms, int8 convs ${s8.ms.toFixed(0)} ms\n`);

const result: QualityResult = {
  t2s: {
    rows: X + Y,
    steps: STEPS,
    fp32: { prefillMs: prefill32, stepMs: median(a.times.slice(1)), weightOnlyStepMs: weightOnly.fp32 },
    int8: { prefillMs: prefill8, stepMs: median(b.times.slice(1)), weightOnlyStepMs: weightOnly.int8 },
    prefill: pre.result(),
    decode: steps.result(),
    mixed: mixed.result(),
    quantizeMs,
    fp32Bytes: decBytes.byteLength,
    int8Bytes: q8.bytes.byteLength,
  },
  sovits: { tokens: SOVITS_CHUNK_TOKENS, audioSec: s32.audio.length / 32000, fp32Ms: s32.ms, int8Ms: s8.ms, snrDb: 10 * Math.log10(sig / err), convs: sq.report.convs, fp32Bytes: sov.byteLength, int8Bytes: sq.bytes.byteLength },
};
emit(result);
process.exit(0);

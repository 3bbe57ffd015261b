// fp16 against fp32 on the GPU, on the same inputs, with sessions made directly (not through the
// engine, whose sampling would let the two precisions pick different tokens): the T2S decoder's
// prefill and `steps` decode steps teacher-forced with the fp32 model's greedy tokens (each variant
// keeps its own host cache), and the SoVITS decoder on one 18-token chunk. fp32 on WebGPU is also
// compared with fp32 on WASM, the arithmetic the other bench rows use.
import type * as Ort from 'onnxruntime-web';
import { convertToFp16 } from '../../src/graph/fp16';
import { mulberry32 } from '../../src/graph/weights';
import type { SoVITSConfig } from '../../src/graph/models/sovits';
import type { T2SConfig } from '../../src/graph/models/t2s';
import type { PackManifest } from '../../src/pack/manifest';
import { MODEL_FAMILIES } from '../../src/pack/versions';
import { textToPhones } from '../../src/text/frontend';
import { sovitsChunkFeeds } from './sovits-chunk';
import { BENCH_TEXT } from './common';
import { argmax, LogitDiffs, waveDiff, type LogitDiff, type WaveDiff } from './diff-stats';

export type { LogitDiff, WaveDiff };

export interface PrecisionComparison {
  /** What is compared with what, e.g. "WebGPU fp16 vs WebGPU fp32". */
  label: string;
  prefill: LogitDiff;
  decode: LogitDiff;
  sovits: WaveDiff;
}

/**
 * Runs the comparisons. `file(role)` gives a graph's fp32 bytes; `variants` names the sessions to
 * make: each is an execution provider and whether the graph is converted to fp16.
 */
export async function comparePrecisions(
  ort: typeof Ort,
  manifest: PackManifest,
  file: (role: string) => Uint8Array,
  pairs: { label: string; ref: { ep: 'webgpu' | 'wasm'; fp16: boolean }; other: { ep: 'webgpu' | 'wasm'; fp16: boolean } }[],
  steps = 32,
): Promise<PrecisionComparison[]> {
  const dims = manifest.dims as { t2s: T2SConfig; sovits: SoVITSConfig };
  const { layers, dim, bertDim } = dims.t2s;
  const create = (bytes: Uint8Array, ep: 'webgpu' | 'wasm') => ort.InferenceSession.create(bytes, { executionProviders: [ep], graphOptimizationLevel: 'all' });
  const graph = (role: string, fp16: boolean) => (fp16 ? convertToFp16(file(role)).bytes : file(role));
  const symbols = MODEL_FAMILIES[manifest.version].symbols;

  // T2S inputs: reference + target phones, a 178-code prompt (7.1 s of reference at 25 Hz).
  const phones = (await textToPhones(`And mister John Dashwood had then leisure to consider how much there might be prudently in his power to do for them. ${BENCH_TEXT}`, 'en', symbols)).segments.flatMap((s) => s.ids);
  const X = phones.length;
  const rand = mulberry32(5);
  const Y = 178;
  const prompt = BigInt64Array.from({ length: Y }, () => BigInt(Math.floor(rand() * 1024)));
  const embed = await create(file('t2s-embed'), 'wasm');
  const token = await create(file('t2s-token'), 'wasm');
  const x0 = (
    await embed.run({
      phones: new ort.Tensor('int64', BigInt64Array.from(phones, BigInt), [X]),
      bert: new ort.Tensor('float32', new Float32Array(bertDim * X), [bertDim, X]),
      prompt: new ort.Tensor('int64', prompt, [Y]),
    })
  ).x;

  /** A decoder with its own host cache (per-layer inputs, as the engine feeds them). */
  class Stepper {
    private k: Float32Array[] = Array.from({ length: layers }, () => new Float32Array(0));
    private v: Float32Array[] = Array.from({ length: layers }, () => new Float32Array(0));
    private rows = 0;
    constructor(readonly s: Ort.InferenceSession) {}
    async run(x: Ort.Tensor): Promise<Float32Array> {
      const feeds: Record<string, Ort.Tensor> = { x, text_len: new ort.Tensor('int64', BigInt64Array.of(BigInt(X)), [1]) };
      for (let l = 0; l < layers; l++) {
        feeds[`past_k_${l}`] = new ort.Tensor('float32', this.k[l], [this.rows, dim]);
        feeds[`past_v_${l}`] = new ort.Tensor('float32', this.v[l], [this.rows, dim]);
      }
      const out = await this.s.run(feeds);
      const n = x.dims[0];
      const nk = out.new_k.data as Float32Array;
      const nv = out.new_v.data as Float32Array;
      const grow = (old: Float32Array, add: Float32Array) => {
        const b = new Float32Array(old.length + add.length);
        b.set(old);
        b.set(add, old.length);
        return b;
      };
      for (let l = 0; l < layers; l++) {
        this.k[l] = grow(this.k[l], nk.subarray(l * n * dim, (l + 1) * n * dim));
        this.v[l] = grow(this.v[l], nv.subarray(l * n * dim, (l + 1) * n * dim));
      }
      this.rows += n;
      return Float32Array.from(out.logits.data as Float32Array);
    }
  }

  // SoVITS inputs: one 18-token streaming chunk.
  const sovFeeds = await sovitsChunkFeeds(ort, dims.sovits, symbols);
  const sovits = async (v: { ep: 'webgpu' | 'wasm'; fp16: boolean }) => {
    const s = await create(graph('sovits-decoder', v.fp16), v.ep);
    try {
      return Float32Array.from((await s.run(sovFeeds)).audio.data as Float32Array);
    } finally {
      await s.release();
    }
  };

  const out: PrecisionComparison[] = [];
  const eos = dims.t2s.vocab - 1;
  for (const pair of pairs) {
    const decA = await create(graph('t2s-decoder', pair.ref.fp16), pair.ref.ep);
    const decB = await create(graph('t2s-decoder', pair.other.fp16), pair.other.ep);
    const a = new Stepper(decA);
    const b = new Stepper(decB);
    const pre = new LogitDiffs();
    let la = await a.run(x0);
    pre.add(la, await b.run(x0));
    const dec = new LogitDiffs();
    for (let i = 0; i < steps; i++) {
      const t = argmax(la, eos); // greedy, EOS excluded: the same token goes to both
      const x = (await token.run({ token: new ort.Tensor('int64', BigInt64Array.of(BigInt(t)), [1]), position: new ort.Tensor('int64', BigInt64Array.of(BigInt(Y + i)), [1]) })).x;
      la = await a.run(x);
      dec.add(la, await b.run(x));
    }
    await decA.release();
    await decB.release();
    out.push({ label: pair.label, prefill: pre.result(), decode: dec.result(), sovits: waveDiff(await sovits(pair.ref), await sovits(pair.other)) });
  }
  await embed.release();
  await token.release();
  return out;
}

// fp16 against fp32 on the GPU, on the same inputs, with sessions made directly (not through the
// engine, whose sampling would let the two precisions pick different tokens): the T2S decoder's
// prefill and `steps` decode steps teacher-forced with the fp32 model's greedy tokens (each variant
// keeps its own host cache), and the SoVITS decoder on one 18-token chunk. fp32 on WebGPU is also
// compared with fp32 on WASM, the arithmetic the other bench rows use.
import type * as Ort from 'onnxruntime-web';
import { convertToFp16 } from '../../src/graph/fp16';
import { mulberry32 } from '../../src/graph/weights';
import { sovitsFrameCount, type SoVITSConfig } from '../../src/graph/models/sovits';
import type { T2SConfig } from '../../src/graph/models/t2s';
import type { PackManifest } from '../../src/pack/manifest';
import { MODEL_FAMILIES } from '../../src/pack/versions';
import { textToPhones } from '../../src/text/frontend';
import { BENCH_TEXT } from './common';

export interface LogitDiff {
  maxAbs: number;
  meanAbs: number;
  /** Mean |logit| of the reference, for scale. */
  meanAbsRef: number;
  /** Share of steps where both pick the same arg-max token. */
  top1Agree: number;
  /** Mean KL(reference || other) of the softmax over the vocabulary, nats. */
  klMean: number;
  steps: number;
}

export interface WaveDiff {
  maxAbs: number;
  meanAbs: number;
  /** Error power against the reference waveform's variance, dB. */
  snrDb: number;
  samples: number;
}

export interface PrecisionComparison {
  /** What is compared with what, e.g. "WebGPU fp16 vs WebGPU fp32". */
  label: string;
  prefill: LogitDiff;
  decode: LogitDiff;
  sovits: WaveDiff;
}

function softmax(l: Float32Array): Float64Array {
  let m = -Infinity;
  for (const v of l) m = Math.max(m, v);
  const p = Float64Array.from(l, (v) => Math.exp(v - m));
  const z = p.reduce((a, b) => a + b, 0);
  return p.map((v) => v / z);
}
const argmax = (l: Float32Array, n = l.length) => {
  let b = 0;
  for (let i = 1; i < n; i++) if (l[i] > l[b]) b = i;
  return b;
};

class Diff {
  private maxAbs = 0;
  private sumAbs = 0;
  private sumRef = 0;
  private n = 0;
  private agree = 0;
  private kl = 0;
  private steps = 0;
  add(ref: Float32Array, b: Float32Array) {
    for (let i = 0; i < ref.length; i++) {
      const d = Math.abs(ref[i] - b[i]);
      // NaN counts as the largest difference, not as none.
      this.maxAbs = Number.isNaN(d) ? NaN : Math.max(this.maxAbs, d);
      this.sumAbs += d;
      this.sumRef += Math.abs(ref[i]);
    }
    this.n += ref.length;
    if (argmax(ref) === argmax(b)) this.agree++;
    const p = softmax(ref);
    const q = softmax(b);
    let kl = 0;
    for (let i = 0; i < p.length; i++) if (p[i] > 0) kl += p[i] * Math.log(p[i] / Math.max(q[i], 1e-300));
    this.kl += kl;
    this.steps++;
  }
  result(): LogitDiff {
    return { maxAbs: this.maxAbs, meanAbs: this.sumAbs / this.n, meanAbsRef: this.sumRef / this.n, top1Agree: this.agree / this.steps, klMean: this.kl / this.steps, steps: this.steps };
  }
}

export function waveDiff(ref: Float32Array, b: Float32Array): WaveDiff {
  // SNR against the reference's variance: random weights leave a DC offset that would flatter it.
  const mean = ref.reduce((acc, v) => acc + v, 0) / ref.length;
  let sig = 0;
  let err = 0;
  let maxAbs = 0;
  let sumAbs = 0;
  for (let i = 0; i < ref.length; i++) {
    const d = ref[i] - b[i];
    sig += (ref[i] - mean) ** 2;
    err += d * d;
    maxAbs = Number.isNaN(d) ? NaN : Math.max(maxAbs, Math.abs(d));
    sumAbs += Math.abs(d);
  }
  return { maxAbs, meanAbs: sumAbs / ref.length, snrDb: 10 * Math.log10(sig / err), samples: ref.length };
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
  const Ts = 18;
  const Tf = sovitsFrameCount(Ts);
  const r2 = mulberry32(7);
  const target = (await textToPhones(BENCH_TEXT, 'en', symbols)).segments.flatMap((s) => s.ids);
  const sovFeeds = {
    codes: new ort.Tensor('int64', BigInt64Array.from({ length: Ts }, () => BigInt(Math.floor(r2() * 1024))), [1, 1, Ts]),
    phones: new ort.Tensor('int64', BigInt64Array.from(target, BigInt), [1, target.length]),
    ge: new ort.Tensor('float32', Float32Array.from({ length: dims.sovits.gin }, () => r2() - 0.5), [1, dims.sovits.gin, 1]),
    noise: new ort.Tensor('float32', Float32Array.from({ length: dims.sovits.inter * Tf }, () => r2() * 2 - 1), [1, dims.sovits.inter, Tf]),
    noise_scale: new ort.Tensor('float32', Float32Array.of(0.5), [1]),
    speed: new ort.Tensor('float32', Float32Array.of(1), [1]),
  };
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
    const pre = new Diff();
    let la = await a.run(x0);
    pre.add(la, await b.run(x0));
    const dec = new Diff();
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

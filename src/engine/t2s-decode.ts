// The T2S (GPT) decode loop: prefill, then one token at a time with a KV cache that stays where
// the decoder runs. On WebGPU the cache is GPU buffers we own (one per layer for K and V): each
// step feeds views of their first P rows, and the step's new K/V rows are copied into them on the
// device, so the only readback per token is the logits the sampler needs.
import type * as Ort from 'onnxruntime-web';
import { decoderCacheLayout, type DecoderCacheLayout } from '../graph/models/t2s';
import type { OrtModule } from './backend';
import type { SemanticSampler } from './sampling';

export interface T2SSessions {
  embed: Ort.InferenceSession;
  token: Ort.InferenceSession;
  decoder: Ort.InferenceSession;
  /** Runs the prefill (step 0) instead of `decoder` when present: the same graph at another precision. */
  prefill?: Ort.InferenceSession;
}

export interface T2SInputs {
  phones: BigInt64Array;
  /** BERT features [bertDim, phones.length], phones on the last axis (zeros when not Chinese). */
  bert: Float32Array;
  bertDim: number;
  prompt: BigInt64Array;
}

export interface T2SStats {
  steps: number;
  /**
   * GPU -> CPU reads (GPUBuffer.mapAsync for reading, ORT's own included) during the decode steps
   * after the prefill, counted as they happen: the logits, one per step, when the cache stays on
   * the device. 0 on WASM.
   */
  readbacks: number;
  /** The same count for the prefill step. */
  prefillReadbacks: number;
  prefillMs: number;
  decodeMs: number;
}

/** GPU -> CPU map requests in this realm since countGpuReads() was first called. */
let gpuReads = 0;
let gpuReadsCounted = false;
const MAP_READ = 0x0001;

/**
 * Counts every GPUBuffer.mapAsync(MAP_READ) from now on by wrapping the prototype method once;
 * ORT's WebGPU backend resolves the method per call, so its downloads are counted too.
 */
function countGpuReads(): void {
  if (gpuReadsCounted) return;
  gpuReadsCounted = true;
  const proto = (globalThis as { GPUBuffer?: { prototype: { mapAsync?: (mode: number, ...rest: unknown[]) => Promise<void> } } }).GPUBuffer?.prototype;
  const original = proto?.mapAsync;
  if (!proto || !original) return;
  proto.mapAsync = function (this: unknown, mode: number, ...rest: unknown[]) {
    if (mode & MAP_READ) gpuReads++;
    return original.call(this, mode, ...rest);
  };
}

/**
 * How the decoder takes its cache. Each cache input (a "slot") is [P, ...rowShape]; a step's
 * new_k/new_v hold one contiguous block of n rows per slot, slot s at s·n·rowSize.
 *   per-layer: slots past_k_i [P, dim], new_k [layers, n, dim] (block i = layer i)
 *   packed:    one slot past_k [P, layers, dim], new_k [n, layers, dim] (older packs)
 */
interface CacheSpec {
  kNames: string[];
  vNames: string[];
  /** Floats per row of one slot. */
  rowSize: number;
  rowShape: number[];
}

function cacheSpec(layout: DecoderCacheLayout, layers: number, dim: number): CacheSpec {
  if (layout === 'packed') return { kNames: ['past_k'], vNames: ['past_v'], rowSize: layers * dim, rowShape: [layers, dim] };
  const names = (kind: string) => Array.from({ length: layers }, (_, i) => `past_${kind}_${i}`);
  return { kNames: names('k'), vNames: names('v'), rowSize: dim, rowShape: [dim] };
}

/** Where the KV cache lives. Rows are positions. */
interface KVCache {
  /** The decoder's cache feeds for the first `rows` rows. */
  view(rows: number): Record<string, Ort.Tensor>;
  /** Stores a step's `n` new rows of every slot at row `at`. */
  append(newK: Ort.Tensor, newV: Ort.Tensor, at: number, n: number): Promise<void>;
  dispose(): void;
}

class HostKV implements KVCache {
  private k: Float32Array[];
  private v: Float32Array[];
  private capacity: number;
  /** A runner is decoding into it (a pooled cache is lent to one runner at a time). */
  inUse = false;
  constructor(
    private readonly ort: OrtModule,
    readonly spec: CacheSpec,
    rows: number,
  ) {
    this.capacity = rows;
    this.k = spec.kNames.map(() => new Float32Array(rows * spec.rowSize));
    this.v = spec.vNames.map(() => new Float32Array(rows * spec.rowSize));
  }
  /** Whether it can serve `rows` rows of `spec` without growing. */
  fits(spec: CacheSpec, rows: number): boolean {
    return !this.inUse && this.spec.rowSize === spec.rowSize && this.k.length === spec.kNames.length && this.capacity >= rows;
  }
  view(rows: number) {
    const { kNames, vNames, rowSize, rowShape } = this.spec;
    const n = rows * rowSize;
    const feeds: Record<string, Ort.Tensor> = {};
    // Views, not copies: ORT copies each input into its own memory once per run anyway.
    kNames.forEach((name, i) => (feeds[name] = new this.ort.Tensor('float32', this.k[i].subarray(0, n), [rows, ...rowShape])));
    vNames.forEach((name, i) => (feeds[name] = new this.ort.Tensor('float32', this.v[i].subarray(0, n), [rows, ...rowShape])));
    return feeds;
  }
  async append(newK: Ort.Tensor, newV: Ort.Tensor, at: number, n: number) {
    const { rowSize } = this.spec;
    if (at + n > this.capacity) {
      const cap = Math.max(at + n, this.capacity * 2);
      const grow = (a: Float32Array) => {
        const b = new Float32Array(cap * rowSize);
        b.set(a.subarray(0, at * rowSize));
        return b;
      };
      this.k = this.k.map(grow);
      this.v = this.v.map(grow);
      this.capacity = cap;
    }
    const block = n * rowSize;
    const kData = newK.data as Float32Array;
    const vData = newV.data as Float32Array;
    for (let s = 0; s < this.k.length; s++) {
      this.k[s].set(kData.subarray(s * block, (s + 1) * block), at * rowSize);
      this.v[s].set(vData.subarray(s * block, (s + 1) * block), at * rowSize);
    }
  }
  dispose() {
    this.inUse = false;
  }
}

/**
 * One host cache per decoder session, reused by each fragment and call: the real-size cache is
 * ~56 MB of Float32Arrays, and a fresh one per fragment left that much garbage behind each time
 * (Node's peak RSS grew by ~0.2 GB over a few sentences before the collector ran).
 */
const hostCaches = new WeakMap<Ort.InferenceSession, HostKV>();

// Minimal WebGPU typings (the DOM lib here has none).
interface GpuBuffer {
  size: number;
  destroy(): void;
}
interface GpuDevice {
  createBuffer(d: { size: number; usage: number }): GpuBuffer;
  createCommandEncoder(): { copyBufferToBuffer(src: GpuBuffer, so: number, dst: GpuBuffer, doff: number, size: number): void; finish(): unknown };
  queue: { submit(cmds: unknown[]): void };
}
const STORAGE = 0x80;
const COPY_SRC = 0x04;
const COPY_DST = 0x08;

/**
 * The cache as GPU buffers we own (one per slot for K and for V). Each step feeds views of their
 * first P rows, and the step's new rows are copied in on the device: nothing is read back.
 */
class DeviceKV implements KVCache {
  private k: GpuBuffer[];
  private v: GpuBuffer[];
  private capacity: number;
  constructor(
    private readonly ort: OrtModule,
    private readonly device: GpuDevice,
    private readonly spec: CacheSpec,
    rows: number,
  ) {
    this.capacity = rows;
    this.k = spec.kNames.map(() => this.alloc(rows));
    this.v = spec.vNames.map(() => this.alloc(rows));
  }
  private alloc(rows: number): GpuBuffer {
    return this.device.createBuffer({ size: Math.max(rows, 1) * this.spec.rowSize * 4, usage: STORAGE | COPY_SRC | COPY_DST });
  }
  view(rows: number) {
    const { kNames, vNames, rowShape } = this.spec;
    const dims = [rows, ...rowShape];
    const feeds: Record<string, Ort.Tensor> = {};
    // An empty past (prefill) goes in as empty host tensors; nothing to read on the device.
    const one = (buf: GpuBuffer) => (rows === 0 ? new this.ort.Tensor('float32', new Float32Array(0), dims) : this.ort.Tensor.fromGpuBuffer(buf as never, { dataType: 'float32', dims }));
    kNames.forEach((name, i) => (feeds[name] = one(this.k[i])));
    vNames.forEach((name, i) => (feeds[name] = one(this.v[i])));
    return feeds;
  }
  async append(newK: Ort.Tensor, newV: Ort.Tensor, at: number, n: number) {
    const row = this.spec.rowSize * 4;
    const enc = this.device.createCommandEncoder();
    if (at + n > this.capacity) {
      // Grow on the device: copy the filled prefix into buffers twice as large.
      const cap = Math.max(at + n, this.capacity * 2);
      const grow = (old: GpuBuffer[]) =>
        old.map((b) => {
          const nb = this.alloc(cap);
          if (at > 0) enc.copyBufferToBuffer(b, 0, nb, 0, at * row);
          return nb;
        });
      const oldK = this.k;
      const oldV = this.v;
      this.k = grow(oldK);
      this.v = grow(oldV);
      this.capacity = cap;
      queueMicrotask(() => [...oldK, ...oldV].forEach((b) => b.destroy()));
    }
    const srcK = newK.gpuBuffer as unknown as GpuBuffer;
    const srcV = newV.gpuBuffer as unknown as GpuBuffer;
    for (let s = 0; s < this.k.length; s++) {
      enc.copyBufferToBuffer(srcK, s * n * row, this.k[s], at * row, n * row);
      enc.copyBufferToBuffer(srcV, s * n * row, this.v[s], at * row, n * row);
    }
    this.device.queue.submit([enc.finish()]);
  }
  dispose() {
    [...this.k, ...this.v].forEach((b) => b.destroy());
  }
}

export interface T2SRunnerOptions {
  layers: number;
  dim: number;
  onDevice: boolean;
  /** Extra cache rows to allocate beyond the prefill (grows by doubling past that). */
  reserveRows?: number;
}

export class T2SRunner {
  stats: T2SStats = { steps: 0, readbacks: 0, prefillReadbacks: 0, prefillMs: 0, decodeMs: 0 };

  constructor(
    private readonly ort: OrtModule,
    private readonly sessions: T2SSessions,
    private readonly opts: T2SRunnerOptions,
  ) {}

  /** Session options each T2S graph needs so its outputs stay on the device. */
  static sessionOptions(onDevice: boolean): Record<'embed' | 'token' | 'decoder', Ort.InferenceSession.SessionOptions> {
    if (!onDevice) return { embed: {}, token: {}, decoder: {} };
    return {
      embed: { preferredOutputLocation: 'gpu-buffer' },
      token: { preferredOutputLocation: 'gpu-buffer' },
      decoder: { preferredOutputLocation: { logits: 'cpu', new_k: 'gpu-buffer', new_v: 'gpu-buffer' } },
    };
  }

  private async newCache(rows: number): Promise<KVCache> {
    const { layers, dim, onDevice } = this.opts;
    const spec = cacheSpec(decoderCacheLayout(this.sessions.decoder.inputNames), layers, dim);
    if (onDevice) {
      const device = (await this.ort.env.webgpu.device) as unknown as GpuDevice;
      return new DeviceKV(this.ort, device, spec, rows);
    }
    const pooled = hostCaches.get(this.sessions.decoder);
    // Rows past the end of a reused cache are never fed (views cover the rows written so far).
    const cache = pooled?.fits(spec, rows) ? pooled : new HostKV(this.ort, spec, rows);
    if (!cache.inUse) hostCaches.set(this.sessions.decoder, cache);
    cache.inUse = true;
    return cache;
  }

  /**
   * Yields semantic tokens as they are decided. Stops when the sampler is done or `signal`
   * aborts (checked once per decode step).
   */
  async *generate(inputs: T2SInputs, sampler: SemanticSampler, signal?: AbortSignal): AsyncGenerator<number> {
    const { ort, sessions } = this;
    if (this.opts.onDevice) countGpuReads();
    // Reads made inside this runner's own calls (SoVITS runs between steps while the caller holds a token).
    const reads = async <T>(step: number, work: () => Promise<T>): Promise<T> => {
      const before = gpuReads;
      try {
        return await work();
      } finally {
        if (step === 0) this.stats.prefillReadbacks += gpuReads - before;
        else this.stats.readbacks += gpuReads - before;
      }
    };
    const X = inputs.phones.length;
    const Y = inputs.prompt.length;
    const started = performance.now();
    const embedOut = await sessions.embed.run({
      phones: new ort.Tensor('int64', inputs.phones, [X]),
      bert: new ort.Tensor('float32', inputs.bert, [inputs.bertDim, X]),
      prompt: new ort.Tensor('int64', inputs.prompt, [Y]),
    });
    let x = embedOut.x;
    const cache = await this.newCache(X + Y + (this.opts.reserveRows ?? 256));
    const textLen = new ort.Tensor('int64', BigInt64Array.of(BigInt(X)), [1]);
    let past = 0;
    let yielded = 0;
    try {
      for (let step = 0; ; step++) {
        const n = x.dims[0];
        const feeds = { x, ...cache.view(past), text_len: textLen };
        const logits = await reads(step, async () => {
          const out = await (step === 0 && sessions.prefill ? sessions.prefill : sessions.decoder).run(feeds);
          x.dispose();
          await cache.append(out.new_k, out.new_v, past, n);
          out.new_k.dispose();
          out.new_v.dispose();
          // On WebGPU the logits are the one thing read back per step (ORT downloads them).
          return out.logits.data as Float32Array;
        });
        past += n;
        if (step === 0) this.stats.prefillMs = performance.now() - started;
        const { done } = sampler.next(logits);
        this.stats.steps = step + 1;
        // A token the sampler keeps is final (only the step's own EOS draw is ever dropped).
        while (yielded < sampler.tokens.length) yield sampler.tokens[yielded++];
        if (done) break;
        signal?.throwIfAborted();
        const tokenOut = await reads(step + 1, () =>
          sessions.token.run({
            token: new ort.Tensor('int64', BigInt64Array.of(BigInt(sampler.tokens[sampler.tokens.length - 1])), [1]),
            position: new ort.Tensor('int64', BigInt64Array.of(BigInt(Y + step)), [1]),
          }),
        );
        x = tokenOut.x;
      }
    } finally {
      cache.dispose();
      this.stats.decodeMs = performance.now() - started - this.stats.prefillMs;
    }
  }
}

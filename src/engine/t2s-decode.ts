// The T2S (GPT) decode loop: prefill, then one token at a time with a KV cache that stays where
// the decoder runs. On WebGPU the cache is a GPU buffer we own: each step feeds a view of its
// first P rows, and the step's new K/V rows are copied into it on the device, so the only
// readback per token is the logits the sampler needs.
import type * as Ort from 'onnxruntime-web';
import type { OrtModule } from './backend';
import type { SemanticSampler } from './sampling';

export interface T2SSessions {
  embed: Ort.InferenceSession;
  token: Ort.InferenceSession;
  decoder: Ort.InferenceSession;
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
  /** Device -> host copies made during decoding (one logits read per step on WebGPU). */
  readbacks: number;
  prefillMs: number;
  decodeMs: number;
}

/** Where the KV cache lives. Rows are positions; each row holds all layers' K (or V). */
interface KVCache {
  view(rows: number): { k: Ort.Tensor; v: Ort.Tensor };
  append(newK: Ort.Tensor, newV: Ort.Tensor, at: number): Promise<void>;
  dispose(): void;
}

class HostKV implements KVCache {
  private k: Float32Array;
  private v: Float32Array;
  constructor(
    private readonly ort: OrtModule,
    private readonly rowSize: number,
    private readonly rowShape: number[],
    rows: number,
  ) {
    this.k = new Float32Array(rows * rowSize);
    this.v = new Float32Array(rows * rowSize);
  }
  view(rows: number) {
    const n = rows * this.rowSize;
    return {
      k: new this.ort.Tensor('float32', this.k.subarray(0, n), [rows, ...this.rowShape]),
      v: new this.ort.Tensor('float32', this.v.subarray(0, n), [rows, ...this.rowShape]),
    };
  }
  async append(newK: Ort.Tensor, newV: Ort.Tensor, at: number) {
    const need = at * this.rowSize + newK.size;
    if (need > this.k.length) {
      const grow = (a: Float32Array) => {
        const b = new Float32Array(Math.max(need, a.length * 2));
        b.set(a);
        return b;
      };
      this.k = grow(this.k);
      this.v = grow(this.v);
    }
    this.k.set(newK.data as Float32Array, at * this.rowSize);
    this.v.set(newV.data as Float32Array, at * this.rowSize);
  }
  dispose() {}
}

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

class DeviceKV implements KVCache {
  private k: GpuBuffer;
  private v: GpuBuffer;
  private rows: number;
  constructor(
    private readonly ort: OrtModule,
    private readonly device: GpuDevice,
    private readonly rowSize: number,
    private readonly rowShape: number[],
    rows: number,
  ) {
    this.rows = rows;
    this.k = this.alloc(rows);
    this.v = this.alloc(rows);
  }
  private alloc(rows: number): GpuBuffer {
    return this.device.createBuffer({ size: Math.max(rows, 1) * this.rowSize * 4, usage: STORAGE | COPY_SRC | COPY_DST });
  }
  view(rows: number) {
    const dims = [rows, ...this.rowShape];
    if (rows === 0) {
      // An empty past (prefill) goes in as an empty host tensor; nothing to read on the device.
      const empty = new Float32Array(0);
      return { k: new this.ort.Tensor('float32', empty, dims), v: new this.ort.Tensor('float32', empty, dims) };
    }
    return {
      k: this.ort.Tensor.fromGpuBuffer(this.k as never, { dataType: 'float32', dims }),
      v: this.ort.Tensor.fromGpuBuffer(this.v as never, { dataType: 'float32', dims }),
    };
  }
  async append(newK: Ort.Tensor, newV: Ort.Tensor, at: number) {
    const rows = newK.dims[0];
    const enc = this.device.createCommandEncoder();
    if (at + rows > this.rows) {
      // Grow on the device: copy the filled prefix into a buffer twice as large.
      const cap = Math.max(at + rows, this.rows * 2);
      const k = this.alloc(cap);
      const v = this.alloc(cap);
      if (at > 0) {
        enc.copyBufferToBuffer(this.k, 0, k, 0, at * this.rowSize * 4);
        enc.copyBufferToBuffer(this.v, 0, v, 0, at * this.rowSize * 4);
      }
      const oldK = this.k;
      const oldV = this.v;
      this.k = k;
      this.v = v;
      this.rows = cap;
      queueMicrotask(() => {
        oldK.destroy();
        oldV.destroy();
      });
    }
    const bytes = rows * this.rowSize * 4;
    enc.copyBufferToBuffer(newK.gpuBuffer as unknown as GpuBuffer, 0, this.k, at * this.rowSize * 4, bytes);
    enc.copyBufferToBuffer(newV.gpuBuffer as unknown as GpuBuffer, 0, this.v, at * this.rowSize * 4, bytes);
    this.device.queue.submit([enc.finish()]);
  }
  dispose() {
    this.k.destroy();
    this.v.destroy();
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
  stats: T2SStats = { steps: 0, readbacks: 0, prefillMs: 0, decodeMs: 0 };

  constructor(
    private readonly ort: OrtModule,
    private readonly sessions: T2SSessions,
    private readonly opts: T2SRunnerOptions,
  ) {}

  /** Session options each T2S graph needs so its outputs stay on the device. */
  static sessionOptions(onDevice: boolean): Record<keyof T2SSessions, Ort.InferenceSession.SessionOptions> {
    if (!onDevice) return { embed: {}, token: {}, decoder: {} };
    return {
      embed: { preferredOutputLocation: 'gpu-buffer' },
      token: { preferredOutputLocation: 'gpu-buffer' },
      decoder: { preferredOutputLocation: { logits: 'cpu', new_k: 'gpu-buffer', new_v: 'gpu-buffer' } },
    };
  }

  private async newCache(rows: number): Promise<KVCache> {
    const { layers, dim, onDevice } = this.opts;
    if (onDevice) {
      const device = (await this.ort.env.webgpu.device) as unknown as GpuDevice;
      return new DeviceKV(this.ort, device, layers * dim, [layers, dim], rows);
    }
    return new HostKV(this.ort, layers * dim, [layers, dim], rows);
  }

  /**
   * Yields semantic tokens as they are decided. Stops when the sampler is done or `signal`
   * aborts (checked once per decode step).
   */
  async *generate(inputs: T2SInputs, sampler: SemanticSampler, signal?: AbortSignal): AsyncGenerator<number> {
    const { ort, sessions } = this;
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
        const { k, v } = cache.view(past);
        const out = await sessions.decoder.run({ x, past_k: k, past_v: v, text_len: textLen });
        x.dispose();
        await cache.append(out.new_k, out.new_v, past);
        past += out.new_k.dims[0];
        out.new_k.dispose();
        out.new_v.dispose();
        const logits = out.logits.data as Float32Array;
        this.stats.readbacks++;
        if (step === 0) this.stats.prefillMs = performance.now() - started;
        const { done } = sampler.next(logits);
        this.stats.steps = step + 1;
        // A token the sampler keeps is final (only the step's own EOS draw is ever dropped).
        while (yielded < sampler.tokens.length) yield sampler.tokens[yielded++];
        if (done) break;
        signal?.throwIfAborted();
        const tokenOut = await sessions.token.run({
          token: new ort.Tensor('int64', BigInt64Array.of(BigInt(sampler.tokens[sampler.tokens.length - 1])), [1]),
          position: new ort.Tensor('int64', BigInt64Array.of(BigInt(Y + step)), [1]),
        });
        x = tokenOut.x;
      }
    } finally {
      cache.dispose();
      this.stats.decodeMs = performance.now() - started - this.stats.prefillMs;
    }
  }
}

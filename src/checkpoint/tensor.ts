// A tensor in a checkpoint, described but not read: element type, shape, strides and offset
// into a storage, which is a byte range of the file. Values are read (and converted to float32)
// only when asked, so opening a checkpoint costs the size of its pickle, not of its weights.
import { MynahError } from '../errors';
import type { ByteSource } from './bytes';
import { ELEMENT_SIZE, toFloat32, type TensorDType } from './dtype';

export interface Storage {
  readonly key: string;
  readonly dtype: TensorDType;
  /** Elements in the storage. */
  readonly numel: number;
  readonly source: ByteSource;
  /** File offset of element 0. */
  readonly byteOffset: number;
  /** The storage's bytes, once prefetched (platforms without synchronous file reads). */
  bytes?: Uint8Array;
}

export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export class LazyTensor {
  readonly numel: number;
  constructor(
    readonly storage: Storage,
    /** Offset into the storage, in elements. */
    readonly offset: number,
    readonly shape: readonly number[],
    readonly stride: readonly number[],
  ) {
    if (shape.length !== stride.length || shape.some((d) => !Number.isInteger(d) || d < 0) || !Number.isInteger(offset) || offset < 0) {
      throw new MynahError('CHECKPOINT_INVALID', `${storage.source.name}: a tensor has an impossible shape [${shape}] / strides [${stride}].`);
    }
    this.numel = shape.reduce((a, b) => a * b, 1);
    if (this.numel > 0 && offset + this.span() > storage.numel) {
      throw new MynahError('CHECKPOINT_INVALID', `${storage.source.name}: a tensor [${shape}] reaches past the end of its data.`);
    }
  }

  get dtype(): TensorDType {
    return this.storage.dtype;
  }

  /** Storage elements from `offset` up to and including the view's last element. */
  span(): number {
    if (this.numel === 0) return 0;
    return 1 + this.shape.reduce((acc, d, i) => acc + (d - 1) * this.stride[i], 0);
  }

  isContiguous(): boolean {
    const c = contiguousStrides(this.shape);
    return this.shape.every((d, i) => d === 1 || c[i] === this.stride[i]);
  }

  /** True when values can be read synchronously (prefetched, or the file allows sync reads). */
  canReadSync(): boolean {
    return this.storage.bytes !== undefined || this.storage.source.readSync !== undefined;
  }

  /** Values in row-major order as float32 (sync; see canReadSync). */
  readSync(): Float32Array {
    const span = this.span();
    const size = ELEMENT_SIZE[this.dtype];
    const s = this.storage;
    let bytes: Uint8Array;
    if (s.bytes) bytes = s.bytes.subarray(this.offset * size, (this.offset + span) * size);
    else if (s.source.readSync) bytes = s.source.readSync(s.byteOffset + this.offset * size, span * size);
    else throw new Error(`${s.source.name}: tensor data must be prefetched on this platform`);
    return this.fromBytes(bytes, span);
  }

  async read(): Promise<Float32Array> {
    if (this.storage.bytes) return this.readSync();
    const span = this.span();
    const size = ELEMENT_SIZE[this.dtype];
    const bytes = await this.storage.source.read(this.storage.byteOffset + this.offset * size, span * size);
    return this.fromBytes(bytes, span);
  }

  private fromBytes(bytes: Uint8Array, span: number): Float32Array {
    const flat = toFloat32(bytes, this.dtype, 0, span);
    if (this.isContiguous()) return flat;
    // Gather a strided view (e.g. a transpose saved as is) into row-major order.
    const out = new Float32Array(this.numel);
    const rank = this.shape.length;
    const index = new Array<number>(rank).fill(0);
    let src = 0;
    for (let i = 0; i < this.numel; i++) {
      out[i] = flat[src];
      for (let d = rank - 1; d >= 0; d--) {
        index[d]++;
        src += this.stride[d];
        if (index[d] < this.shape[d]) break;
        src -= this.stride[d] * this.shape[d];
        index[d] = 0;
      }
    }
    return out;
  }
}

/** Reads every storage of `tensors` into memory once (for platforms without sync reads). */
export async function prefetchStorages(tensors: Iterable<LazyTensor>): Promise<void> {
  const seen = new Set<Storage>();
  for (const t of tensors) {
    const s = t.storage;
    if (seen.has(s) || s.bytes) continue;
    seen.add(s);
    s.bytes = await s.source.read(s.byteOffset, s.numel * ELEMENT_SIZE[s.dtype]);
  }
}

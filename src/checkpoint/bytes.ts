// Random access to a checkpoint file without reading it whole: a dropped File is read piece by
// piece with Blob.slice(), so a 1 GB checkpoint is never held in memory as one buffer.
import { MynahError } from '../errors';

export interface ByteSource {
  /** File name, for messages. */
  readonly name: string;
  readonly size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
  /**
   * Synchronous read, where the platform has one (bytes in memory; FileReaderSync in a worker).
   * WeightSource.get is synchronous, so tensors are read through this when it exists.
   */
  readSync?(offset: number, length: number): Uint8Array;
}

function checkRange(src: ByteSource, offset: number, length: number): void {
  if (offset < 0 || length < 0 || offset + length > src.size) {
    throw new MynahError(
      'CHECKPOINT_TRUNCATED',
      `${src.name} ends early (needs bytes ${offset}..${offset + length}, has ${src.size}). The file is incomplete: copy or download it again.`,
    );
  }
}

/** Bytes already in memory (tests, small files). */
export function bytesSource(bytes: Uint8Array, name = 'checkpoint'): ByteSource {
  const src: ByteSource = {
    name,
    size: bytes.byteLength,
    read: async (offset, length) => src.readSync!(offset, length),
    readSync(offset, length) {
      checkRange(src, offset, length);
      return bytes.subarray(offset, offset + length);
    },
  };
  return src;
}

interface FileReaderSyncLike {
  readAsArrayBuffer(blob: Blob): ArrayBuffer;
}

/** A File or Blob; synchronous reads use FileReaderSync when running in a worker. */
export function blobSource(blob: Blob, name = (blob as File).name ?? 'file'): ByteSource {
  const Sync = (globalThis as { FileReaderSync?: new () => FileReaderSyncLike }).FileReaderSync;
  const reader = Sync ? new Sync() : undefined;
  const src: ByteSource = {
    name,
    size: blob.size,
    async read(offset, length) {
      checkRange(src, offset, length);
      return new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer());
    },
  };
  if (reader) {
    src.readSync = (offset, length) => {
      checkRange(src, offset, length);
      return new Uint8Array(reader.readAsArrayBuffer(blob.slice(offset, offset + length)));
    };
  }
  return src;
}

/** Little-endian field reader over a byte array. */
export class LE {
  readonly view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  u16(at: number): number {
    return this.view.getUint16(at, true);
  }
  u32(at: number): number {
    return this.view.getUint32(at, true);
  }
  /** Unsigned 64-bit as a JS number (exact below 2^53, which covers any real file offset). */
  u64(at: number): number {
    return this.view.getUint32(at, true) + this.view.getUint32(at + 4, true) * 2 ** 32;
  }
}

// The checkpoint reader against files written by real PyTorch (scripts/make-checkpoint-fixtures.py):
// every dtype, strided views, shared storages, pickle protocols 2 and 4, the legacy format,
// safetensors, upstream's 2-byte version header, zip64 and Blob-backed reading.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { blobSource, bytesSource, type ByteSource } from '../../src/checkpoint/bytes';
import { toFloat32 } from '../../src/checkpoint/dtype';
import { openCheckpoint, stateDict } from '../../src/checkpoint/open';
import { PLAIN_OBJECT_CLASS, type PyValue } from '../../src/checkpoint/pickle';
import { LazyTensor, prefetchStorages } from '../../src/checkpoint/tensor';
import { readZipDirectory, readZipEntry } from '../../src/checkpoint/zip';

const DIR = new URL('../fixtures/checkpoints/', import.meta.url);
const load = (name: string) => new Uint8Array(readFileSync(new URL(name, DIR)));
const source = (name: string) => bytesSource(load(name), name);
const reference = JSON.parse(readFileSync(new URL('reference.json', DIR), 'utf8')) as {
  dtypes: Record<string, { dtype: string; shape: number[]; stride: number[]; offset: number; values: number[] }>;
  dtypes_linear: Record<string, number[]>;
};

const get = (v: PyValue | undefined, key: string) => (v instanceof Map ? v.get(key) : undefined);

function expectValues(actual: Float32Array, expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  // torch's values are float64 renderings of the stored dtype; float32 holds fp16/bf16/f32 exactly.
  expected.forEach((e, i) => expect(actual[i]).toBe(Math.fround(e)));
}

async function checkDtypeFile(src: ByteSource) {
  const ckpt = await openCheckpoint(src);
  const sd = stateDict(ckpt);
  for (const [name, want] of Object.entries(reference.dtypes)) {
    const t = sd.get(name);
    expect(t, name).toBeInstanceOf(LazyTensor);
    expect(t!.dtype, name).toBe(want.dtype);
    expect([...t!.shape], name).toEqual(want.shape);
    expect([...t!.stride], name).toEqual(want.stride);
    expect(t!.offset, name).toBe(want.offset);
    expectValues(t!.readSync(), want.values);
    expectValues(await t!.read(), want.values);
  }
  return ckpt;
}

describe('torch.save files', () => {
  it('reads every dtype, view and plain value of a protocol-2 zip (torch default)', async () => {
    const ckpt = await checkDtypeFile(source('dtypes.pt'));
    expect(ckpt.format).toBe('torch-zip');
    expect(ckpt.versionCode).toBeUndefined();
    const sd = stateDict(ckpt);
    expect(sd.get('shared_a')!.storage).toBe(sd.get('shared_b')!.storage); // one storage, read once
    expect(sd.get('transposed')!.isContiguous()).toBe(false);
    expect(sd.get('f16')!.readSync()[2]).toBe(65504); // fp16 max
    expect(sd.get('f16')!.readSync()[4]).toBe(2 ** -24); // smallest subnormal
    expect(Object.is(sd.get('f16')!.readSync()[6], -0)).toBe(true);

    const linear = get(ckpt.root, 'linear'); // nn.Linear state_dict: OrderedDict with _metadata via BUILD
    expect(linear).toBeInstanceOf(Map);
    for (const [k, values] of Object.entries(reference.dtypes_linear)) expectValues((get(linear, k) as LazyTensor).readSync(), values);
    expect(get(ckpt.root, 'size')).toEqual([3, 4]);
    const plain = get(ckpt.root, 'plain');
    expect(get(plain, 'int')).toBe(42);
    expect(get(plain, 'neg')).toBe(-7);
    expect(get(plain, 'big')).toBe(2 ** 40);
    expect(get(plain, 'huge')).toBe(-(2n ** 70n));
    expect(get(plain, 'float')).toBe(0.1);
    expect(get(plain, 'none')).toBeNull();
    expect(get(plain, 'true')).toBe(true);
    expect(get(plain, 'false')).toBe(false);
    expect(get(plain, 'text')).toBe('héllo ✓');
    expect(get(plain, 'bytes')).toEqual(Uint8Array.of(0, 255, 97, 98));
    expect(get(plain, 'list')).toEqual([1, [2, 3]]);
    expect(get(plain, 'tuple')).toEqual([1, 'a', null]);
    expect(get(plain, 'set')).toEqual(new Set([3]));
    expect(get(get(get(plain, 'nested'), 'a'), 'b')).toEqual([1.5]);
  });

  it('reads the same data pickled with protocol 4 (FRAME, MEMOIZE, STACK_GLOBAL)', async () => {
    const ckpt = await checkDtypeFile(source('dtypes-p4.pt'));
    expect(get(get(ckpt.root, 'plain'), 'text')).toBe('héllo ✓');
  });

  it('reads the legacy (pre-1.6, non-zip) format', async () => {
    const ckpt = await checkDtypeFile(source('dtypes-legacy.pt'));
    expect(ckpt.format).toBe('torch-legacy');
  });

  it('reads through a Blob with slice() when there is no synchronous reader (prefetch first)', async () => {
    const src = blobSource(new Blob([load('dtypes.pt')]), 'dtypes.pt');
    expect(src.readSync).toBeUndefined(); // Node has no FileReaderSync
    const sd = stateDict(await openCheckpoint(src));
    const t = sd.get('narrowed')!;
    expect(t.canReadSync()).toBe(false);
    expectValues(await t.read(), reference.dtypes.narrowed.values);
    await prefetchStorages(sd.values());
    expectValues(t.readSync(), reference.dtypes.narrowed.values);
  });

  it('reports upstream SoVITS version headers and still reads the zip behind them', async () => {
    const v1 = await openCheckpoint(source('s2-v1.pth'));
    expect(v1.versionCode).toBe('00');
    expect(stateDict(v1).get('enc_p.text_embedding.weight')!.shape).toEqual([322, 16]);
    expect((await openCheckpoint(source('s2-v2pro.pth'))).versionCode).toBe('05');
    expect((await openCheckpoint(source('s2-v2.pth'))).versionCode).toBeUndefined();
  });

  it('rebuilds upstream utils.HParams configs as plain nested data', async () => {
    const ckpt = await openCheckpoint(source('s2-v2.pth'));
    const config = get(ckpt.root, 'config');
    expect((config as Record<symbol, unknown>)[PLAIN_OBJECT_CLASS]).toBe('utils.HParams');
    expect(get(get(config, 'model'), 'upsample_rates')).toEqual([10, 8, 2, 2, 2]);
    expect(get(get(config, 'data'), 'sampling_rate')).toBe(32000);
    expect(get(get(config, 'model'), 'version')).toBe('v2');
    expect(get(ckpt.root, 'info')).toBe('8epoch_16iteration');
  });
});

describe('safetensors', () => {
  it('reads f32, f16 and bf16 tensors', async () => {
    const ckpt = await openCheckpoint(source('dtypes.safetensors'));
    expect(ckpt.format).toBe('safetensors');
    const sd = stateDict(ckpt);
    for (const name of ['f32', 'f16', 'bf16']) {
      expect([...sd.get(name)!.shape]).toEqual(reference.dtypes[name].shape);
      expectValues(sd.get(name)!.readSync(), reference.dtypes[name].values);
    }
  });
});

describe('zip64', () => {
  /** Re-packs a torch zip with zip64 sizes/offsets forced (as writers do past 4 GB). */
  async function asZip64(bytes: Uint8Array): Promise<Uint8Array> {
    const src = bytesSource(bytes);
    const entries = [...(await readZipDirectory(src)).values()];
    const parts: Uint8Array[] = [];
    const central: Uint8Array[] = [];
    let offset = 0;
    const enc = new TextEncoder();
    for (const e of entries) {
      const data = await readZipEntry(src, e);
      const name = enc.encode(e.name);
      const local = new DataView(new ArrayBuffer(30 + name.length));
      local.setUint32(0, 0x04034b50, true);
      local.setUint32(18, data.length, true);
      local.setUint32(22, data.length, true);
      local.setUint16(26, name.length, true);
      new Uint8Array(local.buffer).set(name, 30);
      const c = new DataView(new ArrayBuffer(46 + name.length + 28));
      c.setUint32(0, 0x02014b50, true);
      c.setUint32(20, 0xffffffff, true);
      c.setUint32(24, 0xffffffff, true);
      c.setUint16(28, name.length, true);
      c.setUint16(30, 28, true);
      c.setUint32(42, 0xffffffff, true);
      new Uint8Array(c.buffer).set(name, 46);
      const x = 46 + name.length;
      c.setUint16(x, 1, true);
      c.setUint16(x + 2, 24, true);
      c.setBigUint64(x + 4, BigInt(data.length), true); // uncompressed
      c.setBigUint64(x + 12, BigInt(data.length), true); // compressed
      c.setBigUint64(x + 20, BigInt(offset), true); // local header offset
      parts.push(new Uint8Array(local.buffer), data);
      central.push(new Uint8Array(c.buffer));
      offset += local.byteLength + data.length;
    }
    const cdSize = central.reduce((a, b) => a + b.length, 0);
    const tail = new DataView(new ArrayBuffer(56 + 20 + 22));
    tail.setUint32(0, 0x06064b50, true);
    tail.setBigUint64(24, BigInt(entries.length), true);
    tail.setBigUint64(32, BigInt(entries.length), true);
    tail.setBigUint64(40, BigInt(cdSize), true);
    tail.setBigUint64(48, BigInt(offset), true);
    tail.setUint32(56, 0x07064b50, true);
    tail.setBigUint64(64, BigInt(offset + cdSize), true);
    tail.setUint32(76, 0x06054b50, true);
    tail.setUint16(86, 0xffff, true);
    tail.setUint16(88, 0xffff, true);
    tail.setUint32(90, 0xffffffff, true);
    tail.setUint32(94, 0xffffffff, true);
    const all = [...parts, ...central, new Uint8Array(tail.buffer)];
    const out = new Uint8Array(all.reduce((a, b) => a + b.length, 0));
    let p = 0;
    for (const a of all) out.set(a, (p += a.length) - a.length);
    return out;
  }

  it('reads entries whose sizes and offsets are in zip64 extra fields', async () => {
    const zip64 = await asZip64(load('dtypes.pt'));
    await checkDtypeFile(bytesSource(zip64, 'dtypes-zip64.pt'));
  });
});

describe('dtype conversion', () => {
  it('converts every fp16 bit pattern like the IEEE definition, including misaligned input', () => {
    const bytes = new Uint8Array(1 + 65536 * 2);
    const view = new DataView(bytes.buffer);
    for (let h = 0; h < 65536; h++) view.setUint16(1 + 2 * h, h, true);
    const out = toFloat32(bytes.subarray(1), 'float16', 0, 65536);
    for (const [bits, value] of [
      [0x3c00, 1],
      [0xc000, -2],
      [0x7bff, 65504],
      [0x0400, 2 ** -14],
      [0x0001, 2 ** -24],
      [0x7c00, Infinity],
      [0xfc00, -Infinity],
      [0x3555, 0.333251953125],
    ] as const) {
      expect(out[bits]).toBe(value);
    }
    expect(Number.isNaN(out[0x7e00])).toBe(true);
  });
});

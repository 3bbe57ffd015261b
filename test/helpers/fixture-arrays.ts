// Reads the arrays.bin / arrays.json pairs the fixture scripts write (scripts/make-*-fixtures.py).
import * as ort from 'onnxruntime-web';
import { readFileSync } from 'node:fs';

export type Arrays = Record<string, { data: Float32Array | BigInt64Array; shape: number[] }>;

export function readArrays(dir: URL, folder: string): Arrays {
  const index = JSON.parse(readFileSync(new URL(`${folder}/arrays.json`, dir), 'utf8')) as Record<string, { dtype: string; shape: number[]; offset: number; bytes: number }>;
  const bin = readFileSync(new URL(`${folder}/arrays.bin`, dir));
  const out: Arrays = {};
  for (const [name, a] of Object.entries(index)) {
    const bytes = bin.buffer.slice(bin.byteOffset + a.offset, bin.byteOffset + a.offset + a.bytes);
    out[name] = { data: a.dtype === 'int64' ? new BigInt64Array(bytes) : new Float32Array(bytes), shape: a.shape };
  }
  return out;
}

export const f32Of = (a: Arrays, name: string) => {
  if (!a[name]) throw new Error(`fixture has no ${name}`);
  return a[name].data as Float32Array;
};

export const tensorOf = (a: Arrays, name: string) => new ort.Tensor(a[name].data instanceof BigInt64Array ? 'int64' : 'float32', a[name].data, a[name].shape);

/** 10·log10(Σ ref² / Σ (ref − x)²). */
export function snrDb(ref: ArrayLike<number>, x: ArrayLike<number>): number {
  if (ref.length !== x.length) throw new Error(`length ${x.length} vs ${ref.length}`);
  let s = 0;
  let e = 0;
  for (let i = 0; i < ref.length; i++) {
    s += ref[i] * ref[i];
    e += (ref[i] - x[i]) ** 2;
  }
  return e === 0 ? Infinity : 10 * Math.log10(s / e);
}

/** [R, C] row-major -> [C, R]. */
export function transpose2d(x: ArrayLike<number>, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = x[r * cols + c];
  return out;
}

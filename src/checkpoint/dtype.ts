// Element types found in checkpoints and their conversion to float32 (the graphs' weight type).
// Checkpoints are little-endian (torch writes its byte order down and we refuse big-endian files).

export type TensorDType = 'float16' | 'bfloat16' | 'float32' | 'float64' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

export const ELEMENT_SIZE: Record<TensorDType, number> = {
  float16: 2,
  bfloat16: 2,
  float32: 4,
  float64: 8,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
};

/** torch.<Name>Storage global -> element type. */
export const TORCH_STORAGE_DTYPES: Record<string, TensorDType> = {
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  FloatStorage: 'float32',
  DoubleStorage: 'float64',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
};

/** safetensors dtype names. */
export const SAFETENSORS_DTYPES: Record<string, TensorDType> = {
  F16: 'float16',
  BF16: 'bfloat16',
  F32: 'float32',
  F64: 'float64',
  I64: 'int64',
  I32: 'int32',
  I16: 'int16',
  I8: 'int8',
  U8: 'uint8',
  BOOL: 'bool',
};

// IEEE half -> float32 through a table of all 65536 values, built once on first use.
let halfTable: Float32Array | undefined;
function halfToFloatTable(): Float32Array {
  if (halfTable) return halfTable;
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    if (exp === 0) t[h] = sign * frac * 2 ** -24;
    else if (exp === 31) t[h] = frac ? NaN : sign * Infinity;
    else t[h] = sign * (1 + frac / 1024) * 2 ** (exp - 15);
  }
  return (halfTable = t);
}

/**
 * Reads `count` elements of `dtype` starting at element `first` of `bytes`, as float32.
 * `bytes` may sit at any byte offset (copied once when misaligned).
 */
export function toFloat32(bytes: Uint8Array, dtype: TensorDType, first: number, count: number): Float32Array {
  const size = ELEMENT_SIZE[dtype];
  let start = bytes.byteOffset + first * size;
  let buffer = bytes.buffer as ArrayBuffer;
  if (start % size !== 0) {
    // A fresh copy (Node's Buffer.slice would return a view of the same misaligned memory).
    const copy = new Uint8Array(count * size);
    copy.set(bytes.subarray(first * size, (first + count) * size));
    buffer = copy.buffer;
    start = 0;
  }
  const out = new Float32Array(count);
  switch (dtype) {
    case 'float32':
      out.set(new Float32Array(buffer, start, count));
      break;
    case 'float16': {
      const table = halfToFloatTable();
      const src = new Uint16Array(buffer, start, count);
      for (let i = 0; i < count; i++) out[i] = table[src[i]];
      break;
    }
    case 'bfloat16': {
      const src = new Uint16Array(buffer, start, count);
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) bits[i] = src[i] << 16;
      break;
    }
    case 'float64':
      out.set(new Float64Array(buffer, start, count));
      break;
    case 'int64': {
      const src = new BigInt64Array(buffer, start, count);
      for (let i = 0; i < count; i++) out[i] = Number(src[i]);
      break;
    }
    case 'int32':
      out.set(new Int32Array(buffer, start, count));
      break;
    case 'int16':
      out.set(new Int16Array(buffer, start, count));
      break;
    case 'int8':
      out.set(new Int8Array(buffer, start, count));
      break;
    case 'uint8':
    case 'bool':
      out.set(new Uint8Array(buffer, start, count));
      break;
  }
  return out;
}

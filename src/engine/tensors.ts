// Tensors cross the worker boundary as plain structured-cloneable records; ort.Tensor does not.
import type * as Ort from 'onnxruntime-web';
import type { OrtModule } from './backend';

export type PlainData = Float32Array | Int32Array | BigInt64Array | Uint8Array | Uint16Array;
export interface PlainTensor {
  type: 'float32' | 'int32' | 'int64' | 'bool' | 'uint8' | 'float16';
  dims: number[];
  data: PlainData;
}

export function toOrt(ort: OrtModule, t: PlainTensor): Ort.Tensor {
  return new ort.Tensor(t.type, t.data as never, t.dims);
}

export async function toPlain(t: Ort.Tensor): Promise<PlainTensor> {
  // getData() downloads GPU-resident outputs; a CPU tensor returns its data as is.
  const data = (t.location === 'cpu' ? t.data : await t.getData()) as PlainData;
  return { type: t.type as PlainTensor['type'], dims: [...t.dims], data };
}

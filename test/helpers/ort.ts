// Runs a built graph in onnxruntime-web's wasm backend inside Node, the same runtime the app uses.
import * as ort from 'onnxruntime-web';
import type { Graph } from '../../src/graph/builder';

ort.env.wasm.numThreads = 1;

export type Feeds = Record<string, ort.Tensor>;

export async function session(graph: Graph | Uint8Array, opts: { prepack?: boolean } = {}): Promise<ort.InferenceSession> {
  const bytes = graph instanceof Uint8Array ? graph : graph.toBytes();
  const extra = opts.prepack === false ? { extra: { session: { disable_prepacking: '1' } } } : {};
  return ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all', ...extra });
}

export async function run(graph: Graph | Uint8Array, feeds: Feeds): Promise<Record<string, ort.Tensor>> {
  const s = await session(graph);
  try {
    return await s.run(feeds);
  } finally {
    await s.release();
  }
}

export const f32 = (data: ArrayLike<number>, dims: number[]) => new ort.Tensor('float32', Float32Array.from(data), dims);
export const i64 = (data: ArrayLike<number>, dims: number[]) =>
  new ort.Tensor('int64', BigInt64Array.from(Array.from(data), (v) => BigInt(v)), dims);

/** Largest absolute difference between two arrays of equal length. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

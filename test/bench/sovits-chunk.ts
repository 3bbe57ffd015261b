// The SoVITS decoder's input for the precision comparisons (quality.ts on WASM, gpu-quality.ts on a
// GPU): one 18-token streaming chunk of the bench sentence with seeded codes, ge and noise, so both
// compare their variants on the same feeds.
import type * as Ort from 'onnxruntime-web';
import { mulberry32 } from '../../src/graph/weights';
import { sovitsFrameCount, type SoVITSConfig } from '../../src/graph/models/sovits';
import { textToPhones } from '../../src/text/frontend';
import { BENCH_TEXT } from './common';

export const SOVITS_CHUNK_TOKENS = 18;

export async function sovitsChunkFeeds(ort: typeof Ort, sovits: SoVITSConfig, symbols: Parameters<typeof textToPhones>[2]): Promise<Record<string, Ort.Tensor>> {
  const Ts = SOVITS_CHUNK_TOKENS;
  const Tf = sovitsFrameCount(Ts);
  const rand = mulberry32(7);
  const target = (await textToPhones(BENCH_TEXT, 'en', symbols)).segments.flatMap((s) => s.ids);
  return {
    codes: new ort.Tensor('int64', BigInt64Array.from({ length: Ts }, () => BigInt(Math.floor(rand() * 1024))), [1, 1, Ts]),
    phones: new ort.Tensor('int64', BigInt64Array.from(target, BigInt), [1, target.length]),
    ge: new ort.Tensor('float32', Float32Array.from({ length: sovits.gin }, () => rand() - 0.5), [1, sovits.gin, 1]),
    noise: new ort.Tensor('float32', Float32Array.from({ length: sovits.inter * Tf }, () => rand() * 2 - 1), [1, sovits.inter, Tf]),
    noise_scale: new ort.Tensor('float32', Float32Array.of(0.5), [1]),
    speed: new ort.Tensor('float32', Float32Array.of(1), [1]),
  };
}

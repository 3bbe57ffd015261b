// The tiny pack built in memory, through the same code `npm run models:tiny` uses.
import { RandomWeights } from '../../src/graph/weights';
import { buildPack, PACK_TINY } from '../../src/pack/build';
import type { LoadedPack } from '../../src/pack/fetch';
import { syntheticBertVocab, TINY_VOCAB_ENTRIES } from '../../src/pack/synthetic-vocab';

export async function tinyPack(seed = 1): Promise<LoadedPack> {
  const ws = new RandomWeights(seed);
  const files = new Map<string, Uint8Array>();
  const manifest = await buildPack(PACK_TINY, { t2s: ws, sovits: ws, hubert: ws, roberta: ws, bertVocab: syntheticBertVocab(TINY_VOCAB_ENTRIES) }, async (name, bytes) => void files.set(name, bytes), { weights: `random (seed ${seed})` });
  return { manifest, files };
}

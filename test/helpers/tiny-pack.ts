// The tiny packs built in memory, through the same code `npm run models:tiny` uses.
import { RandomWeights } from '../../src/graph/weights';
import { buildPack, PACK_TINY, type PackConfig } from '../../src/pack/build';
import type { LoadedPack } from '../../src/pack/fetch';
import { syntheticBertVocab, TINY_VOCAB_ENTRIES } from '../../src/pack/synthetic-vocab';

export async function tinyPack(seed = 1, cfg: PackConfig = PACK_TINY): Promise<LoadedPack> {
  const ws = new RandomWeights(seed);
  const files = new Map<string, Uint8Array>();
  const sources = { t2s: ws, sovits: ws, hubert: ws, roberta: ws, sv: cfg.sv ? ws : undefined, vocoder: cfg.vocoder ? ws : undefined, bertVocab: syntheticBertVocab(TINY_VOCAB_ENTRIES) };
  const manifest = await buildPack(cfg, sources, async (name, bytes) => void files.set(name, bytes), { weights: `random (seed ${seed})` });
  return { manifest, files };
}

// Writes a model pack with seeded random weights, through the same graph and pack code that
// converts real checkpoints. `tiny` is the default pack the app and tests use; `full` is the
// real-size v2 pack for benchmarks. --version v2Pro|v2ProPlus writes those families instead (with
// the speaker-verification graph); --version v3|v4 the flow-matching family (CFM/DiT and the 24 kHz BigVGAN / 48 kHz vocoder).
//   tsx models/generate.ts tiny|full [--version v2|v2Pro|v2ProPlus|v3|v4] [--out DIR] [--seed N] [--no-bert] [--if-missing]
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RandomWeights } from '../src/graph/weights';
import { buildPack, PACK_TINY, PACK_TINY_V2PRO, PACK_TINY_V2PROPLUS, PACK_TINY_V3, PACK_TINY_V4, PACK_V2_RANDOM, PACK_V2PRO_RANDOM, PACK_V2PROPLUS_RANDOM, PACK_V3_RANDOM, PACK_V4_RANDOM, type PackConfig } from '../src/pack/build';
import { syntheticBertVocab, TINY_VOCAB_ENTRIES } from '../src/pack/synthetic-vocab';

const args = process.argv.slice(2);
const kind = args[0];
const flag = (name: string) => args.includes(name);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

const presets: Record<string, Record<string, PackConfig>> = {
  tiny: { v2: PACK_TINY, v2Pro: PACK_TINY_V2PRO, v2ProPlus: PACK_TINY_V2PROPLUS, v3: PACK_TINY_V3, v4: PACK_TINY_V4 },
  full: { v2: PACK_V2_RANDOM, v2Pro: PACK_V2PRO_RANDOM, v2ProPlus: PACK_V2PROPLUS_RANDOM, v3: PACK_V3_RANDOM, v4: PACK_V4_RANDOM },
};
const version = option('--version') ?? 'v2';
if (!kind || !(kind in presets) || !(version in presets[kind])) {
  console.error('usage: tsx models/generate.ts tiny|full [--version v2|v2Pro|v2ProPlus|v3|v4] [--out DIR] [--seed N] [--no-bert] [--if-missing]');
  process.exit(2);
}
const cfg: PackConfig = { ...presets[kind][version] };
if (flag('--no-bert')) delete cfg.roberta;
const out = resolve(option('--out') ?? join('models', 'packs', cfg.id));
if (flag('--if-missing') && existsSync(join(out, 'pack.json'))) {
  console.log(`pack ${cfg.id} already at ${out}`);
  process.exit(0);
}
mkdirSync(out, { recursive: true });
// Readers (a dev server, a concurrent build) never see a half-written file.
function writeAtomic(path: string, data: Uint8Array | string): void {
  writeFileSync(`${path}.${process.pid}.tmp`, data);
  renameSync(`${path}.${process.pid}.tmp`, path);
}
const seed = Number(option('--seed') ?? 1);
const ws = new RandomWeights(seed);
// A stand-in vocabulary: small for the tiny pack, the real model's 21,128 entries for the full one.
const bertVocab = cfg.roberta ? syntheticBertVocab(kind === 'tiny' ? TINY_VOCAB_ENTRIES : cfg.roberta.vocab) : undefined;
const started = Date.now();
const manifest = await buildPack(
  cfg,
  { t2s: ws, sovits: ws, hubert: ws, roberta: cfg.roberta ? ws : undefined, sv: cfg.sv ? ws : undefined, vocoder: cfg.vocoder ? ws : undefined, bertVocab },
  async (name, bytes) => writeAtomic(join(out, name), bytes),
  { weights: `random (seed ${seed})`, onProgress: (p) => console.log(`[${p.index + 1}/${p.total}] ${p.name}`) },
);
writeAtomic(join(out, 'pack.json'), JSON.stringify(manifest, null, 2) + '\n');
const mb = (n: number) => (n / 1e6).toFixed(1);
for (const f of manifest.files) console.log(`${f.name.padEnd(22)} ${mb(f.bytes).padStart(9)} MB  ${f.role === 'bert-vocab' ? `${bertVocab!.length.toLocaleString('en-US').padStart(13)} tokens` : `${f.parameters.toLocaleString('en-US').padStart(13)} params`}`);
console.log(`pack ${cfg.id} written to ${out} in ${((Date.now() - started) / 1000).toFixed(1)} s`);

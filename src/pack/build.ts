// Builds every graph of a model pack from configs and weight sources, one graph at a time so
// peak memory stays near one network's weights (the generator in Node and the in-browser
// checkpoint converter both use this).
import type { Graph } from '../graph/builder';
import type { WeightSource } from '../graph/weights';
import { buildHubert, HUBERT_BASE, HUBERT_TINY, type HubertConfig } from '../graph/models/hubert';
import { buildRoberta, ROBERTA_LARGE, ROBERTA_TINY, type RobertaConfig } from '../graph/models/roberta';
import { buildSemanticExtractor, SEMANTIC_TINY, SEMANTIC_V2, type SemanticConfig } from '../graph/models/semantic';
import {
  buildSoVITSDecoder,
  buildSoVITSRefEncoder,
  SOVITS_TINY,
  SOVITS_TINY_V2PRO,
  SOVITS_TINY_V2PROPLUS,
  SOVITS_V2,
  SOVITS_V2PRO,
  SOVITS_V2PROPLUS,
  type SoVITSConfig,
} from '../graph/models/sovits';
import { buildSpeakerVerification, SV_ERES2NETV2, SV_TINY, svEmbedDim, type SVConfig } from '../graph/models/sv';
import { buildT2SDecoder, buildT2SPrefillEmbed, buildT2STokenEmbed, T2S_TINY, T2S_V2, type T2SConfig } from '../graph/models/t2s';
import { buildCFMStep, DIT_TINY, DIT_V3V4, type DiTConfig } from '../graph/models/cfm';
import { buildSoVITSV3V4Encoder, type SoVITSV3V4Config } from '../graph/models/sovits-v3v4';
import { buildVocoder, VOCODER_TINY, VOCODER_V4, type HiFiGANConfig } from '../graph/models/vocoder';
import { BIGVGAN_TINY, BIGVGAN_V2_24K, buildBigVGAN, type BigVGANConfig } from '../graph/models/bigvgan';
import { MynahError } from '../errors';
import { BertTokenizer, vocabText } from '../text/bert-tokenizer';
import { PACK_FORMAT, PACK_FORMAT_VERSION, requiredRoles, sha256Hex, type GraphRole, type PackFile, type PackManifest } from './manifest';
import { MODEL_FAMILIES, type ModelVersion } from './versions';

export interface PackConfig {
  id: string;
  name: string;
  version: ModelVersion;
  sampleRate: number;
  t2s: T2SConfig;
  sovits: SoVITSConfig;
  hubert: HubertConfig;
  semantic: SemanticConfig;
  /** The speaker-verification network (v2Pro family only). */
  sv?: SVConfig;
  /** The Chinese BERT is optional: without it Chinese text gets zero BERT features. */
  roberta?: RobertaConfig;
  /** v3/v4: the flow-matching decoder's DiT and the vocoder (`sovits` is then a SoVITSV3V4Config). */
  dit?: DiTConfig;
  /** v4's HiFi-GAN or v3's BigVGAN. */
  vocoder?: HiFiGANConfig | BigVGANConfig;
}

/** Where each network's weights come from (one upstream file each when converting). */
export interface PackSources {
  t2s: WeightSource;
  sovits: WeightSource;
  hubert: WeightSource;
  roberta?: WeightSource;
  /** pretrained_eres2netv2w24s4ep4.ckpt's weights (v2Pro family). */
  sv?: WeightSource;
  /** The BERT tokenizer's vocabulary (tokens in id order); required with `roberta`. */
  bertVocab?: readonly string[];
  /** v3/v4: the vocoder's weights (v4: vocoder.pth). */
  vocoder?: WeightSource;
}

/** The file name of the BERT vocabulary in a pack. */
export const BERT_VOCAB_FILE = 'vocab.txt';

export const PACK_TINY: PackConfig = {
  id: 'tiny',
  name: 'Tiny random pack (tests)',
  version: 'v2',
  sampleRate: 32000,
  t2s: T2S_TINY,
  sovits: SOVITS_TINY,
  hubert: HUBERT_TINY,
  semantic: SEMANTIC_TINY,
  roberta: ROBERTA_TINY,
};

export const PACK_V2_RANDOM: PackConfig = {
  id: 'v2-random',
  name: 'GPT-SoVITS v2, real size, random weights (benchmarks)',
  version: 'v2',
  sampleRate: 32000,
  t2s: T2S_V2,
  sovits: SOVITS_V2,
  hubert: HUBERT_BASE,
  semantic: SEMANTIC_V2,
  roberta: ROBERTA_LARGE,
};

/** Tiny v2Pro / v2ProPlus packs (tests; same sizes as the upstream fixtures). */
export const PACK_TINY_V2PRO: PackConfig = { ...PACK_TINY, id: 'tiny-v2pro', name: 'Tiny random v2Pro pack (tests)', version: 'v2Pro', sovits: SOVITS_TINY_V2PRO, sv: SV_TINY };
export const PACK_TINY_V2PROPLUS: PackConfig = { ...PACK_TINY_V2PRO, id: 'tiny-v2proplus', name: 'Tiny random v2ProPlus pack (tests)', version: 'v2ProPlus', sovits: SOVITS_TINY_V2PROPLUS };

export const PACK_V2PRO_RANDOM: PackConfig = {
  ...PACK_V2_RANDOM,
  id: 'v2pro-random',
  name: 'GPT-SoVITS v2Pro, real size, random weights (benchmarks)',
  version: 'v2Pro',
  sovits: SOVITS_V2PRO,
  sv: SV_ERES2NETV2,
};
export const PACK_V2PROPLUS_RANDOM: PackConfig = {
  ...PACK_V2PRO_RANDOM,
  id: 'v2proplus-random',
  name: 'GPT-SoVITS v2ProPlus, real size, random weights (benchmarks)',
  version: 'v2ProPlus',
  sovits: SOVITS_V2PROPLUS,
};

/** SynthesizerTrnV3's v2-part widths (s2.json) with the bridge, wns1 and v4's ×2 upsampling. */
export const SOVITS_V4: SoVITSV3V4Config = { ...SOVITS_V2, bridge: 512, wnLayers: 8, wnKernel: 5, feaUpsample: 2, framesPerCode: 4 };
/** scripts/make-v3v4-fixtures.py's tiny SynthesizerTrnV3 (v2's tiny widths, bridge 24). */
export const SOVITS_TINY_V4: SoVITSV3V4Config = { ...SOVITS_TINY, bridge: 24, wnLayers: 8, wnKernel: 5, feaUpsample: 2, framesPerCode: 4 };

export const PACK_TINY_V4: PackConfig = {
  ...PACK_TINY,
  id: 'tiny-v4',
  name: 'Tiny random v4 pack (tests)',
  version: 'v4',
  sampleRate: 48000,
  sovits: SOVITS_TINY_V4,
  dit: DIT_TINY,
  vocoder: VOCODER_TINY,
};

export const PACK_V4_RANDOM: PackConfig = {
  ...PACK_V2_RANDOM,
  id: 'v4-random',
  name: 'GPT-SoVITS v4, real size, random weights (benchmarks)',
  version: 'v4',
  sampleRate: 48000,
  sovits: SOVITS_V4,
  dit: DIT_V3V4,
  vocoder: VOCODER_V4,
};

/** v3: ×1.875 upsampling to 93.75 frames/s, BigVGAN at 24 kHz. */
export const SOVITS_V3: SoVITSV3V4Config = { ...SOVITS_V4, feaUpsample: 1.875, framesPerCode: 3.875 };
export const SOVITS_TINY_V3: SoVITSV3V4Config = { ...SOVITS_TINY_V4, feaUpsample: 1.875, framesPerCode: 3.875 };
export const PACK_TINY_V3: PackConfig = { ...PACK_TINY_V4, id: 'tiny-v3', name: 'Tiny random v3 pack (tests)', version: 'v3', sampleRate: 24000, sovits: SOVITS_TINY_V3, vocoder: BIGVGAN_TINY };
export const PACK_V3_RANDOM: PackConfig = { ...PACK_V4_RANDOM, id: 'v3-random', name: 'GPT-SoVITS v3, real size, random weights (benchmarks)', version: 'v3', sampleRate: 24000, sovits: SOVITS_V3, vocoder: BIGVGAN_V2_24K };

interface GraphSpec {
  role: GraphRole;
  name: string;
  build(cfg: PackConfig, src: PackSources): Graph;
}

const flow = (cfg: PackConfig) => Boolean(MODEL_FAMILIES[cfg.version].flowMatching);

const GRAPHS: GraphSpec[] = [
  { role: 'hubert', name: 'hubert.onnx', build: (c, s) => buildHubert(c.hubert, s.hubert) },
  { role: 'semantic', name: 'semantic.onnx', build: (c, s) => buildSemanticExtractor(c.semantic, s.sovits) },
  { role: 'sv', name: 'sv.onnx', build: (c, s) => buildSpeakerVerification(c.sv!, s.sv!) },
  { role: 'sovits-ref', name: 'sovits_ref.onnx', build: (c, s) => buildSoVITSRefEncoder(c.sovits, s.sovits) },
  { role: 't2s-embed', name: 't2s_embed.onnx', build: (c, s) => buildT2SPrefillEmbed(c.t2s, s.t2s) },
  { role: 't2s-token', name: 't2s_token.onnx', build: (c, s) => buildT2STokenEmbed(c.t2s, s.t2s) },
  { role: 't2s-decoder', name: 't2s_decoder.onnx', build: (c, s) => buildT2SDecoder(c.t2s, s.t2s) },
  { role: 'sovits-decoder', name: 'sovits_decoder.onnx', build: (c, s) => buildSoVITSDecoder(c.sovits, s.sovits) },
  { role: 'sovits-encoder', name: 'sovits_encoder.onnx', build: (c, s) => buildSoVITSV3V4Encoder(c.sovits as SoVITSV3V4Config, s.sovits) },
  { role: 'cfm-step', name: 'cfm_step.onnx', build: (c, s) => buildCFMStep(c.dit!, s.sovits) },
  { role: 'vocoder', name: 'vocoder.onnx', build: (c, s) => ('kind' in c.vocoder! ? buildBigVGAN(c.vocoder, s.vocoder!) : buildVocoder(c.vocoder!, s.vocoder!)) },
  { role: 'bert', name: 'bert.onnx', build: (c, s) => buildRoberta(c.roberta!, s.roberta!) },
];

export function checkConfig(cfg: PackConfig): void {
  const ssl = [cfg.hubert.hidden, cfg.semantic.sslDim, cfg.sovits.sslDim];
  if (new Set(ssl).size !== 1) throw new Error(`pack ${cfg.id}: SSL widths differ (hubert ${ssl[0]}, semantic ${ssl[1]}, sovits ${ssl[2]})`);
  if (flow(cfg) !== Boolean(cfg.dit && cfg.vocoder && 'bridge' in cfg.sovits)) throw new Error(`pack ${cfg.id}: a ${cfg.version} pack ${flow(cfg) ? 'needs' : 'has no'} a flow-matching decoder and vocoder`);
  const pro = MODEL_FAMILIES[cfg.version].speakerVerification;
  if (pro !== Boolean(cfg.sv) || pro !== Boolean(cfg.sovits.svDim)) throw new Error(`pack ${cfg.id}: a ${cfg.version} pack ${pro ? 'needs' : 'has no'} a speaker-verification network`);
  if (cfg.sv && svEmbedDim(cfg.sv) !== cfg.sovits.svDim) throw new Error(`pack ${cfg.id}: the SV network gives ${svEmbedDim(cfg.sv)} values, SoVITS reads ${cfg.sovits.svDim}`);
}

export interface BuildProgress {
  role: GraphRole;
  name: string;
  index: number;
  total: number;
}

/** Checks the vocabulary against the RoBERTa it serves and returns its vocab.txt bytes. */
export function bertVocabBytes(cfg: PackConfig, vocab: readonly string[] | undefined): Uint8Array {
  if (!vocab) throw new MynahError('VOCAB_MISSING', 'The Chinese BERT needs its vocabulary: add vocab.txt or tokenizer.json from the chinese-roberta-wwm-ext-large folder.');
  new BertTokenizer(vocab); // throws VOCAB_INVALID without [UNK], [CLS], [SEP]
  const rows = cfg.roberta!.vocab;
  if (vocab.length > rows) {
    throw new MynahError('VOCAB_INVALID', `The BERT vocabulary has ${vocab.length} entries but the RoBERTa model only ${rows}; use the vocab.txt or tokenizer.json that came with these RoBERTa weights.`);
  }
  return new TextEncoder().encode(vocabText(vocab));
}

/**
 * Builds, serialises and hashes each graph, handing the bytes to `write` before building the next.
 * With a BERT graph, its vocabulary is written last as vocab.txt.
 */
export async function buildPack(
  cfg: PackConfig,
  sources: PackSources,
  write: (name: string, bytes: Uint8Array) => Promise<void>,
  opts: { weights: string; onProgress?: (p: BuildProgress) => void } = { weights: 'random' },
): Promise<PackManifest> {
  checkConfig(cfg);
  const roles = new Set(requiredRoles(cfg.version));
  const specs = GRAPHS.filter((g) => roles.has(g.role) || (g.role === 'bert' && cfg.roberta && sources.roberta));
  if (flow(cfg) && !sources.vocoder) throw new Error(`pack ${cfg.id}: no weights for the vocoder`);
  if (cfg.sv && !sources.sv) throw new Error(`pack ${cfg.id}: no weights for the speaker-verification network`);
  // Checked before any graph is built, so a missing vocabulary fails fast.
  const vocab = specs.some((g) => g.role === 'bert') ? bertVocabBytes(cfg, sources.bertVocab) : undefined;
  const files: PackFile[] = [];
  for (const [index, spec] of specs.entries()) {
    opts.onProgress?.({ role: spec.role, name: spec.name, index, total: specs.length });
    const graph = spec.build(cfg, sources);
    const parameters = graph.parameterCount();
    const bytes = graph.toBytes(`${cfg.name}: ${spec.role}`);
    files.push({ role: spec.role, name: spec.name, bytes: bytes.byteLength, sha256: await sha256Hex(bytes), parameters });
    await write(spec.name, bytes);
  }
  if (vocab) {
    files.push({ role: 'bert-vocab', name: BERT_VOCAB_FILE, bytes: vocab.byteLength, sha256: await sha256Hex(vocab), parameters: 0 });
    await write(BERT_VOCAB_FILE, vocab);
  }
  const { id, name, version, sampleRate, ...nets } = cfg;
  return {
    format: PACK_FORMAT,
    formatVersion: PACK_FORMAT_VERSION,
    id,
    name,
    version,
    sampleRate,
    weights: opts.weights,
    created: new Date().toISOString(),
    dims: nets as unknown as Record<string, unknown>,
    files,
  };
}

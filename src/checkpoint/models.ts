// What each upstream file is, which GPT-SoVITS version it belongs to, and the network configs
// for our graphs: hyper-parameters from the checkpoint's own config where upstream keeps them
// there, the rest from tensor shapes (values upstream hard-codes keep our V2 defaults). The
// parameter inventories of the graph modules then check every weight before anything is built.
import { MynahError } from '../errors';
import { HUBERT_BASE, type HubertConfig } from '../graph/models/hubert';
import { ROBERTA_LARGE, robertaLayersUsed, type RobertaConfig } from '../graph/models/roberta';
import type { SemanticConfig } from '../graph/models/semantic';
import { SOVITS_V2, sovitsParameterShapesByPart, type SoVITSConfig } from '../graph/models/sovits';
import { SV_ERES2NETV2, svEmbedDim, svParameterShapes, type SVConfig } from '../graph/models/sv';
import { MODEL_FAMILIES, type ModelVersion } from '../pack/versions';
import { t2sParameterShapes, type T2SConfig } from '../graph/models/t2s';
import { stateDict, type Checkpoint } from './open';
import type { PyValue } from './pickle';
import type { LazyTensor } from './tensor';
import { CheckpointWeights } from './weights';

export type CheckpointKind = 'gpt' | 'sovits' | 'hubert' | 'roberta' | 'sv' | 'vocoder';

const KIND_NAMES: Record<CheckpointKind, string> = {
  gpt: 'a GPT (s1, .ckpt) model',
  sovits: 'a SoVITS (s2, .pth) model',
  sv: 'the speaker-verification model (pretrained_eres2netv2w24s4ep4.ckpt)',
  hubert: 'the HuBERT (chinese-hubert-base) model',
  roberta: 'the Chinese RoBERTa (chinese-roberta-wwm-ext-large) model',
  vocoder: 'a GPT-SoVITS v3/v4 vocoder (v4: gsv-v4-pretrained/vocoder.pth, v3: BigVGAN bigvgan_generator.pt)',
};

/** Recognises a state dict by keys only its network has. */
export function identify(sd: Map<string, LazyTensor>): CheckpointKind | undefined {
  const keys = [...sd.keys()];
  const has = (re: RegExp) => keys.some((k) => re.test(k));
  if (has(/(^|\.)ar_audio_embedding\.word_embeddings\.weight$/)) return 'gpt';
  if (has(/^layer3_ds\.weight$/) && has(/^fuse34\./)) return 'sv';
  if (has(/^(enc_p|dec|flow|cfm|wns1|bridge)\./)) return 'sovits';
  if (has(/^conv_pre\.(weight|weight_v|parametrizations\.weight\.original1)$/) && has(/^ups\.0\./)) return 'vocoder';
  if (has(/^(hubert\.)?feature_extractor\.conv_layers\.0\.conv\.weight$/)) return 'hubert';
  if (has(/^(bert\.)?embeddings\.word_embeddings\.weight$/) && has(/^(bert\.)?encoder\.layer\.0\./)) return 'roberta';
  return undefined;
}

/** State dict of `ckpt`, checked to be of `kind`. */
export function stateDictOf(ckpt: Checkpoint, kind: CheckpointKind): Map<string, LazyTensor> {
  const sd = stateDict(ckpt);
  const found = identify(sd);
  if (found !== kind) {
    throw new MynahError(
      'CHECKPOINT_WRONG_SLOT',
      found
        ? `${ckpt.name} is ${KIND_NAMES[found]}, but it was given as ${KIND_NAMES[kind]}. Put it in the right slot.`
        : `${ckpt.name} does not look like ${KIND_NAMES[kind]} (none of its weight names match). Check the file.`,
    );
  }
  return sd;
}

const unsupported = (file: string, what: string) =>
  new MynahError('UNSUPPORTED_MODEL_VERSION', `${file} is a GPT-SoVITS ${what} model, which Mynah cannot read. Mynah supports v1, v2, v2Pro, v2ProPlus, v3 and v4 models; use one of those.`);

// ---- reading plain config values -----------------------------------------------------------

function field(obj: PyValue | undefined, ...path: string[]): PyValue | undefined {
  let v: PyValue | undefined = obj;
  for (const p of path) v = v instanceof Map ? v.get(p) : undefined;
  return v;
}

function num(obj: PyValue | undefined, ...path: string[]): number | undefined {
  const v = field(obj, ...path);
  return typeof v === 'number' ? v : undefined;
}

function numList(obj: PyValue | undefined, ...path: string[]): number[] | undefined {
  const v = field(obj, ...path);
  return Array.isArray(v) && v.every((x) => typeof x === 'number') ? (v as number[]) : undefined;
}

function numLists(obj: PyValue | undefined, ...path: string[]): number[][] | undefined {
  const v = field(obj, ...path);
  return Array.isArray(v) && v.every((row) => Array.isArray(row) && row.every((x: PyValue) => typeof x === 'number')) ? (v as number[][]) : undefined;
}

function configMismatch(file: string, what: string, config: number, weights: number): MynahError {
  return new MynahError(
    'CHECKPOINT_CONFIG_MISMATCH',
    `${file} says ${what} is ${config} in its config but its weights have ${weights}. The file is inconsistent; re-export it from GPT-SoVITS.`,
  );
}

/** Dimension `axis` of tensor `key`, or a CHECKPOINT_KEYS error naming it. */
function dimOf(w: CheckpointWeights, name: string, axis: number): number {
  const shape = w.shape(name);
  if (!shape || shape.length <= axis) throw new MynahError('CHECKPOINT_KEYS', `${w.opts.label} has no usable ${name}; it is not a complete model.`);
  return shape[axis];
}

function countIndexed(w: CheckpointWeights, re: RegExp): number {
  const seen = new Set<string>();
  for (const n of w.names()) {
    const m = re.exec(n);
    if (m) seen.add(m[1]);
  }
  return seen.size;
}

// ---- GPT (s1) ----------------------------------------------------------------------------------

export interface GPTModel {
  /** The phone symbol table the GPT was trained on. */
  version: 'v1' | 'v2';
  t2s: T2SConfig;
  weights: CheckpointWeights;
  /** The s1 config's data.max_sec (upstream's limit on prompt + output length), when present. */
  maxSeconds?: number;
}

export function readGPT(ckpt: Checkpoint): GPTModel {
  const sd = stateDictOf(ckpt, 'gpt');
  const prefix = [...sd.keys()].every((k) => k.startsWith('model.')) ? 'model.' : undefined;
  const weights = new CheckpointWeights(sd, { label: `The GPT file ${ckpt.name}`, stripPrefix: prefix });
  const config = ckpt.root instanceof Map ? ckpt.root.get('config') : undefined;
  const model = field(config, 'model');
  const dim = dimOf(weights, 'ar_audio_embedding.word_embeddings.weight', 1);
  const t2s: T2SConfig = {
    dim,
    heads: num(model, 'head') ?? (dim === 512 ? 16 : 0),
    layers: countIndexed(weights, /^h\.layers\.(\d+)\./),
    ffn: dimOf(weights, 'h.layers.0.linear1.weight', 0),
    phonemeVocab: dimOf(weights, 'ar_text_embedding.word_embeddings.weight', 0),
    vocab: dimOf(weights, 'ar_audio_embedding.word_embeddings.weight', 0),
    bertDim: dimOf(weights, 'bert_proj.weight', 1),
  };
  if (!t2s.heads || dim % t2s.heads !== 0) {
    throw new MynahError('CHECKPOINT_CONFIG_MISMATCH', `${ckpt.name} has no usable attention head count in its config. Use the .ckpt as GPT-SoVITS saved it.`);
  }
  const checks: [string, number | undefined, number][] = [
    ['the model width (embedding_dim)', num(model, 'embedding_dim'), t2s.dim],
    ['the layer count (n_layer)', num(model, 'n_layer'), t2s.layers],
    ['the phoneme vocabulary (phoneme_vocab_size)', num(model, 'phoneme_vocab_size'), t2s.phonemeVocab],
    ['the token vocabulary (vocab_size)', num(model, 'vocab_size'), t2s.vocab],
    ['the end-of-speech token (EOS)', num(model, 'EOS'), t2s.vocab - 1],
  ];
  for (const [what, cfg, actual] of checks) if (cfg !== undefined && cfg !== actual) throw configMismatch(ckpt.name, what, cfg, actual);
  weights.preflight(t2sParameterShapes(t2s));
  return { version: t2s.phonemeVocab >= 732 ? 'v2' : 'v1', t2s, weights, maxSeconds: num(config, 'data', 'max_sec') };
}

// ---- SoVITS (s2) -------------------------------------------------------------------------------

export interface SoVITSModel {
  version: ModelVersion;
  sovits: SoVITSConfig;
  semantic: SemanticConfig;
  sampleRate: number;
  weights: CheckpointWeights;
}

const HEADER_VERSIONS: Record<string, string> = { '00': 'v1', '01': 'v2', '02': 'v3', '03': 'v3 (LoRA)', '04': 'v4 (LoRA)', '05': 'v2Pro', '06': 'v2ProPlus' };

/** Keys a SoVITS .pth may hold that inference does not use. */
function sovitsIgnored(name: string): boolean {
  // enc_q is the posterior encoder, only used in training (upstream drops it when saving, but
  // training checkpoints keep it); the codebook's inited / cluster_size / embed_avg buffers are
  // k-means training state, only `embed` is read.
  return name.startsWith('enc_q.') || /^quantizer\.vq\.layers\.\d+\._codebook\.(inited|cluster_size|embed_avg)$/.test(name);
}

/**
 * The model version as upstream decides it (process_ckpt.get_sovits_version_from_path_fast, then
 * the loaders): the 2-byte header code when there is one; otherwise a file whose weights carry the
 * speaker-verification fusion is v2Pro-family (upstream knows its official PK-headed pretrained Pro
 * files by hash; here the config's model.version, else the generator's width, tells Pro from
 * ProPlus), a 322-symbol text embedding is v1, anything else v2.
 */
function sovitsVersion(ckpt: Checkpoint, sd: Map<string, LazyTensor>, model: PyValue | undefined): ModelVersion {
  const code = ckpt.versionCode;
  if (code !== undefined) {
    const v = HEADER_VERSIONS[code];
    if (v === 'v1' || v === 'v2' || v === 'v2Pro' || v === 'v2ProPlus') return v;
    // v3/v4 files go through readSoVITSV3V4 (src/checkpoint/v3v4.ts); reaching here, a header says
    // v3/v4 but the weights are another version's.
    throw unsupported(ckpt.name, v ? `${v} (by its header, but without v3/v4 weights)` : `unknown (header ${code})`);
  }
  if (sd.has('sv_emb.weight')) {
    const declared = field(model, 'version');
    if (declared === 'v2Pro' || declared === 'v2ProPlus') return declared;
    return sd.get('dec.conv_pre.weight')?.shape[0] === 768 ? 'v2ProPlus' : 'v2Pro';
  }
  return sd.get('enc_p.text_embedding.weight')?.shape[0] === 322 ? 'v1' : 'v2';
}

export function readSoVITS(ckpt: Checkpoint): SoVITSModel {
  const sd = stateDictOf(ckpt, 'sovits');
  const config = ckpt.root instanceof Map ? ckpt.root.get('config') : undefined;
  const model = field(config, 'model');
  const data = field(config, 'data');
  const version = sovitsVersion(ckpt, sd, model);
  const family = MODEL_FAMILIES[version];
  if (family.speakerVerification !== sd.has('sv_emb.weight')) {
    throw new MynahError(
      'CHECKPOINT_CONFIG_MISMATCH',
      `${ckpt.name} is marked as a GPT-SoVITS ${version} model but ${family.speakerVerification ? 'lacks' : 'has'} the speaker-verification weights (sv_emb). The file is inconsistent; re-export it from GPT-SoVITS.`,
    );
  }
  const weights = new CheckpointWeights(sd, { label: `The SoVITS file ${ckpt.name}`, ignore: sovitsIgnored });

  const textVocab = dimOf(weights, 'enc_p.text_embedding.weight', 0);
  const filterLength = num(data, 'filter_length') ?? 2048;
  const sovits: SoVITSConfig = {
    ...SOVITS_V2,
    specBins: filterLength / 2 + 1,
    refBins: dimOf(weights, 'ref_enc.spectral.0.fc.weight', 1),
    sslDim: dimOf(weights, 'enc_p.ssl_proj.weight', 1),
    codebookSize: dimOf(weights, 'quantizer.vq.layers.0._codebook.embed', 0),
    textVocab,
    hidden: num(model, 'hidden_channels') ?? dimOf(weights, 'enc_p.text_embedding.weight', 1),
    inter: num(model, 'inter_channels') ?? dimOf(weights, 'enc_p.proj.weight', 0) / 2,
    filter: num(model, 'filter_channels') ?? dimOf(weights, 'enc_p.encoder_text.ffn_layers.0.conv_1.weight', 0),
    heads: num(model, 'n_heads') ?? SOVITS_V2.heads,
    layers: num(model, 'n_layers') ?? countIndexed(weights, /^enc_p\.encoder_text\.attn_layers\.(\d+)\./),
    kernelSize: num(model, 'kernel_size') ?? dimOf(weights, 'enc_p.encoder_text.ffn_layers.0.conv_1.weight', 2),
    window: (dimOf(weights, 'enc_p.encoder_text.attn_layers.0.emb_rel_k', 1) - 1) / 2,
    gin: num(model, 'gin_channels') ?? dimOf(weights, 'dec.cond.weight', 1),
    // MRTE and the style encoder's widths are fixed in upstream's code; their heads stay at
    // upstream's values (4 and 2), which shapes cannot reveal.
    mrteHidden: dimOf(weights, 'enc_p.mrte.c_pre.weight', 0),
    styleHidden: dimOf(weights, 'ref_enc.spectral.0.fc.weight', 0),
    styleKernel: dimOf(weights, 'ref_enc.temporal.0.conv1.conv.weight', 2),
    flows: countIndexed(weights, /^flow\.flows\.(\d+)\.pre\.weight$/),
    flowWNLayers: countIndexed(weights, /^flow\.flows\.0\.enc\.in_layers\.(\d+)\.weight$/),
    flowKernel: dimOf(weights, 'flow.flows.0.enc.in_layers.0.weight', 2),
    resblockKernels: numList(model, 'resblock_kernel_sizes') ?? SOVITS_V2.resblockKernels,
    resblockDilations: numLists(model, 'resblock_dilation_sizes') ?? SOVITS_V2.resblockDilations,
    upsampleRates: numList(model, 'upsample_rates') ?? SOVITS_V2.upsampleRates,
    upsampleInitial: num(model, 'upsample_initial_channel') ?? dimOf(weights, 'dec.conv_pre.weight', 0),
    upsampleKernels: numList(model, 'upsample_kernel_sizes') ?? SOVITS_V2.upsampleKernels,
    ...(family.speakerVerification ? { svDim: dimOf(weights, 'sv_emb.weight', 1) } : {}),
  };
  // v2Pro's ge_to512 feeds the MRTE; its output width is the MRTE's.
  if (sovits.svDim && dimOf(weights, 'ge_to512.weight', 0) !== sovits.mrteHidden) {
    throw configMismatch(ckpt.name, 'the MRTE width (ge_to512 output)', sovits.mrteHidden, dimOf(weights, 'ge_to512.weight', 0));
  }
  const resblock = field(model, 'resblock');
  if (resblock !== undefined && resblock !== '1') throw unsupported(ckpt.name, `(ResBlock type ${String(resblock)})`);
  const hop = sovits.upsampleRates.reduce((a, b) => a * b, 1);
  const configHop = num(data, 'hop_length');
  if (configHop !== undefined && configHop !== hop) throw configMismatch(ckpt.name, 'the hop length', configHop, hop);
  if (!sovits.svDim && sovits.mrteHidden !== sovits.gin) throw configMismatch(ckpt.name, 'the MRTE width (must equal gin_channels)', sovits.gin, sovits.mrteHidden);
  const semantic: SemanticConfig = {
    sslDim: sovits.sslDim,
    codebookSize: sovits.codebookSize,
    downsample: dimOf(weights, 'ssl_proj.weight', 2),
  };
  const parts = sovitsParameterShapesByPart(sovits);
  const d = semantic.sslDim;
  weights.preflight([
    ...Object.values(parts).flat(),
    ['ssl_proj.weight', [d, d, semantic.downsample]],
    ['ssl_proj.bias', [d]],
  ]);
  return { version, sovits, semantic, sampleRate: num(data, 'sampling_rate') ?? 32000, weights };
}

// ---- speaker verification (v2Pro / v2ProPlus) --------------------------------------------------

export interface SVModel {
  sv: SVConfig;
  weights: CheckpointWeights;
}

/**
 * pretrained_eres2netv2w24s4ep4.ckpt (a plain state dict): ERes2NetV2 with upstream's fixed
 * baseWidth 24, scale 4, expansion 4; the stem width and block counts come from the shapes.
 */
export function readSV(ckpt: Checkpoint): SVModel {
  const sd = stateDictOf(ckpt, 'sv');
  // BatchNorm step counters are training state; seg_1 is the embedding head forward3 skips.
  const weights = new CheckpointWeights(sd, { label: `The speaker-verification file ${ckpt.name}`, ignore: (n) => n.endsWith('.num_batches_tracked') || n === 'num_batches_tracked' || /^(seg_1|seg_bn_1|seg_2)\./.test(n) });
  const sv: SVConfig = {
    ...SV_ERES2NETV2,
    channels: dimOf(weights, 'conv1.weight', 0),
    featDim: SV_ERES2NETV2.featDim,
    blocks: [1, 2, 3, 4].map((s) => countIndexed(weights, new RegExp(`^layer${s}\\.(\\d+)\\.conv1\\.weight$`))) as SVConfig['blocks'],
  };
  weights.preflight(svParameterShapes(sv));
  return { sv, weights };
}

/** The SV embedding width a SoVITS model expects must be what this SV model gives. */
export function svFitsSoVITS(sv: SVConfig, sovits: SoVITSConfig): boolean {
  return svEmbedDim(sv) === sovits.svDim;
}

// ---- HuBERT ------------------------------------------------------------------------------------

/** Parsed Hugging Face config.json (or undefined when the user gave none). */
export type HFConfig = Record<string, unknown>;

export function parseHFConfig(text: string, fileName: string): HFConfig {
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as HFConfig;
  } catch {
    // fall through
  }
  throw new MynahError('CHECKPOINT_INVALID', `${fileName} is not a Hugging Face config.json (not a JSON object).`);
}

const hfNum = (c: HFConfig | undefined, key: string) => (typeof c?.[key] === 'number' ? (c[key] as number) : undefined);

export interface HubertModel {
  hubert: HubertConfig;
  weights: CheckpointWeights;
}

export function readHubert(ckpt: Checkpoint, config?: HFConfig): HubertModel {
  const sd = stateDictOf(ckpt, 'hubert');
  if (config && config.model_type !== undefined && config.model_type !== 'hubert') {
    throw new MynahError('CHECKPOINT_WRONG_SLOT', `The HuBERT config.json describes a "${String(config.model_type)}" model, not HuBERT. Use chinese-hubert-base's config.json.`);
  }
  if (config && (config.feat_extract_norm === 'layer' || config.do_stable_layer_norm === true || config.conv_bias === true)) {
    throw new MynahError('UNSUPPORTED_MODEL_VERSION', `${ckpt.name} is a HuBERT variant (layer-norm feature extractor) other than chinese-hubert-base, which GPT-SoVITS uses. Use chinese-hubert-base.`);
  }
  const prefix = [...sd.keys()].every((k) => k.startsWith('hubert.')) ? 'hubert.' : undefined;
  // masked_spec_embed is the training-time masking vector; inference never reads it.
  const weights = new CheckpointWeights(sd, { label: `The HuBERT file ${ckpt.name}`, stripPrefix: prefix, ignore: (n) => n === 'masked_spec_embed' });
  const convCount = countIndexed(weights, /^feature_extractor\.conv_layers\.(\d+)\.conv\.weight$/);
  const convDims = Array.from({ length: convCount }, (_, i) => dimOf(weights, `feature_extractor.conv_layers.${i}.conv.weight`, 0));
  const convKernels = Array.from({ length: convCount }, (_, i) => dimOf(weights, `feature_extractor.conv_layers.${i}.conv.weight`, 2));
  const hidden = dimOf(weights, 'feature_projection.projection.weight', 0);
  const posConv = 'encoder.pos_conv_embed.conv.weight';
  const hubert: HubertConfig = {
    convDims,
    convKernels,
    convStrides: (config?.conv_stride as number[] | undefined) ?? HUBERT_BASE.convStrides,
    hidden,
    heads: hfNum(config, 'num_attention_heads') ?? (hidden === HUBERT_BASE.hidden ? HUBERT_BASE.heads : 0),
    layers: countIndexed(weights, /^encoder\.layers\.(\d+)\./),
    ffn: dimOf(weights, 'encoder.layers.0.feed_forward.intermediate_dense.weight', 0),
    posConvKernel: dimOf(weights, posConv, 2),
    posConvGroups: hidden / dimOf(weights, posConv, 1),
    eps: hfNum(config, 'layer_norm_eps') ?? HUBERT_BASE.eps,
  };
  if (!hubert.heads) throw new MynahError('CHECKPOINT_CONFIG_MISMATCH', `${ckpt.name} is not the standard chinese-hubert-base; add its config.json so Mynah knows its attention heads.`);
  if (hubert.convStrides.length !== convCount) throw configMismatch(ckpt.name, 'the number of feature-encoder convolutions', hubert.convStrides.length, convCount);
  const checks: [string, number | undefined, number][] = [
    ['hidden_size', hfNum(config, 'hidden_size'), hidden],
    ['num_hidden_layers', hfNum(config, 'num_hidden_layers'), hubert.layers],
    ['intermediate_size', hfNum(config, 'intermediate_size'), hubert.ffn],
    ['num_conv_pos_embeddings', hfNum(config, 'num_conv_pos_embeddings'), hubert.posConvKernel],
    ['num_conv_pos_embedding_groups', hfNum(config, 'num_conv_pos_embedding_groups'), hubert.posConvGroups],
  ];
  for (const [what, cfg, actual] of checks) if (cfg !== undefined && cfg !== actual) throw configMismatch(ckpt.name, what, cfg, actual);
  return { hubert, weights };
}

// ---- Chinese RoBERTa ---------------------------------------------------------------------------

export interface RobertaModel {
  roberta: RobertaConfig;
  weights: CheckpointWeights;
}

export function readRoberta(ckpt: Checkpoint, config?: HFConfig): RobertaModel {
  const sd = stateDictOf(ckpt, 'roberta');
  if (config && config.model_type !== undefined && config.model_type !== 'bert' && config.model_type !== 'roberta') {
    throw new MynahError('CHECKPOINT_WRONG_SLOT', `The RoBERTa config.json describes a "${String(config.model_type)}" model, not BERT. Use chinese-roberta-wwm-ext-large's config.json.`);
  }
  const layerCount = new Set([...sd.keys()].map((k) => /^(?:bert\.)?encoder\.layer\.(\d+)\./.exec(k)?.[1]).filter((x) => x !== undefined)).size;
  const used = robertaLayersUsed({ ...ROBERTA_LARGE, layers: layerCount });
  const weights = new CheckpointWeights(sd, {
    label: `The RoBERTa file ${ckpt.name}`,
    stripPrefix: 'bert.',
    // Checkpoints converted from TensorFlow name LayerNorm parameters gamma/beta.
    rename: (n) => n.replace(/LayerNorm\.gamma$/, 'LayerNorm.weight').replace(/LayerNorm\.beta$/, 'LayerNorm.bias'),
    // Not needed for hidden_states[-3]: the masked-LM head (cls.*), the pooler, the position-id
    // buffer, and the last two layers.
    ignore: (n) => /^(cls|pooler)\./.test(n) || n === 'embeddings.position_ids' || Number(/^encoder\.layer\.(\d+)\./.exec(n)?.[1] ?? -1) >= used,
  });
  const hidden = dimOf(weights, 'embeddings.word_embeddings.weight', 1);
  const roberta: RobertaConfig = {
    vocab: dimOf(weights, 'embeddings.word_embeddings.weight', 0),
    hidden,
    heads: hfNum(config, 'num_attention_heads') ?? (hidden === ROBERTA_LARGE.hidden ? ROBERTA_LARGE.heads : 0),
    layers: layerCount,
    ffn: dimOf(weights, 'encoder.layer.0.intermediate.dense.weight', 0),
    maxPositions: dimOf(weights, 'embeddings.position_embeddings.weight', 0),
    typeVocab: dimOf(weights, 'embeddings.token_type_embeddings.weight', 0),
    eps: hfNum(config, 'layer_norm_eps') ?? ROBERTA_LARGE.eps,
  };
  if (!roberta.heads) throw new MynahError('CHECKPOINT_CONFIG_MISMATCH', `${ckpt.name} is not the standard chinese-roberta-wwm-ext-large; add its config.json so Mynah knows its attention heads.`);
  if (roberta.layers < 3) throw new MynahError('CHECKPOINT_KEYS', `${ckpt.name} has ${roberta.layers} layers; GPT-SoVITS needs at least 3.`);
  const checks: [string, number | undefined, number][] = [
    ['vocab_size', hfNum(config, 'vocab_size'), roberta.vocab],
    ['hidden_size', hfNum(config, 'hidden_size'), hidden],
    ['num_hidden_layers', hfNum(config, 'num_hidden_layers'), roberta.layers],
    ['intermediate_size', hfNum(config, 'intermediate_size'), roberta.ffn],
  ];
  for (const [what, cfg, actual] of checks) if (cfg !== undefined && cfg !== actual) throw configMismatch(ckpt.name, what, cfg, actual);
  return { roberta, weights };
}

// GPT-SoVITS v3/v4 SoVITS files (SynthesizerTrnV3: v2's enc_p and ref_enc, bridge, wns1, the CFM's
// DiT), full or LoRA, and their vocoders, mapped onto our graphs' weight names.
//
// Which version (process_ckpt.get_sovits_version_from_path_fast, then TTS.py): a 2-byte header 02
// is v3, 03 a v3 LoRA, 04 a v4 LoRA; a PK-headed file with cfm.* weights is one of upstream's
// pretrained files (recognised by the MD5 of its first 8192 bytes: s2Gv3.pth, s2Gv4.pth) or, failing
// that, what its config's model.version says, else v3 (upstream's size rule calls every large
// PK file v3).
//
// LoRA (s2_train_v3_lora.py): the file holds the fine-tune's trainable tensors (ref_enc, bridge,
// wns1, linear_mel, the codebook buffers) and, for the DiT's attention projections (LoraConfig
// target_modules to_k/to_q/to_v/to_out.0, lora_alpha = r), peft's lora_A [r, in] and lora_B
// [out, r] under cfm.base_model.model.<module>.lora_{A,B}.default.weight. TTS.py loads the base
// (s2Gv3.pth / s2Gv4.pth), then the LoRA file (strict=False), then merge_and_unload: every target
// weight becomes W + (B·A)·(alpha/r). Merged here while the graphs are built.
import { MynahError } from '../errors';
import { DIT_V3V4, ditParameterShapes, rotaryInvFreq, type DiTConfig } from '../graph/models/cfm';
import type { SemanticConfig } from '../graph/models/semantic';
import { SOVITS_V2 } from '../graph/models/sovits';
import { sovitsV3V4EncoderShapes, V3V4_UNUSED, type SoVITSV3V4Config } from '../graph/models/sovits-v3v4';
import { VOCODER_V4, vocoderParameterShapes, type HiFiGANConfig } from '../graph/models/vocoder';
import { BIGVGAN_V2_24K, bigvganParameterShapes, type BigVGANConfig } from '../graph/models/bigvgan';
import type { Init, WeightSource } from '../graph/weights';
import { MODEL_FAMILIES } from '../pack/versions';
import { md5Hex } from './md5';
import type { Checkpoint } from './open';
import type { PyValue } from './pickle';
import type { LazyTensor } from './tensor';
import { CheckpointWeights, type ShapeMismatch, CheckpointKeysError } from './weights';

export type FlowVersion = 'v3' | 'v4';

/** MD5 of the first 8192 bytes of upstream's pretrained v3/v4 SoVITS files (process_ckpt.hash_pretrained_dict). */
export const PRETRAINED_V3V4_MD5: Record<string, FlowVersion> = {
  '43797be674a37c1c83ee81081941ed0f': 'v3', // s2Gv3.pth
  '4f26b9476d0c5033e04162c486074374': 'v4', // gsv-v4-pretrained/s2Gv4.pth
};

const LORA_KEY = /^cfm\.base_model\.model\.(.+)\.lora_([AB])\.default\.weight$/;

export interface V3V4FileKind {
  version: FlowVersion;
  lora: boolean;
  /** How the version was decided, for the report. */
  by: 'header' | 'pretrained hash' | 'config' | 'default';
}

function field(obj: PyValue | undefined, ...path: string[]): PyValue | undefined {
  let v: PyValue | undefined = obj;
  for (const p of path) v = v instanceof Map ? v.get(p) : undefined;
  return v;
}

/** True when the state dict is a v3/v4 SoVITS (full or LoRA). */
export function isV3V4StateDict(sd: Map<string, LazyTensor>): boolean {
  return [...sd.keys()].some((k) => k.startsWith('cfm.') || k.startsWith('wns1.') || k.startsWith('bridge.'));
}

/** v3 or v4, full or LoRA, as upstream decides it (see the header). */
export async function v3v4FileKind(ckpt: Checkpoint, sd: Map<string, LazyTensor>): Promise<V3V4FileKind> {
  const lora = [...sd.keys()].some((k) => LORA_KEY.test(k));
  const code = ckpt.versionCode;
  if (code === '02') return { version: 'v3', lora, by: 'header' };
  if (code === '03') return { version: 'v3', lora: true, by: 'header' };
  if (code === '04') return { version: 'v4', lora: true, by: 'header' };
  const head = await ckpt.source.read(0, Math.min(8192, ckpt.source.size));
  const known = PRETRAINED_V3V4_MD5[md5Hex(head)];
  if (known) return { version: known, lora, by: 'pretrained hash' };
  const declared = field(ckpt.root instanceof Map ? ckpt.root.get('config') : undefined, 'model', 'version');
  if (declared === 'v3' || declared === 'v4') return { version: declared, lora, by: 'config' };
  return { version: 'v3', lora, by: 'default' };
}

function dim(w: WeightSourceWithShapes, name: string, axis: number): number {
  const s = w.shape(name);
  if (!s || s.length <= axis) throw new MynahError('CHECKPOINT_KEYS', `${w.label} has no usable ${name}; it is not a complete GPT-SoVITS v3/v4 model.`);
  return s[axis];
}

function count(names: string[], re: RegExp): number {
  return new Set(names.map((n) => re.exec(n)?.[1]).filter((x) => x !== undefined)).size;
}

interface WeightSourceWithShapes extends WeightSource {
  label: string;
  shape(name: string): number[] | undefined;
  has(name: string): boolean;
  names(): string[];
}

/**
 * The SoVITS weights a v3/v4 graph reads: one full file, or a base file with a LoRA file merged on
 * top. Every tensor read goes through the files' CheckpointWeights, so their key accounting (used,
 * missing, unexpected) still holds.
 */
export class V3V4Weights implements WeightSourceWithShapes {
  readonly label: string;
  /** Graph name of each adapted weight -> its lora_A / lora_B names in the LoRA file. */
  readonly targets = new Map<string, { a: string; b: string }>();
  constructor(
    readonly base: CheckpointWeights,
    readonly lora?: CheckpointWeights,
    readonly rank = 0,
    readonly alpha = 0,
    readonly dimHead = 64,
  ) {
    this.label = lora ? `${base.opts.label} with ${lora.opts.label} merged` : base.opts.label;
    if (lora) {
      for (const name of lora.names()) {
        const m = LORA_KEY.exec(name);
        if (!m) continue;
        const target = `cfm.${m[1]}.weight`;
        const t = this.targets.get(target) ?? { a: '', b: '' };
        t[m[2] === 'A' ? 'a' : 'b'] = name;
        this.targets.set(target, t);
      }
    }
  }

  private fromLora(name: string): boolean {
    return Boolean(this.lora?.has(name));
  }

  shape(name: string): number[] | undefined {
    if (this.fromLora(name)) return this.lora!.shape(name);
    const s = this.base.shape(name);
    if (!s && name.endsWith('.rotary_embed.inv_freq')) return [this.dimHead / 2];
    return s;
  }

  has(name: string): boolean {
    return this.shape(name) !== undefined;
  }

  names(): string[] {
    const own = new Set(this.base.names());
    for (const n of this.lora?.names() ?? []) if (!LORA_KEY.test(n)) own.add(n);
    return [...own];
  }

  get(name: string, dims: number[], init?: Init): Float32Array {
    if (name.endsWith('.rotary_embed.inv_freq') && !this.base.has(name)) {
      // Files written where x_transformers kept inv_freq out of the state dict: the computed values.
      return rotaryInvFreq(this.dimHead);
    }
    if (this.fromLora(name)) {
      if (this.base.has(name)) this.base.get(name, this.base.shape(name)!, init); // superseded, but part of the base model
      return this.lora!.get(name, dims, init);
    }
    const w = this.base.get(name, dims, init);
    const t = this.targets.get(name);
    if (!t || !this.lora) return w;
    const [out, inF] = dims;
    const a = this.lora.get(t.a, [this.rank, inF]);
    const b = this.lora.get(t.b, [out, this.rank]);
    return mergeLora(w, a, b, out, inF, this.rank, this.alpha / this.rank);
  }

  check(complete: boolean): void {
    this.base.check(complete);
    this.lora?.check(complete);
  }
}

/** peft LoraLayer.merge for nn.Linear: W [out, in] + (B [out, r] · A [r, in]) · scaling. */
export function mergeLora(w: Float32Array, a: Float32Array, b: Float32Array, out: number, inF: number, rank: number, scaling: number): Float32Array {
  const merged = new Float32Array(w.length);
  for (let o = 0; o < out; o++) {
    for (let i = 0; i < inF; i++) {
      let s = 0;
      for (let r = 0; r < rank; r++) s += b[o * rank + r] * a[r * inF + i];
      merged[o * inF + i] = w[o * inF + i] + Math.fround(s) * scaling;
    }
  }
  return merged;
}

export interface SoVITSV3V4Model {
  version: FlowVersion;
  kind: V3V4FileKind;
  sovits: SoVITSV3V4Config;
  dit: DiTConfig;
  semantic: SemanticConfig;
  weights: V3V4Weights;
  /** The LoRA's rank and how many weights it adapts (LoRA files only). */
  lora?: { rank: number; alpha: number; targets: number };
}

/** Keys a v3/v4 .pth may hold that inference does not use. */
export function v3v4Ignored(name: string): boolean {
  return V3V4_UNUSED.test(name) || name.startsWith('enc_q.') || /^quantizer\.vq\.layers\.\d+\._codebook\.(inited|cluster_size|embed_avg)$/.test(name);
}

/**
 * The networks of a v3/v4 SoVITS. `file` is the user's SoVITS file (full, or a LoRA whose `base`
 * is upstream's pretrained s2Gv3.pth / s2Gv4.pth).
 */
export function readSoVITSV3V4(file: { ckpt: Checkpoint; sd: Map<string, LazyTensor>; kind: V3V4FileKind }, base?: { ckpt: Checkpoint; sd: Map<string, LazyTensor>; kind: V3V4FileKind }): SoVITSV3V4Model {
  const { kind } = file;
  const family = MODEL_FAMILIES[kind.version];
  let weights: V3V4Weights;
  let lora: SoVITSV3V4Model['lora'];
  if (kind.lora) {
    if (!base) {
      throw new MynahError(
        'SOVITS_BASE_MISSING',
        `${file.ckpt.name} is a ${family.label} LoRA fine-tune: it is merged onto upstream's pretrained ${family.flowMatching!.baseFile} (GPT_SoVITS/pretrained_models${kind.version === 'v4' ? '/gsv-v4-pretrained' : ''}/${family.flowMatching!.baseFile}). Add that file as the base model and convert again.`,
      );
    }
    if (base.kind.lora) throw new MynahError('MODELS_MISMATCH', `These files do not belong together: the base model ${base.ckpt.name} is itself a LoRA fine-tune; use upstream's ${family.flowMatching!.baseFile}.`);
    if (base.kind.by !== 'default' && base.kind.version !== kind.version) {
      throw new MynahError('MODELS_MISMATCH', `These files do not belong together: ${file.ckpt.name} is a ${kind.version} LoRA but the base model ${base.ckpt.name} is ${base.kind.version}; use ${family.flowMatching!.baseFile}.`);
    }
    const rankValue = file.ckpt.root instanceof Map ? file.ckpt.root.get('lora_rank') : undefined;
    const baseW = new CheckpointWeights(base.sd, { label: `The base SoVITS file ${base.ckpt.name}`, ignore: v3v4Ignored });
    const loraW = new CheckpointWeights(file.sd, { label: `The LoRA file ${file.ckpt.name}`, ignore: v3v4Ignored });
    const firstA = loraW.names().find((n) => LORA_KEY.test(n) && n.includes('.lora_A.'));
    const rank = firstA ? loraW.shape(firstA)![0] : 0;
    if (typeof rankValue === 'number' && rankValue !== rank) {
      throw new MynahError('CHECKPOINT_CONFIG_MISMATCH', `${file.ckpt.name} says its LoRA rank is ${rankValue} but its weights have ${rank}. The file is inconsistent; re-export it from GPT-SoVITS.`);
    }
    if (!rank) throw new MynahError('CHECKPOINT_KEYS', `${file.ckpt.name} is marked as a LoRA fine-tune but holds no LoRA weights.`);
    // upstream's LoraConfig: lora_alpha = lora_rank, so the merge scale alpha / r is 1.
    weights = new V3V4Weights(baseW, loraW, rank, rank, invFreqDimHead(baseW));
    lora = { rank, alpha: rank, targets: weights.targets.size };
  } else {
    const w = new CheckpointWeights(file.sd, { label: `The SoVITS file ${file.ckpt.name}`, ignore: v3v4Ignored });
    weights = new V3V4Weights(w, undefined, 0, 0, invFreqDimHead(w));
  }

  const flow = family.flowMatching!;
  const names = weights.names();
  const model = field(file.ckpt.root instanceof Map ? file.ckpt.root.get('config') : undefined, 'model');
  const num = (k: string) => (typeof field(model, k) === 'number' ? (field(model, k) as number) : undefined);
  const sovits: SoVITSV3V4Config = {
    ...SOVITS_V2,
    refBins: dim(weights, 'ref_enc.spectral.0.fc.weight', 1),
    sslDim: dim(weights, 'enc_p.ssl_proj.weight', 1),
    codebookSize: dim(weights, 'quantizer.vq.layers.0._codebook.embed', 0),
    textVocab: dim(weights, 'enc_p.text_embedding.weight', 0),
    hidden: dim(weights, 'enc_p.text_embedding.weight', 1),
    inter: dim(weights, 'bridge.0.weight', 1),
    filter: dim(weights, 'enc_p.encoder_text.ffn_layers.0.conv_1.weight', 0),
    heads: num('n_heads') ?? SOVITS_V2.heads,
    layers: count(names, /^enc_p\.encoder_text\.attn_layers\.(\d+)\./),
    kernelSize: dim(weights, 'enc_p.encoder_text.ffn_layers.0.conv_1.weight', 2),
    window: (dim(weights, 'enc_p.encoder_text.attn_layers.0.emb_rel_k', 1) - 1) / 2,
    gin: dim(weights, 'ref_enc.fc.fc.weight', 0),
    mrteHidden: dim(weights, 'enc_p.mrte.c_pre.weight', 0),
    styleHidden: dim(weights, 'ref_enc.spectral.0.fc.weight', 0),
    styleKernel: dim(weights, 'ref_enc.temporal.0.conv1.conv.weight', 2),
    bridge: dim(weights, 'bridge.0.weight', 0),
    wnLayers: count(names, /^wns1\.enc\.in_layers\.(\d+)\.weight$/),
    wnKernel: dim(weights, 'wns1.enc.in_layers.0.weight', 2),
    feaUpsample: flow.feaUpsample,
    framesPerCode: flow.framesPerCode,
  };
  const P = 'cfm.estimator';
  const ditDim = dim(weights, `${P}.time_embed.time_mlp.0.weight`, 0);
  const inner = dim(weights, `${P}.transformer_blocks.0.attn.to_q.weight`, 0);
  const dimHead = weights.dimHead;
  const dit: DiTConfig = {
    ...DIT_V3V4,
    dim: ditDim,
    depth: count(names, /^cfm\.estimator\.transformer_blocks\.(\d+)\./),
    dimHead,
    heads: inner / dimHead,
    ffMult: dim(weights, `${P}.transformer_blocks.0.ff.ff.0.0.weight`, 0) / ditDim,
    mel: dim(weights, `${P}.proj_out.weight`, 0),
    textDim: dim(weights, `${P}.text_embed.text_blocks.0.dwconv.weight`, 0),
    convLayers: count(names, /^cfm\.estimator\.text_embed\.text_blocks\.(\d+)\./),
    convPosKernel: dim(weights, `${P}.input_embed.conv_pos_embed.conv1d.0.weight`, 2),
    convPosGroups: ditDim / dim(weights, `${P}.input_embed.conv_pos_embed.conv1d.0.weight`, 1),
    freqEmbedDim: dim(weights, `${P}.time_embed.time_mlp.0.weight`, 1),
  };
  if (!Number.isInteger(dit.heads) || dit.heads < 1) throw new MynahError('CHECKPOINT_CONFIG_MISMATCH', `${file.ckpt.name}: the DiT's attention width ${inner} is not a multiple of its head width ${dimHead}.`);
  if (dit.textDim !== sovits.bridge) throw new MynahError('CHECKPOINT_CONFIG_MISMATCH', `${file.ckpt.name}: the DiT reads ${dit.textDim}-wide conditions but the bridge gives ${sovits.bridge}.`);
  const semantic: SemanticConfig = { sslDim: sovits.sslDim, codebookSize: sovits.codebookSize, downsample: dim(weights, 'ssl_proj.weight', 2) };

  // The full inventory, checked before anything is built (LoRA targets must be DiT weights).
  const shapes = sovitsV3V4EncoderShapes(sovits);
  const d = semantic.sslDim;
  preflight(weights, [
    ...shapes.ref_enc,
    ...shapes.encoder,
    ...ditParameterShapes(dit),
    ['ssl_proj.weight', [d, d, semantic.downsample]],
    ['ssl_proj.bias', [d]],
  ]);
  return { version: kind.version, kind, sovits, dit, semantic, weights, lora };
}

/** dimHead from the rotary buffer when the file has it (2 × its length), else upstream's 64. */
function invFreqDimHead(w: CheckpointWeights): number {
  const s = w.shape('cfm.estimator.rotary_embed.inv_freq');
  return s ? 2 * s[0] : 64;
}

function preflight(w: V3V4Weights, expected: [string, number[]][]): void {
  const missing: string[] = [];
  const mismatched: ShapeMismatch[] = [];
  const wanted = new Set(expected.map(([n]) => n));
  for (const [name, dims] of expected) {
    const s = w.shape(name);
    if (!s) missing.push(name);
    else if (s.join(',') !== dims.join(',')) mismatched.push({ name, want: dims, got: s });
  }
  for (const [target, t] of w.targets) {
    if (!wanted.has(target) || !t.a || !t.b) missing.push(`${target} (LoRA target)`);
    else {
      const [out, inF] = w.shape(target)!;
      const a = w.lora!.shape(t.a)!;
      const b = w.lora!.shape(t.b)!;
      if (a.join(',') !== [w.rank, inF].join(',')) mismatched.push({ name: t.a, want: [w.rank, inF], got: a });
      if (b.join(',') !== [out, w.rank].join(',')) mismatched.push({ name: t.b, want: [out, w.rank], got: b });
    }
  }
  const unexpected = w.names().filter((n) => !wanted.has(n) && !v3v4Ignored(n) && !/\.weight_[gv]$/.test(n));
  if (missing.length || mismatched.length || unexpected.length) throw new CheckpointKeysError(w.label, missing, mismatched, unexpected);
}

// ---- vocoders ------------------------------------------------------------------------------------

export interface VocoderModel {
  vocoder: HiFiGANConfig | BigVGANConfig;
  weights: CheckpointWeights;
}

/**
 * v3's BigVGAN (nvidia/bigvgan_v2_24khz_100band_256x: bigvgan_generator.pt, {'generator': state dict},
 * weight-normed, with its anti-aliasing filters as buffers; config.json beside it). Widths and kernels
 * come from the shapes; the upsampling rates, the final tanh/clamp and the log-scale Snake parameters
 * from the config when given, else the 24 kHz release's (rates = kernel / 2, clamp, log scale).
 */
export function readVocoderBigVGAN(ckpt: Checkpoint, sd: Map<string, LazyTensor>, config?: Record<string, unknown>): VocoderModel {
  const weights = new CheckpointWeights(sd, { label: `The BigVGAN file ${ckpt.name}` });
  const names = weights.names();
  const stages = count(names, /^ups\.(\d+)\.0\.weight$/);
  const kernels = Array.from({ length: stages }, (_, i) => dimOf(weights, `ups.${i}.0.weight`, 2, ckpt.name));
  const nums = (k: string) => (Array.isArray(config?.[k]) && (config![k] as unknown[]).every((x) => typeof x === 'number') ? (config![k] as number[]) : undefined);
  const bool = (k: string) => (typeof config?.[k] === 'boolean' ? (config[k] as boolean) : undefined);
  if (config && config.activation !== undefined && config.activation !== 'snakebeta') {
    throw new MynahError('UNSUPPORTED_MODEL_VERSION', `${ckpt.name}'s config uses the ${String(config.activation)} activation; GPT-SoVITS v3's BigVGAN (bigvgan_v2_24khz_100band_256x) uses snakebeta.`);
  }
  if (config && config.resblock !== undefined && config.resblock !== '1') throw new MynahError('UNSUPPORTED_MODEL_VERSION', `${ckpt.name}'s config uses AMPBlock${String(config.resblock)}; v3's BigVGAN uses AMPBlock1.`);
  const vocoder: BigVGANConfig = {
    ...BIGVGAN_V2_24K,
    melBins: dimOf(weights, 'conv_pre.weight', 1, ckpt.name),
    upsampleInitial: dimOf(weights, 'conv_pre.weight', 0, ckpt.name),
    upsampleKernels: kernels,
    upsampleRates: nums('upsample_rates') ?? kernels.map((k) => k / 2),
    resblockKernels: [0, 1, 2].map((j) => dimOf(weights, `resblocks.${j}.convs1.0.weight`, 2, ckpt.name)),
    snakeLogscale: bool('snake_logscale') ?? BIGVGAN_V2_24K.snakeLogscale,
    tanhAtFinal: bool('use_tanh_at_final') ?? BIGVGAN_V2_24K.tanhAtFinal,
    biasAtFinal: weights.has('conv_post.bias'),
    filterTaps: dimOf(weights, 'activation_post.upsample.filter', 2, ckpt.name),
    sampleRate: typeof config?.sampling_rate === 'number' ? (config.sampling_rate as number) : BIGVGAN_V2_24K.sampleRate,
  };
  if (vocoder.upsampleRates.length !== stages) throw new MynahError('CHECKPOINT_CONFIG_MISMATCH', `${ckpt.name}: its config lists ${vocoder.upsampleRates.length} upsampling rates but the weights have ${stages} stages.`);
  weights.preflight(bigvganParameterShapes(vocoder));
  return { vocoder, weights };
}

/** v4's vocoder.pth (a plain state dict of models.Generator after remove_weight_norm). */
export function readVocoderV4(ckpt: Checkpoint, sd: Map<string, LazyTensor>): VocoderModel {
  const weights = new CheckpointWeights(sd, { label: `The vocoder file ${ckpt.name}` });
  const names = weights.names();
  const stages = count(names, /^ups\.(\d+)\.weight$/);
  const kernels = Array.from({ length: stages }, (_, i) => dimOf(weights, `ups.${i}.weight`, 2, ckpt.name));
  const resblockKernels = [0, 1, 2].map((j) => dimOf(weights, `resblocks.${j}.convs1.0.weight`, 2, ckpt.name));
  const vocoder: HiFiGANConfig = {
    ...VOCODER_V4,
    melBins: dimOf(weights, 'conv_pre.weight', 1, ckpt.name),
    upsampleInitial: dimOf(weights, 'conv_pre.weight', 0, ckpt.name),
    upsampleKernels: kernels,
    resblockKernels,
    postBias: weights.has('conv_post.bias'),
  };
  // The upsample rates are not in the weights; upstream hard-codes 10·6·2·2·2 with these kernels.
  if (kernels.join(',') !== VOCODER_V4.upsampleKernels.join(',')) {
    throw new MynahError('UNSUPPORTED_MODEL_VERSION', `${ckpt.name} is a vocoder with upsampling kernels ${kernels.join('/')}; GPT-SoVITS v4's vocoder.pth has ${VOCODER_V4.upsampleKernels.join('/')}. Use gsv-v4-pretrained/vocoder.pth.`);
  }
  weights.preflight(vocoderParameterShapes(vocoder));
  return { vocoder, weights };
}

function dimOf(w: CheckpointWeights, name: string, axis: number, file: string): number {
  const s = w.shape(name);
  if (!s || s.length <= axis) throw new MynahError('CHECKPOINT_KEYS', `${file} has no usable ${name}; it is not GPT-SoVITS's vocoder.`);
  return s[axis];
}

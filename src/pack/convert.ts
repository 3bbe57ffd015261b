// Converts a user's upstream GPT-SoVITS files into a Mynah model pack, locally. Files are read
// lazily (Blob.slice per tensor; synchronously through FileReaderSync inside a worker), every
// weight is checked against the network before anything is built, and the graphs are then built
// one at a time with buildPack, so memory stays near one network's weights plus its ONNX bytes.
import { checkConvertFiles } from '../validate';
import { readBertVocab } from '../checkpoint/bert-vocab';
import { blobSource, type ByteSource } from '../checkpoint/bytes';
import { parseHFConfig, readGPT, readHubert, readRoberta, readSoVITS, readSV, stateDictOf, svFitsSoVITS, type HFConfig } from '../checkpoint/models';
import { isV3V4StateDict, readSoVITSV3V4, readVocoderBigVGAN, readVocoderV4, v3v4FileKind, type SoVITSV3V4Model, type VocoderModel } from '../checkpoint/v3v4';
import type { LazyTensor } from '../checkpoint/tensor';
import { svEmbedDim } from '../graph/models/sv';
import { openCheckpoint, type Checkpoint } from '../checkpoint/open';
import { prefetchStorages } from '../checkpoint/tensor';
import type { CheckpointWeights } from '../checkpoint/weights';
import { MynahError } from '../errors';
import { buildPack, type PackConfig, type PackSources } from './build';
import type { LoadedPack } from './fetch';
import type { PackRole } from './manifest';
import { MODEL_FAMILIES, SV_CHECKPOINT_NAME, type ModelVersion } from './versions';

/** The user's files, one per slot. Blobs or Files; ByteSources for tests and custom readers. */
export interface ConvertFiles {
  /** GPT (s1) .ckpt. */
  gpt: Blob | ByteSource;
  /** SoVITS (s2G) .pth. */
  sovits: Blob | ByteSource;
  /** chinese-hubert-base pytorch_model.bin or model.safetensors. */
  hubert: Blob | ByteSource;
  /** Its config.json (optional for the standard model). */
  hubertConfig?: Blob;
  /** chinese-roberta-wwm-ext-large weights (optional: without it Chinese text gets no BERT features). */
  roberta?: Blob | ByteSource;
  robertaConfig?: Blob;
  /** The RoBERTa's vocab.txt, or GPT-SoVITS's tokenizer.json (required with `roberta`). */
  robertaVocab?: Blob;
  /**
   * The speaker-verification model pretrained_eres2netv2w24s4ep4.ckpt: required by v2Pro and
   * v2ProPlus SoVITS models, ignored (with a warning) for v1/v2.
   */
  sv?: Blob | ByteSource;
  /**
   * v3/v4 LoRA fine-tunes: upstream's pretrained SoVITS the LoRA is merged onto (s2Gv3.pth, or
   * gsv-v4-pretrained/s2Gv4.pth). Required for LoRA files, ignored (with a warning) otherwise.
   */
  sovitsBase?: Blob | ByteSource;
  /**
   * The vocoder: v4's gsv-v4-pretrained/vocoder.pth, v3's BigVGAN bigvgan_generator.pt (from
   * models--nvidia--bigvgan_v2_24khz_100band_256x). Required by v3/v4 SoVITS models, ignored otherwise.
   */
  vocoder?: Blob | ByteSource;
  /** v3: the BigVGAN's config.json (optional: the 24 kHz release's values are the default). */
  vocoderConfig?: Blob;
}

export interface ConvertProgress {
  phase: 'reading' | 'building';
  /** File being read, or graph being built. */
  name: string;
  role?: PackRole;
  /** Steps done so far of `total` (files read, then graphs built). */
  done: number;
  total: number;
}

export interface ConvertOptions {
  /** Pack id (plain file-name characters); derived from the SoVITS file name by default. */
  id?: string;
  name?: string;
  onProgress?: (p: ConvertProgress) => void;
}

export interface ConvertReport {
  /** GPT-SoVITS version of the SoVITS model (decides the symbol table and the networks). */
  version: ModelVersion;
  /** Upstream's 2-byte header code of the SoVITS file, when it had one. */
  sovitsHeader?: string;
  /** v3/v4: how the version was decided, and the LoRA merged (rank, alpha, adapted weights). */
  flow?: { decidedBy: string; lora?: { rank: number; alpha: number; targets: number } };
  /** Keys present in the files but not needed at inference (enc_q, training buffers, MLM head...). */
  ignoredKeys: Record<string, number>;
  warnings: string[];
}

function toSource(file: Blob | ByteSource, fallbackName: string): ByteSource {
  if (typeof (file as ByteSource).read === 'function' && typeof (file as Blob).slice !== 'function') return file as ByteSource;
  const blob = file as Blob;
  return blobSource(blob, (blob as File).name || fallbackName);
}

/** A JSON config (BigVGAN's config.json), or undefined without one. */
async function readJson(blob: Blob | undefined): Promise<Record<string, unknown> | undefined> {
  return blob ? parseHFConfig(await blob.text(), (blob as File).name || 'config.json') : undefined;
}

async function readConfig(blob: Blob | undefined, fallbackName: string): Promise<HFConfig | undefined> {
  if (!blob) return undefined;
  return parseHFConfig(await blob.text(), (blob as File).name || fallbackName);
}

function packId(from: string): string {
  const id = from
    .replace(/\.[^.]*$/, '')
    .replace(/[^\w.-]+/g, '-')
    .replace(/^[-.]+|-+$/g, '');
  return id || 'converted';
}

/**
 * Reads, checks and converts the files into a pack ({manifest, files} like fetchPack returns).
 * Typed errors: CHECKPOINT_INVALID / CHECKPOINT_TRUNCATED (unreadable file), UNSAFE_PICKLE
 * (a file that would run code), CHECKPOINT_WRONG_SLOT, UNSUPPORTED_MODEL_VERSION, SV_MODEL_MISSING (a v2Pro/v2ProPlus SoVITS without the speaker-verification file),
 * SOVITS_BASE_MISSING (a v3/v4 LoRA without upstream's pretrained base), VOCODER_MISSING (v3/v4 without the vocoder),
 * CHECKPOINT_KEYS / CHECKPOINT_CONFIG_MISMATCH (weights that do not fit), MODELS_MISMATCH (files
 * that do not belong together), VOCAB_MISSING / VOCAB_INVALID (RoBERTa without a usable vocabulary).
 */
export async function convertToPack(files: ConvertFiles, opts: ConvertOptions = {}): Promise<LoadedPack & { report: ConvertReport }> {
  checkConvertFiles(files);
  try {
    return await convertChecked(files, opts);
  } catch (e) {
    if (e instanceof MynahError) throw e;
    // A reader or graph builder tripping over a malformed file: typed, never a raw TypeError.
    throw new MynahError('CHECKPOINT_INVALID', `These files could not be converted (${String((e as Error)?.message ?? e).slice(0, 200)}). Use the files exactly as GPT-SoVITS saved them.`);
  }
}

async function convertChecked(files: ConvertFiles, opts: ConvertOptions): Promise<LoadedPack & { report: ConvertReport }> {
  const sources = {
    gpt: toSource(files.gpt, 'GPT model'),
    sovits: toSource(files.sovits, 'SoVITS model'),
    hubert: toSource(files.hubert, 'HuBERT model'),
    roberta: files.roberta ? toSource(files.roberta, 'RoBERTa model') : undefined,
    sv: files.sv ? toSource(files.sv, SV_CHECKPOINT_NAME) : undefined,
    sovitsBase: files.sovitsBase ? toSource(files.sovitsBase, 'SoVITS base model') : undefined,
    vocoder: files.vocoder ? toSource(files.vocoder, 'vocoder.pth') : undefined,
    vocoderConfig: files.vocoderConfig,
  };
  const readingSteps = 3 + (sources.roberta ? 1 : 0) + (sources.sv ? 1 : 0) + (sources.sovitsBase ? 1 : 0) + (sources.vocoder ? 1 : 0);
  let done = 0;
  const reading = (name: string) => opts.onProgress?.({ phase: 'reading', name, done: done++, total: readingSteps });

  reading(sources.sovits.name);
  const sovitsCkpt = await openCheckpoint(sources.sovits);
  const warnings: string[] = [];
  const sovitsSd = stateDictOf(sovitsCkpt, 'sovits');
  // v3/v4 by their weights; a v3/v4 header on other weights is refused by readSoVITS.
  const flowFile = isV3V4StateDict(sovitsSd);
  const flow = flowFile ? await readFlowModels(sovitsCkpt, sovitsSd, sources, reading, warnings) : undefined;
  const sovits = flow ? flow.sovits : readSoVITS(sovitsCkpt);
  const family = MODEL_FAMILIES[sovits.version];
  if (!flow) {
    for (const [slot, what] of [
      ['sovitsBase', 'a base SoVITS model'],
      ['vocoder', 'a vocoder'],
    ] as const) {
      if (sources[slot]) warnings.push(`${sources[slot]!.name} (${what}) is only used by GPT-SoVITS v3/v4 models; ${sources.sovits.name} is ${family.label}, so it was ignored`);
    }
  }
  // Asked for before the other files are read, so the user learns at once what to add.
  if (family.speakerVerification && !sources.sv) {
    throw new MynahError(
      'SV_MODEL_MISSING',
      `${sources.sovits.name} is a ${family.label} model: it also needs the speaker-verification model ${SV_CHECKPOINT_NAME} (GPT_SoVITS/pretrained_models/sv/ in GPT-SoVITS). Add that file and convert again.`,
    );
  }
  let sv: ReturnType<typeof readSV> | undefined;
  if (sources.sv && family.speakerVerification) {
    reading(sources.sv.name);
    sv = readSV(await openCheckpoint(sources.sv));
  } else if (sources.sv) {
    warnings.push(`${sources.sv.name} (speaker verification) is only used by v2Pro and v2ProPlus models; ${sources.sovits.name} is ${family.label}, so it was ignored`);
  }
  reading(sources.gpt.name);
  const gpt = readGPT(await openCheckpoint(sources.gpt));
  reading(sources.hubert.name);
  const hubert = readHubert(await openCheckpoint(sources.hubert), await readConfig(files.hubertConfig, 'HuBERT config.json'));
  let roberta: ReturnType<typeof readRoberta> | undefined;
  let bertVocab: ReturnType<typeof readBertVocab> | undefined;
  if (sources.roberta) {
    reading(sources.roberta.name);
    roberta = readRoberta(await openCheckpoint(sources.roberta), await readConfig(files.robertaConfig, 'RoBERTa config.json'));
    // Without its vocabulary the BERT could not be fed, so it is asked for before anything is built.
    if (!files.robertaVocab) {
      throw new MynahError('VOCAB_MISSING', 'The Chinese RoBERTa needs its vocabulary: add vocab.txt or tokenizer.json from the chinese-roberta-wwm-ext-large folder (or leave the RoBERTa out).');
    }
    bertVocab = readBertVocab(await files.robertaVocab.text(), (files.robertaVocab as File).name || 'RoBERTa vocabulary');
  }

  // Files that each read fine but do not belong together.
  const together = (ok: boolean, why: string) => {
    if (!ok) throw new MynahError('MODELS_MISMATCH', `These files do not belong together: ${why}.`);
  };
  if (sv) together(svFitsSoVITS(sv.sv, sovits.sovits), `the speaker-verification model gives ${svEmbedDim(sv.sv)}-wide embeddings, the SoVITS model expects ${sovits.sovits.svDim}`);
  together(hubert.hubert.hidden === sovits.sovits.sslDim, `HuBERT gives ${hubert.hubert.hidden}-wide features, the SoVITS model expects ${sovits.sovits.sslDim}`);
  together(gpt.t2s.vocab === sovits.semantic.codebookSize + 1, `the GPT model predicts ${gpt.t2s.vocab - 1} semantic tokens, the SoVITS codebook has ${sovits.semantic.codebookSize}`);
  together(gpt.t2s.phonemeVocab >= sovits.sovits.textVocab, `the GPT model knows ${gpt.t2s.phonemeVocab} phonemes, the SoVITS ${sovits.version} model ${sovits.sovits.textVocab}; use a ${family.symbols} GPT model`);
  // Upstream's files always agree here (1024); the tiny test pack deliberately does not, so this
  // is reported rather than refused.
  if (roberta && roberta.roberta.hidden !== gpt.t2s.bertDim) {
    const effect = roberta.roberta.hidden < gpt.t2s.bertDim ? 'the rest is filled with zeros' : 'Chinese text will get no BERT features';
    warnings.push(`RoBERTa gives ${roberta.roberta.hidden}-wide features but the GPT model expects ${gpt.t2s.bertDim}; ${effect}`);
  }
  // Mynah lower-cases as chinese-roberta-wwm-ext does; only Latin letters are affected, and
  // GPT-SoVITS sends BERT nothing but ideographs and punctuation.
  if (bertVocab?.lowercase === false) warnings.push('The tokenizer.json does not lower-case; Mynah lower-cases (this only matters for Latin letters, which never reach the BERT)');

  const weights: Record<string, CheckpointWeights> = { t2s: gpt.weights, hubert: hubert.weights };
  if (flow) {
    weights.sovits = flow.sovits.weights.base;
    if (flow.sovits.weights.lora) weights['sovits-lora'] = flow.sovits.weights.lora;
    weights.vocoder = flow.vocoder.weights;
  } else weights.sovits = (sovits as ReturnType<typeof readSoVITS>).weights;
  if (roberta) weights.roberta = roberta.weights;
  if (sv) weights.sv = sv.weights;
  // Without synchronous file reads (main thread) the tensor bytes are loaded once up front.
  for (const w of Object.values(weights)) {
    const tensors = [...w.tensors.values()];
    if (!tensors.every((t) => t.canReadSync())) await prefetchStorages(tensors);
  }

  const id = opts.id ?? packId(sources.sovits.name);
  const cfg: PackConfig = {
    id,
    name: opts.name ?? `${sources.sovits.name} + ${sources.gpt.name}`,
    version: sovits.version,
    sampleRate: flow ? family.flowMatching!.outputRate : (sovits as ReturnType<typeof readSoVITS>).sampleRate,
    t2s: gpt.t2s,
    sovits: sovits.sovits,
    hubert: hubert.hubert,
    semantic: sovits.semantic,
    roberta: roberta?.roberta,
    sv: sv?.sv,
    dit: flow?.sovits.dit,
    vocoder: flow?.vocoder.vocoder,
  };
  const packSources: PackSources = {
    t2s: gpt.weights,
    sovits: flow ? flow.sovits.weights : (sovits as ReturnType<typeof readSoVITS>).weights,
    hubert: hubert.weights,
    roberta: roberta?.weights,
    sv: sv?.weights,
    vocoder: flow?.vocoder.weights,
    bertVocab: bertVocab?.tokens,
  };
  const out = new Map<string, Uint8Array>();
  const manifest = await buildPack(
    cfg,
    packSources,
    async (name, bytes) => {
      // A weight a graph asked for but the file lacks (beyond the preflight inventories) fails here,
      // right after the graph that needed it, with the full list for that file.
      for (const w of Object.values(weights)) w.check(false);
      out.set(name, bytes);
    },
    {
      weights: `converted from ${[sources.gpt, sources.sovits, flow?.sovits.lora ? sources.sovitsBase : undefined, flow ? sources.vocoder : undefined, sources.hubert, sources.roberta, sv ? sources.sv : undefined]
        .filter((s) => s)
        .map((s) => s!.name)
        .join(', ')}${flow?.sovits.lora ? ` (LoRA rank ${flow.sovits.lora.rank} merged onto the base)` : ''}`,
      onProgress: (p) => opts.onProgress?.({ phase: 'building', name: p.name, role: p.role, done: p.index, total: p.total }),
    },
  );
  // Every key of every file must have gone into a graph or be one inference ignores.
  for (const w of Object.values(weights)) w.check(true);
  const ignoredKeys: Record<string, number> = {};
  for (const [net, w] of Object.entries(weights)) ignoredKeys[net] = w.tensors.size - w.usedKeyCount();
  return {
    manifest,
    files: out,
    report: { version: sovits.version, sovitsHeader: sovitsCkpt.versionCode, ignoredKeys, warnings, ...(flow ? { flow: { decidedBy: flow.sovits.kind.by, lora: flow.sovits.lora } } : {}) },
  };
}

/**
 * v3/v4: the SoVITS file (with its base model when it is a LoRA) and the vocoder, each asked for
 * before any other file is read, so the user learns at once what to add.
 */
async function readFlowModels(
  ckpt: Checkpoint,
  sd: Map<string, LazyTensor>,
  sources: { sovits: ByteSource; sovitsBase?: ByteSource; vocoder?: ByteSource; vocoderConfig?: Blob },
  reading: (name: string) => void,
  warnings: string[],
): Promise<{ sovits: SoVITSV3V4Model; vocoder: VocoderModel }> {
  const kind = await v3v4FileKind(ckpt, sd);
  const family = MODEL_FAMILIES[kind.version];
  const flow = family.flowMatching!;
  let base: Parameters<typeof readSoVITSV3V4>[1];
  if (kind.lora && sources.sovitsBase) {
    reading(sources.sovitsBase.name);
    const baseCkpt = await openCheckpoint(sources.sovitsBase);
    const baseSd = stateDictOf(baseCkpt, 'sovits');
    if (!isV3V4StateDict(baseSd)) throw new MynahError('MODELS_MISMATCH', `These files do not belong together: the base model ${baseCkpt.name} is not a GPT-SoVITS v3/v4 model; use upstream's ${flow.baseFile}.`);
    base = { ckpt: baseCkpt, sd: baseSd, kind: await v3v4FileKind(baseCkpt, baseSd) };
  } else if (sources.sovitsBase) {
    warnings.push(`${sources.sovitsBase.name} (a base SoVITS model) is only used with LoRA fine-tunes; ${sources.sovits.name} is a full model, so it was ignored`);
  }
  const sovits = readSoVITSV3V4({ ckpt, sd, kind }, base); // SOVITS_BASE_MISSING for a LoRA without its base
  const vocoderName = flow.vocoder === 'hifigan' ? 'GPT_SoVITS/pretrained_models/gsv-v4-pretrained/vocoder.pth' : "nvidia's bigvgan_v2_24khz_100band_256x: bigvgan_generator.pt from GPT_SoVITS/pretrained_models/models--nvidia--bigvgan_v2_24khz_100band_256x/";
  if (kind.by === 'default') warnings.push(`${sources.sovits.name} carries no version mark; read as ${family.label}, as upstream does for such files`);
  if (!sources.vocoder) {
    throw new MynahError(
      'VOCODER_MISSING',
      `${sources.sovits.name} is a ${family.label} model: it also needs its vocoder, ${vocoderName}. Add that file and convert again.`,
    );
  }
  reading(sources.vocoder.name);
  const vocCkpt = await openCheckpoint(sources.vocoder);
  const vocSd = stateDictOf(vocCkpt, 'vocoder');
  const isBigVGAN = [...vocSd.keys()].some((k) => /^ups\.\d+\.0\./.test(k));
  if (isBigVGAN !== (flow.vocoder === 'bigvgan')) {
    throw new MynahError('MODELS_MISMATCH', `These files do not belong together: ${sources.sovits.name} is ${family.label}, which uses ${vocoderName}, but ${vocCkpt.name} is ${isBigVGAN ? "v3's BigVGAN" : "v4's vocoder"}.`);
  }
  const vocoder = isBigVGAN ? readVocoderBigVGAN(vocCkpt, vocSd, await readJson(sources.vocoderConfig)) : readVocoderV4(vocCkpt, vocSd);
  if (vocoder.vocoder.melBins !== sovits.dit.mel) throw new MynahError('MODELS_MISMATCH', `These files do not belong together: the vocoder reads ${vocoder.vocoder.melBins} mel bins, the SoVITS model makes ${sovits.dit.mel}.`);
  return { sovits, vocoder };
}

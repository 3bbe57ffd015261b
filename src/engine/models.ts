// A loaded pack: its manifest, one session per graph on the engine's backend, and the facts the
// pipeline needs from its configs (sample rate, hop, widths), read once.
import type * as Ort from 'onnxruntime-web';
import { MynahError } from '../errors';
import type { RobertaConfig } from '../graph/models/roberta';
import type { T2SConfig } from '../graph/models/t2s';
import type { SoVITSConfig } from '../graph/models/sovits';
import type { LoadedPack } from '../pack/fetch';
import { isGraphRole, type GraphRole, type PackManifest } from '../pack/manifest';
import { BertTokenizer } from '../text/bert-tokenizer';
import type { OrtModule } from './backend';
import { EXTERNAL_DATA_PATH, externalizeWeights } from '../graph/external-data';
import { graphForPlan, graphForPrecision, type PrecisionPlan } from './precision';
import { T2SRunner } from './t2s-decode';
import { MODEL_FAMILIES } from '../pack/versions';
import { checkPackShape } from '../validate';

/** One session per graph role; 't2s-prefill' is the T2S decoder again at the plan's prefill precision. */
export type PackSessions = Partial<Record<GraphRole | 't2s-prefill', Ort.InferenceSession>>;

/** Whether the pack's Chinese BERT can feed the GPT, and why not when it cannot. */
export interface BertAvailability {
  available: boolean;
  /** One sentence for people: what Chinese text gets. */
  note: string;
}

/** What the engine needs to compute BERT features (present when available). */
export interface BertModel {
  tokenizer: BertTokenizer;
  roberta: RobertaConfig;
}

export interface LoadedModels {
  ort: OrtModule;
  manifest: PackManifest;
  sessions: PackSessions;
  /** True when sessions run on WebGPU and the T2S cache stays on the device. */
  onDevice: boolean;
  /** What the heavy graphs run at. */
  precision: PrecisionPlan;
  t2s: T2SConfig;
  sovits: SoVITSConfig;
  /** The Chinese BERT with its tokenizer, when the pack has both and its width fits the GPT. */
  bert?: BertModel;
  bertInfo: BertAvailability;
}

/**
 * Decides, from the manifest alone, whether the pack's BERT will be used. Features narrower than
 * the GPT's BERT input fill its leading dims (only the tiny test pack is built that way; upstream's
 * RoBERTa and GPT are both 1024 wide); wider ones cannot be used.
 */
export function bertAvailability(manifest: PackManifest, t2s: T2SConfig): BertAvailability & { roberta?: RobertaConfig } {
  const roberta = (manifest.dims as { roberta?: RobertaConfig }).roberta;
  const hasGraph = manifest.files.some((f) => f.role === 'bert');
  const hasVocab = manifest.files.some((f) => f.role === 'bert-vocab');
  if (!hasGraph || !roberta) return { available: false, note: 'This pack has no Chinese BERT: Chinese text gets zero BERT features (less natural prosody). Convert with the RoBERTa files to add it.' };
  if (!hasVocab) return { available: false, note: 'This pack has a Chinese BERT but not its vocabulary, so Chinese text gets zero BERT features. Convert the pack again with vocab.txt or tokenizer.json.' };
  if (roberta.hidden > t2s.bertDim) return { available: false, note: `This pack's Chinese BERT gives ${roberta.hidden}-wide features but its GPT takes ${t2s.bertDim}; Chinese text gets zero BERT features.` };
  const padded = roberta.hidden < t2s.bertDim ? ` (${roberta.hidden} wide, zero-filled to ${t2s.bertDim})` : '';
  return { available: true, note: `Chinese text gets BERT features from the pack's Chinese RoBERTa${padded}.`, roberta };
}

type CreateSession = (model: Uint8Array, options?: Ort.InferenceSession.SessionOptions) => Promise<Ort.InferenceSession>;

const FP32: PrecisionPlan = { t2s: 'fp32', sovits: 'fp32', reason: 'fp32' };

/**
 * Graphs that run once per cloned voice on hundreds of rows. Without prepacking, onnxruntime keeps
 * one copy of their matmul weights instead of two at creation (~0.2 GB less WASM heap for the
 * real-size HuBERT, and the WASM heap never shrinks); with that many rows the packing per call
 * costs nothing measurable (7 s of reference audio: HuBERT 1.8 s either way).
 */
const CLONE_ONLY = new Set<GraphRole>(['hubert', 'semantic', 'sovits-ref', 'sv']);
// The int8 T2S decoder (DynamicQuantizeMatMul) decodes and prefills as fast unpacked, and its
// packed copy would be ~50 MB more. (fp32 Gemms need theirs: a decode step is ~1.6x slower without.)
const NO_PREPACK: Ort.InferenceSession.SessionOptions = { extra: { session: { disable_prepacking: '1' } } };

/** Creates a session with the weights handed over as external data (one copy into ORT, see external-data.ts). */
function createGraph(create: CreateSession, bytes: Uint8Array, options: Ort.InferenceSession.SessionOptions): Promise<Ort.InferenceSession> {
  const { graph, data } = externalizeWeights(bytes);
  return create(graph, { ...options, externalData: [{ path: EXTERNAL_DATA_PATH, data }] });
}

/**
 * Creates one session per graph, one at a time. With `release`, each file's bytes leave
 * `pack.files` once its session exists (ORT keeps its own copy), so the pack is not held twice.
 */
export async function loadModels(
  ort: OrtModule,
  pack: LoadedPack,
  create: CreateSession,
  onDevice: boolean,
  onProgress?: (role: GraphRole, index: number, total: number) => void,
  opts: { precision?: PrecisionPlan; release?: boolean } = {},
): Promise<LoadedModels> {
  const precision = opts.precision ?? FP32;
  const { manifest } = pack;
  // Dims, sample rate and files map by the one pack schema, whatever the pack came from.
  checkPackShape(pack);
  const dims = manifest.dims as { t2s?: T2SConfig; sovits?: SoVITSConfig };
  if (!dims.t2s || !dims.sovits) throw new MynahError('PACK_CORRUPT', `Pack "${manifest.id}" does not describe its networks (dims.t2s / dims.sovits). Re-generate or re-convert it.`);
  const t2s = T2SRunner.sessionOptions(onDevice);
  const extra: Partial<Record<GraphRole, Ort.InferenceSession.SessionOptions>> = {
    't2s-embed': t2s.embed,
    't2s-token': t2s.token,
    't2s-decoder': t2s.decoder,
  };
  const { roberta, ...bertInfo } = bertAvailability(manifest, dims.t2s);
  const bytesOf = async (name: string) => {
    const bytes = pack.files.get(name) ?? (await pack.open?.(name));
    if (!bytes) throw new MynahError('PACK_CORRUPT', `Pack "${manifest.id}" is missing ${name}. Re-download the pack.`);
    return bytes;
  };
  let bert: BertModel | undefined;
  if (roberta) {
    const vocab = manifest.files.find((f) => f.role === 'bert-vocab')!;
    bert = { tokenizer: BertTokenizer.fromVocabText(new TextDecoder().decode(await bytesOf(vocab.name))), roberta };
  }
  // A BERT that cannot be used is not loaded (the real one is 1.2 GB).
  const graphs = manifest.files.filter((f) => isGraphRole(f.role) && (f.role !== 'bert' || bert));
  const sessions: PackSessions = {};
  // One role's sessions from its file. A function of its own, so that the file's bytes die with its
  // frame: a local of the loop below would stay alive across the next file's read.
  const createRole = async (role: GraphRole, name: string) => {
    // The real-size DiT is 1.35 GB of fp32 weights: packed copies would not fit WASM's 4 GB.
    const noPrepack = CLONE_ONLY.has(role) || (role === 't2s-decoder' && precision.t2s === 'int8') || role === 'cfm-step';
    const bytes = await bytesOf(name);
    if (role === 't2s-decoder' && precision.t2sPrefill && precision.t2sPrefill !== precision.t2s) {
      // The prefill's own session of the same graph (int8 runs as fast unpacked).
      const prefill = await createGraph(create, graphForPrecision(bytes, precision.t2sPrefill), { ...(extra[role] ?? {}), ...(precision.t2sPrefill === 'int8' ? NO_PREPACK : {}) });
      sessions['t2s-prefill'] = prefill;
      assertGraphFits(role, prefill, dims.t2s!, manifest);
    }
    const made = await createGraph(create, graphForPlan(role, bytes, precision), { ...(extra[role] ?? {}), ...(noPrepack ? NO_PREPACK : {}) });
    sessions[role] = made;
    assertGraphFits(role, made, dims.t2s!, manifest);
  };
  try {
    for (const [i, f] of graphs.entries()) {
      const role = f.role as GraphRole;
      onProgress?.(role, i, graphs.length);
      await createRole(role, f.name);
      if (opts.release) pack.files.delete(f.name);
    }
  } catch (e) {
    await releaseSessions(sessions);
    if (e instanceof MynahError) throw e;
    throw new MynahError('PACK_CORRUPT', `A graph of pack "${manifest.id}" could not be loaded (${(e as Error).message}). Re-download or re-convert the pack.`);
  }
  return { ort, manifest, sessions, onDevice, precision, t2s: dims.t2s, sovits: dims.sovits, bert, bertInfo };
}

/** What each role's graph takes and gives (beyond these, inputs are optional extras such as sv). */
const GRAPH_IO: Record<GraphRole, { inputs: string[]; outputs: string[] }> = {
  hubert: { inputs: ['audio'], outputs: ['ssl'] },
  semantic: { inputs: ['ssl'], outputs: ['codes'] },
  sv: { inputs: ['fbank'], outputs: ['sv'] },
  'sovits-ref': { inputs: ['refer'], outputs: ['ge'] },
  't2s-embed': { inputs: ['phones', 'bert', 'prompt'], outputs: ['x'] },
  't2s-token': { inputs: ['token', 'position'], outputs: ['x'] },
  't2s-decoder': { inputs: ['x', 'text_len'], outputs: ['logits', 'new_k', 'new_v'] },
  'sovits-decoder': { inputs: ['codes', 'phones', 'ge', 'noise', 'noise_scale', 'speed'], outputs: ['audio'] },
  'sovits-encoder': { inputs: ['codes', 'phones', 'ge', 'enc_frames', 'mel_frames'], outputs: ['fea'] },
  'cfm-step': { inputs: ['x', 'prompt', 'mu', 't', 'd', 'prompt_len'], outputs: ['x_next'] },
  vocoder: { inputs: ['mel'], outputs: ['audio'] },
  bert: { inputs: ['input_ids'], outputs: ['hidden'] },
};

/**
 * A pack whose slot holds another network, or whose dims disagree with its graphs (layers 99 for a
 * 2-layer decoder), is refused at load with PACK_CORRUPT instead of failing later inside ORT.
 */
function assertGraphFits(role: GraphRole, s: Ort.InferenceSession, t2s: T2SConfig, manifest: PackManifest): void {
  const want = GRAPH_IO[role];
  const bad = (why: string) => new MynahError('PACK_CORRUPT', `The ${role} graph of pack "${manifest.id}" ${why}. Re-generate or re-convert the pack.`);
  const missing = [...want.inputs.filter((n) => !s.inputNames.includes(n)), ...want.outputs.filter((n) => !s.outputNames.includes(n))];
  if (missing.length) throw bad(`is not a ${role} network (it lacks ${missing.join(', ')})`);
  if (role === 't2s-decoder') {
    const kv = s.inputNames.filter((n) => n.startsWith('past_k'));
    const packed = kv.length === 1 && kv[0] === 'past_k';
    if (!packed && kv.length !== t2s.layers) throw bad(`has ${kv.length} layers but the pack's dims say ${t2s.layers}`);
  }
  if (role === 'sovits-ref' && MODEL_FAMILIES[manifest.version].speakerVerification !== s.inputNames.includes('sv')) {
    throw bad(`does not match the pack's version ${manifest.version} (speaker-verification input)`);
  }
}

export async function releaseSessions(s: PackSessions): Promise<void> {
  await Promise.all(Object.values(s).map((x) => x?.release()));
}

export function session(m: LoadedModels, role: GraphRole): Ort.InferenceSession {
  const s = m.sessions[role];
  if (!s) throw new MynahError('PACK_CORRUPT', `Pack "${m.manifest.id}" has no ${role} graph.`);
  return s;
}

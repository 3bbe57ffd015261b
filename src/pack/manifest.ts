// The model pack contract: one manifest (pack.json) plus ONNX files (and, with the Chinese BERT, its
// vocab.txt). The same format whether a pack was generated with random weights, converted from
// upstream checkpoints, or fetched from a URL.
import { MynahError } from '../errors';
import { isModelVersion, MODEL_FAMILIES, MODEL_VERSIONS, type ModelVersion } from './versions';

export const PACK_FORMAT = 'mynah-pack';
export const PACK_FORMAT_VERSION = 1;

/** What each file in a pack is for; the engine looks files up by role, not by name. */
export type PackRole = GraphRole | 'bert-vocab'; // the BERT tokenizer's vocab.txt (with a bert graph)

/** The roles of ONNX graphs. */
export type GraphRole =
  | 't2s-embed' // phones + BERT + prompt codes -> T2S input rows
  | 't2s-token' // one semantic token + position -> one T2S input row
  | 't2s-decoder' // transformer stack with KV cache -> logits
  | 'sovits-ref' // reference spectrogram -> speaker embedding ge
  | 'sovits-decoder' // codes + phones + ge -> waveform (v1, v2, v2Pro family)
  | 'sovits-encoder' // v3/v4: codes + phones + ge -> the flow-matching condition (decode_encp)
  | 'cfm-step' // v3/v4: one Euler step of the flow-matching decoder (DiT) on the mel
  | 'vocoder' // v3/v4: mel -> waveform (24 kHz BigVGAN for v3, 48 kHz HiFi-GAN for v4)
  | 'hubert' // 16 kHz audio -> SSL features
  | 'semantic' // SSL features -> prompt semantic codes
  | 'sv' // v2Pro family: fbank of the 16 kHz reference -> speaker-verification embedding
  | 'bert'; // Chinese RoBERTa hidden states (optional)

export interface PackFile {
  role: PackRole;
  name: string;
  bytes: number;
  sha256: string;
  /** Named parameters (weights) in the graph; 0 for the vocabulary. */
  parameters: number;
}

export interface PackManifest {
  format: typeof PACK_FORMAT;
  formatVersion: number;
  id: string;
  name: string;
  /** GPT-SoVITS model version: decides the symbol table and SoVITS details (see versions.ts). */
  version: ModelVersion;
  sampleRate: number;
  /** 'random' for generated packs; otherwise where the weights came from. */
  weights: string;
  created: string;
  /** The network configs the graphs were built from (dims, layers, ...). */
  dims: Record<string, unknown>;
  files: PackFile[];
}

export const REQUIRED_ROLES: GraphRole[] = ['t2s-embed', 't2s-token', 't2s-decoder', 'sovits-ref', 'sovits-decoder', 'hubert', 'semantic'];

/** The graphs a v3/v4 pack has in place of the SoVITS decoder. */
export const FLOW_ROLES: GraphRole[] = ['sovits-encoder', 'cfm-step', 'vocoder'];

/** The graphs a pack of `version` must have. */
export function requiredRoles(version: ModelVersion): GraphRole[] {
  const family = MODEL_FAMILIES[version];
  if (family.flowMatching) return [...REQUIRED_ROLES.filter((r) => r !== 'sovits-decoder'), ...FLOW_ROLES];
  return family.speakerVerification ? [...REQUIRED_ROLES, 'sv'] : REQUIRED_ROLES;
}

/** Checks a parsed pack.json; throws PACK_CORRUPT naming what is wrong. */
export const isGraphRole = (role: PackRole): role is GraphRole => role !== 'bert-vocab';

export function validateManifest(value: unknown): PackManifest {
  const bad = (why: string) => new MynahError('PACK_CORRUPT', `This model pack's pack.json is not usable: ${why}. Re-generate or re-download the pack.`);
  if (typeof value !== 'object' || value === null) throw bad('it is not a JSON object');
  const m = value as Partial<PackManifest>;
  if (m.format !== PACK_FORMAT) throw bad(`format is ${JSON.stringify(m.format)}, expected "${PACK_FORMAT}"`);
  if (m.formatVersion !== PACK_FORMAT_VERSION) throw bad(`format version ${m.formatVersion} is not supported (this build reads ${PACK_FORMAT_VERSION})`);
  if (typeof m.id !== 'string' || !m.id) throw bad('it has no id');
  if (!isModelVersion(m.version)) throw bad(`model version ${JSON.stringify(m.version)} is not supported (this build reads ${MODEL_VERSIONS.join(', ')})`);
  if (!Array.isArray(m.files)) throw bad('it lists no files');
  for (const f of m.files) {
    if (typeof f?.name !== 'string' || !/^[\w.-]+$/.test(f.name)) throw bad(`file name ${JSON.stringify(f?.name)} is not a plain file name`);
    if (!/^[0-9a-f]{64}$/.test(f.sha256 ?? '')) throw bad(`${f.name} has no sha256`);
    if (!Number.isInteger(f.bytes) || f.bytes <= 0) throw bad(`${f.name} has no size`);
  }
  for (const role of requiredRoles(m.version)) if (!m.files.some((f) => f.role === role)) throw bad(`it has no ${role} graph`);
  const roles = m.files.map((f) => f.role);
  for (const role of ['bert', 'bert-vocab', 'sv'] as const) if (roles.filter((r) => r === role).length > 1) throw bad(`it lists more than one ${role} file`);
  // The vocabulary only serves the BERT graph. A BERT graph without one (packs made before the
  // vocabulary travelled with them) is accepted; the engine then leaves BERT out.
  if (roles.includes('bert-vocab') && !roles.includes('bert')) throw bad('it has a BERT vocabulary but no bert graph');
  return m as PackManifest;
}

export async function sha256Hex(data: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

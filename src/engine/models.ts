// A loaded pack: its manifest, one session per graph on the engine's backend, and the facts the
// pipeline needs from its configs (sample rate, hop, widths), read once.
import type * as Ort from 'onnxruntime-web';
import { MynahError } from '../errors';
import type { T2SConfig } from '../graph/models/t2s';
import type { SoVITSConfig } from '../graph/models/sovits';
import type { LoadedPack } from '../pack/fetch';
import type { PackManifest, PackRole } from '../pack/manifest';
import type { OrtModule } from './backend';
import { T2SRunner } from './t2s-decode';

export type PackSessions = Partial<Record<PackRole, Ort.InferenceSession>>;

export interface LoadedModels {
  ort: OrtModule;
  manifest: PackManifest;
  sessions: PackSessions;
  /** True when sessions run on WebGPU and the T2S cache stays on the device. */
  onDevice: boolean;
  t2s: T2SConfig;
  sovits: SoVITSConfig;
}

type CreateSession = (model: Uint8Array, options?: Ort.InferenceSession.SessionOptions) => Promise<Ort.InferenceSession>;

export async function loadModels(ort: OrtModule, pack: LoadedPack, create: CreateSession, onDevice: boolean, onProgress?: (role: PackRole, index: number, total: number) => void): Promise<LoadedModels> {
  const { manifest } = pack;
  const dims = manifest.dims as { t2s?: T2SConfig; sovits?: SoVITSConfig };
  if (!dims.t2s || !dims.sovits) throw new MynahError('PACK_CORRUPT', `Pack "${manifest.id}" does not describe its networks (dims.t2s / dims.sovits). Re-generate or re-convert it.`);
  const t2s = T2SRunner.sessionOptions(onDevice);
  const extra: Partial<Record<PackRole, Ort.InferenceSession.SessionOptions>> = {
    't2s-embed': t2s.embed,
    't2s-token': t2s.token,
    't2s-decoder': t2s.decoder,
  };
  const sessions: PackSessions = {};
  try {
    for (const [i, f] of manifest.files.entries()) {
      onProgress?.(f.role, i, manifest.files.length);
      const bytes = pack.files.get(f.name);
      if (!bytes) throw new MynahError('PACK_CORRUPT', `Pack "${manifest.id}" is missing ${f.name}. Re-download the pack.`);
      sessions[f.role] = await create(bytes, extra[f.role] ?? {});
    }
  } catch (e) {
    await releaseSessions(sessions);
    if (e instanceof MynahError) throw e;
    throw new MynahError('PACK_CORRUPT', `A graph of pack "${manifest.id}" could not be loaded (${(e as Error).message}). Re-download or re-convert the pack.`);
  }
  return { ort, manifest, sessions, onDevice, t2s: dims.t2s, sovits: dims.sovits };
}

export async function releaseSessions(s: PackSessions): Promise<void> {
  await Promise.all(Object.values(s).map((x) => x?.release()));
}

export function session(m: LoadedModels, role: PackRole): Ort.InferenceSession {
  const s = m.sessions[role];
  if (!s) throw new MynahError('PACK_CORRUPT', `Pack "${m.manifest.id}" has no ${role} graph.`);
  return s;
}

// Storage for packs converted in the browser, so a reload does not convert again. Each pack is a
// folder of its ONNX files plus pack.json, in the origin private file system (OPFS) when the
// browser has it, else in Cache Storage. pack.json is written last and removed first, so a pack
// interrupted while saving or deleting is never listed; loading re-checks sizes and sha256.
import { MynahError } from '../errors';
import type { LoadedPack } from '../pack/fetch';
import { sha256Hex, validateManifest, type PackManifest } from '../pack/manifest';

const MANIFEST = 'pack.json';
const FOLDER = 'mynah-packs';

/** Where pack files live; one implementation per browser storage API. */
export interface PackBackend {
  readonly kind: 'opfs' | 'cache';
  write(id: string, name: string, bytes: Uint8Array): Promise<void>;
  read(id: string, name: string): Promise<Uint8Array | undefined>;
  ids(): Promise<string[]>;
  remove(id: string): Promise<void>;
}

const plainName = (s: string) => /^[\w.-]+$/.test(s) && s !== '.' && s !== '..';

function checkId(id: string): void {
  if (!plainName(id)) throw new MynahError('PACK_ID_INVALID', `"${id}" cannot name a stored pack; use letters, digits, ".", "-" or "_".`);
}

function storageError(e: unknown, what: string): MynahError {
  const name = (e as { name?: string })?.name;
  if (name === 'QuotaExceededError') {
    return new MynahError('STORAGE_FULL', `There is not enough browser storage to ${what}. Delete unused packs or voices, or free disk space, and try again.`);
  }
  return new MynahError('STORAGE_FAILED', `Could not ${what} (${(e as Error)?.message ?? String(e)}).`);
}

/** Subset of the File System Access API the OPFS backend uses. */
interface DirHandle {
  getDirectoryHandle(name: string, opts?: { create?: boolean }): Promise<DirHandle>;
  getFileHandle(name: string, opts?: { create?: boolean }): Promise<{
    getFile(): Promise<Blob>;
    createWritable(): Promise<{ write(data: BufferSource | Blob): Promise<void>; close(): Promise<void> }>;
  }>;
  removeEntry(name: string, opts?: { recursive?: boolean }): Promise<void>;
  keys(): AsyncIterable<string>;
}

const isNotFound = (e: unknown) => (e as { name?: string })?.name === 'NotFoundError' || (e as { name?: string })?.name === 'TypeMismatchError';

export function opfsBackend(root: DirHandle): PackBackend {
  const folder = () => root.getDirectoryHandle(FOLDER, { create: true });
  return {
    kind: 'opfs',
    async write(id, name, bytes) {
      const dir = await (await folder()).getDirectoryHandle(id, { create: true });
      const writable = await (await dir.getFileHandle(name, { create: true })).createWritable();
      await writable.write(bytes as Uint8Array<ArrayBuffer>);
      await writable.close();
    },
    async read(id, name) {
      try {
        const dir = await (await folder()).getDirectoryHandle(id);
        return new Uint8Array(await (await (await dir.getFileHandle(name)).getFile()).arrayBuffer());
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    },
    async ids() {
      const out: string[] = [];
      for await (const name of (await folder()).keys()) out.push(name);
      return out;
    },
    async remove(id) {
      try {
        await (await folder()).removeEntry(id, { recursive: true });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    },
  };
}

const BASE = 'https://mynah.invalid/packs/';

export function cacheBackend(storage: CacheStorage): PackBackend {
  const open = () => storage.open(FOLDER);
  const url = (id: string, name: string) => `${BASE}${id}/${name}`;
  return {
    kind: 'cache',
    async write(id, name, bytes) {
      const headers = { 'content-type': 'application/octet-stream', 'content-length': String(bytes.byteLength) };
      await (await open()).put(url(id, name), new Response(bytes as Uint8Array<ArrayBuffer>, { headers }));
    },
    async read(id, name) {
      const res = await (await open()).match(url(id, name));
      return res ? new Uint8Array(await res.arrayBuffer()) : undefined;
    },
    async ids() {
      const ids = new Set<string>();
      for (const req of await (await open()).keys()) {
        const rest = req.url.startsWith(BASE) ? req.url.slice(BASE.length) : '';
        if (rest.includes('/')) ids.add(rest.slice(0, rest.indexOf('/')));
      }
      return [...ids];
    },
    async remove(id) {
      const cache = await open();
      await cache.delete(url(id, MANIFEST)); // first, so a half-removed pack is never listed
      for (const req of await cache.keys()) if (req.url.startsWith(`${BASE}${id}/`)) await cache.delete(req);
    },
  };
}

/** OPFS when available, else Cache Storage; STORAGE_UNAVAILABLE when the browser has neither. */
export function defaultPackBackend(): PackBackend {
  const storage = (globalThis.navigator as { storage?: { getDirectory?: () => Promise<unknown> } } | undefined)?.storage;
  if (storage?.getDirectory) {
    let backend: Promise<PackBackend> | undefined;
    const get = () => (backend ??= storage.getDirectory!().then((root) => opfsBackend(root as DirHandle)));
    return {
      kind: 'opfs',
      write: async (...a) => (await get()).write(...a),
      read: async (...a) => (await get()).read(...a),
      ids: async () => (await get()).ids(),
      remove: async (id) => (await get()).remove(id),
    };
  }
  if (typeof caches !== 'undefined') return cacheBackend(caches);
  throw new MynahError('STORAGE_UNAVAILABLE', 'This browser offers no storage for model packs (private window?). The pack works until the page is closed.');
}

/** Saves (or replaces) a pack under its manifest id. */
export async function savePack(pack: LoadedPack, backend: PackBackend = defaultPackBackend()): Promise<void> {
  const { manifest } = pack;
  checkId(manifest.id);
  try {
    await backend.remove(manifest.id);
    for (const f of manifest.files) {
      const bytes = pack.files.get(f.name);
      if (!bytes || bytes.byteLength !== f.bytes) throw new MynahError('PACK_CORRUPT', `Pack "${manifest.id}" has no complete ${f.name} to save.`);
      await backend.write(manifest.id, f.name, bytes);
    }
    await backend.write(manifest.id, MANIFEST, new TextEncoder().encode(JSON.stringify(manifest)));
  } catch (e) {
    if (e instanceof MynahError) throw e;
    await backend.remove(manifest.id).catch(() => undefined);
    throw storageError(e, `save model pack "${manifest.id}"`);
  }
}

async function readManifest(backend: PackBackend, id: string): Promise<PackManifest | undefined> {
  const bytes = await backend.read(id, MANIFEST);
  if (!bytes) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new MynahError('PACK_CORRUPT', `The stored pack "${id}" has a damaged pack.json. Delete it and convert again.`);
  }
  return validateManifest(json);
}

/** The stored pack `id`, checked file by file (size and sha256); undefined when there is none. */
export async function loadPack(id: string, backend: PackBackend = defaultPackBackend(), opts: { verify?: boolean } = {}): Promise<LoadedPack | undefined> {
  checkId(id);
  const manifest = await readManifest(backend, id);
  if (!manifest) return undefined;
  const files = new Map<string, Uint8Array>();
  for (const f of manifest.files) {
    const bytes = await backend.read(id, f.name);
    const damaged = !bytes || bytes.byteLength !== f.bytes || (opts.verify !== false && (await sha256Hex(bytes)) !== f.sha256);
    if (damaged) throw new MynahError('PACK_CORRUPT', `${f.name} of the stored pack "${id}" is missing or damaged. Delete the pack and convert again.`);
    files.set(f.name, bytes);
  }
  return { manifest, files };
}

/** Manifests of all complete stored packs (damaged ones are left out). */
export async function listPacks(backend: PackBackend = defaultPackBackend()): Promise<PackManifest[]> {
  const out: PackManifest[] = [];
  for (const id of await backend.ids()) {
    try {
      const m = await readManifest(backend, id);
      if (m) out.push(m);
    } catch {
      // A damaged entry is not listed; loadPack on it reports the damage.
    }
  }
  return out.sort((a, b) => a.created.localeCompare(b.created));
}

/** Removes a stored pack; true when there was one. */
export async function deletePack(id: string, backend: PackBackend = defaultPackBackend()): Promise<boolean> {
  checkId(id);
  const existed = (await backend.read(id, MANIFEST)) !== undefined;
  await backend.remove(id);
  return existed;
}

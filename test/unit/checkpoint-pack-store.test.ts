// Stored converted packs: save / load / list / delete on both backends (OPFS and Cache Storage),
// here over small in-memory stand-ins of those browser APIs (Node has neither).
import { describe, expect, it } from 'vitest';
import { sha256Hex, type PackManifest } from '../../src/pack/manifest';
import type { LoadedPack } from '../../src/pack/fetch';
import { cacheBackend, defaultPackBackend, deletePack, listPacks, loadPack, opfsBackend, savePack, type PackBackend } from '../../src/store/packs';

// ---- stand-ins ---------------------------------------------------------------------------------

const notFound = () => Object.assign(new Error('not found'), { name: 'NotFoundError' });

class MemDir {
  readonly dirs = new Map<string, MemDir>();
  readonly files = new Map<string, Uint8Array>();
  failWrites = false;
  async getDirectoryHandle(name: string, opts?: { create?: boolean }): Promise<MemDir> {
    let d = this.dirs.get(name);
    if (!d) {
      if (!opts?.create) throw notFound();
      d = new MemDir();
      d.failWrites = this.failWrites;
      this.dirs.set(name, d);
    }
    return d;
  }
  async getFileHandle(name: string, opts?: { create?: boolean }) {
    if (!this.files.has(name) && !opts?.create) throw notFound();
    return {
      getFile: async () => new Blob([(this.files.get(name) ?? new Uint8Array(0)) as Uint8Array<ArrayBuffer>]),
      createWritable: async () => {
        const chunks: Uint8Array[] = [];
        return {
          write: async (data: BufferSource | Blob) => {
            if (this.failWrites) throw Object.assign(new Error('quota'), { name: 'QuotaExceededError' });
            chunks.push(new Uint8Array(data instanceof Blob ? await data.arrayBuffer() : (data as Uint8Array)).slice());
          },
          close: async () => {
            this.files.set(name, Uint8Array.from(chunks.flatMap((c) => [...c])));
          },
        };
      },
    };
  }
  async removeEntry(name: string) {
    if (!this.dirs.delete(name) && !this.files.delete(name)) throw notFound();
  }
  async *keys() {
    yield* this.dirs.keys();
    yield* this.files.keys();
  }
}

class MemCacheStorage {
  readonly caches = new Map<string, Map<string, Uint8Array>>();
  async open(name: string) {
    const entries = this.caches.get(name) ?? new Map<string, Uint8Array>();
    this.caches.set(name, entries);
    return {
      put: async (url: string, res: Response) => void entries.set(url, new Uint8Array(await res.arrayBuffer())),
      match: async (url: string) => (entries.has(url) ? new Response(entries.get(url)! as Uint8Array<ArrayBuffer>) : undefined),
      keys: async () => [...entries.keys()].map((u) => new Request(u)),
      delete: async (req: Request | string) => entries.delete(typeof req === 'string' ? req : req.url),
    };
  }
}

// ---- a small pack ------------------------------------------------------------------------------

async function pack(id: string, created = '2024-01-01T00:00:00.000Z'): Promise<LoadedPack> {
  const roles = ['t2s-embed', 't2s-token', 't2s-decoder', 'sovits-ref', 'sovits-decoder', 'hubert', 'semantic'] as const;
  const files = new Map<string, Uint8Array>();
  const list = [];
  for (const [i, role] of roles.entries()) {
    const name = `${role}.onnx`;
    const bytes = Uint8Array.from({ length: 100 + i * 37 }, (_, j) => (j * 31 + i * 7 + id.length) & 255);
    files.set(name, bytes);
    list.push({ role, name, bytes: bytes.byteLength, sha256: await sha256Hex(bytes), parameters: 10 });
  }
  const manifest: PackManifest = {
    format: 'mynah-pack',
    formatVersion: 1,
    id,
    name: `pack ${id}`,
    version: 'v2',
    sampleRate: 32000,
    weights: 'converted from test files',
    created,
    dims: {},
    files: list,
  };
  return { manifest, files };
}

const backends: [string, () => { backend: PackBackend; raw: MemDir | MemCacheStorage }][] = [
  ['OPFS', () => {
    const raw = new MemDir();
    return { backend: opfsBackend(raw), raw };
  }],
  ['Cache Storage', () => {
    const raw = new MemCacheStorage();
    return { backend: cacheBackend(raw as unknown as CacheStorage), raw };
  }],
];

describe.each(backends)('pack store on %s', (_label, make) => {
  it('saves, lists, loads byte-identical files, and deletes', async () => {
    const { backend } = make();
    const a = await pack('voice-a', '2024-01-02T00:00:00.000Z');
    const b = await pack('voice_b', '2024-01-01T00:00:00.000Z');
    await savePack(a, backend);
    await savePack(b, backend);
    expect((await listPacks(backend)).map((m) => m.id)).toEqual(['voice_b', 'voice-a']); // oldest first
    const loaded = await loadPack('voice-a', backend);
    expect(loaded!.manifest).toEqual(a.manifest);
    for (const [name, bytes] of a.files) expect(loaded!.files.get(name)).toEqual(bytes);
    expect(await deletePack('voice-a', backend)).toBe(true);
    expect(await deletePack('voice-a', backend)).toBe(false);
    expect(await loadPack('voice-a', backend)).toBeUndefined();
    expect((await listPacks(backend)).map((m) => m.id)).toEqual(['voice_b']);
  });

  it('replacing a pack leaves no files of the old one', async () => {
    const { backend } = make();
    const old = await pack('p');
    old.files.set('extra.onnx', Uint8Array.of(1, 2, 3));
    old.manifest.files.push({ role: 'bert', name: 'extra.onnx', bytes: 3, sha256: await sha256Hex(Uint8Array.of(1, 2, 3)), parameters: 1 });
    await savePack(old, backend);
    await savePack(await pack('p'), backend);
    expect(await backend.read('p', 'extra.onnx')).toBeUndefined();
    expect((await loadPack('p', backend))!.manifest.files).toHaveLength(7);
  });

  it('a damaged stored file is PACK_CORRUPT on load; a pack without pack.json is not listed', async () => {
    const { backend } = make();
    const p = await pack('p');
    await savePack(p, backend);
    const name = p.manifest.files[2].name;
    const bad = p.files.get(name)!.slice();
    bad[5] ^= 1;
    await backend.write('p', name, bad);
    await expect(loadPack('p', backend)).rejects.toMatchObject({ code: 'PACK_CORRUPT' });
    await backend.write('half', 'hubert.onnx', Uint8Array.of(1)); // interrupted save: files, no manifest
    expect((await listPacks(backend)).map((m) => m.id)).toEqual(['p']);
    expect(await loadPack('half', backend)).toBeUndefined();
  });

  it('refuses ids that are not plain names', async () => {
    const { backend } = make();
    await expect(savePack(await pack('../x'), backend)).rejects.toMatchObject({ code: 'PACK_ID_INVALID' });
    await expect(loadPack('a/b', backend)).rejects.toMatchObject({ code: 'PACK_ID_INVALID' });
  });
});

describe('pack store errors', () => {
  it('a full disk is STORAGE_FULL and leaves no partial pack', async () => {
    const raw = new MemDir();
    const backend = opfsBackend(raw);
    const folder = await raw.getDirectoryHandle('mynah-packs', { create: true });
    folder.failWrites = true;
    await expect(savePack(await pack('big'), backend)).rejects.toMatchObject({ code: 'STORAGE_FULL' });
    expect(await listPacks(backend)).toEqual([]);
    expect(folder.dirs.has('big')).toBe(false);
  });

  it('without OPFS or Cache Storage the default backend says so', () => {
    // Node has neither navigator.storage.getDirectory nor caches.
    expect(() => defaultPackBackend()).toThrow(expect.objectContaining({ code: 'STORAGE_UNAVAILABLE' }));
  });
});

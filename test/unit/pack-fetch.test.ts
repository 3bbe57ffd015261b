import { describe, expect, it } from 'vitest';
import { fetchPack } from '../../src/pack/fetch';
import { PACK_FORMAT, PACK_FORMAT_VERSION, REQUIRED_ROLES, sha256Hex, validateManifest, type PackManifest } from '../../src/pack/manifest';

async function fakePack() {
  const files = new Map<string, Uint8Array>();
  const manifest: PackManifest = {
    format: PACK_FORMAT,
    formatVersion: PACK_FORMAT_VERSION,
    id: 'fake',
    name: 'fake',
    version: 'v2',
    sampleRate: 32000,
    weights: 'random',
    created: '2026-01-01T00:00:00Z',
    dims: {},
    files: [],
  };
  for (const [i, role] of REQUIRED_ROLES.entries()) {
    const bytes = Uint8Array.from({ length: 100 + i }, (_, j) => (j * 7 + i) & 255);
    const name = `${role}.onnx`;
    files.set(name, bytes);
    manifest.files.push({ role, name, bytes: bytes.length, sha256: await sha256Hex(bytes), parameters: 0 });
  }
  return { manifest, files };
}

function fakeFetch(manifest: unknown, files: Map<string, Uint8Array>) {
  return async (url: string) => {
    const name = url.split('/').pop()!;
    if (name === 'pack.json') return new Response(JSON.stringify(manifest));
    const f = files.get(name);
    return f ? new Response(f as Uint8Array<ArrayBuffer>) : new Response('missing', { status: 404 });
  };
}

describe('fetchPack', () => {
  it('downloads every file, checks sizes and checksums, and reports progress', async () => {
    const { manifest, files } = await fakePack();
    const progress: number[] = [];
    const pack = await fetchPack('http://x/packs/fake/pack.json', { fetch: fakeFetch(manifest, files), onProgress: (p) => progress.push(p.loaded) });
    expect([...pack.files.keys()]).toEqual(manifest.files.map((f) => f.name));
    expect(progress.at(-1)).toBe(manifest.files.reduce((a, f) => a + f.bytes, 0));
  });

  it('refuses a file whose bytes do not match the checksum', async () => {
    const { manifest, files } = await fakePack();
    const name = manifest.files[2].name;
    const tampered = files.get(name)!.slice();
    tampered[5] ^= 1;
    files.set(name, tampered);
    await expect(fetchPack('http://x/pack.json', { fetch: fakeFetch(manifest, files) })).rejects.toMatchObject({ code: 'PACK_CORRUPT' });
  });

  it('refuses a truncated file and a missing file with a download error', async () => {
    const { manifest, files } = await fakePack();
    const name = manifest.files[0].name;
    files.set(name, files.get(name)!.subarray(0, 10));
    await expect(fetchPack('http://x/pack.json', { fetch: fakeFetch(manifest, files) })).rejects.toMatchObject({ code: 'PACK_FETCH_FAILED', message: expect.stringMatching(/10 of 100 bytes/) });
    files.delete(name);
    await expect(fetchPack('http://x/pack.json', { fetch: fakeFetch(manifest, files) })).rejects.toMatchObject({ code: 'PACK_FETCH_FAILED' });
  });

  it('lazily: fetches only the manifest, then each file on open(), checked the same way', async () => {
    const { manifest, files } = await fakePack();
    const asked: string[] = [];
    const inner = fakeFetch(manifest, files);
    const counting = async (url: string) => (asked.push(url.split('/').pop()!), inner(url));
    const pack = await fetchPack('http://x/pack.json', { fetch: counting, lazy: true });
    expect(asked).toEqual(['pack.json']);
    expect(pack.files.size).toBe(0);
    const name = manifest.files[1].name;
    expect(await pack.open!(name)).toEqual(files.get(name));
    expect(asked).toEqual(['pack.json', name]);
    const tampered = files.get(name)!.slice();
    tampered[0] ^= 1;
    files.set(name, tampered);
    await expect(pack.open!(name)).rejects.toMatchObject({ code: 'PACK_CORRUPT' });
    await expect(pack.open!('nope.onnx')).rejects.toMatchObject({ code: 'PACK_CORRUPT' });
  });

  it('explains what is wrong with a bad manifest', async () => {
    const { manifest } = await fakePack();
    expect(() => validateManifest({ ...manifest, format: 'other' })).toThrow(/format/);
    expect(() => validateManifest({ ...manifest, files: manifest.files.filter((f) => f.role !== 't2s-decoder') })).toThrow(/no t2s-decoder graph/);
    expect(() => validateManifest({ ...manifest, files: [{ ...manifest.files[0], name: '../evil' }, ...manifest.files] })).toThrow(/plain file name/);
    await expect(fetchPack('http://x/pack.json', { fetch: async () => new Response('<html>') })).rejects.toMatchObject({ code: 'PACK_CORRUPT' });
  });
});

// Fetches a pack (pack.json + its files) from a URL, checking every file's size and sha256 so a
// truncated or tampered download is never handed to onnxruntime.
import { MynahError } from '../errors';
import { sha256Hex, validateManifest, type PackManifest } from './manifest';

export interface LoadedPack {
  manifest: PackManifest;
  /** File bytes by file name. */
  files: Map<string, Uint8Array>;
  /**
   * Fetches (and checks) a file that is not in `files` yet. A lazily fetched pack downloads each
   * file only when a session needs it, so the whole pack is never held at once.
   */
  open?: (name: string) => Promise<Uint8Array>;
}

export interface FetchProgress {
  file: string;
  loaded: number;
  total: number;
}

type FetchLike = (url: string) => Promise<Response>;

async function readAll(res: Response, total: number, onChunk: (n: number) => void): Promise<Uint8Array> {
  if (!res.body) return new Uint8Array(await res.arrayBuffer());
  const out = new Uint8Array(total);
  const reader = res.body.getReader();
  let offset = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (offset + value.byteLength > total) {
      await reader.cancel();
      throw new Error(`more than the ${total} bytes the manifest lists`);
    }
    out.set(value, offset);
    offset += value.byteLength;
    onChunk(value.byteLength);
  }
  if (offset !== total) throw new Error(`${offset} of ${total} bytes`);
  return out;
}

/**
 * `url` points at pack.json; files are fetched relative to it. With `lazy`, only the manifest is
 * fetched here and each file when `open` is called (still size- and sha256-checked).
 */
export async function fetchPack(url: string, opts: { fetch?: FetchLike; onProgress?: (p: FetchProgress) => void; lazy?: boolean } = {}): Promise<LoadedPack> {
  const get = opts.fetch ?? ((u: string) => fetch(u));
  let res: Response;
  try {
    res = await get(url);
  } catch (e) {
    throw new MynahError('PACK_FETCH_FAILED', `Could not download the model pack from ${url} (${(e as Error).message}). Check the address and your connection.`);
  }
  if (!res.ok) throw new MynahError('PACK_FETCH_FAILED', `The model pack at ${url} answered ${res.status}. Check the address.`);
  let json: unknown;
  try {
    json = await res.json();
  } catch {
    throw new MynahError('PACK_CORRUPT', `${url} is not a pack.json (not valid JSON). Point Mynah at a pack's pack.json.`);
  }
  const manifest = validateManifest(json);
  const total = manifest.files.reduce((a, f) => a + f.bytes, 0);
  let loaded = 0;
  const files = new Map<string, Uint8Array>();
  const open = async (name: string): Promise<Uint8Array> => {
    const f = manifest.files.find((x) => x.name === name);
    if (!f) throw new MynahError('PACK_CORRUPT', `Pack "${manifest.id}" has no file ${name}. Re-download or re-generate the pack.`);
    const fileUrl = new URL(f.name, url).href;
    let bytes: Uint8Array;
    try {
      const r = await get(fileUrl);
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      bytes = await readAll(r, f.bytes, (n) => {
        loaded += n;
        opts.onProgress?.({ file: f.name, loaded, total });
      });
    } catch (e) {
      throw new MynahError('PACK_FETCH_FAILED', `Downloading ${f.name} of pack "${manifest.id}" failed (${(e as Error).message}). Try again; nothing was saved.`);
    }
    if ((await sha256Hex(bytes)) !== f.sha256) {
      throw new MynahError('PACK_CORRUPT', `${f.name} of pack "${manifest.id}" does not match its checksum. Re-download or re-generate the pack.`);
    }
    return bytes;
  };
  if (opts.lazy) return { manifest, files, open };
  for (const f of manifest.files) files.set(f.name, await open(f.name));
  return { manifest, files };
}

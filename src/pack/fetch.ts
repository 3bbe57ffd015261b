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

type FetchLike = (url: string, init?: { signal?: AbortSignal }) => Promise<Response>;

/** Default: a server that sends nothing for this long (no headers, or no bytes) has failed. */
export const FETCH_IDLE_TIMEOUT_MS = 30_000;

/**
 * One request's watchdog: aborts when the caller's signal does, or when `idleMs` pass without
 * progress (`touch()` on every chunk). Its `signal` goes to fetch and its `race` to every await,
 * so a server that accepts and never answers cannot hold the load forever.
 */
class Watchdog {
  private readonly controller = new AbortController();
  private timer?: ReturnType<typeof setTimeout>;
  timedOut = false;
  private readonly aborted: Promise<never>;
  constructor(
    private readonly idleMs: number,
    private readonly outer?: AbortSignal,
  ) {
    this.aborted = new Promise<never>((_, fail) => this.controller.signal.addEventListener('abort', () => fail(this.controller.signal.reason), { once: true }));
    this.aborted.catch(() => {});
    outer?.addEventListener('abort', this.onOuter, { once: true });
    if (outer?.aborted) this.controller.abort(outer.reason);
    this.touch();
  }
  private readonly onOuter = () => this.controller.abort(this.outer?.reason);
  get signal(): AbortSignal {
    return this.controller.signal;
  }
  touch(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort(new Error('timed out'));
    }, this.idleMs);
  }
  race<T>(p: Promise<T>): Promise<T> {
    return Promise.race([p, this.aborted]);
  }
  done(): void {
    clearTimeout(this.timer);
    this.outer?.removeEventListener('abort', this.onOuter);
  }
}

function fetchFailure(url: string, dog: Watchdog, e: unknown, what: string): MynahError {
  if (e instanceof MynahError) return e;
  if (dog.timedOut) return new MynahError('PACK_FETCH_TIMEOUT', `${what} from ${url} stopped: the server sent nothing for a while. Check the address and your connection, then try again.`);
  if (dog.signal.aborted) return new MynahError('CANCELLED', `${what} was cancelled.`);
  return new MynahError('PACK_FETCH_FAILED', `${what} from ${url} failed (${(e as Error)?.message ?? e}). Check the address and your connection.`);
}

async function readAll(res: Response, total: number, onChunk: (n: number) => void, dog?: Watchdog): Promise<Uint8Array> {
  if (!res.body) return new Uint8Array(await (dog ? dog.race(res.arrayBuffer()) : res.arrayBuffer()));
  const out = new Uint8Array(total);
  const reader = res.body.getReader();
  let offset = 0;
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await (dog ? dog.race(reader.read()) : reader.read());
    } catch (e) {
      reader.cancel().catch(() => {});
      throw e;
    }
    dog?.touch();
    const { done, value } = chunk;
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
export async function fetchPack(
  url: string,
  opts: { fetch?: FetchLike; onProgress?: (p: FetchProgress) => void; lazy?: boolean; signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<LoadedPack> {
  const get = opts.fetch ?? ((u: string, init?: { signal?: AbortSignal }) => fetch(u, init));
  const idleMs = opts.timeoutMs ?? FETCH_IDLE_TIMEOUT_MS;
  if (!(Number.isFinite(idleMs) && idleMs > 0)) throw new MynahError('OPTIONS_INVALID', `timeoutMs ${idleMs} is not a positive number of milliseconds. Leave it out for the default (30 s).`);
  const watch = () => new Watchdog(idleMs, opts.signal);
  let res: Response;
  let json: unknown;
  const dog = watch();
  try {
    try {
      res = await dog.race(get(url, { signal: dog.signal }));
    } catch (e) {
      throw fetchFailure(url, dog, e, 'Downloading the model pack');
    }
    if (!res.ok) throw new MynahError('PACK_FETCH_FAILED', `The model pack at ${url} answered ${res.status}. Check the address.`);
    let text: string;
    try {
      text = await dog.race(res.text());
    } catch (e) {
      throw fetchFailure(url, dog, e, 'Downloading the model pack');
    }
    if (text.length > 1 << 20) throw new MynahError('PACK_CORRUPT', `${url} is ${text.length} bytes, too large for a pack.json. Point Mynah at a pack's pack.json.`);
    try {
      json = JSON.parse(text);
    } catch {
      throw new MynahError('PACK_CORRUPT', `${url} is not a pack.json (not valid JSON). Point Mynah at a pack's pack.json.`);
    }
  } finally {
    dog.done();
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
    const fileDog = watch();
    try {
      const r = await fileDog.race(get(fileUrl, { signal: fileDog.signal }));
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      bytes = await readAll(
        r,
        f.bytes,
        (n) => {
          loaded += n;
          opts.onProgress?.({ file: f.name, loaded, total });
        },
        fileDog,
      );
    } catch (e) {
      const err = fetchFailure(fileUrl, fileDog, e, `Downloading ${f.name} of pack "${manifest.id}"`);
      if (err.code !== 'PACK_FETCH_FAILED') throw err;
      throw new MynahError('PACK_FETCH_FAILED', `Downloading ${f.name} of pack "${manifest.id}" failed (${(e as Error).message}). Try again; nothing was saved.`);
    } finally {
      fileDog.done();
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

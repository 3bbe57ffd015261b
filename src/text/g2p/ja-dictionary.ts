// Loads kuromoji's IPADIC dictionary (12 gzipped files) and builds its tokenizer without kuromoji's own
// loaders: the browser loader needs zlibjs, whose UMD wrapper reads `this` (undefined in an ES-module
// worker) and throws "Cannot use 'in' operator to search for 'Zlib'", and both loaders join URLs with
// Node's `path`. Here the files come through fetch (browser, worker) or the file system (Node) and
// are gunzipped with the platform's DecompressionStream.
import type { IpadicFeatures, Tokenizer } from 'kuromoji';
import DynamicDictionaries from 'kuromoji/src/dict/DynamicDictionaries.js';
import KuromojiTokenizer from 'kuromoji/src/Tokenizer.js';

const TRIE = ['base.dat.gz', 'check.dat.gz'] as const;
const TOKEN_INFO = ['tid.dat.gz', 'tid_pos.dat.gz', 'tid_map.dat.gz'] as const;
const COSTS = 'cc.dat.gz';
const UNKNOWN = ['unk.dat.gz', 'unk_pos.dat.gz', 'unk_map.dat.gz', 'unk_char.dat.gz', 'unk_compat.dat.gz', 'unk_invoke.dat.gz'] as const;
/** Every file the dictionary needs, for callers that cache or ship them. */
export const JAPANESE_DICTIONARY_FILES = [...TRIE, ...TOKEN_INFO, COSTS, ...UNKNOWN];

// Typed by hand: the library's declaration build has no Node types.
const g = globalThis as { process?: { versions?: { node?: string } }; WorkerGlobalScope?: unknown; window?: unknown };
const isNode = !!g.process?.versions?.node && g.WorkerGlobalScope === undefined && g.window === undefined;
type ReadFile = { readFile(path: string): Promise<Uint8Array> };

async function readCompressed(base: string, name: string): Promise<Uint8Array<ArrayBuffer>> {
  if (isNode && !/^[a-z]+:/i.test(base)) {
    // A variable specifier keeps bundlers from pulling node:fs into the browser build.
    const fsName = 'node:fs/promises';
    const fs = (await import(/* @vite-ignore */ fsName)) as ReadFile;
    return new Uint8Array(await fs.readFile(base.replace(/\/?$/, '/') + name));
  }
  const url = new URL(name, new URL(base.replace(/\/?$/, '/'), globalThis.location?.href));
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url.pathname}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

async function gunzip(bytes: Uint8Array<ArrayBuffer>): Promise<ArrayBuffer> {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Response(stream).arrayBuffer();
}

/** Reads the dictionary from `base` (a folder path in Node, a URL elsewhere) and builds the tokenizer. */
export async function buildJapaneseTokenizer(base: string): Promise<Tokenizer<IpadicFeatures>> {
  const files = new Map<string, ArrayBuffer>();
  await Promise.all(JAPANESE_DICTIONARY_FILES.map(async (name) => files.set(name, await gunzip(await readCompressed(base, name)))));
  const get = (name: string) => files.get(name)!;
  const dic = new DynamicDictionaries();
  dic.loadTrie(new Int32Array(get('base.dat.gz')), new Int32Array(get('check.dat.gz')));
  dic.loadTokenInfoDictionaries(new Uint8Array(get('tid.dat.gz')), new Uint8Array(get('tid_pos.dat.gz')), new Uint8Array(get('tid_map.dat.gz')));
  dic.loadConnectionCosts(new Int16Array(get(COSTS)));
  dic.loadUnknownDictionaries(
    new Uint8Array(get('unk.dat.gz')),
    new Uint8Array(get('unk_pos.dat.gz')),
    new Uint8Array(get('unk_map.dat.gz')),
    new Uint8Array(get('unk_char.dat.gz')),
    new Uint32Array(get('unk_compat.dat.gz')),
    new Uint8Array(get('unk_invoke.dat.gz')),
  );
  return new KuromojiTokenizer(dic) as Tokenizer<IpadicFeatures>;
}

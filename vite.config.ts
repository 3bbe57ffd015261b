import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';

// Cross-origin isolation: without these two headers browsers withhold SharedArrayBuffer and
// onnxruntime-web silently drops to one WASM thread. Any static host must send them too (README).
export const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

// onnxruntime-web's WebGPU build and its WASM pair, served by the app itself from `ort/`.
const ORT_DIST = resolve(import.meta.dirname, 'node_modules/onnxruntime-web/dist');
export const ORT_FILES = ['ort.webgpu.min.mjs', 'ort-wasm-simd-threaded.asyncify.mjs', 'ort-wasm-simd-threaded.asyncify.wasm'];

function serveOrt(): Plugin {
  return {
    name: 'mynah-serve-ort',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const m = /\/ort\/([^/?#]+)/.exec(req.url ?? '');
        if (!m || !ORT_FILES.includes(m[1])) return next();
        res.setHeader('Content-Type', m[1].endsWith('.wasm') ? 'application/wasm' : 'text/javascript');
        for (const [k, v] of Object.entries(isolationHeaders)) res.setHeader(k, v);
        createReadStream(resolve(ORT_DIST, m[1])).pipe(res);
      });
    },
    generateBundle() {
      for (const f of ORT_FILES) this.emitFile({ type: 'asset', fileName: `ort/${f}`, source: readFileSync(resolve(ORT_DIST, f)) });
    },
  };
}

// The Japanese dictionary (data/ja/naist-jdic.bin.gz, 5.7 MB, NAIST-jdic for OpenJTalk's rules), fetched
// by the worker only when a text contains Japanese. Served as opaque bytes: the worker gunzips it.
export const JA_DICT_DIR = resolve(import.meta.dirname, 'data/ja');
export const JA_DICT_FILES = ['naist-jdic.bin.gz'];

function serveJaDict(): Plugin {
  return {
    name: 'mynah-serve-ja-dict',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const m = /\/ja\/([\w.-]+)$/.exec((req.url ?? '').split('?')[0]);
        if (!m || !JA_DICT_FILES.includes(m[1])) return next();
        const file = join(JA_DICT_DIR, m[1]);
        res.setHeader('Content-Type', 'application/octet-stream');
        res.setHeader('Content-Length', String(statSync(file).size));
        for (const [k, v] of Object.entries(isolationHeaders)) res.setHeader(k, v);
        createReadStream(file).pipe(res);
      });
    },
    generateBundle() {
      for (const f of JA_DICT_FILES) this.emitFile({ type: 'asset', fileName: `ja/${f}`, source: readFileSync(join(JA_DICT_DIR, f)) });
    },
  };
}

// Generated model packs live in models/packs/<id>/ (gitignored). Dev serves them all at packs/;
// a build ships only the default pack, so `dist/` works on its own from any static host.
const PACKS_DIR = resolve(import.meta.dirname, 'models/packs');

/** The pack a build ships in packs/<id>/ and the app loads when none is named. */
export interface DefaultPack {
  id: string;
  dir: string;
  /** True when MYNAH_DEFAULT_PACK named it; false for the generated tiny pack. */
  chosen: boolean;
}

/**
 * MYNAH_DEFAULT_PACK=DIR: a pack folder (pack.json and its files, as `npm run convert` writes
 * them) becomes the default pack instead of the tiny random one. Checked here, before anything is
 * built or served: a Mynah pack.json with a plain id, every file it lists present at its size (the
 * browser checks each file's sha256 when it loads the pack).
 */
export function defaultPack(): DefaultPack {
  const given = process.env.MYNAH_DEFAULT_PACK;
  if (!given) return { id: 'tiny', dir: join(PACKS_DIR, 'tiny'), chosen: false };
  const dir = resolve(given);
  const fail = (why: string): never => {
    throw new Error(`MYNAH_DEFAULT_PACK=${given}: ${why}`);
  };
  if (!existsSync(join(dir, 'pack.json'))) fail(`no pack.json in ${dir}; write a pack there with \`npm run convert -- … --out ${given}\``);
  let manifest: { format?: unknown; id?: unknown; files?: { name: string; bytes: number }[] };
  try {
    manifest = JSON.parse(readFileSync(join(dir, 'pack.json'), 'utf8'));
  } catch (e) {
    return fail(`pack.json is not JSON (${(e as Error).message})`);
  }
  if (manifest.format !== 'mynah-pack' || !Array.isArray(manifest.files)) fail(`${join(dir, 'pack.json')} is not a Mynah pack manifest`);
  const id = String(manifest.id);
  if (!/^\w[\w.-]*$/.test(id)) fail(`the pack id ${JSON.stringify(manifest.id)} cannot name a folder; convert again with --id`);
  for (const f of manifest.files!) {
    if (!/^\w[\w.-]*$/.test(String(f.name))) fail(`pack.json lists ${JSON.stringify(f.name)}, which is not a plain file name`);
    const file = join(dir, f.name);
    if (!existsSync(file)) fail(`${f.name} is missing from ${dir}`);
    if (statSync(file).size !== f.bytes) fail(`${f.name} has ${statSync(file).size} bytes, pack.json says ${f.bytes}`);
  }
  return { id, dir, chosen: true };
}

/** pack.json first, then the files it lists. */
export function packFileNames(pack: DefaultPack, onMissing: (why: string) => never): string[] {
  if (!existsSync(join(pack.dir, 'pack.json'))) onMissing(`model pack ${pack.id} is missing: run \`npm run models:tiny\` first`);
  const manifest = JSON.parse(readFileSync(join(pack.dir, 'pack.json'), 'utf8')) as { files: { name: string }[] };
  return ['pack.json', ...manifest.files.map((f) => f.name)];
}

function servePacks(pack: DefaultPack): Plugin {
  return {
    name: 'mynah-serve-packs',
    configResolved(config) {
      if (pack.chosen) config.logger.info(`default model pack: ${pack.id} from ${pack.dir}`);
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const m = /\/packs\/(\w[\w.-]*)\/(\w[\w.-]*)$/.exec((req.url ?? '').split('?')[0]);
        const file = m && join(pack.chosen && m[1] === pack.id ? pack.dir : join(PACKS_DIR, m[1]), m[2]);
        if (!file || !existsSync(file) || !statSync(file).isFile()) return next();
        res.setHeader('Content-Type', file.endsWith('.json') ? 'application/json' : 'application/octet-stream');
        res.setHeader('Content-Length', String(statSync(file).size));
        for (const [k, v] of Object.entries(isolationHeaders)) res.setHeader(k, v);
        createReadStream(file).pipe(res);
      });
    },
    generateBundle() {
      for (const f of packFileNames(pack, (why) => this.error(why))) {
        this.emitFile({ type: 'asset', fileName: `packs/${pack.id}/${f}`, source: readFileSync(join(pack.dir, f)) });
      }
    },
  };
}

const DEFAULT_PACK = defaultPack();

export default defineConfig({
  base: './',
  plugins: [serveOrt(), serveJaDict(), servePacks(DEFAULT_PACK)],
  // Where the app finds its default pack (src/pack/default.ts).
  define: { __MYNAH_DEFAULT_PACK__: JSON.stringify(`packs/${DEFAULT_PACK.id}/pack.json`) },
  server: { headers: isolationHeaders },
  preview: { headers: isolationHeaders },
  // Pre-bundling would move ORT away from its .wasm; we load it at run time from ort/ anyway.
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  worker: { format: 'es' },
  build: { target: 'es2022', outDir: 'dist', sourcemap: true },
});

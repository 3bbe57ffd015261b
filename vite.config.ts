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
// a build ships only the default tiny pack, so `dist/` works on its own from any static host.
const PACKS_DIR = resolve(import.meta.dirname, 'models/packs');
const SHIPPED_PACKS = ['tiny'];

function servePacks(): Plugin {
  return {
    name: 'mynah-serve-packs',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const m = /\/packs\/([\w-]+)\/([\w.-]+)$/.exec((req.url ?? '').split('?')[0]);
        const file = m && join(PACKS_DIR, m[1], m[2]);
        if (!file || !existsSync(file)) return next();
        res.setHeader('Content-Type', file.endsWith('.json') ? 'application/json' : 'application/octet-stream');
        res.setHeader('Content-Length', String(statSync(file).size));
        for (const [k, v] of Object.entries(isolationHeaders)) res.setHeader(k, v);
        createReadStream(file).pipe(res);
      });
    },
    generateBundle() {
      for (const id of SHIPPED_PACKS) {
        const dir = join(PACKS_DIR, id);
        if (!existsSync(join(dir, 'pack.json'))) this.error(`model pack ${id} is missing: run \`npm run models:tiny\` first`);
        const manifest = readFileSync(join(dir, 'pack.json'));
        const names = (JSON.parse(manifest.toString()) as { files: { name: string }[] }).files.map((f) => f.name);
        this.emitFile({ type: 'asset', fileName: `packs/${id}/pack.json`, source: manifest });
        for (const f of names) this.emitFile({ type: 'asset', fileName: `packs/${id}/${f}`, source: readFileSync(join(dir, f)) });
      }
    },
  };
}

export default defineConfig({
  base: './',
  plugins: [serveOrt(), serveJaDict(), servePacks()],
  server: { headers: isolationHeaders },
  preview: { headers: isolationHeaders },
  // Pre-bundling would move ORT away from its .wasm; we load it at run time from ort/ anyway.
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  worker: { format: 'es' },
  build: { target: 'es2022', outDir: 'dist', sourcemap: true },
});

// Library build: `npm run build:lib` -> dist-lib/mynah.js (ES module with the <mynah-speak> and
// <mynah-studio> elements and the Mynah client; Lit and everything else bundled in, so one
// script tag is enough), its chunks and worker, the run-time files it loads (ort/, ja/,
// the default pack in packs/<id>/: tiny, or MYNAH_DEFAULT_PACK as for the app) beside it, and type
// declarations (mynah.d.ts -> types/, from tsconfig.lib.json).
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import { defaultPack, JA_DICT_DIR, JA_DICT_FILES, ORT_FILES, packFileNames } from './vite.config.ts';

const here = import.meta.dirname;
const DEFAULT_PACK = defaultPack();

function runtimeFiles(): Plugin {
  const copy = (from: string, to: string, names: string[], emit: (fileName: string, source: Uint8Array) => void) => {
    for (const n of names) emit(`${to}/${n}`, readFileSync(join(from, n)));
  };
  return {
    name: 'mynah-lib-runtime-files',
    generateBundle() {
      const emit = (fileName: string, source: Uint8Array) => this.emitFile({ type: 'asset', fileName, source });
      copy(resolve(here, 'node_modules/onnxruntime-web/dist'), 'ort', ORT_FILES, emit);
      copy(JA_DICT_DIR, 'ja', JA_DICT_FILES, emit);
      copy(DEFAULT_PACK.dir, `packs/${DEFAULT_PACK.id}`, packFileNames(DEFAULT_PACK, (why) => this.error(why)), emit);
      // Types: tsc writes dist-lib/types/ after this build; this is the entry that points there.
      this.emitFile({ type: 'asset', fileName: 'mynah.d.ts', source: "export * from './types/lib';\n" });
    },
  };
}

export default defineConfig({
  base: './',
  publicDir: false,
  plugins: [runtimeFiles()],
  // Production builds of Lit and friends even when run under a test runner (NODE_ENV=test).
  resolve: { conditions: ['module', 'browser', 'production'] },
  define: { 'process.env.NODE_ENV': JSON.stringify('production'), __MYNAH_DEFAULT_PACK__: JSON.stringify(`packs/${DEFAULT_PACK.id}/pack.json`) },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    outDir: 'dist-lib',
    emptyOutDir: true,
    sourcemap: true,
    lib: { entry: resolve(here, 'src/lib.ts'), formats: ['es'], fileName: () => 'mynah.js' },
  },
});

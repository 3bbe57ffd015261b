// The engine in Chromium on the real-size random v2 pack, WebGPU only (fp32: SwiftShader has no
// shader-f16): the built app fetches the pack from a static server the way a site would load one
// from its URL (pack.json, then each file checked and turned into a session), clones a voice and
// speaks a few tokens. Reported: session creation (load), clone, warm-up (shader compilation), then
// the measured runs' T2S decode rate, first audio, RTF split and GPU -> CPU reads per token.
// SwiftShader is a CPU rasteriser on 2 shared cores: slow, and it says nothing about real GPUs;
// this run checks that the real-size graphs run end to end on WebGPU. The Chinese BERT is left out
// of the served manifest (English text never uses it).
//   tsx test/bench/webgpu-full.ts [runs] [tokens]
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'vite';
import { SHORT_TEXT as WAV_TEXT, SHORT_WAV as WAV } from '../helpers/reference-speech';
import { launch, watchConsole } from '../e2e/browser';
import { serveStatic } from '../e2e/server';
import { parseWav } from '../../src/audio/wav';
import { BENCH_TEXT, emit, ensurePack, readManifest, withoutBert } from './common';

export interface BrowserFullRun {
  pack: string;
  weightBytes: number;
  backend: string;
  adapter?: string;
  shaderF16: boolean;
  precision: { t2s: string; sovits: string; reason: string };
  reason: string;
  tokens: number;
  initMs: number;
  loadMs: number;
  cloneMs: number;
  refSec: number;
  runs: { totalMs: number; firstChunkMs: number; t2sMs: number; sovitsMs: number; audioSec: number; steps: number; prefillMs: number; readbacks: number; prefillReadbacks: number }[];
  consoleErrors: string[];
}

const wav = parseWav(readFileSync(WAV));
const runs = Number(process.argv[2] ?? 1);
const tokens = Number(process.argv[3] ?? 24);
ensurePack('tiny'); // the built app ships the default (tiny) pack
const packDir = resolve(ensurePack('full'));
const manifest = withoutBert(readManifest(packDir));
const outDir = mkdtempSync(join(tmpdir(), 'mynah-bench-full-'));
const log = (s: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${s}\n`);
try {
  await build({ logLevel: 'warn', configFile: 'vite.config.ts', build: { outDir, emptyOutDir: true } });
  // The pack beside the app: its files linked (not copied: 800 MB), its manifest without BERT.
  const served = join(outDir, 'bench-pack');
  mkdirSync(served);
  for (const f of manifest.files) symlinkSync(join(packDir, f.name), join(served, f.name));
  writeFileSync(join(served, 'pack.json'), JSON.stringify(manifest));
  const server = await serveStatic(outDir);
  const chrome = await launch();
  try {
    const page = await chrome.browser.newPage();
    const seen = watchConsole(page);
    await page.goto(server.url);
    await page.waitForFunction(() => 'Mynah' in globalThis);
    log('engine: init (WebGPU), then the real-size pack from its URL');
    const loaded = await page.evaluate(async (url) => {
      const g = globalThis as any;
      let t = performance.now();
      const m = await g.Mynah.create({ backend: 'webgpu', precision: 'fp32' });
      const initMs = performance.now() - t;
      t = performance.now();
      await m.loadPack(url);
      g.__bench = m;
      return { initMs, loadMs: performance.now() - t, info: m.backendInfo() };
    }, `${server.url}bench-pack/pack.json`);
    log(`init ${(loaded.initMs / 1000).toFixed(1)} s, load ${(loaded.loadMs / 1000).toFixed(1)} s (${loaded.info.adapter}, ${loaded.info.precision.t2s})`);
    const clone = await page.evaluate(
      async ({ wav, wavText }) => {
        const g = globalThis as any;
        const t = performance.now();
        const bytes = Uint8Array.from(atob(wav), (c) => c.charCodeAt(0));
        const { voice } = await g.__bench.cloneVoice(new Blob([bytes], { type: 'audio/wav' }), wavText, 'en', 'bench full');
        g.__voice = voice.id;
        return { cloneMs: performance.now() - t };
      },
      { wav: readFileSync(WAV).toString('base64'), wavText: WAV_TEXT },
    );
    log(`clone ${(clone.cloneMs / 1000).toFixed(1)} s`);
    const out: BrowserFullRun['runs'] = [];
    for (let i = 0; i <= runs; i++) {
      const r = await page.evaluate(
        async ({ text, maxTokens }) => {
          const g = globalThis as any;
          const stream = g.__bench.synthesize(text, g.__voice, { seed: 1, maxTokens, lang: 'en', cut: 'cut0', pauseSec: 0 });
          for await (const _ of stream) void _;
          const rep = await stream.report;
          const s = rep.segments[0].t2s;
          return { totalMs: rep.totalMs, firstChunkMs: rep.firstChunkMs, t2sMs: rep.t2sMs, sovitsMs: rep.sovitsMs, audioSec: rep.audioSec, steps: s.steps, prefillMs: s.prefillMs, readbacks: s.readbacks, prefillReadbacks: s.prefillReadbacks };
        },
        { text: BENCH_TEXT, maxTokens: tokens },
      );
      log(`run ${i === 0 ? 'warm-up' : i}: ${r.steps} tokens, ${(r.totalMs / 1000).toFixed(1)} s (T2S ${(r.t2sMs / 1000).toFixed(1)}, SoVITS ${(r.sovitsMs / 1000).toFixed(1)}), first audio ${(r.firstChunkMs / 1000).toFixed(1)} s, ${r.readbacks} reads`);
      out.push(r);
    }
    await page.evaluate(() => (globalThis as any).__bench.dispose());
    const info = loaded.info;
    const result: BrowserFullRun = {
      pack: manifest.id,
      weightBytes: manifest.files.reduce((a, f) => a + f.bytes, 0),
      backend: info.backend,
      adapter: info.adapter,
      shaderF16: info.shaderF16,
      precision: info.precision,
      reason: info.reason,
      tokens,
      initMs: loaded.initMs,
      loadMs: loaded.loadMs,
      cloneMs: clone.cloneMs,
      refSec: wav.channels[0].length / wav.sampleRate,
      runs: out,
      consoleErrors: seen.fatal,
    };
    emit(result);
  } finally {
    await chrome.close();
    await server.close();
  }
} finally {
  rmSync(outDir, { recursive: true, force: true });
}
process.exit(0);

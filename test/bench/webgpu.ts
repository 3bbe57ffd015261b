// The engine in Chromium (the built app, its worker, onnxruntime-web's WebGPU and WASM backends)
// on the tiny pack: session creation, warm-up (first synthesis: shader compilation on WebGPU) and
// steady runs reported separately, and GPU -> CPU reads per decoded token as the engine counts
// them (every GPUBuffer.mapAsync for reading during T2S decode steps, ORT's own included).
// Here WebGPU is SwiftShader (a CPU rasteriser), so its times say nothing about real GPUs.
//   tsx test/bench/webgpu.ts [runs]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import { SHORT_TEXT as WAV_TEXT, SHORT_WAV as WAV } from '../helpers/reference-speech';
import { launch } from '../e2e/browser';
import { serveStatic } from '../e2e/server';
import { BENCH_TEXT, emit } from './common';

// The short LibriVox clip (3.3 s): SwiftShader is slow on 2 cores.
const MAX_TOKENS = 32;

export interface BrowserRun {
  backend: string;
  adapter?: string;
  shaderF16: boolean;
  threads: number;
  precision: { t2s: string; sovits: string; reason: string };
  reason: string;
  initMs: number;
  loadMs: number;
  cloneMs: number;
  runs: { totalMs: number; firstChunkMs: number; t2sMs: number; sovitsMs: number; audioSec: number; steps: number; prefillMs: number; readbacks: number; prefillReadbacks: number }[];
}

const runs = Number(process.argv[2] ?? 2);
execFileSync('npx', ['tsx', 'models/generate.ts', 'tiny'], { stdio: 'inherit' });
const outDir = mkdtempSync(join(tmpdir(), 'mynah-bench-dist-'));
const results: BrowserRun[] = [];
try {
  await build({ logLevel: 'warn', configFile: 'vite.config.ts', build: { outDir, emptyOutDir: true } });
  const server = await serveStatic(outDir);
  const chrome = await launch();
  try {
    const page = await chrome.browser.newPage();
    await page.goto(server.url);
    await page.waitForFunction(() => 'Mynah' in globalThis);
    for (const backend of ['webgpu', 'wasm'] as const) {
      const r = await page.evaluate(
        async ({ backend, wav, wavText, text, maxTokens, runs }) => {
          const g = globalThis as any;
          let t = performance.now();
          const m = await g.Mynah.create({ backend });
          const initMs = performance.now() - t;
          const info = m.backendInfo();
          t = performance.now();
          await m.loadPack();
          const loadMs = performance.now() - t;
          t = performance.now();
          const bytes = Uint8Array.from(atob(wav), (c) => c.charCodeAt(0));
          const { voice } = await m.cloneVoice(new Blob([bytes], { type: 'audio/wav' }), wavText, 'en', `bench ${backend}`);
          const cloneMs = performance.now() - t;
          const out = [];
          for (let i = 0; i <= runs; i++) {
            const stream = m.synthesize(text, voice.id, { seed: 1, maxTokens, lang: 'en', cut: 'cut0', pauseSec: 0 });
            for await (const _ of stream) void _;
            const rep = await stream.report;
            const s = rep.segments[0].t2s;
            out.push({ totalMs: rep.totalMs, firstChunkMs: rep.firstChunkMs, t2sMs: rep.t2sMs, sovitsMs: rep.sovitsMs, audioSec: rep.audioSec, steps: s.steps, prefillMs: s.prefillMs, readbacks: s.readbacks, prefillReadbacks: s.prefillReadbacks });
          }
          m.dispose();
          return { backend: info.backend, adapter: info.adapter, shaderF16: info.shaderF16, threads: info.threads, precision: info.precision, reason: info.reason, initMs, loadMs, cloneMs, runs: out };
        },
        { backend, wav: readFileSync(WAV).toString('base64'), wavText: WAV_TEXT, text: BENCH_TEXT, maxTokens: MAX_TOKENS, runs },
      );
      process.stdout.write(`chromium ${backend}: init ${(r.initMs / 1000).toFixed(1)} s, load ${(r.loadMs / 1000).toFixed(1)} s, warm-up ${(r.runs[0].totalMs / 1000).toFixed(1)} s, then ${r.runs.slice(1).map((x) => (x.totalMs / 1000).toFixed(1)).join(', ')} s\n`);
      results.push(r);
    }
  } finally {
    await chrome.close();
    await server.close();
  }
} finally {
  rmSync(outDir, { recursive: true, force: true });
}
emit(results);
process.exit(0);

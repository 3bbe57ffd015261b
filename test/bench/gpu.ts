// `npm run bench:gpu`: the engine on a real GPU, in Node, with no browser and no network:
// onnxruntime-web's WebGPU build over Dawn's Node binding (test/bench/node-webgpu.ts). For each
// precision (fp32, then fp16 where the adapter has shader-f16) one engine loads the real-size
// random v2 pack, clones a voice and speaks BENCH_TEXT (a warm-up, then `runs` measured runs):
// T2S decode tok/s, first audio, RTF split T2S/SoVITS, GPU -> CPU reads per decoded token (the
// engine counts every mapAsync read). Then fp16 vs fp32 (and fp32 WebGPU vs WASM) on the same
// inputs: logit and waveform differences. Writes gpu-result.json and gpu-result.md to --out.
// The GPU kit (scripts/gpu-kit.ts) bundles this file; its run.sh passes --pack/--ort/--dawn/--wav.
// Without an adapter it prints "no WebGPU adapter: ..." and exits with status 3.
//   tsx test/bench/gpu.ts [--pack DIR] [--tokens N] [--runs N] [--precisions fp32,fp16]
//                         [--quality-steps N] [--out DIR] [--ort DIR] [--dawn FILE] [--wav FILE]
import 'fake-indexeddb/auto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createStore } from 'idb-keyval';
import type * as Ort from 'onnxruntime-web';
import { parseWav } from '../../src/audio/wav';
import { Engine } from '../../src/engine/engine';
import type { SynthesisOptions, SynthesisReport } from '../../src/engine/synthesize';
import { REFERENCE_TEXT, REFERENCE_WAV } from '../helpers/reference-speech';
import { BENCH_TEXT, BENCH_TOKENS, diskPack, ensurePack, readManifest, withoutBert } from './common';
import { comparePrecisions } from './gpu-quality';
import { gpuFigures, gpuMarkdown, type GpuPrecisionRun, type GpuResult } from './gpu-report';
import { installNodeWebGpu, NoAdapterError } from './node-webgpu';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const TOKENS = Number(opt('--tokens') ?? BENCH_TOKENS);
const RUNS = Number(opt('--runs') ?? 3);
const PRECISIONS = (opt('--precisions') ?? 'fp32,fp16').split(',') as ('fp32' | 'fp16')[];
const QUALITY_STEPS = Number(opt('--quality-steps') ?? 32);
const OUT = opt('--out');
const log = (s: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${s}\n`);
const started = new Date().toISOString();
const load = loadavg();

let gpu;
try {
  gpu = await installNodeWebGpu(opt('--dawn') ?? process.env.MYNAH_DAWN_NODE ?? undefined);
} catch (e) {
  if (!(e instanceof NoAdapterError)) throw e;
  process.stderr.write(`\n${e.message}\n`);
  if (OUT) {
    mkdirSync(OUT, { recursive: true });
    writeFileSync(join(OUT, 'gpu-result.json'), `${JSON.stringify({ started, error: e.message }, null, 2)}\n`);
  }
  process.exit(3);
}
log(`adapter: ${gpu.adapter} (Dawn ${gpu.backend} backend; shader-f16 ${gpu.features.includes('shader-f16') ? 'yes' : 'no'})`);
if (gpu.isNull) log('Dawn null backend: nothing is computed, the figures only check the plumbing');

// onnxruntime-web's WebGPU build and its WASM pair (the files the app serves from ort/).
const ortDir = resolve(opt('--ort') ?? dirname(createRequire(import.meta.url).resolve('onnxruntime-web')));
const ort = (await import(pathToFileURL(join(ortDir, 'ort.webgpu.min.mjs')).href)) as typeof Ort;
ort.env.wasm.wasmPaths = pathToFileURL(ortDir).href + '/';

const dir = resolve(opt('--pack') ?? ensurePack('full'));
const manifest = withoutBert(readManifest(dir));
const wavPath = opt('--wav');
// The 7.1 s LibriVox clip the WASM rows clone from (the kit ships it beside the bench).
const reference = parseWav(readFileSync(wavPath ?? REFERENCE_WAV));
const refSec = reference.channels[0].length / reference.sampleRate;
// One WASM thread: the heavy graphs run on the GPU, and a bundled onnxruntime-web cannot start its
// pthread workers from the kit's single file.
const scope = { crossOriginIsolated: false, navigator: { hardwareConcurrency: 1 } } as unknown as typeof globalThis;

const runs: GpuPrecisionRun[] = [];
for (const precision of PRECISIONS) {
  let engine: Engine | undefined;
  try {
    engine = new Engine(ort, { scope, voices: createStore(`gpu-bench-${precision}`, 'voices') });
    let t = performance.now();
    const info = await engine.init({ backend: 'webgpu', precision });
    const initMs = performance.now() - t;
    if (info.precision.t2s !== precision) {
      runs.push({ requested: precision, skipped: info.precision.reason });
      log(`${precision}: skipped (${info.precision.reason})`);
      continue;
    }
    log(`${precision}: engine ready in ${(initMs / 1000).toFixed(2)} s (${info.reason}); loading ${manifest.id}`);
    const loaded = await engine.loadPack(async () => diskPack(dir, manifest));
    log(`${precision}: sessions in ${(loaded.loadMs / 1000).toFixed(2)} s`);
    t = performance.now();
    const { voice } = await engine.cloneVoice({ audio: reference, promptText: REFERENCE_TEXT, promptLang: 'en' }).result;
    const cloneMs = performance.now() - t;
    log(`${precision}: voice cloned in ${(cloneMs / 1000).toFixed(2)} s`);
    const opts: SynthesisOptions = { seed: 1, maxTokens: TOKENS, lang: 'en', cut: 'cut0', pauseSec: 0 };
    const reports: SynthesisReport[] = [];
    for (let i = 0; i <= RUNS; i++) {
      const r = await engine.synthesize(BENCH_TEXT, voice.id, opts, () => {}).result;
      reports.push(r);
      const s = r.segments[0].t2s;
      log(`${precision}: run ${i === 0 ? 'warm-up' : i}: ${r.segments[0].tokens} tokens in ${(r.totalMs / 1000).toFixed(3)} s (T2S ${(r.t2sMs / 1000).toFixed(3)}, SoVITS ${(r.sovitsMs / 1000).toFixed(3)}), first audio ${(r.firstChunkMs / 1000).toFixed(3)} s, ${s.readbacks} GPU reads over ${s.steps - 1} decode steps`);
    }
    const f = gpuFigures(reports.slice(1));
    log(`${precision}: ${f.tokPerSec.toFixed(1)} tok/s, first audio ${(f.firstAudioMs / 1000).toFixed(3)} s, RTF ${f.rtf.toFixed(3)} (T2S ${f.t2sRtf.toFixed(3)} + SoVITS ${f.sovitsRtf.toFixed(3)}), ${f.readsPerToken.toFixed(2)} reads per token`);
    runs.push({ requested: precision, precision: info.precision, backendReason: info.reason, probeMaxDiff: info.probeMaxDiff, initMs, loadMs: loaded.loadMs, cloneMs, warmup: reports[0], runs: reports.slice(1) });
  } catch (e) {
    // One precision failing (an op the adapter rejects, a lost device) keeps the others' figures.
    const message = String((e as Error)?.message ?? e).slice(0, 500);
    runs.push({ requested: precision, error: message });
    log(`${precision}: failed: ${message}`);
  } finally {
    await engine?.dispose().catch(() => undefined);
  }
}

const result: GpuResult = {
  started,
  machine: { cpu: cpus()[0]?.model ?? 'unknown CPU', cores: cpus().length, memGiB: Math.round(totalmem() / 2 ** 30), node: process.version, ort: ort.env.versions.web ?? '?', load },
  gpu: { adapter: gpu.adapter, backend: gpu.backend, features: gpu.features, isNull: gpu.isNull, flags: gpu.flags },
  pack: { id: manifest.id, weightBytes: manifest.files.reduce((a, f) => a + f.bytes, 0) },
  tokens: TOKENS,
  refSec,
  runs,
};

// fp16 vs fp32 on the GPU, and fp32 WebGPU vs WASM, on the same inputs.
if (QUALITY_STEPS > 0) {
  log(`precision comparison: T2S prefill + ${QUALITY_STEPS} decode steps, one SoVITS chunk`);
  const file = (role: string) => new Uint8Array(readFileSync(join(dir, manifest.files.find((f) => f.role === role)!.name)));
  const f16 = gpu.features.includes('shader-f16');
  try {
    result.quality = await comparePrecisions(
      ort,
      manifest,
      file,
      [
        ...(f16 ? [{ label: 'WebGPU fp16 vs WebGPU fp32', ref: { ep: 'webgpu' as const, fp16: false }, other: { ep: 'webgpu' as const, fp16: true } }] : []),
        { label: 'WebGPU fp32 vs WASM fp32', ref: { ep: 'wasm', fp16: false }, other: { ep: 'webgpu', fp16: false } },
      ],
      QUALITY_STEPS,
    );
  } catch (e) {
    result.qualityError = String((e as Error)?.message ?? e).slice(0, 300);
    log(`precision comparison failed: ${result.qualityError}`);
  }
}

const md = gpuMarkdown(result);
process.stdout.write(`\n${md}\n`);
if (OUT) {
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'gpu-result.json'), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(join(OUT, 'gpu-result.md'), `# Mynah on a GPU machine (\`npm run bench:gpu\`)\n\n${md}`);
  log(`wrote ${join(OUT, 'gpu-result.json')} and gpu-result.md`);
}
// dawn.node keeps Node alive while navigator.gpu is referenced.
process.exit(runs.some((r) => r.error) ? 1 : 0);

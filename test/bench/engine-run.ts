// One bench configuration in its own process, so its peak RSS is its own: the engine in Node on
// onnxruntime-web's WASM backend (the same code as the browser worker) loads a pack at one
// precision, clones a voice and speaks one sentence (a warm-up, then `runs` measured runs).
//   tsx test/bench/engine-run.ts <tiny|full|full-v2pro|full-v2proplus> <auto|fp32|int8> <threads> <runs>
import 'fake-indexeddb/auto';
import { createStore } from 'idb-keyval';
import * as ort from 'onnxruntime-web';
import { Engine } from '../../src/engine/engine';
import type { PrecisionRequest } from '../../src/engine/precision';
import type { SynthesisOptions, SynthesisReport } from '../../src/engine/synthesize';
import { referenceSpeech, REFERENCE_TEXT } from '../helpers/reference-speech';
import { BENCH_TEXT, BENCH_TOKENS, diskPack, emit, ensurePack, MiB, readManifest, withoutBert, type EngineRun, type PackKind } from './common';

const [kind, precision, threadsArg, runsArg] = process.argv.slice(2) as [PackKind, PrecisionRequest, string, string];
const threads = Number(threadsArg ?? 2);
const runs = Number(runsArg ?? 2);
const peak = () => process.resourceUsage().maxRSS / 1024; // KiB -> MiB
const rss = () => process.memoryUsage().rss / MiB;

const dir = ensurePack(kind);
const manifest = withoutBert(readManifest(dir));
const baseRssMB = rss();
const scope = { crossOriginIsolated: threads > 1, navigator: { hardwareConcurrency: threads } } as unknown as typeof globalThis;
const engine = new Engine(ort, { scope, voices: createStore(`bench-${kind}-${precision}`, 'voices') });
const info = await engine.init({ backend: 'wasm', precision });
const initRssMB = rss();
// A loader (not a pack object): the engine drops each file's bytes once its session exists.
const load = await engine.loadPack(async () => diskPack(dir, manifest));
const loadPeakRssMB = peak();
const loadedRssMB = rss();
process.stdout.write(`${kind} ${info.precision.t2s}/${info.precision.sovits}: loaded in ${(load.loadMs / 1000).toFixed(2)} s, RSS ${loadedRssMB.toFixed(0)} MB (peak ${loadPeakRssMB.toFixed(0)})\n`);
const t0 = performance.now();
const { voice, timings: cloneTimings } = await engine.cloneVoice({ audio: referenceSpeech(), promptText: REFERENCE_TEXT, promptLang: 'en' }).result;
const cloneMs = performance.now() - t0;
const clonePeakRssMB = peak();
const opts: SynthesisOptions = { seed: 1, maxTokens: BENCH_TOKENS, lang: 'en', cut: 'cut0', pauseSec: 0 };
const reports: SynthesisReport[] = [];
for (let i = 0; i <= runs; i++) {
  const r = await engine.synthesize(BENCH_TEXT, voice.id, opts, () => {}).result;
  reports.push(r);
  process.stdout.write(`${kind} ${info.precision.t2s}: run ${i === 0 ? 'warm-up' : i}: ${r.segments[0].tokens} tokens, ${(r.totalMs / 1000).toFixed(2)} s, first chunk ${(r.firstChunkMs / 1000).toFixed(2)} s\n`);
}
const result: EngineRun = {
  pack: manifest.id,
  kind,
  precision: info.precision,
  threads: info.threads,
  weightBytes: manifest.files.reduce((a, f) => a + f.bytes, 0),
  baseRssMB,
  initRssMB,
  loadMs: load.loadMs,
  loadPeakRssMB,
  loadedRssMB,
  cloneMs,
  cloneTimings,
  clonePeakRssMB,
  peakRssMB: peak(),
  warmup: reports[0],
  runs: reports.slice(1),
};
await engine.dispose();
emit(result);
process.exit(0);

// The v4 flow-matching decoder in its own process (its peak RSS is its own): the engine in Node on
// onnxruntime-web's WASM backend loads the real-size random v4 pack (fp32, no BERT), clones a voice
// from the 7.1 s clip (its prompt is then T_ref = 500 mel frames) and speaks FLOW_TOKENS semantic
// tokens once per sampling-step count. Every DiT step of a chunk does the same work, so the report's
// per-step time is the median over all steps run.
//   tsx test/bench/flow-run.ts <threads> <steps,steps,...> [auto|fp32|int8]
import 'fake-indexeddb/auto';
import { createStore } from 'idb-keyval';
import * as ort from 'onnxruntime-web';
import { Engine } from '../../src/engine/engine';
import type { PrecisionRequest } from '../../src/engine/precision';
import type { SynthesisReport } from '../../src/engine/synthesize';
import { referenceSpeech, REFERENCE_TEXT } from '../helpers/reference-speech';
import { BENCH_TEXT, diskPack, emit, ensurePack, median, MiB, readManifest, withoutBert } from './common';

/** 1 s of speech: 100 condition frames after the 500-frame prompt, one CFM chunk of 600 frames. */
export const FLOW_TOKENS = 25;

export interface FlowRun {
  pack: string;
  precision: { t2s: string; sovits: string; reason: string };
  threads: number;
  weightBytes: number;
  ditBytes: number;
  loadMs: number;
  loadedRssMB: number;
  loadPeakRssMB: number;
  cloneMs: number;
  peakRssMB: number;
  /** One synthesis per step count. */
  runs: { steps: number; report: SynthesisReport; stepMsAll: number[] }[];
}

const [threadsArg, stepsArg, precisionArg] = process.argv.slice(2);
const threads = Number(threadsArg ?? 2);
const stepCounts = (stepsArg ?? '8,16,32').split(',').map(Number);
const peak = () => process.resourceUsage().maxRSS / 1024;
const rss = () => process.memoryUsage().rss / MiB;

const dir = ensurePack('full-v4');
const manifest = withoutBert(readManifest(dir));
const scope = { crossOriginIsolated: threads > 1, navigator: { hardwareConcurrency: threads } } as unknown as typeof globalThis;
const engine = new Engine(ort, { scope, voices: createStore('bench-v4', 'voices') });
const info = await engine.init({ backend: 'wasm', precision: (precisionArg ?? 'fp32') as PrecisionRequest });
const load = await engine.loadPack(async () => diskPack(dir, manifest));
const loadPeakRssMB = peak();
const loadedRssMB = rss();
process.stdout.write(`v4: loaded in ${(load.loadMs / 1000).toFixed(1)} s, RSS ${loadedRssMB.toFixed(0)} MiB (peak ${loadPeakRssMB.toFixed(0)})\n`);
const t0 = performance.now();
const { voice } = await engine.cloneVoice({ audio: referenceSpeech(), promptText: REFERENCE_TEXT, promptLang: 'en' }).result;
const cloneMs = performance.now() - t0;
const runs: FlowRun['runs'] = [];
for (const steps of stepCounts) {
  const stepMsAll: number[] = [];
  let last = performance.now();
  const report = await engine.synthesize(BENCH_TEXT, voice.id, { seed: 1, maxTokens: FLOW_TOKENS, lang: 'en', cut: 'cut0', pauseSec: 0, sampleSteps: steps }, () => {}, () => {
    const now = performance.now();
    stepMsAll.push(now - last);
    last = now;
  }).result;
  // The first interval also holds T2S and the encoder: the per-step figure is the report's.
  runs.push({ steps, report, stepMsAll });
  process.stdout.write(`v4: ${steps} steps: ${(report.totalMs / 1000).toFixed(1)} s for ${report.audioSec.toFixed(2)} s of audio, step ${(report.flow!.stepMs / 1000).toFixed(2)} s (median ${(median(stepMsAll.slice(1)) / 1000).toFixed(2)} s)\n`);
}
const result: FlowRun = {
  pack: manifest.id,
  precision: info.precision,
  threads: info.threads,
  weightBytes: manifest.files.reduce((a, f) => a + f.bytes, 0),
  ditBytes: manifest.files.find((f) => f.role === 'cfm-step')!.bytes,
  loadMs: load.loadMs,
  loadedRssMB,
  loadPeakRssMB,
  cloneMs,
  peakRssMB: peak(),
  runs,
};
await engine.dispose();
emit(result);
process.exit(0);

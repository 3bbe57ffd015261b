// `npm run bench`: the engine in Node on onnxruntime-web's WASM backend (the same code the worker
// runs), on the tiny pack and on the real-size random v2 pack. Prints a table and writes
// BENCHMARKS.md. Figures only: nothing here asserts a time.
//   tsx test/bench/run.ts [--runs N] [--threads N] [--only tiny|full]
import 'fake-indexeddb/auto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { createStore } from 'idb-keyval';
import * as ort from 'onnxruntime-web';
import { Engine } from '../../src/engine/engine';
import type { SynthesisOptions, SynthesisReport } from '../../src/engine/synthesize';
import { validateManifest } from '../../src/pack/manifest';
import type { LoadedPack } from '../../src/pack/fetch';
import { referenceSpeech, REFERENCE_TEXT } from '../helpers/reference-speech';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const RUNS = Number(opt('--runs', '3'));
const THREADS = Number(opt('--threads', String(Math.min(4, cpus().length))));
const ONLY = opt('--only', '');
const TEXT = 'The quick brown fox jumps over the lazy dog, and then it rests in the warm afternoon sun.';
// Random weights rarely say EOS, so every run decodes the same number of tokens (6 s of audio).
const TOKENS = 150;

function readPack(dir: string): LoadedPack {
  const manifest = validateManifest(JSON.parse(readFileSync(join(dir, 'pack.json'), 'utf8')));
  const files = new Map(manifest.files.map((f) => [f.name, new Uint8Array(readFileSync(join(dir, f.name)))]));
  return { manifest, files };
}

function ensurePack(kind: 'tiny' | 'full'): string {
  const dir = join('models', 'packs', kind === 'tiny' ? 'tiny' : 'v2-random');
  if (!existsSync(join(dir, 'pack.json'))) execFileSync('npx', ['tsx', 'models/generate.ts', kind], { stdio: 'inherit' });
  return dir;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mb = (n: number) => n / 2 ** 20;

interface Row {
  pack: string;
  weightsMB: number;
  loadMs: number;
  cloneMs: number;
  tokensPerSec: number;
  prefillMs: number;
  firstChunkMs: number;
  rtf: number;
  audioSec: number;
  peakRssMB: number;
}

async function benchPack(kind: 'tiny' | 'full'): Promise<Row> {
  const dir = ensurePack(kind);
  const pack = readPack(dir);
  const withoutBert = pack.manifest.files.filter((f) => f.role !== 'bert' && f.role !== 'bert-vocab');
  const weights = withoutBert.reduce((a, f) => a + f.bytes, 0);
  const scope = { crossOriginIsolated: THREADS > 1, navigator: { hardwareConcurrency: THREADS } } as unknown as typeof globalThis;
  const engine = new Engine(ort, { scope, voices: createStore(`bench-${kind}`, 'voices') });
  await engine.init({ backend: 'wasm' });
  // The Chinese BERT is optional and unused for English; leave it out like a pack without it.
  const lean: LoadedPack = { manifest: { ...pack.manifest, files: withoutBert }, files: pack.files };
  const load = await engine.loadPack(lean);
  pack.files.clear();
  const t0 = performance.now();
  const { voice } = await engine.cloneVoice({ audio: referenceSpeech(), promptText: REFERENCE_TEXT, promptLang: 'en' }).result;
  const cloneMs = performance.now() - t0;
  const opts: SynthesisOptions = { seed: 1, maxTokens: TOKENS, lang: 'en', cut: 'cut0', pauseSec: 0 };
  const reports: SynthesisReport[] = [];
  // One warm-up run, then RUNS measured runs.
  for (let i = 0; i <= RUNS; i++) {
    const r = await engine.synthesize(TEXT, voice.id, opts, () => {}).result;
    if (i > 0) reports.push(r);
    process.stdout.write(`  ${kind} run ${i === 0 ? 'warm-up' : i}: ${r.segments[0].tokens} tokens, ${(r.totalMs / 1000).toFixed(2)} s\n`);
  }
  const decodeRate = reports.map((r) => {
    const s = r.segments[0];
    return (s.t2s.steps - 1) / ((r.t2sMs - s.t2s.prefillMs) / 1000);
  });
  await engine.dispose();
  return {
    pack: `${pack.manifest.id} (${kind})`,
    weightsMB: mb(weights),
    loadMs: load.loadMs,
    cloneMs,
    tokensPerSec: median(decodeRate),
    prefillMs: median(reports.map((r) => r.segments[0].t2s.prefillMs)),
    firstChunkMs: median(reports.map((r) => r.firstChunkMs)),
    rtf: median(reports.map((r) => r.totalMs / 1000 / r.audioSec)),
    audioSec: reports[0].audioSec,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
  };
}

const rows: Row[] = [];
for (const kind of ['tiny', 'full'] as const) {
  if (ONLY && ONLY !== kind) continue;
  console.log(`bench: ${kind} pack`);
  rows.push(await benchPack(kind));
}

const header = ['pack', 'weights MB (no BERT)', 'load s', 'clone s', 'T2S decode tok/s', 'T2S prefill ms', 'first chunk s', 'RTF', 'audio s', 'peak RSS MB', 'RSS / weights'];
const lines = rows.map((r) => [
  r.pack,
  r.weightsMB.toFixed(1),
  (r.loadMs / 1000).toFixed(2),
  (r.cloneMs / 1000).toFixed(2),
  r.tokensPerSec.toFixed(1),
  r.prefillMs.toFixed(0),
  (r.firstChunkMs / 1000).toFixed(2),
  r.rtf.toFixed(3),
  r.audioSec.toFixed(2),
  r.peakRssMB.toFixed(0),
  (r.peakRssMB / r.weightsMB).toFixed(2),
]);
const table = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...lines.map((l) => `| ${l.join(' | ')} |`)].join('\n');
const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; Node ${process.version}; onnxruntime-web ${ort.env.versions.web} (wasm, ${THREADS} threads)`;
const md = `# Benchmarks

Written by \`npm run bench\` (test/bench/run.ts) on ${new Date().toISOString().slice(0, 10)}.

Machine: ${machine}.
Method: the engine in Node on onnxruntime-web's WASM backend, the same code as the browser worker.
Voice cloned from a 7.1 s LibriVox clip; then "${TEXT}" spoken ${RUNS} times (after one warm-up) with
seed 1, ${TOKENS} semantic tokens (random weights rarely emit EOS, so the length is fixed), streamed
in 16-token chunks. Medians of the ${RUNS} runs. Peak RSS is the whole Node process (includes the
runtime, the reference audio and both packs when run together). BERT is not loaded (English text).

${table}

Columns: T2S decode tok/s = decode steps after the prefill / their wall time (SoVITS time excluded);
first chunk = from the call to the first streamed audio chunk; RTF = wall time / audio seconds.
`;
console.log('\n' + table);
writeFileSync('BENCHMARKS.md', md);
console.log('\nwrote BENCHMARKS.md');
process.exit(0);

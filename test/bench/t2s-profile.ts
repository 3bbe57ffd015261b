// Where a T2S decode step's time goes (real-size v2 pack, fp32, WASM), in one process:
//   - the engine's decode loop (T2SRunner, bench-like prompt and length) with the decoder's and
//     token embedding's run() calls timed from outside: the rest is JavaScript (sampler, cache
//     bookkeeping, tensor creation);
//   - the decoder alone at the loop's mean cache length P and at P = 1, and a graph with the
//     decoder's inputs that computes nothing, at both lengths (interleaved rounds, medians):
//       run() overhead             = empty graph at P = 1
//       weights (one row through)  = decoder at 1 - empty graph at 1
//       cache copy into ORT's heap = empty graph at P - empty graph at 1
//       cache work inside the graph (concat, attention over P rows) = the rest of decoder at P.
// onnxruntime-web's profiler writes its JSON into the WASM module's in-memory file system, which
// the package does not expose; hence differences of whole runs.
//   tsx test/bench/t2s-profile.ts <threads> [decoder.onnx ...]   (extra decoders: compared interleaved)
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { Graph } from '../../src/graph/builder';
import { mulberry32 } from '../../src/graph/weights';
import type { T2SConfig } from '../../src/graph/models/t2s';
import { SemanticSampler, UPSTREAM_LIMITS } from '../../src/engine/sampling';
import { T2SRunner } from '../../src/engine/t2s-decode';
import { textToPhones } from '../../src/text/frontend';
import { MODEL_FAMILIES } from '../../src/pack/versions';
import { REFERENCE_TEXT } from '../helpers/reference-speech';
import { BENCH_TEXT, BENCH_TOKENS, emit, ensurePack, median, readManifest } from './common';

export interface T2SProfile {
  threads: number;
  /** Prefill rows (phones + prompt codes) and the decode loop's mean cache length. */
  prefillRows: number;
  meanRows: number;
  loop: { steps: number; stepMs: number; decoderMs: number; tokenMs: number; jsMs: number; tokPerSec: number };
  /** Medians over interleaved rounds, ms per step. */
  parts: { runOverheadMs: number; weightsMs: number; cacheCopyMs: number; cacheWorkMs: number; stepMs: number; weightOnlyStepMs: number };
  cacheBytes: number;
  /** Measured rounds of the interleaved part timings. */
  rounds: number;
  /** Extra decoders given on the command line: step time at meanRows and at 1 row, next to the pack's. */
  variants: { name: string; stepMs: number; weightOnlyStepMs: number; maxAbsLogitDiff: number }[];
}

const [threadsArg, ...extra] = process.argv.slice(2);
ort.env.wasm.numThreads = Number(threadsArg ?? 2);
const dir = ensurePack('full');
const manifest = readManifest(dir);
const cfg = (manifest.dims as { t2s: T2SConfig }).t2s;
const { layers, dim } = cfg;
const file = (role: string) => new Uint8Array(readFileSync(join(dir, manifest.files.find((f) => f.role === role)!.name)));
const create = (bytes: Uint8Array) => ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });

const embed = await create(file('t2s-embed'));
const token = await create(file('t2s-token'));
const decoder = await create(file('t2s-decoder'));

// ---- the decode loop, as the engine runs it ----------------------------------------------------
const phones = (await textToPhones(`${REFERENCE_TEXT} ${BENCH_TEXT}`, 'en', MODEL_FAMILIES[manifest.version].symbols)).segments.flatMap((s) => s.ids);
const X = phones.length;
const Y = 178; // 7.1 s of reference at 25 Hz, as the bench's cloned voice has
const rand = mulberry32(5);
const prompt = BigInt64Array.from({ length: Y }, () => BigInt(Math.floor(rand() * 1024)));
const inputs = { phones: BigInt64Array.from(phones, BigInt), bert: new Float32Array(cfg.bertDim * X), bertDim: cfg.bertDim, prompt };

/** The same session with its run() calls timed (only decode steps, not the prefill, are counted). */
function timed(s: ort.InferenceSession, acc: { ms: number; on: boolean }): ort.InferenceSession {
  return new Proxy(s, {
    get(target, prop, receiver) {
      if (prop !== 'run') return Reflect.get(target, prop, receiver);
      return async (...args: Parameters<ort.InferenceSession['run']>) => {
        const t0 = performance.now();
        try {
          return await target.run(...args);
        } finally {
          if (acc.on) acc.ms += performance.now() - t0;
        }
      };
    },
  });
}

async function loop() {
  const dec = { ms: 0, on: false };
  const tok = { ms: 0, on: true };
  const runner = new T2SRunner(ort, { embed, token: timed(token, tok), decoder: timed(decoder, dec) }, { layers, dim, onDevice: false });
  // Random weights rarely say EOS; forcing the length keeps every run the same.
  const sampler = new SemanticSampler(Array.from(prompt, Number), { topK: 15, topP: 1, temperature: 1, repetitionPenalty: 1.35 }, mulberry32(1), { ...UPSTREAM_LIMITS, minSteps: BENCH_TOKENS, maxSteps: BENCH_TOKENS });
  for await (const _ of runner.generate(inputs, sampler)) dec.on = true; // the first token comes after the prefill
  const steps = runner.stats.steps - 1;
  const stepMs = runner.stats.decodeMs / steps;
  return { steps, stepMs, decoderMs: dec.ms / steps, tokenMs: tok.ms / steps, jsMs: stepMs - dec.ms / steps - tok.ms / steps, tokPerSec: 1000 / stepMs };
}
await loop(); // warm-up
const loops = [await loop(), await loop()];
const loopFig = loops.reduce((a, b) => (a.stepMs <= b.stepMs ? a : b));
process.stdout.write(`t2s loop: ${loopFig.stepMs.toFixed(2)} ms/step (${loopFig.tokPerSec.toFixed(1)} tok/s): decoder.run ${loopFig.decoderMs.toFixed(2)}, token.run ${loopFig.tokenMs.toFixed(2)}, JS ${loopFig.jsMs.toFixed(2)}\n`);

// ---- parts of one step ------------------------------------------------------------------------
const meanRows = X + Y + Math.round(BENCH_TOKENS / 2);
const empty = new Graph('t2s_decoder_inputs_only');
empty.input('x', 'float32', ['n', dim]);
for (let i = 0; i < layers; i++) empty.input(`past_k_${i}`, 'float32', ['P', dim]);
for (let i = 0; i < layers; i++) empty.input(`past_v_${i}`, 'float32', ['P', dim]);
empty.input('text_len', 'int64', [1]);
empty.output(empty.node('Relu', ['x']), 'y', 'float32', ['n', dim]);
const copyOnly = await create(empty.toBytes());

const r2 = mulberry32(9);
const cache = Array.from({ length: 2 * layers }, () => Float32Array.from({ length: meanRows * dim }, () => r2() - 0.5));
const x1 = new ort.Tensor('float32', Float32Array.from({ length: dim }, () => r2() - 0.5), [1, dim]);
const textLen = new ort.Tensor('int64', BigInt64Array.of(BigInt(X)), [1]);
function feeds(rows: number): Record<string, ort.Tensor> {
  const f: Record<string, ort.Tensor> = { x: x1, text_len: textLen };
  for (let i = 0; i < layers; i++) {
    f[`past_k_${i}`] = new ort.Tensor('float32', cache[i].subarray(0, rows * dim), [rows, dim]);
    f[`past_v_${i}`] = new ort.Tensor('float32', cache[layers + i].subarray(0, rows * dim), [rows, dim]);
  }
  return f;
}
const variants = await Promise.all(extra.map(async (path) => ({ name: basename(path), session: await create(new Uint8Array(readFileSync(path))) })));
const refLogits = (await decoder.run(feeds(meanRows))).logits.data as Float32Array;
const diffs = await Promise.all(
  variants.map(async (v) => {
    const l = (await v.session.run(feeds(meanRows))).logits.data as Float32Array;
    return l.reduce((m, x, i) => Math.max(m, Math.abs(x - refLogits[i])), 0);
  }),
);
const cases: [string, ort.InferenceSession, number][] = [
  ['step', decoder, meanRows],
  ['step1', decoder, 1],
  ['copy', copyOnly, meanRows],
  ['copy1', copyOnly, 1],
  ...variants.flatMap((v): [string, ort.InferenceSession, number][] => [
    [`${v.name}`, v.session, meanRows],
    [`${v.name}@1`, v.session, 1],
  ]),
];
const times = new Map<string, number[]>(cases.map(([k]) => [k, []]));
const ROUNDS = 24;
for (let r = 0; r < ROUNDS; r++) {
  for (const [k, s, rows] of cases) {
    const f = feeds(rows);
    const t0 = performance.now();
    await s.run(f);
    if (r > 0) times.get(k)!.push(performance.now() - t0);
  }
}
const med = (k: string) => median(times.get(k)!);
const parts = {
  runOverheadMs: med('copy1'),
  weightsMs: med('step1') - med('copy1'),
  cacheCopyMs: med('copy') - med('copy1'),
  cacheWorkMs: med('step') - med('step1') - (med('copy') - med('copy1')),
  stepMs: med('step'),
  weightOnlyStepMs: med('step1'),
};
process.stdout.write(
  `t2s step at ${meanRows} cached rows: ${parts.stepMs.toFixed(2)} ms = run() overhead ${parts.runOverheadMs.toFixed(2)} + weights ${parts.weightsMs.toFixed(2)} + cache copy-in ${parts.cacheCopyMs.toFixed(2)} + cache work in the graph ${parts.cacheWorkMs.toFixed(2)}\n`,
);
const variantFigs = variants.map((v, i) => ({ name: v.name, stepMs: med(v.name), weightOnlyStepMs: med(`${v.name}@1`), maxAbsLogitDiff: diffs[i] }));
for (const v of variantFigs) process.stdout.write(`  ${v.name}: ${v.stepMs.toFixed(2)} ms at ${meanRows} rows, ${v.weightOnlyStepMs.toFixed(2)} ms at 1 (pack's: ${parts.stepMs.toFixed(2)} / ${parts.weightOnlyStepMs.toFixed(2)}), logits max |Δ| ${v.maxAbsLogitDiff.toExponential(1)}\n`);

const result: T2SProfile = {
  threads: ort.env.wasm.numThreads,
  prefillRows: X + Y,
  meanRows,
  loop: loopFig,
  parts,
  cacheBytes: 2 * layers * dim * 4 * meanRows,
  rounds: ROUNDS - 1,
  variants: variantFigs,
};
emit(result);
process.exit(0);

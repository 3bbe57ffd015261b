// `npm run bench`: Mynah's performance on this machine, against the targets of issue 10, written
// to BENCHMARKS.md. Every figure is measured in this run; nothing here asserts a time.
//   - the engine in Node on onnxruntime-web's WASM backend (the browser worker's code), one fresh
//     process per configuration (so each peak RSS is its own): tiny pack fp32, real-size v2 pack
//     fp32 (the engine's default) and with the opt-in int8 T2S decoder;
//   - fp32 vs int8 quality and per-call times (T2S decoder, SoVITS decoder) on the same inputs;
//   - memory read bandwidth and the T2S decode ceiling it implies;
//   - the engine in Chromium on the tiny pack, WebGPU and WASM: session creation, warm-up,
//     steady runs, GPU -> CPU reads per decoded token.
//   - real-size random v2Pro and v2ProPlus packs (fp32): load, clone with its speaker-verification
//     split, first audio, RTF split, memory;
//   - the real-size random v4 pack (fp32): time per CFM sampling step, RTF at 8/16/32 steps, memory;
//   - --only webgpu-full: the real-size v2 pack on WebGPU in Chromium (SwiftShader here, fp32):
//     load, clone, warm-up, T2S tok/s, first audio, RTF split, GPU -> CPU reads per token;
//   - --only gpu: the section for a machine with a real GPU, from the JSON that `npm run bench:gpu`
//     or the GPU kit wrote (--gpu-result FILE), or saying that it is not measured yet.
//   A full run re-measures neither of the last two: it keeps their sections as they are.
//   tsx test/bench/run.ts [--runs N] [--threads N] [--only tiny|full|pro|v4|webgpu-full|gpu] [--flow-steps 8,16,32]
//                         [--webgpu-runs N] [--webgpu-tokens N] [--gpu-result FILE] [--no-webgpu] [--no-quality]
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import * as ort from 'onnxruntime-web';
import type { SoVITSConfig } from '../../src/graph/models/sovits';
import type { T2SConfig } from '../../src/graph/models/t2s';
import type { SynthesisReport } from '../../src/engine/synthesize';
import { measureBandwidth } from './bandwidth';
import { BENCH_TEXT, BENCH_TOKENS, child, ensurePack, median, MiB, readManifest, type EngineRun } from './common';
import type { QualityResult } from './quality';
import type { BrowserRun } from './webgpu';
import type { BrowserFullRun } from './webgpu-full';
import { gpuMarkdown, type GpuResult } from './gpu-report';
import type { FlowRun } from './flow-run';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const RUNS = Number(opt('--runs', '2'));
const THREADS = Number(opt('--threads', String(Math.min(4, cpus().length))));
const ONLY = opt('--only', '');
const WEBGPU = !args.includes('--no-webgpu');
const QUALITY = !args.includes('--no-quality');
const want = (k: 'tiny' | 'full' | 'pro' | 'v4') => !ONLY || ONLY === k;
const FLOW_STEPS = opt('--flow-steps', '8,16,32');
const WEBGPU_RUNS = opt('--webgpu-runs', '1');
const WEBGPU_TOKENS = opt('--webgpu-tokens', '24');
const GPU_RESULT = opt('--gpu-result', '');

const load0 = loadavg();
const started = new Date();
console.log(`bench: load average ${load0.map((x) => x.toFixed(2)).join(' ')} (1/5/15 min) on ${cpus().length} cores`);

// The WebGPU-only sections use no bandwidth figure.
const bw = ONLY === 'webgpu-full' || ONLY === 'gpu' ? { gbps: 0, perThreads: {}, method: 'not measured' } : measureBandwidth();
if (bw.gbps) console.log(`bench: memory bandwidth ${bw.gbps.toFixed(1)} GB/s (${bw.method})`);

const rows: EngineRun[] = [];
if (want('tiny')) {
  console.log('bench: tiny pack, fp32');
  rows.push(await child<EngineRun>('test/bench/engine-run.ts', ['tiny', 'fp32', String(THREADS), String(RUNS)]));
}
if (want('full')) {
  ensurePack('full');
  for (const precision of ['fp32', 'int8']) {
    console.log(`bench: real-size v2 pack, precision ${precision}`);
    rows.push(await child<EngineRun>('test/bench/engine-run.ts', ['full', precision, String(THREADS), String(RUNS)]));
  }
}
if (want('pro')) {
  for (const kind of ['full-v2pro', 'full-v2proplus'] as const) {
    ensurePack(kind);
    console.log(`bench: real-size ${kind.slice(5)} pack, fp32`);
    rows.push(await child<EngineRun>('test/bench/engine-run.ts', [kind, 'fp32', String(THREADS), String(RUNS)]));
  }
}
let flowRun: FlowRun | undefined;
if (want('v4')) {
  ensurePack('full-v4');
  console.log(`bench: real-size v4 pack, fp32, ${FLOW_STEPS} sampling steps`);
  flowRun = await child<FlowRun>('test/bench/flow-run.ts', [String(THREADS), FLOW_STEPS, 'fp32']);
}
let quality: QualityResult | undefined;
if (QUALITY && want('full')) {
  console.log('bench: fp32 vs int8 on the same inputs (real-size pack)');
  quality = await child<QualityResult>('test/bench/quality.ts', ['full', String(THREADS)]);
}
let browser: BrowserRun[] | undefined;
if (WEBGPU && (!ONLY || ONLY === 'tiny' || ONLY === 'full')) {
  console.log('bench: Chromium, tiny pack, WebGPU and WASM');
  try {
    browser = await child<BrowserRun[]>('test/bench/webgpu.ts', [String(RUNS)]);
  } catch (e) {
    console.log(`  Chromium run failed: ${(e as Error).message}`);
  }
}
let browserFull: BrowserFullRun | undefined;
if (ONLY === 'webgpu-full') {
  console.log(`bench: Chromium, real-size v2 pack, WebGPU (SwiftShader), ${WEBGPU_TOKENS} tokens`);
  browserFull = await child<BrowserFullRun>('test/bench/webgpu-full.ts', [WEBGPU_RUNS, WEBGPU_TOKENS]);
}
const gpuResult = GPU_RESULT ? (JSON.parse(readFileSync(GPU_RESULT, 'utf8')) as GpuResult | { error: string }) : undefined;
const load1 = loadavg();

// ---- figures ---------------------------------------------------------------------------------

// Sections a full run does not re-measure: kept from the existing BENCHMARKS.md.
const WEBGPU_FULL_RE = /## WebGPU in Chromium, real-size[\s\S]*?(?=\n## |$)/;
const GPU_RE = /## On a GPU machine[\s\S]*?(?=\n## |$)/;
const previous = existsSync('BENCHMARKS.md') ? readFileSync('BENCHMARKS.md', 'utf8') : '';
const carried = (re: RegExp) => {
  const m = re.exec(previous);
  return m ? `${m[0].trimEnd()}\n` : '';
};

const decodeRate = (r: SynthesisReport) => {
  const s = r.segments[0].t2s;
  return (s.steps - 1) / ((r.t2sMs - s.prefillMs) / 1000);
};
const fig = (row: EngineRun) => ({
  tokPerSec: median(row.runs.map(decodeRate)),
  prefillMs: median(row.runs.map((r) => r.segments[0].t2s.prefillMs)),
  firstChunkMs: median(row.runs.map((r) => r.firstChunkMs)),
  rtf: median(row.runs.map((r) => r.totalMs / 1000 / r.audioSec)),
  t2sRtf: median(row.runs.map((r) => r.t2sMs / 1000 / r.audioSec)),
  sovitsRtf: median(row.runs.map((r) => r.sovitsMs / 1000 / r.audioSec)),
  audioSec: row.runs[0].audioSec,
  tokens: row.runs[0].segments[0].tokens,
  rows: row.runs[0].segments[0].phones,
  warmupMs: row.warmup.totalMs,
  ratio: row.peakRssMB / (row.weightBytes / MiB),
});

const f1 = (x: number) => x.toFixed(1);
const f2 = (x: number) => x.toFixed(2);
const mb = (bytes: number) => (bytes / MiB).toFixed(1);
const table = (header: string[], body: string[][]) => [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...body.map((l) => `| ${l.join(' | ')} |`)].join('\n');
const label = (r: EngineRun) => `${r.pack}, ${r.precision.t2s === r.precision.sovits ? r.precision.t2s : `T2S ${r.precision.t2s}, SoVITS ${r.precision.sovits}`}`;

const perf = table(
  ['pack, precision', 'load s', 'clone s', 'warm-up run s', 'T2S decode tok/s', 'T2S prefill ms', 'first audio s', 'RTF', 'T2S RTF', 'SoVITS RTF'],
  rows.map((r) => {
    const f = fig(r);
    return [label(r), f2(r.loadMs / 1000), f2(r.cloneMs / 1000), f2(f.warmupMs / 1000), f1(f.tokPerSec), f.prefillMs.toFixed(0), f2(f.firstChunkMs / 1000), f2(f.rtf), f2(f.t2sRtf), f2(f.sovitsRtf)];
  }),
);
const mem = table(
  ['pack, precision', 'graph weights MiB', 'RSS before ORT', 'after load', 'peak while loading', 'peak after cloning', 'peak overall', 'after load / weights', 'peak / weights'],
  rows.map((r) => [label(r), mb(r.weightBytes), r.baseRssMB.toFixed(0), r.loadedRssMB.toFixed(0), r.loadPeakRssMB.toFixed(0), r.clonePeakRssMB.toFixed(0), r.peakRssMB.toFixed(0), f2(r.loadedRssMB / (r.weightBytes / MiB)), f2(fig(r).ratio)]),
);

const proRows = rows.filter((r) => r.kind === 'full-v2pro' || r.kind === 'full-v2proplus');
const pro = proRows.length
  ? `## v2Pro and v2ProPlus (real size, random weights, fp32, WASM ${THREADS} threads)

${table(
    ['pack', 'graph weights MiB', 'load s', 'clone s', 'HuBERT + codes s', 'speaker verification s', 'ref encoder s', 'first audio s', 'RTF', 'T2S RTF', 'SoVITS RTF', 'peak RSS MiB', 'peak / weights'],
    proRows.map((r) => {
      const f = fig(r);
      const t = r.cloneTimings;
      const s = (ms?: number) => (ms === undefined ? '–' : f2(ms / 1000));
      return [r.pack, mb(r.weightBytes), f2(r.loadMs / 1000), f2(r.cloneMs / 1000), s(t?.codesMs), s(t?.svMs), s(t?.refMs), f2(f.firstChunkMs / 1000), f2(f.rtf), f2(f.t2sRtf), f2(f.sovitsRtf), r.peakRssMB.toFixed(0), f2(f.ratio)];
    }),
  )}

The speaker-verification network (ERes2NetV2, 45.7 M parameters in use) runs once per reference
recording, when a voice is cloned (its 7.1 s clip: ~710 fbank frames); a saved voice keeps the fused
speaker embedding, so speaking costs what v2 costs, plus v2ProPlus's wider generator (768 channels
instead of 512) in the SoVITS share. Peak / weights counts the SV graph's weights, which are only
used while cloning.
`
  : '';
const flowMd = flowRun
  ? `## v4: flow-matching decoder (real size, random weights, fp32, WASM ${flowRun.threads} threads)

One fresh process: the real-size random v4 pack (GPT, HuBERT, SoVITS v4 encoder, the CFM's DiT
${mb(flowRun.ditBytes)} MiB of fp32 weights, the 48 kHz vocoder; no BERT), a voice cloned from the 7.1 s clip (its
prompt is T_ref = 500 mel frames), then ${flowRun.runs[0].report.segments[0].tokens} semantic tokens (${f2(flowRun.runs[0].report.audioSec)} s of 48 kHz audio, one CFM chunk of
${500 + 4 * flowRun.runs[0].report.segments[0].tokens} frames) spoken once per sampling-step count. Load ${f1(flowRun.loadMs / 1000)} s, clone ${f1(flowRun.cloneMs / 1000)} s.

${table(
    ['sampling steps', 'time per step s', 'CFM s', 'encoder s', 'vocoder s', 'T2S s', 'total s', 'RTF'],
    flowRun.runs.map(({ steps, report: r }) => [
      String(steps),
      f2(r.flow!.stepMs / 1000),
      f1(r.flow!.cfmMs / 1000),
      f2(r.flow!.encoderMs / 1000),
      f2(r.flow!.vocoderMs / 1000),
      f1(r.t2sMs / 1000),
      f1(r.totalMs / 1000),
      f1(r.totalMs / 1000 / r.audioSec),
    ]),
  )}

${table(
    ['graph weights MiB', 'RSS after load MiB', 'peak while loading MiB', 'peak overall MiB', 'peak / weights'],
    [[mb(flowRun.weightBytes), flowRun.loadedRssMB.toFixed(0), flowRun.loadPeakRssMB.toFixed(0), flowRun.peakRssMB.toFixed(0), f2(flowRun.peakRssMB / (flowRun.weightBytes / MiB))]],
  )}

A step runs the whole DiT (22 blocks, 1024 wide) over prompt + target frames, so its time grows
with the chunk (T_chunk 1000 frames at most) and the total with the step count; upstream's web UI
uses 8 steps for v4 (api_v2: 32). WASM is the fallback for these models: the DiT wants a GPU.
`
  : '';
const fullInt8 = rows.find((r) => r.kind === 'full' && r.precision.t2s === 'int8');
const full32 = rows.find((r) => r.kind === 'full' && r.precision.t2s === 'fp32');
const main = full32 ?? fullInt8; // the targets are about the real-size pack at the default precision
const mainFig = main ? fig(main) : undefined;
const manifest = want('full') ? readManifest(ensurePack('full')) : readManifest(ensurePack('tiny'));
const t2sCfg = (manifest.dims as { t2s: T2SConfig }).t2s;
const sovCfg = (manifest.dims as { sovits: SoVITSConfig }).sovits;

/** Multiply-adds of the HiFi-GAN generator per second of audio (it dominates the SoVITS decoder). */
function generatorMacsPerSecond(c: SoVITSConfig, sampleRate: number): number {
  let rate = sampleRate / c.upsampleRates.reduce((a, b) => a * b, 1);
  let ch = c.upsampleInitial;
  let macs = rate * c.inter * ch * 7; // conv_pre
  for (const [i, u] of c.upsampleRates.entries()) {
    const out = ch / 2;
    macs += rate * ch * out * c.upsampleKernels[i]; // ConvTranspose: in·out·k per input sample
    rate *= u;
    ch = out;
    for (const [j, k] of c.resblockKernels.entries()) macs += rate * ch * ch * k * c.resblockDilations[j].length * 2;
  }
  return macs + rate * ch * 7; // conv_post
}
const genGmacPerSec = generatorMacsPerSecond(sovCfg, manifest.sampleRate) / 1e9;

// Bytes a decode step must read: the decoder's weights, and the KV cache once (at the mean length).
const decoderBytes = manifest.files.find((f) => f.role === 't2s-decoder')!.bytes;
const int8Bytes = quality?.t2s.int8Bytes;
// Prefill rows: reference + target phones and the 178 prompt codes (the quality run counts them).
const prefillRows = quality?.t2s.rows ?? (main ? main.runs[0].segments[0].phones * 2 + 178 : 0);
const meanRows = prefillRows + BENCH_TOKENS / 2;
const cacheBytes = (rows: number) => 2 * t2sCfg.layers * t2sCfg.dim * 4 * rows;
const ceiling = (bytes: number) => (bw.gbps * 1e9) / bytes;

const met = (ok: boolean) => (ok ? '**met**' : '**not met**');
const targets: string[][] = [];
if (mainFig && main) {
  // The default (fp32) decides met / not met; the opt-in int8 T2S figure follows in brackets.
  const alt = fullInt8 && fullInt8 !== main ? fig(fullInt8) : undefined;
  const also = (s: string) => (alt ? `; opt-in int8 T2S: ${s}` : '');
  targets.push(
    ['T2S decode, WASM 2 threads', '≥ 60 tokens/s', `${f1(mainFig.tokPerSec)} tok/s (${main.precision.t2s})${alt ? also(`${f1(alt.tokPerSec)}`) : ''}`, met(mainFig.tokPerSec >= 60)],
    ['end-to-end real-time factor', '≤ 0.5', `${f2(mainFig.rtf)} (T2S ${f2(mainFig.t2sRtf)} + SoVITS ${f2(mainFig.sovitsRtf)})${alt ? also(f2(alt.rtf)) : ''}`, met(mainFig.rtf <= 0.5)],
    ['first audio after `synthesize` (one sentence, saved voice)', '≤ 1.0 s', `${f2(mainFig.firstChunkMs / 1000)} s (prefill ${mainFig.prefillMs.toFixed(0)} ms)${alt ? also(`${f2(alt.firstChunkMs / 1000)} s (prefill ${alt.prefillMs.toFixed(0)} ms)`) : ''}`, met(mainFig.firstChunkMs <= 1000)],
    [
      'peak RSS of a loaded v2 pack',
      '≤ 1.5 × weight bytes',
      `${main.peakRssMB.toFixed(0)} MiB = ${f2(mainFig.ratio)} × ${mb(main.weightBytes)} MiB (after loading: ${f2(main.loadedRssMB / (main.weightBytes / MiB))} ×)${alt && fullInt8 ? also(`${fullInt8.peakRssMB.toFixed(0)} MiB = ${f2(alt.ratio)} ×`) : ''}`,
      met(mainFig.ratio <= 1.5),
    ],
  );
}
if (quality) {
  targets.push([
    'fp32 vs int8 (T2S and SoVITS decoders, WASM) with the quality cost',
    'side-by-side',
    `prefill ${quality.t2s.fp32.prefillMs.toFixed(0)} → ${quality.t2s.int8.prefillMs.toFixed(0)} ms, step ${f1(quality.t2s.fp32.stepMs)} → ${f1(quality.t2s.int8.stepMs)} ms, logits mean \\|Δ\\| ${quality.t2s.decode.meanAbs.toFixed(4)}; SoVITS ${quality.sovits.fp32Ms.toFixed(0)} → ${quality.sovits.int8Ms.toFixed(0)} ms, SNR ${f1(quality.sovits.snrDb)} dB`,
    'below',
  ]);
}
if (full32) {
  const bytes = decoderBytes + cacheBytes(meanRows);
  targets.push(['T2S decode bandwidth limit next to the achieved rate', 'reported', `${f1(bw.gbps)} GB/s ÷ ${mb(bytes)} MiB per token (fp32 weights + cache) = ${f1(ceiling(bytes))} tok/s ceiling; achieved ${f1(fig(full32).tokPerSec)}`, 'below']);
}
const gpu = browser?.find((b) => b.backend === 'webgpu');
if (gpu) {
  const steady = gpu.runs.slice(1);
  const perToken = median(steady.map((r) => r.readbacks / Math.max(1, r.steps - 1)));
  targets.push(
    ['WebGPU: KV cache stays on the device', 'only logits (or the sampled id) read back per token', `${f2(perToken)} GPU→CPU reads per decoded token (prefill: ${median(steady.map((r) => r.prefillReadbacks))})`, met(perToken <= 1)],
    ['WebGPU: fp16 graphs with shader-f16', 'fp16 when the adapter has it', `this adapter (${gpu.adapter ?? 'unknown'}): shader-f16 ${gpu.shaderF16 ? 'yes' : 'no'} → ${gpu.precision.t2s} (“${gpu.precision.reason}”)`, gpu.shaderF16 ? met(gpu.precision.t2s === 'fp16') : 'fp32 here, as it must be; fp16 graphs unit-tested'],
    ['WebGPU: session creation and warm-up reported separately', 'reported', `sessions ${f1(gpu.loadMs / 1000)} s, warm-up run ${f1(gpu.runs[0].totalMs / 1000)} s, then ${f1(median(steady.map((r) => r.totalMs)) / 1000)} s per run`, 'reported (SwiftShader)'],
  );
}

const qualityMd = quality
  ? `## fp32 vs int8 (real-size pack, WASM, ${THREADS} threads, same inputs)

Weights: T2S decoder Gemms → \`DynamicQuantizeMatMul\` (int8 weights, one scale per output column,
activations quantized per call); SoVITS decoder Convs → \`DynamicQuantizeLinear\` + \`ConvInteger\`
(ConvTranspose stays fp32). Both are transforms of the built fp32 ModelProto (src/graph/quantize.ts),
made at load time. T2S: ${quality.t2s.rows}-row prefill (${quality.t2s.rows - 178} phones + 178 prompt codes), then ${quality.t2s.steps} decode steps fed the fp32 model's
greedy tokens (each variant keeps its own KV cache). SoVITS: one ${quality.sovits.tokens}-token streaming chunk
(${f2(quality.sovits.audioSec)} s of audio). Times are medians of single calls in one process.

${table(
  ['graph', 'fp32 MiB', 'int8 MiB', 'fp32 time', 'int8 time', 'quality cost (int8 vs fp32)'],
  [
    ['T2S decoder, prefill', mb(quality.t2s.fp32Bytes), mb(quality.t2s.int8Bytes), `${quality.t2s.fp32.prefillMs.toFixed(0)} ms`, `${quality.t2s.int8.prefillMs.toFixed(0)} ms`, `logits max \\|Δ\\| ${quality.t2s.prefill.maxAbs.toFixed(3)}, mean \\|Δ\\| ${quality.t2s.prefill.meanAbs.toFixed(4)} (mean \\|logit\\| ${quality.t2s.prefill.meanAbsRef.toFixed(2)}), KL ${quality.t2s.prefill.klMean.toExponential(1)} nats, same arg-max ${quality.t2s.prefill.top1Agree === 1 ? 'yes' : 'no'}`],
    ['T2S decoder, decode step (cache ~320–370 rows)', '', '', `${f1(quality.t2s.fp32.stepMs)} ms`, `${f1(quality.t2s.int8.stepMs)} ms`, `over ${quality.t2s.decode.steps} steps: logits max \\|Δ\\| ${quality.t2s.decode.maxAbs.toFixed(3)}, mean \\|Δ\\| ${quality.t2s.decode.meanAbs.toFixed(4)} (mean \\|logit\\| ${quality.t2s.decode.meanAbsRef.toFixed(2)}), mean KL ${quality.t2s.decode.klMean.toExponential(1)} nats, same arg-max ${(quality.t2s.decode.top1Agree * 100).toFixed(0)}%`],
    ['SoVITS decoder (convs int8)', mb(quality.sovits.fp32Bytes), mb(quality.sovits.int8Bytes), `${quality.sovits.fp32Ms.toFixed(0)} ms`, `${quality.sovits.int8Ms.toFixed(0)} ms`, `waveform SNR ${f1(quality.sovits.snrDb)} dB vs fp32 (error power vs the fp32 waveform's variance; ${quality.sovits.convs} convs with ≥ 65,536 weights in int8, smaller ones fp32)`],
  ],
)}

Quantizing the T2S decoder at load takes ${(quality.t2s.quantizeMs / 1000).toFixed(2)} s. The engine's default on WASM (\`precision: 'auto'\`) is
fp32, the arithmetic upstream uses. \`precision: 'int8'\` quantizes the T2S decoder (prefill ${f1(quality.t2s.fp32.prefillMs / quality.t2s.int8.prefillMs)}× faster, a quarter of the bytes, decode steps
${f2(quality.t2s.int8.stepMs / quality.t2s.fp32.stepMs)}× the fp32 time when measured interleaved) and keeps the SoVITS decoder fp32 (with int8 convolutions it takes ${f2(quality.sovits.int8Ms / quality.sovits.fp32Ms)}× the fp32 time here: no gain).
int8 stays opt-in until it has been checked on trained weights: the logit and SNR figures show the
arithmetic's error on these random weights, not a listening test of a trained voice.
`
  : '';

const bwMd = mainFig
  ? `## Memory bandwidth and the T2S decode ceiling

Read bandwidth: **${f1(bw.gbps)} GB/s** (${Object.entries(bw.perThreads).map(([t, g]) => `${t} thread${t === '1' ? '' : 's'} ${f1(g)}`).join(', ')}; ${bw.method}).

A decode step reads every weight of the T2S decoder once (one row in, so nothing is reused) and the
KV cache once. Ceiling = bandwidth / bytes per token:

${table(
  ['T2S decoder', 'bytes per token', 'ceiling tok/s', 'achieved tok/s (engine, median)'],
  [
    ['fp32 weights only', `${mb(decoderBytes)} MB`, f1(ceiling(decoderBytes)), full32 ? f1(fig(full32).tokPerSec) : '–'],
    [`fp32 + KV cache at ~${meanRows.toFixed(0)} rows`, `${mb(decoderBytes + cacheBytes(meanRows))} MB`, f1(ceiling(decoderBytes + cacheBytes(meanRows))), full32 ? f1(fig(full32).tokPerSec) : '–'],
    ...(int8Bytes ? [[`int8 + KV cache at ~${meanRows.toFixed(0)} rows`, `${mb(int8Bytes + cacheBytes(meanRows))} MB`, f1(ceiling(int8Bytes + cacheBytes(meanRows))), fullInt8 ? f1(fig(fullInt8).tokPerSec) : '–']] : []),
  ],
)}

fp32 decoding runs at ${full32 ? `${((fig(full32).tokPerSec / ceiling(decoderBytes + cacheBytes(meanRows))) * 100).toFixed(0)}%` : '–'} of its bandwidth ceiling.${
    quality
      ? ` A step with a one-row cache is almost only weight reads: fp32 takes ${f1(quality.t2s.fp32.weightOnlyStepMs)} ms, i.e. the WASM
kernels read weights at ${f1(decoderBytes / quality.t2s.fp32.weightOnlyStepMs / 1e6)} GB/s (128-bit loads, against ${f1(bw.gbps)} GB/s for native code); int8 takes
${f1(quality.t2s.int8.weightOnlyStepMs)} ms for a quarter of the bytes (${f1(quality.t2s.int8Bytes / quality.t2s.int8.weightOnlyStepMs / 1e6)} GB/s): its kernel is bound by arithmetic, not memory
(WASM SIMD has no 8-bit dot product). The rest of a step is the KV cache: onnxruntime-web copies
each step's cache inputs into its heap, and attention concatenates and transposes them per layer.`
      : ''
  }
`
  : '';

const browserMd = browser?.length
  ? `## In Chromium (tiny pack; WebGPU is SwiftShader here)

${table(
  ['backend', 'adapter / threads', 'precision', 'engine init s', 'sessions (load) s', 'clone s', 'warm-up run s', 'steady run s', 'T2S decode tok/s', 'GPU→CPU reads per token', 'prefill reads'],
  browser.map((b) => {
    const steady = b.runs.slice(1);
    const tok = median(steady.map((r) => (r.steps - 1) / ((r.t2sMs - r.prefillMs) / 1000)));
    return [
      b.backend,
      b.backend === 'webgpu' ? `${b.adapter ?? '?'}, shader-f16 ${b.shaderF16 ? 'yes' : 'no'}` : `${b.threads} threads`,
      `${b.precision.t2s}/${b.precision.sovits}`,
      f1(b.initMs / 1000),
      f1(b.loadMs / 1000),
      f1(b.cloneMs / 1000),
      f1(b.runs[0].totalMs / 1000),
      f1(median(steady.map((r) => r.totalMs)) / 1000),
      f1(tok),
      b.backend === 'webgpu' ? f2(median(steady.map((r) => r.readbacks / Math.max(1, r.steps - 1)))) : '–',
      b.backend === 'webgpu' ? String(median(steady.map((r) => r.prefillReadbacks))) : '–',
    ];
  }),
)}

Reads are counted by the engine itself (every \`GPUBuffer.mapAsync\` for reading while the T2S
runner's own calls are in flight, onnxruntime's downloads included). Engine init includes the
probe graph that checks WebGPU against WASM; sessions = fetching the tiny pack and creating its
sessions; the warm-up run pays shader compilation (SwiftShader compiles slowly). Backend choice:
${browser.map((b) => `${b.backend}: “${b.reason}”`).join('; ')}.
`
  : '';

const webgpuFullMd = browserFull
  ? (() => {
      const b = browserFull;
      const fig = (r: BrowserFullRun['runs'][number]) => ({
        tok: (r.steps - 1) / ((r.t2sMs - r.prefillMs) / 1000),
        reads: r.readbacks / Math.max(1, r.steps - 1),
      });
      const steady = b.runs.slice(1);
      return `## WebGPU in Chromium, real-size v2 pack (SwiftShader, fp32)

The built app in Chromium fetches the real-size random v2 pack (${mb(b.weightBytes)} MiB of fp32 graphs, the Chinese BERT left
out of the served manifest) from a static server by its URL, as a site would load it: each file
downloaded, checked against its sha256 and turned into a WebGPU session. Then a voice is cloned from
the ${f1(b.refSec)} s LibriVox clip and ${b.tokens} semantic tokens of "${BENCH_TEXT.slice(0, 30)}…" are spoken: one warm-up
run (it compiles the shaders) and ${steady.length} measured. WebGPU here is SwiftShader, a CPU rasteriser
sharing the 2 cores: these figures show that the real-size graphs run end to end on WebGPU with the KV
cache on the device; they say nothing about a GPU's speed (next section).

${table(
        ['adapter, precision', 'engine init s', 'sessions (load) s', 'clone s', 'warm-up run s', 'measured run s', 'T2S decode tok/s', 'T2S prefill s', 'first audio s', 'RTF', 'T2S RTF', 'SoVITS RTF', 'GPU→CPU reads per token', 'prefill reads'],
        steady.map((r) => [
          `${b.adapter ?? '?'}, ${b.precision.t2s}`,
          f1(b.initMs / 1000),
          f1(b.loadMs / 1000),
          f1(b.cloneMs / 1000),
          f1(b.runs[0].totalMs / 1000),
          f1(r.totalMs / 1000),
          f2(fig(r).tok),
          f1(r.prefillMs / 1000),
          f1(r.firstChunkMs / 1000),
          f1(r.totalMs / 1000 / r.audioSec),
          f1(r.t2sMs / 1000 / r.audioSec),
          f1(r.sovitsMs / 1000 / r.audioSec),
          f2(fig(r).reads),
          String(r.prefillReadbacks),
        ]),
      )}

WebGPU validation errors or device loss in the console: ${b.consoleErrors.length ? b.consoleErrors.slice(0, 3).join('; ') : 'none'}. Backend: “${b.reason}”; precision: “${b.precision.reason}”.
`;
    })()
  : '';

const GPU_HEADING = '## On a GPU machine (Node, WebGPU over Dawn)';
const gpuIntro = `\`npm run bench:gpu\` runs the engine on onnxruntime-web's WebGPU backend in Node over Dawn's Node
binding (npm package \`webgpu\`): no browser, no network. \`npm run bench:gpu:kit\` packs it, Node and
the pack generator into one archive for a GPU machine without npm (README, "Benchmarks on a GPU
machine"). Per precision (fp32, and fp16 where the adapter has shader-f16): load, clone, T2S decode
tok/s, first audio, RTF split T2S/SoVITS, GPU→CPU reads per token; then fp16 vs fp32 (and WebGPU
fp32 vs WASM) logits and waveform on the same inputs. Targets there: T2S ≥ 300 tok/s, RTF ≤ 0.05,
first audio ≤ 0.3 s.`;
const gpuMd =
  gpuResult && !('error' in gpuResult)
    ? `${GPU_HEADING}\n\n${gpuIntro}\n\n${gpuMarkdown(gpuResult)}`
    : `${GPU_HEADING}

${gpuIntro}

**Not yet measured**: no machine with a GPU has run the kit yet${gpuResult && 'error' in gpuResult ? ` (the last result: “${gpuResult.error.slice(0, 200)}”)` : ''}. Here it was checked
only as far as this machine allows: built (about 35 MiB), unpacked into an empty folder and run with no
node or node_modules on PATH; it generates the pack, then stops with "no WebGPU adapter" and exit
status 3 (Debian 12's lavapipe lacks the shaderUniform*ArrayDynamicIndexing that Dawn requires).
Through Dawn's null backend on the tiny pack (\`DAWN_FLAGS=backend=null PACK=models/packs/tiny\`;
it computes nothing) the kit's bundled engine loads onnxruntime-web from the kit, creates its fp32
and fp16 WebGPU sessions and runs them; cloning then fails, as it must on zeros and garbage, and
the real-size sessions exceed that backend's memory cap. There the first run of the engine's probe
graph spends ~50 s of CPU inside Dawn (shader compilation, it seems; later runs take milliseconds):
if a real adapter does the same, it shows in the engine-init and warm-up figures, not in the
measured runs.
`;

const limits = mainFig
  ? `## What limits the targets here

- **RTF**: the SoVITS decoder alone runs at RTF ${f2(mainFig.sovitsRtf)}. Its HiFi-GAN generator needs
  ${f1(genGmacPerSec)} G multiply-adds per second of audio (${sovCfg.upsampleInitial} channels at 50 Hz, 16 at 32 kHz, 3 resblocks of 6 convs per stage), so it
  computes at ~${f1((genGmacPerSec * mainFig.audioSec) / (mainFig.sovitsRtf * mainFig.audioSec))} GMAC/s on ${THREADS} WASM threads — close to what two cores do with
  128-bit WASM SIMD and no FMA (~4 multiply-adds per cycle each). int8 convolutions (ConvInteger)
  do not help on WASM${quality ? ` (${f2(quality.sovits.int8Ms / quality.sovits.fp32Ms)}× the fp32 time above)` : ''}.
  RTF ≤ 0.5 needs a faster SoVITS decoder (a GPU, or a smaller vocoder), not a faster GPT.
- **First audio**: prefill of ${prefillRows} rows (reference and target phones, 178 prompt codes; ${mainFig.prefillMs.toFixed(0)} ms in ${main!.precision.t2s}), 16 decode
  steps, then SoVITS on the first 16-token chunk (~${((mainFig.sovitsRtf * 0.64) * 1000).toFixed(0)} ms for 0.64 s of audio).
- **T2S decode**: fp32 weight reads at the WASM kernels' bandwidth, int8 at WASM SIMD's integer
  arithmetic (see the ceiling above), plus the KV cache copied into onnxruntime's heap every step
  (onnxruntime-web has no device-resident tensors on WASM).
- **Memory**: Node takes ~${main!.baseRssMB.toFixed(0)} MiB and onnxruntime-web's WASM module with its threads ~100 MiB
  before any graph is loaded, the English dictionary ~70 MiB. The loaded pack sits at
  ${main!.loadedRssMB.toFixed(0)} MiB, cloning peaks at ${main!.clonePeakRssMB.toFixed(0)} MiB, and speaking adds ${(main!.peakRssMB - main!.clonePeakRssMB).toFixed(0)} MiB more (activations of the first
  prefill and SoVITS chunks, the reused ~56 MiB host KV cache, garbage not yet collected); the WASM
  heap never shrinks, so it keeps every high-water mark. Done so far: sessions are created from a
  weight-less graph with the weights as external data (one copy into onnxruntime), the clone-only
  graphs and the int8 T2S decoder keep no prepacked weight copies, and the host KV cache is
  reused. The opt-in int8 T2S decoder (a quarter of its bytes) lowers the peak${fullInt8 ? ` to ${fullInt8.peakRssMB.toFixed(0)} MiB (${f2(fig(fullInt8).ratio)} ×)` : ''}.
`
  : '';

const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; Node ${process.version}; onnxruntime-web ${ort.env.versions.web} (WASM, ${THREADS} threads)`;
const md = `# Benchmarks

Written by \`npm run bench\` (test/bench/run.ts) on ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC.

Machine: ${machine}.
Load average (1/5/15 min) at the start: **${load0.map(f2).join(' / ')}**, at the end: ${load1.map(f2).join(' / ')}.
The machine is shared: a 1-minute load above ~1 means other work competed for the 2 cores, and
the times below are slower than an idle machine's.

Method: the engine in Node on onnxruntime-web's WASM backend (the browser worker's code), one
fresh process per row. A voice is cloned from a 7.1 s LibriVox clip; then "${BENCH_TEXT}"
is spoken ${RUNS === 1 ? 'once' : `${RUNS} times`} after one warm-up run, with seed 1, ${BENCH_TOKENS} semantic tokens (random weights
rarely emit EOS, so the length is fixed at ${(BENCH_TOKENS / 25).toFixed(0)} s of audio), streamed in 16-token chunks. Medians of the
measured runs. The Chinese BERT is not loaded (English text). Pack files are read from disk one at
a time as the engine creates sessions.

## Targets (issue 10)

${main ? '' : 'The WASM targets are about the real-size pack, which this run left out (`--only tiny`).\n\n'}${table(['target', 'goal', 'measured', 'status'], targets)}

## Engine runs (WASM, Node)

${perf}

T2S decode tok/s = decode steps after the prefill / their wall time (SoVITS excluded); first audio
= from the \`synthesize\` call to the first streamed chunk; RTF = wall time / audio seconds, split
into the T2S and SoVITS shares.${
  full32 && fullInt8
    ? ` The two real-size rows ran one after the other: their SoVITS shares (the same fp32 graph in both)
differ by ${f1(Math.abs(fig(fullInt8).sovitsRtf / fig(full32).sovitsRtf - 1) * 100)}%, which is how much the machine's load moved between them. For fp32 against int8
per step on equal terms, see the interleaved measurement below.`
    : ''
}

${mem}

${pro}
${flowMd}
RSS is the whole Node process in MiB (peaks are the kernel's high-water mark). Pack files are read
from disk one at a time as the engine creates sessions, and the engine drops each file's bytes once
its session exists; the bench's loader runs Node's garbage collector before reading the next file
(children run with --expose-gc), so a late collection does not count a file twice. The app loads
a pack from its URL the same way (each file downloaded, checked and dropped as its session is
made), though a browser's garbage collector may hold a dropped file a little longer.

${qualityMd}
${bwMd}
${browserMd}
${webgpuFullMd || carried(WEBGPU_FULL_RE)}
${gpuResult ? gpuMd : carried(GPU_RE) || gpuMd}
${limits}`;
// A v4-, pro-, webgpu-full- or gpu-only run updates its own section of the existing file and leaves
// the other rows as they were (each section says when and under what load it was measured).
const sections: Record<string, { md: string; heading: RegExp }> = {
  v4: { md: flowMd, heading: /## v4: flow-matching[\s\S]*?(?=\n## |$)/ },
  pro: { md: pro, heading: /## v2Pro and v2ProPlus[\s\S]*?(?=\n## |$)/ },
  'webgpu-full': { md: webgpuFullMd, heading: WEBGPU_FULL_RE },
  gpu: { md: gpuMd, heading: GPU_RE },
};
const ownSection = sections[ONLY];
if (ownSection?.md && existsSync('BENCHMARKS.md')) {
  const stamp =
    ONLY === 'gpu'
      ? `Written ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC by \`npm run bench -- --only gpu${GPU_RESULT ? ` --gpu-result ${GPU_RESULT}` : ''}\`.`
      : `Measured ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC (\`npm run bench -- --only ${ONLY}\`) on ${ONLY === 'webgpu-full' ? machine.replace(/ \(WASM, \d+ threads\)/, '; Chromium') : machine}; load average ${load0.map(f2).join(' / ')} at the start, ${load1.map(f2).join(' / ')} at the end.`;
  const section = `${ownSection.md.trimEnd()}\n\n${stamp}\n`;
  const old = readFileSync('BENCHMARKS.md', 'utf8');
  // A section not there yet goes before "What limits the targets" (v4/pro: before "fp32 vs int8").
  // (webgpu-full: before the GPU-machine section, which it refers to as the next one).
  const before = ONLY === 'v4' || ONLY === 'pro' ? '\n## fp32 vs int8' : ONLY === 'webgpu-full' && GPU_RE.test(old) ? `\n${GPU_HEADING}` : '\n## What limits the targets here';
  const next = ownSection.heading.test(old) ? old.replace(ownSection.heading, section) : old.includes(before) ? old.replace(before, `\n${section}${before}`) : `${old.trimEnd()}\n\n${section}`;
  writeFileSync('BENCHMARKS.md', next);
  console.log(`\n${ownSection.md}\nupdated the ${ONLY} section of BENCHMARKS.md`);
  process.exit(0);
}
writeFileSync('BENCHMARKS.md', md);
console.log(`\n${perf}\n\n${mem}\n\nwrote BENCHMARKS.md`);
process.exit(0);

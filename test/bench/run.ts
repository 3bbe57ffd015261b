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
//   - long texts (~2,000 characters of English, ~1,000 of Chinese) at the default precision: RTF
//     against one sentence's, first audio, RSS after every fragment (`--only long`);
//   - --only webgpu-full: the real-size v2 pack on WebGPU in Chromium (SwiftShader here, fp32):
//     load, clone, warm-up, T2S tok/s, first audio, RTF split, GPU -> CPU reads per token;
//   - --only gpu: the section for a machine with a real GPU, from the JSON that `npm run bench:gpu`
//     or the GPU kit wrote (--gpu-result FILE), or saying that it is not measured yet.
//   A section this run does not measure (e.g. v4 under --only full; webgpu-full and gpu in a full
//   run) is kept as it stands in BENCHMARKS.md.
//   tsx test/bench/run.ts [--runs N] [--threads N] [--only tiny|full|pro|v4|long|webgpu-full|gpu] [--flow-steps 8,16,32]
//                         [--long-tokens 40] [--long-fragments N] [--webgpu-runs N] [--webgpu-tokens N] [--gpu-result FILE]
//                         [--no-webgpu] [--no-quality]
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import * as ort from 'onnxruntime-web';
import type { SoVITSConfig } from '../../src/graph/models/sovits';
import type { T2SConfig } from '../../src/graph/models/t2s';
import type { SynthesisReport } from '../../src/engine/synthesize';
import { measureBandwidth } from './bandwidth';
import { BENCH_TEXT, BENCH_TOKENS, child, ensurePack, median, MiB, readManifest, type EngineRun } from './common';
import type { QualityResult } from './quality';
import type { T2SProfile } from './t2s-profile';
import type { BrowserRun } from './webgpu';
import type { BrowserFullRun } from './webgpu-full';
import { gpuMarkdown, type GpuResult } from './gpu-report';
import type { FlowRun } from './flow-run';
import type { LongRun } from './long-run';

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
const want = (k: 'tiny' | 'full' | 'pro' | 'v4' | 'long') => !ONLY || ONLY === k;
const LONG_TOKENS = Number(opt('--long-tokens', '40'));
const LONG_FRAGMENTS = opt('--long-fragments', 'all'); // a quick check: the first N fragments of each text
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
  // The default (int8 prefill, fp32 decode), fp32 throughout, the opt-in int8 T2S; the default again on 1 thread.
  const configs: Array<[string, number]> = [['auto', THREADS], ['fp32', THREADS], ['int8', THREADS], ...(THREADS !== 1 ? [['auto', 1] as [string, number]] : [])];
  for (const [precision, threads] of configs) {
    console.log(`bench: real-size v2 pack, precision ${precision}, ${threads} thread${threads === 1 ? '' : 's'}`);
    rows.push(await child<EngineRun>('test/bench/engine-run.ts', ['full', precision, String(threads), String(RUNS)]));
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
let longRun: LongRun | undefined;
if (want('long')) {
  ensurePack('full');
  console.log(`bench: long texts, real-size v2 pack, default precision, ${LONG_TOKENS} tokens per fragment`);
  longRun = await child<LongRun>('test/bench/long-run.ts', [String(THREADS), String(LONG_TOKENS), LONG_FRAGMENTS]);
}
let quality: QualityResult | undefined;
if (QUALITY && want('full')) {
  console.log('bench: fp32 vs int8 on the same inputs (real-size pack)');
  quality = await child<QualityResult>('test/bench/quality.ts', ['full', String(THREADS)]);
}
let profile: T2SProfile | undefined;
if (QUALITY && want('full')) {
  console.log('bench: where a T2S decode step goes (real-size pack, fp32)');
  profile = await child<T2SProfile>('test/bench/t2s-profile.ts', [String(THREADS)]);
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
// And sections a narrower run (--only full, say) leaves out: the v2Pro, v4 and long-text rows.
const PRO_RE = /## v2Pro and v2ProPlus[\s\S]*?(?=\n## |$)/;
const FLOW_RE = /## v4: flow-matching[\s\S]*?(?=\n## |$)/;
const LONG_RE = /## Long texts[\s\S]*?(?=\n## |$)/;
const BROWSER_TINY_RE = /## In Chromium \(tiny pack[\s\S]*?(?=\n## |$)/;
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
const precisionLabel = (p: EngineRun['precision']) =>
  p.t2sPrefill && p.t2sPrefill !== p.t2s ? `default: T2S prefill ${p.t2sPrefill}, decode ${p.t2s}, SoVITS ${p.sovits}` : p.t2s === p.sovits ? p.t2s : `T2S ${p.t2s}, SoVITS ${p.sovits}`;
const label = (r: EngineRun) => `${r.pack}, ${precisionLabel(r.precision)}${r.threads !== THREADS ? `, ${r.threads} thread${r.threads === 1 ? '' : 's'}` : ''}`;

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
const fullRows = rows.filter((r) => r.kind === 'full' && r.threads === THREADS);
const fullInt8 = fullRows.find((r) => r.precision.t2s === 'int8');
const full32 = fullRows.find((r) => r.precision.t2s === 'fp32' && !r.precision.t2sPrefill);
const fullDefault = fullRows.find((r) => r.precision.t2s === 'fp32' && r.precision.t2sPrefill === 'int8');
const oneThread = rows.find((r) => r.kind === 'full' && r.threads === 1 && r.precision.t2sPrefill === 'int8');
const main = fullDefault ?? full32 ?? fullInt8; // the targets are about the real-size pack at the default precision
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
  // The default decides met / not met; fp32 throughout and the opt-in int8 T2S follow.
  const alt = fullInt8 && fullInt8 !== main ? fig(fullInt8) : undefined;
  const f32 = full32 && full32 !== main ? fig(full32) : undefined;
  const also = (s: string, s32?: string) => `${f32 && s32 ? `; fp32 throughout: ${s32}` : ''}${alt ? `; opt-in int8 T2S: ${s}` : ''}`;
  targets.push(
    ['T2S decode, WASM 2 threads', '≥ 60 tokens/s', `${f1(mainFig.tokPerSec)} tok/s (${main.precision.t2s})${also(alt ? f1(alt.tokPerSec) : '', f32 && f1(f32.tokPerSec))}`, met(mainFig.tokPerSec >= 60)],
    ['end-to-end real-time factor', '≤ 0.5', `${f2(mainFig.rtf)} (T2S ${f2(mainFig.t2sRtf)} + SoVITS ${f2(mainFig.sovitsRtf)})${also(alt ? f2(alt.rtf) : '', f32 && f2(f32.rtf))}`, met(mainFig.rtf <= 0.5)],
    ['first audio after `synthesize` (one sentence, saved voice)', '≤ 1.0 s', `${f2(mainFig.firstChunkMs / 1000)} s (prefill ${mainFig.prefillMs.toFixed(0)} ms)${also(alt ? `${f2(alt.firstChunkMs / 1000)} s (prefill ${alt.prefillMs.toFixed(0)} ms)` : '', f32 && `${f2(f32.firstChunkMs / 1000)} s (prefill ${f32.prefillMs.toFixed(0)} ms)`)}`, met(mainFig.firstChunkMs <= 1000)],
    [
      'peak RSS of a loaded v2 pack',
      '≤ 1.5 × weight bytes',
      `${main.peakRssMB.toFixed(0)} MiB = ${f2(mainFig.ratio)} × ${mb(main.weightBytes)} MiB (after loading: ${f2(main.loadedRssMB / (main.weightBytes / MiB))} ×)${also(alt && fullInt8 ? `${fullInt8.peakRssMB.toFixed(0)} MiB = ${f2(alt.ratio)} ×` : '', f32 && full32 && `${full32.peakRssMB.toFixed(0)} MiB = ${f2(f32.ratio)} ×`)}`,
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
  const achieved = fig(full32).tokPerSec;
  targets.push([
    'T2S decode bandwidth limit next to the achieved rate',
    'reported',
    `${f1(bw.gbps)} GB/s ÷ ${mb(bytes)} MiB per token (fp32 weights + cache) = ${f1(ceiling(bytes))} tok/s ceiling; achieved ${f1(achieved)} = ${((achieved / ceiling(bytes)) * 100).toFixed(0)}% of it`,
    'below',
  ]);
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

const threadsMd =
  oneThread && main && main.threads !== 1
    ? `### Threads

The default precision on 1 and ${main.threads} WASM threads (two processes, one after the other; medians of the measured runs):

${table(
        ['threads', 'T2S decode tok/s', 'T2S prefill ms', 'first audio s', 'RTF', 'T2S RTF', 'SoVITS RTF'],
        [oneThread, main].map((r) => {
          const f = fig(r);
          return [String(r.threads), f1(f.tokPerSec), f.prefillMs.toFixed(0), f2(f.firstChunkMs / 1000), f2(f.rtf), f2(f.t2sRtf), f2(f.sovitsRtf)];
        }),
      )}

${main.threads} threads vs 1: decode ${f2(fig(main).tokPerSec / fig(oneThread).tokPerSec)}×, prefill ${f2(fig(oneThread).prefillMs / fig(main).prefillMs)}×, SoVITS ${f2(fig(oneThread).sovitsRtf / fig(main).sovitsRtf)}× faster. \`--threads N\` sets the count of every other row.
`
    : '';

const longMd = longRun
  ? `## Long texts (real size, random weights, default precision, WASM ${longRun.threads} threads)

One process: the voice cloned, then one sentence (a warm-up), the sentence, the English text, the
sentence, the Chinese text, the sentence: the median of the three sentence runs is the reference. Every fragment (cut5: split at punctuation) decodes
${longRun.tokensPerFragment} tokens (random weights rarely emit EOS), no pauses, so the RTFs compare like with like.
${longRun.texts.some((t) => t.lang === 'zh' && !t.bert) ? `The bench leaves the pack's 1.2 GB Chinese BERT out, so the Chinese text has zero BERT features (what a pack without one gives).
` : ''}
${table(
      ['text', 'characters', 'fragments', 'tokens', 'audio s', 'RTF', 'vs one sentence', 'RTF 1st / 2nd half', 'first audio s', 'RSS after fragment 2 → last, MiB'],
      [
        ['one sentence', String(BENCH_TEXT.length), '1', String(longRun.sentence.tokens), '', f2(longRun.sentence.rtf), '1.00', '', f2(longRun.sentence.firstChunkMs / 1000), ''],
        ...longRun.texts.map((t) => [
          t.lang === 'en' ? 'English' : 'Chinese',
          String(t.chars),
          String(t.fragments),
          String(t.tokens),
          f1(t.audioSec),
          f2(t.rtf),
          `${f2(t.rtf / longRun.sentence.rtf)}`,
          `${f2(t.rtfFirstHalf)} / ${f2(t.rtfSecondHalf)}`,
          f2(t.firstChunkMs / 1000),
          `${t.rssMB[1]?.toFixed(0) ?? '–'} → ${t.rssMB[t.rssMB.length - 1].toFixed(0)} (max ${Math.max(...t.rssMB.slice(1)).toFixed(0)})`,
        ]),
      ],
    )}

The Chinese text's first audio includes loading the Chinese text frontend (lexicon, HMM), the first
Chinese text of the process; its RSS starts higher for the same reason (~80 MiB of JS heap).

RSS (MiB) after each fragment:
${longRun.texts.map((t) => `- ${t.lang === 'en' ? 'English' : 'Chinese'}: ${t.rssMB.map((x) => x.toFixed(0)).join(' ')}`).join('\n')}

Peak RSS of the process: ${longRun.peakRssMB.toFixed(0)} MiB (${f2(longRun.peakRssMB / (longRun.weightBytes / MiB))} × the ${mb(longRun.weightBytes)} MiB of weights).
`
  : '';

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
    ['T2S default: int8 prefill, fp32 decode steps', '', '', `${quality.t2s.int8.prefillMs.toFixed(0)} ms`, `${f1(quality.t2s.fp32.stepMs)} ms`, `over ${quality.t2s.mixed.steps} steps vs fp32 throughout: logits max \\|Δ\\| ${quality.t2s.mixed.maxAbs.toFixed(3)}, mean \\|Δ\\| ${quality.t2s.mixed.meanAbs.toFixed(4)}, mean KL ${quality.t2s.mixed.klMean.toExponential(1)} nats, same arg-max ${(quality.t2s.mixed.top1Agree * 100).toFixed(0)}%`],
    ['SoVITS decoder (convs int8)', mb(quality.sovits.fp32Bytes), mb(quality.sovits.int8Bytes), `${quality.sovits.fp32Ms.toFixed(0)} ms`, `${quality.sovits.int8Ms.toFixed(0)} ms`, `waveform SNR ${f1(quality.sovits.snrDb)} dB vs fp32 (error power vs the fp32 waveform's variance; ${quality.sovits.convs} convs with ≥ 65,536 weights in int8, smaller ones fp32)`],
  ],
)}

Quantizing the T2S decoder at load takes ${(quality.t2s.quantizeMs / 1000).toFixed(2)} s. The engine's default on WASM (\`precision: 'auto'\`) runs
the prefill (one call per fragment, on every prompt and text row: it decides when the first audio plays)
with the int8 decoder, ${f1(quality.t2s.fp32.prefillMs / quality.t2s.int8.prefillMs)}× faster, and every decode step with the fp32 one, the arithmetic upstream uses;
the steps read the int8 prefill's K/V rows, which is the whole difference (the row above: a KL far below
what top-k/top-p sampling at temperature 1 spreads over, the same arg-max at every step). It costs a
second, int8 session of the decoder (${mb(quality.t2s.int8Bytes)} MiB). \`precision: 'fp32'\` is fp32 throughout. \`precision: 'int8'\`
quantizes the whole T2S decoder (a quarter of the bytes, decode steps ${f2(quality.t2s.int8.stepMs / quality.t2s.fp32.stepMs)}× the fp32 time when measured
interleaved) and keeps the SoVITS decoder fp32 (with int8 convolutions it takes ${f2(quality.sovits.int8Ms / quality.sovits.fp32Ms)}× the fp32 time here: no gain).
The whole-int8 decoder stays opt-in until it has been checked on trained weights: the logit and SNR
figures show the arithmetic's error on these random weights, not a listening test of a trained voice.
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

const profileMd = profile
  ? `## T2S decode step: where the time goes (real-size pack, fp32, WASM ${profile.threads} threads)

The engine's decode loop (T2SRunner, the bench's ${profile.prefillRows}-row prefill, ${profile.loop.steps} steps), with the decoder's and the
token embedding's \`run()\` calls timed from outside; then the decoder alone at the loop's mean cache
length (${profile.meanRows} rows) and with a one-row cache, next to a graph that takes the decoder's inputs and
computes nothing (interleaved, medians of ${profile.rounds} rounds; test/bench/t2s-profile.ts). onnxruntime-web's own
profiler writes into the WASM module's private file system, so parts are differences of whole runs.

${table(
  ['part of a decode step', 'ms', 'share'],
  [
    ['matmul weights (decoder with a one-row cache, less the empty run)', f2(profile.parts.weightsMs), `${((profile.parts.weightsMs / profile.parts.stepMs) * 100).toFixed(0)}%`],
    [`KV cache copied into onnxruntime's heap (${mb(profile.cacheBytes)} MiB of inputs)`, f2(profile.parts.cacheCopyMs), `${((profile.parts.cacheCopyMs / profile.parts.stepMs) * 100).toFixed(0)}%`],
    ['KV cache work inside the graph (concat of each layer\'s past and new row, attention over it)', f2(profile.parts.cacheWorkMs), `${((profile.parts.cacheWorkMs / profile.parts.stepMs) * 100).toFixed(0)}%`],
    ['run() of a graph with these inputs that computes nothing (one-row cache)', f2(profile.parts.runOverheadMs), `${((profile.parts.runOverheadMs / profile.parts.stepMs) * 100).toFixed(0)}%`],
    [`decoder step at ${profile.meanRows} rows, in all`, f2(profile.parts.stepMs), '100%'],
  ],
)}

In the loop: ${f2(profile.loop.stepMs)} ms per token (${f1(profile.loop.tokPerSec)} tok/s) = decoder \`run()\` ${f2(profile.loop.decoderMs)} + token
embedding \`run()\` ${f2(profile.loop.tokenMs)} + JavaScript ${f2(profile.loop.jsMs)} (sampler, cache bookkeeping, tensors).
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
- **First audio**: prefill of ${prefillRows} rows (reference and target phones, 178 prompt codes; ${mainFig.prefillMs.toFixed(0)} ms in ${main!.precision.t2sPrefill ?? main!.precision.t2s}), 3 decode
  steps, then SoVITS on the first 4-token chunk (0.16 s of audio; a SoVITS call also runs its text encoder over every phone, so short chunks cost more per token).
- **T2S decode**: fp32 weight reads at the WASM kernels' bandwidth, int8 at WASM SIMD's integer
  arithmetic (see the ceiling above), plus the KV cache copied into onnxruntime's heap every step
  (onnxruntime-web has no device-resident tensors on WASM).${
    profile && full32
      ? ` 75% of the fp32 ceiling would be ${f1(0.75 * ceiling(decoderBytes + cacheBytes(meanRows)))} tok/s, ${f2(1000 / (0.75 * ceiling(decoderBytes + cacheBytes(meanRows))))} ms per token,
  of which the weights alone take ${f2(profile.parts.weightsMs)} ms here and copying the cache in ${f2(profile.parts.cacheCopyMs)} ms (profile above).
  Attention variants without the per-layer concat (past and new rows attended separately, the
  cache fed head-major, ORT's MultiHeadAttention, elementwise forms for one row) were no faster in
  attention-only graphs (issue 18), most of them slower: the attention matmuls read each head's
  slice of every row in a separate pass, and the concat's copy likely leaves a layer's cache in the
  core's L2 for those 16 passes, where reading the inputs in place goes to memory each time.`
      : ''
  }
- **Memory**: Node takes ~${main!.baseRssMB.toFixed(0)} MiB and onnxruntime-web's WASM module with its threads ~100 MiB
  before any graph is loaded, the English dictionary ~70 MiB. The loaded pack sits at
  ${main!.loadedRssMB.toFixed(0)} MiB, cloning peaks at ${main!.clonePeakRssMB.toFixed(0)} MiB, and speaking adds ${(main!.peakRssMB - main!.clonePeakRssMB).toFixed(0)} MiB more (activations of the first
  prefill and SoVITS chunks, the reused ~56 MiB host KV cache, garbage not yet collected); the WASM
  heap never shrinks, so it keeps every high-water mark. Done so far: sessions are created from a
  weight-less graph with the weights as external data (one copy into onnxruntime), the clone-only
  graphs and the int8 T2S decoder keep no prepacked weight copies, and the host KV cache is
  reused. The default's int8 prefill session costs ~${quality ? mb(quality.t2s.int8Bytes) : '74'} MiB more than fp32 throughout${full32 && fullDefault ? ` (peak ${full32.peakRssMB.toFixed(0)} → ${fullDefault.peakRssMB.toFixed(0)} MiB)` : ''}; the
  opt-in int8 T2S decoder (a quarter of its bytes) lowers the peak${fullInt8 ? ` to ${fullInt8.peakRssMB.toFixed(0)} MiB (${f2(fig(fullInt8).ratio)} ×)` : ''}. What the
  peak is made of (fp32, measured with the heap sizes): the WASM heap ends at ~1.1 GiB for 0.82 GiB of
  weights — HuBERT's activations on 7 s of reference (~150 MiB, its conv1's im2col buffer ~70 MB the
  largest) stay in it as free space that speaking reuses; the English text frontend (dictionary,
  tagger) ~67 MiB of JS heap (Chinese another ~79); the host KV cache ~56 MiB; onnxruntime's compiled
  module and its thread ~115 MiB.
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
rarely emit EOS, so the length is fixed at ${(BENCH_TOKENS / 25).toFixed(0)} s of audio), streamed in chunks of 4, 8, then 16 tokens. Medians of the
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
    ? ` The real-size rows ran one after the other: the SoVITS shares of fp32 and int8 (the same fp32 graph in both)
differ by ${f1(Math.abs(fig(fullInt8).sovitsRtf / fig(full32).sovitsRtf - 1) * 100)}%, which is how much the machine's load moved between them. For fp32 against int8
per step on equal terms, see the interleaved measurement below.`
    : ''
}

${threadsMd}
${mem}

${pro || carried(PRO_RE)}
${flowMd || carried(FLOW_RE)}
RSS is the whole Node process in MiB (peaks are the kernel's high-water mark). Pack files are read
from disk one at a time as the engine creates sessions, and the engine drops each file's bytes once
its session exists; the bench's loader runs Node's garbage collector before reading the next file
(children run with --expose-gc), so a late collection does not count a file twice. The app loads
a pack from its URL the same way (each file downloaded, checked and dropped as its session is
made), though a browser's garbage collector may hold a dropped file a little longer.

${longMd || carried(LONG_RE)}
${qualityMd}
${bwMd}
${profileMd}
${browserMd || carried(BROWSER_TINY_RE)}
${webgpuFullMd || carried(WEBGPU_FULL_RE)}
${gpuResult ? gpuMd : carried(GPU_RE) || gpuMd}
${limits}`;
// A v4-, pro-, long-, webgpu-full- or gpu-only run updates its own section of the existing file and leaves
// the other rows as they were (each section says when and under what load it was measured).
const sections: Record<string, { md: string; heading: RegExp }> = {
  v4: { md: flowMd, heading: FLOW_RE },
  pro: { md: pro, heading: PRO_RE },
  long: { md: longMd, heading: LONG_RE },
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

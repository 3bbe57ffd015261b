// Long texts at flat cost, in one process: the real-size v2 pack at the default precision speaks one
// sentence (the reference), then a ~2,000-character English text and a ~1,000-character Chinese one
// (dozens of fragments each), every fragment to the same token count. Prints the RTF of each against
// the one sentence's, the first audio, and RSS after every fragment.
//   tsx test/bench/long-run.ts <threads> <tokens per fragment> [fragments per text | all] [precision]
import 'fake-indexeddb/auto';
import { createStore } from 'idb-keyval';
import * as ort from 'onnxruntime-web';
import { Engine } from '../../src/engine/engine';
import type { PrecisionRequest } from '../../src/engine/precision';
import type { SynthesisOptions, SynthesisReport } from '../../src/engine/synthesize';
import { splitText } from '../../src/text/frontend';
import { referenceSpeech, REFERENCE_TEXT } from '../helpers/reference-speech';
import { BENCH_TEXT, diskPack, emit, ensurePack, median, MiB, readManifest, withoutBert } from './common';
import { LONG_EN, LONG_ZH } from './long-texts';

export interface LongTextRun {
  lang: 'en' | 'zh';
  chars: number;
  fragments: number;
  tokens: number;
  audioSec: number;
  totalMs: number;
  rtf: number;
  firstChunkMs: number;
  /** RTF of the first and the second half of the fragments (wall time between fragment ends / audio). */
  rtfFirstHalf: number;
  rtfSecondHalf: number;
  /** RSS (MiB) after each fragment's last chunk. */
  rssMB: number[];
  bert: boolean;
  bertNote: string;
}

export interface LongRun {
  threads: number;
  precision: { t2s: string; t2sPrefill?: string; sovits: string };
  tokensPerFragment: number;
  weightBytes: number;
  /** The one-sentence reference: median of 3 runs (after a warm-up, between the long texts, at the end). */
  sentence: { rtf: number; firstChunkMs: number; tokens: number };
  texts: LongTextRun[];
  peakRssMB: number;
}

const [threadsArg, tokensArg, fragArg, precisionArg] = process.argv.slice(2);
const threads = Number(threadsArg ?? 2);
const maxTokens = Number(tokensArg ?? 40);
const maxFragments = fragArg && fragArg !== 'all' ? Number(fragArg) : Infinity;
const precision = (precisionArg ?? 'auto') as PrecisionRequest;
const rss = () => process.memoryUsage().rss / MiB;

const dir = ensurePack('full');
// The bench leaves the 1.2 GB Chinese BERT out (as the other rows do): Chinese gets zero BERT features.
const manifest = withoutBert(readManifest(dir));
const scope = { crossOriginIsolated: threads > 1, navigator: { hardwareConcurrency: threads } } as unknown as typeof globalThis;
const engine = new Engine(ort, { scope, voices: createStore('bench-long', 'voices') });
const info = await engine.init({ backend: 'wasm', precision });
await engine.loadPack(async () => diskPack(dir, manifest));
const { voice } = await engine.cloneVoice({ audio: referenceSpeech(), promptText: REFERENCE_TEXT, promptLang: 'en' }).result;
const opts: SynthesisOptions = { seed: 1, maxTokens, cut: 'cut5', pauseSec: 0 };

// The one-sentence reference runs before and after each long text (the machine's load drifts).
const sentenceRuns: SynthesisReport[] = [];
async function sentence(label: string, keep = true) {
  const r = await engine.synthesize(BENCH_TEXT, voice.id, { ...opts, lang: 'en', cut: 'cut0' }, () => {}).result;
  if (keep) sentenceRuns.push(r);
  process.stdout.write(`one sentence ${label}: ${r.segments[0].tokens} tokens, RTF ${(r.totalMs / 1000 / r.audioSec).toFixed(2)}, first audio ${(r.firstChunkMs / 1000).toFixed(2)} s, RSS ${rss().toFixed(0)} MiB\n`);
}
await sentence('warm-up', false);
await sentence('run 1');

async function speakLong(lang: 'en' | 'zh', full: string): Promise<LongTextRun> {
  // Whole fragments only (cut5 splits at punctuation), at most maxFragments of them.
  const parts = splitText(full, 'cut5', 510, lang);
  const text = parts.length > maxFragments ? parts.slice(0, maxFragments).join('') : full;
  const rssMB: number[] = [];
  const ends: number[] = [];
  const audio: number[] = [];
  let fragAudio = 0;
  let lastDone = -1;
  const started = performance.now();
  const r = await engine.synthesize(text, voice.id, { ...opts, lang }, (c) => {
    if (c.kind !== 'speech') return;
    fragAudio += c.pcm.length / c.sampleRate;
    // The watermark's tail follows the last fragment as one more segmentDone chunk of that fragment.
    if (c.segmentDone && c.segment !== lastDone) {
      lastDone = c.segment;
      ends.push(performance.now() - started);
      audio.push(fragAudio);
      fragAudio = 0;
      rssMB.push(rss());
    }
  }).result;
  const n = ends.length;
  const half = Math.floor(n / 2);
  const span = (a: number, b: number) => {
    const ms = ends[b - 1] - (a === 0 ? 0 : ends[a - 1]);
    const sec = audio.slice(a, b).reduce((x, y) => x + y, 0);
    return ms / 1000 / sec;
  };
  const out: LongTextRun = {
    lang,
    chars: text.length,
    fragments: r.segments.length,
    tokens: r.segments.reduce((a, s) => a + s.tokens, 0),
    audioSec: r.audioSec,
    totalMs: r.totalMs,
    rtf: r.totalMs / 1000 / r.audioSec,
    firstChunkMs: r.firstChunkMs,
    rtfFirstHalf: span(0, half),
    rtfSecondHalf: span(half, n),
    rssMB,
    bert: r.bert.used,
    bertNote: r.bert.note,
  };
  process.stdout.write(`${lang}: ${out.chars} chars, ${out.fragments} fragments, ${out.tokens} tokens, RTF ${out.rtf.toFixed(2)} (halves ${out.rtfFirstHalf.toFixed(2)} / ${out.rtfSecondHalf.toFixed(2)}), first audio ${(out.firstChunkMs / 1000).toFixed(2)} s\n`);
  process.stdout.write(`${lang}: RSS MiB per fragment: ${rssMB.map((x) => x.toFixed(0)).join(' ')}\n`);
  return out;
}

const texts: LongTextRun[] = [];
texts.push(await speakLong('en', LONG_EN));
await sentence('run 2');
texts.push(await speakLong('zh', LONG_ZH));
await sentence('run 3');
const result: LongRun = {
  threads: info.threads,
  precision: info.precision,
  tokensPerFragment: maxTokens,
  weightBytes: manifest.files.reduce((a, f) => a + f.bytes, 0),
  sentence: {
    rtf: median(sentenceRuns.map((r) => r.totalMs / 1000 / r.audioSec)),
    firstChunkMs: median(sentenceRuns.map((r) => r.firstChunkMs)),
    tokens: sentenceRuns[0].segments[0].tokens,
  },
  texts,
  peakRssMB: process.resourceUsage().maxRSS / 1024,
};
await engine.dispose();
emit(result);
process.exit(0);

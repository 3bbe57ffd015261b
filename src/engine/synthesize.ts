// Text + a saved voice -> audio chunks. Per text fragment: g2p, T2S prefill and decode loop
// (tokens come out one by one), and SoVITS decodes of token chunks as they arrive, so the first
// audio leaves before T2S has finished the fragment. Upstream: TTS.py run() with api_v2 defaults.
import { MynahError } from '../errors';
import { mulberry32 } from '../graph/weights';
import { sovitsFrameCount, sovitsHop } from '../graph/models/sovits';
import type { Voice } from '../store/voices';
import type { PackManifest } from '../pack/manifest';
import { MODEL_FAMILIES } from '../pack/versions';
import { DEFAULT_WATERMARK_KEY, makeWatermarkPayload, RateWatermarkEmbedder, WATERMARK_RATE, WatermarkEmbedder } from '../safety/watermark';
import { splitText, textToPhones, type CutMethod, type LangMode, type PronunciationList } from '../text/frontend';
import { checkSynthesisOptions } from '../validate';
import { phoneBert } from './bert-features';
import { session, type LoadedModels } from './models';
import { DEFAULT_SAMPLING, SemanticSampler, UPSTREAM_LIMITS, type SamplingOptions } from './sampling';
import { chunkTokens, DEFAULT_STREAM, StreamAssembler, type StreamPlan } from './stream-audio';
import { T2SRunner, type T2SStats } from './t2s-decode';
import { FlowDecoder } from './flow-decode';

export interface SynthesisOptions extends Partial<SamplingOptions> {
  /** Language of the text; 'auto' detects zh / ja / en runs. */
  lang?: LangMode;
  /** Upstream's text split methods; api_v2 uses cut5 (split at punctuation). */
  cut?: CutMethod;
  maxSegmentChars?: number;
  /** Same seed, text, voice and pack -> the same tokens and audio. Random when absent. */
  seed?: number;
  /** Speech rate (upstream speed_factor); streaming is per fragment when it is not 1. */
  speed?: number;
  /** SoVITS sampling noise (upstream 0.5). */
  noiseScale?: number;
  /** Silence after each fragment, seconds (upstream fragment_interval 0.3). */
  pauseSec?: number;
  /** Chunking of the token stream; false decodes each fragment in one piece. */
  stream?: StreamPlan | false;
  /** Guard on tokens per fragment (upstream 1500, i.e. 60 s). */
  maxTokens?: number;
  /**
   * v3/v4: sampling steps of the flow-matching decoder (upstream's web UI: 32 for v3, 8 for v4;
   * api_v2 takes 32). More steps cost proportionally more time. Ignored by other versions.
   */
  sampleSteps?: number;
}

/** Progress inside a fragment, for long v3/v4 jobs: one call per CFM sampling step. */
export interface SynthesisProgress {
  segment: number;
  segments: number;
  /** CFM chunk within the fragment, the step just done, and the steps per chunk. */
  chunk: number;
  step: number;
  steps: number;
}

export interface AudioChunk {
  pcm: Float32Array;
  sampleRate: number;
  /** Index of the text fragment this chunk belongs to, and how many there are. */
  segment: number;
  segments: number;
  kind: 'speech' | 'pause';
  /** Semantic tokens decided so far in this fragment. */
  tokens: number;
  /** The last chunk of the fragment's speech. */
  segmentDone: boolean;
}

export interface SegmentReport {
  text: string;
  phones: number;
  tokens: number;
  stoppedBy: 'eos' | 'max-tokens';
  /** The fragment's Chinese got BERT features (false: zeros, as for other languages). */
  bert: boolean;
  t2s: T2SStats;
}

export interface BertReport {
  /** BERT features went into the GPT: for Chinese in the text, or from the voice's prompt. */
  used: boolean;
  /** The loaded pack can compute BERT features. */
  available: boolean;
  /** What Chinese text gets with this pack, in one sentence. */
  note: string;
  /** The voice's prompt carries BERT features (a Chinese transcript cloned with a BERT pack). */
  prompt: boolean;
}

export interface SynthesisReport {
  seed: number;
  segments: SegmentReport[];
  warnings: string[];
  /** Seconds of audio produced (speech and pauses). */
  audioSec: number;
  /** From the call to the first speech chunk, ms. */
  firstChunkMs: number;
  t2sMs: number;
  /** Time in the SoVITS decoder (v3/v4: encoder, CFM steps and vocoder together). */
  sovitsMs: number;
  /** v3/v4: the split of sovitsMs, and the sampling steps used. */
  flow?: { steps: number; encoderMs: number; cfmMs: number; vocoderMs: number; stepMs: number };
  /** Time in the Chinese BERT, ms. */
  bertMs: number;
  bert: BertReport;
  totalMs: number;
}

export type ChunkSink = (chunk: AudioChunk) => void | Promise<void>;

export { DEFAULT_WATERMARK_KEY } from '../safety/watermark';

/** Standard normal samples (Box–Muller) from a seeded uniform source. */
function normalNoise(n: number, rand: () => number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - rand()));
    const t = 2 * Math.PI * rand();
    out[i] = r * Math.cos(t);
    if (i + 1 < n) out[i + 1] = r * Math.sin(t);
  }
  return out;
}

/**
 * A fragment's SoVITS noise, drawn frame by frame (`inter` values per frame) from the seeded stream
 * as frames are first needed. A chunk takes the columns of its own frames, so the whole fragment
 * and every chunking of it (overlaps included) feed the same noise to the same frame: chunk sizes
 * move only the cross-fades.
 */
export class FrameNoise {
  private buf = new Float32Array(0);
  private frames = 0;
  constructor(
    private readonly inter: number,
    private readonly rand: () => number,
  ) {}
  /** Noise for frames [from, from + n) as [inter, n] (frames on the last axis). */
  take(from: number, n: number): Float32Array {
    const { inter } = this;
    const need = (from + n) * inter;
    if (need > this.buf.length) {
      const grown = new Float32Array(Math.max(need, 2 * this.buf.length));
      grown.set(this.buf.subarray(0, this.frames * inter));
      this.buf = grown;
    }
    if (from + n > this.frames) {
      this.buf.set(normalNoise((from + n - this.frames) * inter, this.rand), this.frames * inter);
      this.frames = from + n;
    }
    const out = new Float32Array(inter * n);
    for (let t = 0; t < n; t++) for (let c = 0; c < inter; c++) out[c * n + t] = this.buf[(from + t) * inter + c];
    return out;
  }
}

const allFinite = (a: Float32Array) => {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
  return true;
};

/** Lets queued messages (cancel) in between fragments. */
const yieldToLoop = () => new Promise<void>((r) => setTimeout(r, 0));

export function resolveOptions(opts: SynthesisOptions) {
  // Types, ranges and finiteness: the same schema as the engine's boundary (direct callers too).
  checkSynthesisOptions(opts);
  const speed = opts.speed ?? 1;
  if (!(speed >= 0.25 && speed <= 4)) throw new MynahError('OPTIONS_INVALID', `Speed ${speed} is out of range; use 0.25–4 (1 is normal).`);
  const sampling: SamplingOptions = {
    topK: opts.topK ?? DEFAULT_SAMPLING.topK,
    topP: opts.topP ?? DEFAULT_SAMPLING.topP,
    temperature: opts.temperature ?? DEFAULT_SAMPLING.temperature,
    repetitionPenalty: opts.repetitionPenalty ?? DEFAULT_SAMPLING.repetitionPenalty,
  };
  if (!(sampling.topK >= 1) || !(sampling.topP > 0 && sampling.topP <= 1) || !(sampling.temperature > 0) || !(sampling.repetitionPenalty > 0)) {
    throw new MynahError('OPTIONS_INVALID', 'Sampling settings are out of range: top-k ≥ 1, 0 < top-p ≤ 1, temperature > 0, repetition penalty > 0.');
  }
  return {
    lang: opts.lang ?? 'auto',
    cut: opts.cut ?? 'cut5',
    maxSegmentChars: opts.maxSegmentChars ?? 510,
    seed: opts.seed ?? Math.floor(Math.random() * 2 ** 31),
    speed,
    noiseScale: opts.noiseScale ?? 0.5,
    pauseSec: opts.pauseSec ?? 0.3,
    stream: speed === 1 ? (opts.stream ?? DEFAULT_STREAM) : false,
    maxTokens: Math.min(opts.maxTokens ?? UPSTREAM_LIMITS.maxSteps, UPSTREAM_LIMITS.maxSteps),
    sampleSteps: opts.sampleSteps,
    sampling,
  };
}

/**
 * A voice speaks only with the pack that made it: its codes and ge are that pack's. A voice from
 * another model family (v2 vs v2Pro, …) says which kind of pack it needs.
 */
export function assertVoiceFitsPack(voice: Voice, manifest: PackManifest, gin: number, vocab?: { phones: number; codes: number }): void {
  const needs = MODEL_FAMILIES[voice.modelVersion]?.label ?? `GPT-SoVITS ${String(voice.modelVersion)}`;
  if (voice.modelVersion !== manifest.version) {
    throw new MynahError(
      'VOICE_PACK_MISMATCH',
      `Voice "${voice.name}" was made with a ${needs} pack ("${voice.packId}"), but the loaded pack "${manifest.id}" is ${MODEL_FAMILIES[manifest.version].label}. Load pack "${voice.packId}" (or another ${needs} pack and clone the voice again there).`,
    );
  }
  if (voice.packId !== manifest.id) {
    throw new MynahError('VOICE_PACK_MISMATCH', `Voice "${voice.name}" was cloned with model pack "${voice.packId}", but "${manifest.id}" is loaded. Load that pack or clone the voice again.`);
  }
  if (voice.ge.length !== gin) {
    throw new MynahError('VOICE_INVALID', `Voice "${voice.name}" has a ${voice.ge.length}-wide speaker embedding but pack "${manifest.id}" uses ${gin}. Clone the voice again with this pack.`);
  }
  // Ids outside the pack's tables would reach ORT's Gather as out-of-range indices.
  if (vocab && (voice.promptPhones.some((p) => p < 0 || p >= vocab.phones) || voice.promptCodes.some((c) => c < 0 || c >= vocab.codes))) {
    throw new MynahError('VOICE_INVALID', `Voice "${voice.name}" holds phone ids or semantic codes outside pack "${manifest.id}"'s tables. Clone the voice again with this pack.`);
  }
}

export interface SynthesisContext {
  signal?: AbortSignal;
  /** v3/v4: called after every CFM sampling step. */
  onProgress?: (p: SynthesisProgress) => void;
  /** The personal pronunciation list for this job. */
  pronunciations?: PronunciationList;
  dicBase?: string;
  watermarkKey?: string;
}

export async function synthesize(m: LoadedModels, voice: Voice, text: string, options: SynthesisOptions, emit: ChunkSink, ctx: SynthesisContext = {}): Promise<SynthesisReport> {
  const started = performance.now();
  const { ort, manifest } = m;
  assertVoiceFitsPack(voice, manifest, m.sovits.gin, { phones: Math.min(m.t2s.phonemeVocab, m.sovits.textVocab), codes: Math.min(m.sovits.codebookSize, m.t2s.vocab - 1) });
  const o = resolveOptions(options);
  // Text is processed lazily, one fragment at a time just before it is spoken: the first audio
  // never waits for the whole text, and cancel() lands between fragments at any text size.
  const fragments = splitText(text, o.cut, o.maxSegmentChars, o.lang);
  const warnings: string[] = [];
  let spoken = 0;
  let bertWarned = false;
  const phonesOf = async (f: string) => {
    const r = await textToPhones(f, o.lang, MODEL_FAMILIES[manifest.version].symbols, { ...(ctx.dicBase ? { ja: { dicPath: ctx.dicBase } } : {}), pronunciations: ctx.pronunciations });
    warnings.push(...r.warnings);
    const ids = r.segments.flatMap((s) => s.ids);
    if (!m.bertInfo.available && !bertWarned && r.segments.some((s) => s.lang === 'zh')) {
      bertWarned = true;
      warnings.push(m.bertInfo.note);
    }
    return ids.length ? { text: f, ids: BigInt64Array.from(ids, BigInt), segments: r.segments } : undefined;
  };

  const sr = manifest.sampleRate;
  const family = MODEL_FAMILIES[manifest.version];
  // v3/v4: the flow-matching decoder takes the whole fragment's tokens (upstream has no token
  // streaming for them); its audio streams out per CFM chunk.
  const flow = family.flowMatching ? new FlowDecoder(m, voice) : undefined;
  const flowSteps = o.sampleSteps ?? family.flowMatching?.defaultSteps ?? 0;
  const flowTiming = { encoderMs: 0, cfmMs: 0, vocoderMs: 0 };
  let flowStepCount = 0;
  const hop = flow ? 0 : sovitsHop(m.sovits);
  const samplesPerToken = 2 * hop; // 25 Hz tokens, 50 Hz frames
  const sampleRand = mulberry32(o.seed);
  const noiseRand = mulberry32(o.seed ^ 0x5bd1e995);
  const decoder = flow ? undefined : session(m, 'sovits-decoder');
  const ge = new ort.Tensor('float32', voice.ge, [1, voice.ge.length, 1]);
  const bertReport: BertReport = { used: !!voice.promptBert, available: m.bertInfo.available, note: m.bertInfo.note, prompt: !!voice.promptBert };
  const report: SynthesisReport = { seed: o.seed, segments: [], warnings, audioSec: 0, firstChunkMs: -1, t2sMs: 0, sovitsMs: 0, bertMs: 0, bert: bertReport, totalMs: 0 };
  // Every output carries a keyed mark (voice id hash + day). The embedder lags by a few
  // milliseconds, so each chunk goes out slightly delayed and the tail follows the last chunk.
  const key = ctx.watermarkKey ?? DEFAULT_WATERMARK_KEY;
  const marker = sr === WATERMARK_RATE ? new WatermarkEmbedder(key, makeWatermarkPayload(voice.id), sr) : new RateWatermarkEmbedder(key, makeWatermarkPayload(voice.id), sr);
  let last: Omit<AudioChunk, 'sampleRate' | 'segments'> | undefined;
  const send = async (c: Omit<AudioChunk, 'sampleRate' | 'segments'>) => {
    if (c.pcm.length === 0 && !c.segmentDone) return;
    if (c.kind === 'speech' && report.firstChunkMs < 0) report.firstChunkMs = performance.now() - started;
    report.audioSec += c.pcm.length / sr;
    await emit({ ...c, sampleRate: sr, segments: fragments.length });
  };
  const out = async (c: Omit<AudioChunk, 'sampleRate' | 'segments'>) => {
    // No NaN or infinity ever reaches a player: a pack that computes them is broken.
    if (!allFinite(c.pcm)) throw new MynahError('SYNTHESIS_FAILED', `Pack "${manifest.id}" produced invalid audio samples (NaN or infinite). Load the pack again or use another pack.`);
    last = c;
    await send({ ...c, pcm: marker.process(c.pcm) });
  };

  let noise: FrameNoise | undefined;
  /** SoVITS on `codes`, the fragment's tokens from token `at` on (`at` > 0 only when streaming, at speed 1: 2 frames per token). */
  const decodeCodes = async (codes: number[], phones: BigInt64Array, at = 0): Promise<Float32Array> => {
    const t0 = performance.now();
    const frames = sovitsFrameCount(codes.length, o.speed);
    const res = await decoder!.run({
      codes: new ort.Tensor('int64', BigInt64Array.from(codes, BigInt), [1, 1, codes.length]),
      phones: new ort.Tensor('int64', phones, [1, phones.length]),
      ge,
      noise: new ort.Tensor('float32', noise!.take(2 * at, frames), [1, m.sovits.inter, frames]),
      noise_scale: new ort.Tensor('float32', Float32Array.of(o.noiseScale), [1]),
      speed: new ort.Tensor('float32', Float32Array.of(o.speed), [1]),
    });
    const audio = Float32Array.from(res.audio.data as Float32Array);
    res.audio.dispose();
    report.sovitsMs += performance.now() - t0;
    return audio;
  };

  const promptPhones = Array.from(voice.promptPhones, BigInt);
  const bertDim = m.t2s.bertDim;
  if (voice.promptBert && voice.promptBert.length !== bertDim * promptPhones.length) {
    throw new MynahError('VOICE_INVALID', `The voice "${voice.name}" has BERT features of another width than this pack's GPT takes (${bertDim}). Clone the voice again.`);
  }
  for (const [segment, fragment] of fragments.entries()) {
    await yieldToLoop();
    ctx.signal?.throwIfAborted();
    const phoneSet = await phonesOf(fragment);
    if (!phoneSet) continue;
    spoken++;
    ctx.signal?.throwIfAborted();
    const { text: fragText, ids, segments } = phoneSet;
    const P = promptPhones.length;
    const X = P + ids.length;
    // [prompt ; target] along the phone axis; zeros for non-Chinese text and without a BERT.
    const tb = performance.now();
    const target = await phoneBert(m, segments);
    report.bertMs += performance.now() - tb;
    if (target.bertSegments) bertReport.used = true;
    const bert = new Float32Array(bertDim * X);
    for (let d = 0; d < bertDim; d++) {
      if (voice.promptBert) bert.set(voice.promptBert.subarray(d * P, d * P + P), d * X);
      bert.set(target.bert.subarray(d * ids.length, (d + 1) * ids.length), d * X + P);
    }
    const runner = new T2SRunner(ort, { embed: session(m, 't2s-embed'), token: session(m, 't2s-token'), decoder: session(m, 't2s-decoder'), prefill: m.sessions['t2s-prefill'] }, {
      layers: m.t2s.layers,
      dim: m.t2s.dim,
      onDevice: m.onDevice,
    });
    const sampler = new SemanticSampler(voice.promptCodes, o.sampling, sampleRand, { ...UPSTREAM_LIMITS, maxSteps: o.maxTokens });
    const tokens: number[] = [];
    const plan = flow ? false : o.stream;
    const assembler = plan ? new StreamAssembler(plan.overlap * samplesPerToken) : undefined;
    let decoded = 0;
    let chunk = 0;
    noise = new FrameNoise(m.sovits.inter, noiseRand);
    const flush = async (final: boolean) => {
      if (!plan || !assembler) return;
      const from = decoded === 0 ? 0 : decoded - plan.overlap;
      if (tokens.length === decoded && (!final || decoded === 0)) return;
      const audio = await decodeCodes(tokens.slice(from, tokens.length), ids, from);
      decoded = tokens.length;
      chunk++;
      await out({ pcm: assembler.push(audio, final), segment, kind: 'speech', tokens: tokens.length, segmentDone: final });
    };
    const t0 = performance.now();
    const sovitsBefore = report.sovitsMs;
    for await (const token of runner.generate({ phones: BigInt64Array.from([...promptPhones, ...ids]), bert, bertDim, prompt: BigInt64Array.from(voice.promptCodes, BigInt) }, sampler, ctx.signal)) {
      tokens.push(token);
      if (plan && tokens.length - decoded >= chunkTokens(plan, chunk)) await flush(false);
    }
    if (flow) {
      const t1 = performance.now();
      for await (const pcm of flow.decode(tokens, ids, {
        steps: flowSteps,
        speed: o.speed,
        noise: (n) => normalNoise(n, noiseRand),
        signal: ctx.signal,
        timing: flowTiming,
        onStep: (p) => {
          flowStepCount++;
          ctx.onProgress?.({ segment, segments: fragments.length, ...p });
        },
      })) {
        await out({ pcm, segment, kind: 'speech', tokens: tokens.length, segmentDone: false });
      }
      await out({ pcm: new Float32Array(0), segment, kind: 'speech', tokens: tokens.length, segmentDone: true });
      report.sovitsMs += performance.now() - t1;
    } else if (plan) await flush(true);
    else await out({ pcm: await decodeCodes(tokens, ids), segment, kind: 'speech', tokens: tokens.length, segmentDone: true });
    report.t2sMs += performance.now() - t0 - (report.sovitsMs - sovitsBefore);
    report.segments.push({ text: fragText, phones: ids.length, tokens: tokens.length, stoppedBy: sampler.steps >= o.maxTokens ? 'max-tokens' : 'eos', bert: target.bertSegments > 0, t2s: { ...runner.stats } });
    const pause = Math.round(o.pauseSec * sr);
    if (pause > 0) await out({ pcm: new Float32Array(pause), segment, kind: 'pause', tokens: tokens.length, segmentDone: true });
  }
  if (!spoken) throw new MynahError('TEXT_EMPTY', 'There is nothing readable in the text. Type words in Chinese, English or Japanese.');
  if (last) await send({ ...last, pcm: marker.flush(), segmentDone: true });
  report.totalMs = performance.now() - started;
  if (flow) {
    report.flow = { steps: flowSteps, ...flowTiming, stepMs: flowTiming.cfmMs / Math.max(1, flowStepCount) };
  }
  return report;
}

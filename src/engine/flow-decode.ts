// v3/v4 speaking: semantic tokens of a fragment -> audio, through the pack's sovits-encoder,
// cfm-step and vocoder graphs (TTS.py using_vocoder_synthesis; the loop itself is ./cfm.ts).
// The prompt (decode_encp of the voice's codes and phones, and its reference mel) is computed once
// per synthesis. Audio comes out per CFM chunk (T_chunk − T_min frames, ≥ 5 s for v4), vocoded with
// context on both sides so the pieces join exactly; cancellation is checked after every step.
import { MynahError } from '../errors';
import { v3v4FrameCounts, type SoVITSV3V4Config } from '../graph/models/sovits-v3v4';
import { MODEL_FAMILIES, type FlowMatching } from '../pack/versions';
import type { Voice } from '../store/voices';
import { cfmChunks, cfmPrompt, frames, normSpec, StreamingVocoder, type Frames } from './cfm';
import { session, type LoadedModels } from './models';

export interface FlowProgress {
  /** CFM chunk of the fragment (0-based) and the step just finished (1..steps). */
  chunk: number;
  step: number;
  steps: number;
}

export interface FlowDecodeOptions {
  steps: number;
  speed: number;
  /** Standard normal noise source (seeded by the caller). */
  noise: (n: number) => Float32Array;
  signal?: AbortSignal;
  onStep?: (p: FlowProgress) => void;
  /** Milliseconds spent in the networks, added up by the caller. */
  timing?: { encoderMs: number; cfmMs: number; vocoderMs: number };
}

/** Yields to the event loop so a queued cancel() is seen between steps. */
const tick = () => new Promise<void>((r) => setTimeout(r, 0));

export class FlowDecoder {
  readonly flow: FlowMatching;
  private prompt?: { mel: Frames; fea: Frames; tMin: number };
  private readonly cfg: SoVITSV3V4Config;

  constructor(
    private readonly m: LoadedModels,
    private readonly voice: Voice,
  ) {
    const flow = MODEL_FAMILIES[m.manifest.version].flowMatching;
    if (!flow) throw new Error(`pack ${m.manifest.id} is not a v3/v4 pack`);
    this.flow = flow;
    this.cfg = m.sovits as SoVITSV3V4Config;
    if (!voice.refMel || voice.refMel.length === 0) {
      throw new MynahError('VOICE_INVALID', `Voice "${voice.name}" has no reference mel, which ${MODEL_FAMILIES[m.manifest.version].label} needs. Clone the voice again with this pack.`);
    }
  }

  private async encode(codes: ArrayLike<number>, phones: BigInt64Array, speed: number, o: FlowDecodeOptions): Promise<Frames> {
    const { ort } = this.m;
    const t0 = performance.now();
    const c = v3v4FrameCounts(this.cfg, codes.length, speed);
    const out = await session(this.m, 'sovits-encoder').run({
      codes: new ort.Tensor('int64', BigInt64Array.from(Array.from(codes), BigInt), [1, 1, codes.length]),
      phones: new ort.Tensor('int64', phones, [1, phones.length]),
      ge: new ort.Tensor('float32', this.voice.ge, [1, this.voice.ge.length, 1]),
      enc_frames: new ort.Tensor('int64', BigInt64Array.of(BigInt(c.encFrames)), [1]),
      mel_frames: new ort.Tensor('int64', BigInt64Array.of(BigInt(c.melFrames)), [1]),
    });
    const fea = frames(Float32Array.from(out.fea.data as Float32Array), this.cfg.bridge);
    out.fea.dispose();
    if (o.timing) o.timing.encoderMs += performance.now() - t0;
    return fea;
  }

  /** Audio pieces (at flow.outputRate) for the fragment's tokens, in order. */
  async *decode(tokens: number[], phones: BigInt64Array, o: FlowDecodeOptions): AsyncGenerator<Float32Array> {
    const { ort } = this.m;
    if (!this.prompt) {
      const fea = await this.encode(this.voice.promptCodes, BigInt64Array.from(this.voice.promptPhones, BigInt), 1, o);
      const bins = this.m.manifest.dims.vocoder ? (this.m.manifest.dims.vocoder as { melBins: number }).melBins : 100;
      const mel = frames(this.voice.refMel!.map(normSpec), bins);
      this.prompt = cfmPrompt(mel, fea, this.flow.tRef);
    }
    const todo = await this.encode(tokens, phones, o.speed, o);
    const step = session(this.m, 'cfm-step');
    const vocoder = session(this.m, 'vocoder');
    const t = o.timing;
    const voc = new StreamingVocoder(async (mel) => {
      const t0 = performance.now();
      const r = await vocoder.run({ mel: new ort.Tensor('float32', mel.data, [1, mel.rows, mel.frames]) });
      const audio = Float32Array.from(r.audio.data as Float32Array);
      r.audio.dispose();
      if (t) t.vocoderMs += performance.now() - t0;
      return audio;
    }, this.flow.samplesPerFrame, this.flow.vocoderContext);
    const chunks = cfmChunks(this.prompt, todo, {
      steps: o.steps,
      tChunk: this.flow.tChunk,
      noise: (_k, rows, n) => o.noise(rows * n),
      step: async (f) => {
        const t0 = performance.now();
        const r = await step.run(
          {
          x: new ort.Tensor('float32', f.x.data, [1, f.x.rows, f.x.frames]),
          prompt: new ort.Tensor('float32', f.prompt.data, [1, f.prompt.rows, f.prompt.frames]),
          mu: new ort.Tensor('float32', f.mu.data, [1, f.mu.rows, f.mu.frames]),
          t: new ort.Tensor('float32', Float32Array.of(f.t), [1]),
          d: new ort.Tensor('float32', Float32Array.of(f.d), [1]),
          prompt_len: new ort.Tensor('int64', BigInt64Array.of(BigInt(f.promptLen)), [1]),
          },
          ['x_next'], // the velocity output is for tests
        );
        const next = Float32Array.from(r.x_next.data as Float32Array);
        r.x_next.dispose();
        if (t) t.cfmMs += performance.now() - t0;
        return next;
      },
      onStep: async (chunk, stepDone, steps) => {
        o.onStep?.({ chunk, step: stepDone, steps });
        await tick();
        o.signal?.throwIfAborted();
      },
    });
    let prev: Frames | undefined;
    for await (const c of chunks) {
      if (prev) yield await voc.push(prev, false);
      prev = c;
    }
    if (prev) yield await voc.push(prev, true);
  }
}

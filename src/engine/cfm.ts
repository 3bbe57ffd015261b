// The v3/v4 flow-matching decode as upstream runs it (TTS_infer_pack/TTS.py using_vocoder_synthesis,
// module/models.py CFM.inference), with the networks injected so the same code drives ORT sessions
// in the worker and in tests:
//   - the prompt: the reference mel (normalised) and decode_encp of the prompt codes, both cut to
//     the shorter of the two, then to their last T_ref frames;
//   - the target condition in chunks of T_chunk − T_min frames, each decoded after the prompt
//     (x = noise, prompt frames 0; n Euler steps x += v/n at t = 0, 1/n, ...), then the next chunk's
//     prompt is this chunk's last T_min mel frames and condition frames;
//   - the mel denormalised and vocoded. Upstream vocodes the whole mel at once; here it is vocoded
//     as chunks arrive, each piece with `margin` frames of context on both sides (the vocoder is a
//     stack of convolutions, so that gives the same samples) so audio streams out.
// Pure: no ORT, no DOM.

/** Mel normalisation of TTS.py (spec_min −12, spec_max 2). */
export const SPEC_MIN = -12;
export const SPEC_MAX = 2;
export const normSpec = (x: number) => ((x - SPEC_MIN) / (SPEC_MAX - SPEC_MIN)) * 2 - 1;
export const denormSpec = (x: number) => ((x + 1) / 2) * (SPEC_MAX - SPEC_MIN) + SPEC_MIN;

/** A [rows, frames] row-major matrix (channels × time). */
export interface Frames {
  data: Float32Array;
  rows: number;
  frames: number;
}

export function frames(data: Float32Array, rows: number): Frames {
  if (data.length % rows) throw new Error(`${data.length} values are not ${rows} rows`);
  return { data, rows, frames: data.length / rows };
}

/** Columns [from, to) (clamped) of a [rows, frames] matrix. */
export function sliceFrames(m: Frames, from: number, to: number): Frames {
  const a = Math.max(0, Math.min(m.frames, from));
  const b = Math.max(a, Math.min(m.frames, to));
  const n = b - a;
  const out = new Float32Array(m.rows * n);
  for (let r = 0; r < m.rows; r++) out.set(m.data.subarray(r * m.frames + a, r * m.frames + b), r * n);
  return { data: out, rows: m.rows, frames: n };
}

/** The last `n` columns (all of them when there are fewer), as torch's x[..., -n:]. */
export const lastFrames = (m: Frames, n: number) => sliceFrames(m, m.frames - n, m.frames);

/** Columns of several matrices with the same rows, one after another. */
export function concatFrames(parts: Frames[]): Frames {
  const rows = parts[0].rows;
  const total = parts.reduce((s, p) => s + p.frames, 0);
  const out = new Float32Array(rows * total);
  for (let r = 0; r < rows; r++) {
    let at = 0;
    for (const p of parts) {
      out.set(p.data.subarray(r * p.frames, (r + 1) * p.frames), r * total + at);
      at += p.frames;
    }
  }
  return { data: out, rows, frames: total };
}

/** The prompt of the CFM: reference mel (already normalised) and prompt condition cut as upstream does. */
export function cfmPrompt(refMel: Frames, feaRef: Frames, tRef: number): { mel: Frames; fea: Frames; tMin: number } {
  let tMin = Math.min(refMel.frames, feaRef.frames);
  let mel = sliceFrames(refMel, 0, tMin);
  let fea = sliceFrames(feaRef, 0, tMin);
  if (tMin > tRef) {
    mel = lastFrames(mel, tRef);
    fea = lastFrames(fea, tRef);
    tMin = tRef;
  }
  return { mel, fea, tMin };
}

export interface CFMStepFeeds {
  x: Frames;
  prompt: Frames;
  mu: Frames;
  t: number;
  d: number;
  promptLen: number;
}

export interface CFMRun {
  /** One Euler step: returns x_next [mel, T] (frames [0, promptLen) zeroed). */
  step(feeds: CFMStepFeeds): Promise<Float32Array>;
  /** Standard normal noise [mel, T] for chunk `index` (upstream draws torch.randn per chunk). */
  noise(index: number, rows: number, frames: number): Float32Array;
  steps: number;
  tChunk: number;
  /** Called after each step (chunk, step, steps); a throw (e.g. cancellation) stops the run. */
  onStep?(chunk: number, step: number, steps: number): void | Promise<void>;
}

/**
 * CFM chunks of the target condition `feaTodo` after the prompt: yields each chunk's normalised mel
 * [mel, frames] as soon as its last step is done.
 */
export async function* cfmChunks(prompt: { mel: Frames; fea: Frames; tMin: number }, feaTodo: Frames, run: CFMRun): AsyncGenerator<Frames> {
  const chunkLen = run.tChunk - prompt.tMin;
  if (chunkLen <= 0) throw new Error(`T_chunk ${run.tChunk} leaves no room after a ${prompt.tMin}-frame prompt`);
  let promptMel = prompt.mel;
  let feaRef = prompt.fea;
  const d = 1 / run.steps;
  for (let idx = 0, chunk = 0; idx < feaTodo.frames; idx += chunkLen, chunk++) {
    const part = sliceFrames(feaTodo, idx, idx + chunkLen);
    const mu = concatFrames([feaRef, part]);
    const total = mu.frames;
    const p = promptMel.frames;
    const rows = promptMel.rows;
    const promptX = new Float32Array(rows * total);
    for (let r = 0; r < rows; r++) promptX.set(promptMel.data.subarray(r * p, (r + 1) * p), r * total);
    let x = run.noise(chunk, rows, total);
    if (x.length !== rows * total) throw new Error(`noise for chunk ${chunk}: ${x.length} values, need ${rows * total}`);
    x = Float32Array.from(x);
    for (let r = 0; r < rows; r++) x.fill(0, r * total, r * total + p);
    let t = 0;
    for (let j = 0; j < run.steps; j++) {
      x = await run.step({ x: { data: x, rows, frames: total }, prompt: { data: promptX, rows, frames: total }, mu, t, d, promptLen: p });
      t += d;
      await run.onStep?.(chunk, j + 1, run.steps);
    }
    const res = sliceFrames({ data: x, rows, frames: total }, p, total);
    promptMel = lastFrames(res, prompt.tMin);
    feaRef = lastFrames(part, prompt.tMin);
    yield res;
  }
}

/**
 * Vocodes a mel that arrives in pieces: after each `push`, the samples that are final (their
 * frames have `margin` frames of context on both sides, or the mel has ended) come out.
 * `vocode` maps a denormalised mel [bins, F] to F·hop samples.
 */
export class StreamingVocoder {
  private mel: Frames | undefined;
  private emitted = 0;
  constructor(
    private readonly vocode: (mel: Frames) => Promise<Float32Array>,
    readonly hop: number,
    readonly margin = 16,
  ) {}

  /** Adds normalised CFM output; returns the audio that is now final (maybe empty). */
  async push(normalised: Frames, last: boolean): Promise<Float32Array> {
    const mel = { ...normalised, data: normalised.data.map(denormSpec) };
    this.mel = this.mel ? concatFrames([this.mel, mel]) : mel;
    const end = last ? this.mel.frames : this.mel.frames - this.margin;
    if (end <= this.emitted) return new Float32Array(0);
    const from = Math.max(0, this.emitted - this.margin);
    const to = Math.min(this.mel.frames, end + (last ? 0 : this.margin));
    const audio = await this.vocode(sliceFrames(this.mel, from, to));
    const out = audio.slice((this.emitted - from) * this.hop, (end - from) * this.hop);
    this.emitted = end;
    // Keep only what later pieces need as left context.
    const keep = Math.max(0, this.emitted - this.margin);
    if (keep > 0) {
      this.mel = sliceFrames(this.mel, keep, this.mel.frames);
      this.emitted -= keep;
    }
    return out;
  }
}

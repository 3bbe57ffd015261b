// Turns chunk-wise SoVITS decodes into one gap-free stream. Each chunk is decoded with its
// `overlap` preceding tokens; the last overlap of every emitted chunk is held back and
// cross-faded (Hann) with the next chunk's head, as upstream's streaming mode does, so the
// concatenated output has exactly samplesPerToken samples per token.

export interface StreamPlan {
  /** Tokens per chunk once streaming is under way (upstream: 16). */
  minChunk: number;
  /** Tokens of overlap between neighbouring chunks (upstream: 2). */
  overlap: number;
  /**
   * Tokens in the first chunk (default: minChunk, as upstream). A smaller one brings the first
   * audio forward; later chunks double from it up to minChunk (fewer, larger SoVITS calls cost less
   * in all: each call has a fixed share, the text encoder over every phone).
   */
  firstChunk?: number;
}

/** Upstream's streaming: 16-token chunks with 2 tokens of overlap. */
export const UPSTREAM_STREAM: StreamPlan = { minChunk: 16, overlap: 2 };
/**
 * Mynah's default: upstream's chunks and overlap, but the first audio leaves after 4 tokens
 * (then chunks of 8, 16, 16, ...). The noise is drawn per frame (synthesize.ts), so the chunking
 * changes only where the cross-fades fall, not the noise each frame sees.
 */
export const DEFAULT_STREAM: StreamPlan = { firstChunk: 4, minChunk: 16, overlap: 2 };

/** Tokens in chunk `index` (0-based) of `plan`. */
export function chunkTokens(plan: StreamPlan, index: number): number {
  const first = plan.firstChunk ?? plan.minChunk;
  return Math.min(plan.minChunk, first * 2 ** Math.min(index, 30));
}

export class StreamAssembler {
  private tail?: Float32Array;
  private readonly overlapSamples: number;
  private readonly fadeIn: Float32Array;

  constructor(overlapSamples: number) {
    this.overlapSamples = overlapSamples;
    // Rising half of a Hann window of 2·overlap; the falling half is its mirror.
    this.fadeIn = Float32Array.from({ length: overlapSamples }, (_, i) => 0.5 - 0.5 * Math.cos((Math.PI * i) / overlapSamples));
  }

  /**
   * `audio` covers this chunk's tokens plus, for every chunk but the first, the `overlap` tokens
   * before them. Returns the samples that are final now.
   */
  push(audio: Float32Array, isFinal: boolean): Float32Array {
    const ov = this.overlapSamples;
    let body = audio;
    let head = new Float32Array(0);
    if (this.tail) {
      const n = Math.min(ov, audio.length, this.tail.length);
      head = new Float32Array(n);
      for (let i = 0; i < n; i++) head[i] = audio[i] * this.fadeIn[i] + this.tail[i] * (1 - this.fadeIn[i]);
      body = audio.subarray(n);
    }
    let emitEnd = body.length;
    if (!isFinal) {
      emitEnd = Math.max(0, body.length - ov);
      this.tail = body.slice(emitEnd);
    } else {
      this.tail = undefined;
    }
    const out = new Float32Array(head.length + emitEnd);
    out.set(head);
    out.set(body.subarray(0, emitEnd), head.length);
    return out;
  }
}

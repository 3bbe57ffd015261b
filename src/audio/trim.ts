// Energy-based analysis on short frames: silence trimming at both ends and the checks for empty
// or silent audio. Pure (no DOM).
import { MynahError } from '../errors';

export interface FrameEnergy {
  /** Frame hop in samples; frame i starts at i·hop. */
  hop: number;
  /** Frame length in samples. */
  size: number;
  /** Mean-square energy of each frame in dBFS (a full-scale sine ≈ −3 dB). */
  db: Float64Array;
}

/** Frame energies with 25 ms frames every 10 ms (the last frame may be shorter). */
export function frameEnergy(x: Float32Array, sampleRate: number, frameSec = 0.025, hopSec = 0.01): FrameEnergy {
  const size = Math.max(1, Math.round(frameSec * sampleRate));
  const hop = Math.max(1, Math.round(hopSec * sampleRate));
  const count = x.length === 0 ? 0 : Math.ceil(x.length / hop);
  // Prefix sums of squares make every frame O(1).
  const cum = new Float64Array(x.length + 1);
  for (let i = 0; i < x.length; i++) cum[i + 1] = cum[i] + x[i] * x[i];
  const db = new Float64Array(count);
  for (let f = 0; f < count; f++) {
    const a = f * hop;
    const b = Math.min(x.length, a + size);
    db[f] = 10 * Math.log10((cum[b] - cum[a]) / (b - a) + 1e-12);
  }
  return { hop, size, db };
}

/** Loudest frames below this (dBFS, mean square) count as silence: the whole input is silent. */
export const SILENCE_DB = -60;

/** Throws AUDIO_EMPTY for no samples and AUDIO_SILENT when no 25 ms frame reaches −60 dBFS. */
export function assertAudible(x: Float32Array, sampleRate: number): void {
  if (x.length === 0) throw new MynahError('AUDIO_EMPTY', 'The audio contains no samples. Record again or choose a file that contains speech.');
  for (let i = 0; i < x.length; i++)
    if (!Number.isFinite(x[i])) throw new MynahError('AUDIO_CORRUPT', 'The audio contains invalid samples (NaN or infinity). Export the file again or choose another one.');
  const { db } = frameEnergy(x, sampleRate);
  let loudest = -Infinity;
  for (const d of db) loudest = Math.max(loudest, d);
  if (loudest < SILENCE_DB)
    throw new MynahError(
      'AUDIO_SILENT',
      `The audio is silent (loudest part ${loudest.toFixed(0)} dBFS). Check that the right microphone is selected and not muted, or choose another file.`,
    );
}

export interface TrimOptions {
  /** Frames quieter than the loudest frame by more than this many dB are silence (default 40). */
  relativeDb?: number;
  /** Frames below this absolute level (dBFS) are silence (default −55). */
  floorDb?: number;
  /** Silence kept before the first and after the last sound frame, seconds (default 0.1). */
  padSec?: number;
}

export interface TrimResult {
  /** Kept range [start, end) in samples of the input. */
  start: number;
  end: number;
  audio: Float32Array;
}

/** Cuts leading and trailing silence. Returns the input range unchanged if nothing is loud. */
export function trimSilence(x: Float32Array, sampleRate: number, opts: TrimOptions = {}): TrimResult {
  const relativeDb = opts.relativeDb ?? 40;
  const floorDb = opts.floorDb ?? -55;
  const pad = Math.round((opts.padSec ?? 0.1) * sampleRate);
  const e = frameEnergy(x, sampleRate);
  let loudest = -Infinity;
  for (const d of e.db) loudest = Math.max(loudest, d);
  const threshold = Math.max(loudest - relativeDb, floorDb);
  let first = -1;
  let last = -1;
  for (let f = 0; f < e.db.length; f++) {
    if (e.db[f] > threshold) {
      if (first < 0) first = f;
      last = f;
    }
  }
  if (first < 0) return { start: 0, end: x.length, audio: x.slice() };
  const start = Math.max(0, first * e.hop - pad);
  const end = Math.min(x.length, last * e.hop + e.size + pad);
  return { start, end, audio: x.slice(start, end) };
}

// The whole reference pipeline on decoded or recorded audio, producing both model inputs:
// mono → checks (empty / silent / too long) → trim silence → best 3–10 s window → loudness
// normalization → 16 kHz (HuBERT, + upstream's 9,600 zeros) and 32 kHz (SoVITS reference
// spectrogram). Pure (no DOM): run it in a worker for long recordings.
import { MynahError } from '../errors';
import { hubertInput } from './hubert-input';
import { normalizeLoudness, type LoudnessOptions } from './loudness';
import { downmix, type PcmAudio } from './pcm';
import { HUBERT_RATE, resample, SOVITS_RATE } from './resample';
import { referenceSpectrogram, type Spectrogram, type SpectrogramOptions } from './spectrogram';
import { assertAudible, trimSilence, type TrimOptions } from './trim';
import { pickReferenceWindow, type ReferenceWindow, type WindowOptions } from './window';

/** Longest source accepted for automatic window picking, seconds. */
export const MAX_SOURCE_SECONDS = 60;

export interface PrepareOptions {
  trim?: TrimOptions;
  window?: WindowOptions;
  loudness?: LoudnessOptions | false;
  spectrogram?: SpectrogramOptions;
  maxSourceSec?: number;
}

export interface PreparedReference {
  /** The chosen, normalized reference at 16 kHz, unpadded (48,000–160,000 samples). */
  wav16k: Float32Array;
  /** HuBERT input: wav16k followed by 9,600 zeros. Model shape [1, length]. */
  hubertInput: Float32Array;
  /** The same reference at 32 kHz. */
  wav32k: Float32Array;
  /** SoVITS reference spectrogram, row-major [1025, frames]. Model shape [1, 1025, frames]. */
  spectrogram: Spectrogram;
  window: ReferenceWindow;
  /** Trimmed range [start, end) in source samples, before the window was picked inside it. */
  trimmed: { start: number; end: number };
  loudness?: { inputLufs: number; outputLufs: number; gainDb: number; peakLimited: boolean };
  sourceRate: number;
  sourceSeconds: number;
}

export function prepareReference(audio: PcmAudio, opts: PrepareOptions = {}): PreparedReference {
  const sr = audio.sampleRate;
  const mono = downmix(audio.channels);
  assertAudible(mono, sr);
  const maxSec = opts.maxSourceSec ?? MAX_SOURCE_SECONDS;
  const sourceSeconds = mono.length / sr;
  if (sourceSeconds > maxSec + 0.5)
    throw new MynahError(
      'AUDIO_TOO_LONG',
      `The audio is ${sourceSeconds.toFixed(0)} s long; use at most ${maxSec} s (a 3–10 s stretch is picked from it). Cut the file shorter or record again.`,
    );
  const trimmed = trimSilence(mono, sr, opts.trim);
  const window = pickReferenceWindow(trimmed.audio, sr, opts.window);
  window.start += trimmed.start;
  window.end += trimmed.start;
  let ref: Float32Array = mono.slice(window.start, window.end);
  let loudness: PreparedReference['loudness'];
  if (opts.loudness !== false) {
    const r = normalizeLoudness(ref, sr, opts.loudness || {});
    ref = r.audio;
    loudness = { inputLufs: r.inputLufs, outputLufs: r.outputLufs, gainDb: r.gainDb, peakLimited: r.peakLimited };
  }
  const wav16k = resample(ref, sr, HUBERT_RATE);
  const wav32k = resample(ref, sr, SOVITS_RATE);
  return {
    wav16k,
    hubertInput: hubertInput(wav16k),
    wav32k,
    spectrogram: referenceSpectrogram(wav32k, opts.spectrogram),
    window,
    trimmed: { start: trimmed.start, end: trimmed.end },
    loudness,
    sourceRate: sr,
    sourceSeconds,
  };
}

// HuBERT's input as upstream builds it for the semantic prompt: the 16 kHz reference must hold
// 48,000–160,000 samples (3–10 s; checked before padding), then 9,600 zeros are appended —
// int(32000 × 0.3), i.e. the SoVITS rate times 0.3 applied to 16 kHz audio: 0.6 s, not 0.3 s.
// Raw waveform: no mean/variance normalization. Pure (no DOM).
import { MynahError } from '../errors';

export const HUBERT_MIN_SAMPLES = 48_000;
export const HUBERT_MAX_SAMPLES = 160_000;
export const HUBERT_ZERO_PAD = 9_600;

/** Throws REF_TOO_SHORT / REF_TOO_LONG unless 48,000 ≤ length ≤ 160,000 (16 kHz samples). */
export function checkReferenceLength(x16k: ArrayLike<number>): void {
  const n = x16k.length;
  const secs = (n / 16000).toFixed(2);
  if (n < HUBERT_MIN_SAMPLES)
    throw new MynahError('REF_TOO_SHORT', `The reference is ${secs} s long; it needs 3–10 s of speech. Record or choose a longer clip.`);
  if (n > HUBERT_MAX_SAMPLES)
    throw new MynahError('REF_TOO_LONG', `The reference is ${secs} s long; it must be 3–10 s. Pick a shorter part of the recording.`);
}

/** The 16 kHz reference plus upstream's 9,600 trailing zeros: shape [1, N + 9600] for the model. */
export function hubertInput(x16k: Float32Array): Float32Array {
  checkReferenceLength(x16k);
  const out = new Float32Array(x16k.length + HUBERT_ZERO_PAD);
  out.set(x16k);
  return out;
}

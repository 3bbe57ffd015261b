// "Was this made by Mynah?": reads an audio file (or PCM) and looks for the watermark every
// synthesis carries. Runs where it is called (the page's main thread in the Studio; Node in
// tests): it needs no engine, no model and no network.
import { decodeAudioFile } from '../audio/decode';
import { downmix, type PcmAudio } from '../audio/pcm';
import { MynahError } from '../errors';
import { checkAudio, checkWatermarkInput } from '../validate';
import { DEFAULT_WATERMARK_KEY, detectWatermark as detectMark, parseWatermarkPayload, SCORE_ALONE, SCORE_WITH_CRC } from './watermark';

/** Longest stretch examined by default: the mark repeats every 2.3 s, so 2 min is ample evidence (≈ 0.9 s of work). */
export const CHECK_MAX_SECONDS = 120;
/** Less usable audio than this gives the detector too little to go on (the mark's period is 2.3 s). */
export const CHECK_MIN_USABLE_SECONDS = 2.3;

export interface WatermarkCheck {
  /** The mark of this key is present (the detector's rule: see detectWatermark in watermark.ts). */
  found: boolean;
  /** Detection score: ≈ N(0, 1) without the mark; SCORE_ALONE alone or SCORE_WITH_CRC with a readable payload means found. */
  score: number;
  /** Gaussian estimate of the chance that unmarked audio scores this high. */
  falseAlarm: number;
  /** From the payload, when it could be read: first 2 bytes of SHA-256(voice id), hex (see voiceIdHash). */
  voiceHash?: string;
  /** From the payload: the UTC day the audio was made, YYYY-MM-DD. */
  day?: string;
  /** Seconds of audio examined, and how many of them had sound the detector could use. */
  checkedSec: number;
  usableSec: number;
  /** Too little usable audio to conclude anything from a miss. */
  tooShort: boolean;
  /** The file was silent: nothing to check. */
  silent: boolean;
}

export interface CheckOptions {
  /** The watermark key; the operator's own if the engine was created with one. */
  key?: string;
  /** Only the first this many seconds are examined (the mark repeats; this bounds the work). */
  maxSeconds?: number;
}

export const CHECK_THRESHOLDS = { alone: SCORE_ALONE, withPayload: SCORE_WITH_CRC } as const;

/**
 * Looks for Mynah's watermark in an audio file (WAV is read directly, other formats through the
 * browser's decoder) or in decoded PCM. A miss does not prove the audio is not synthetic: strong
 * noise, low-bit-rate codecs and short excerpts can hide the mark (docs/watermark-robustness.md).
 */
export async function detectWatermark(audio: Blob | ArrayBuffer | Uint8Array | PcmAudio, options: CheckOptions = {}): Promise<WatermarkCheck> {
  checkWatermarkInput(audio, options);
  const key = options?.key ?? DEFAULT_WATERMARK_KEY;
  const maxSeconds = options?.maxSeconds ?? CHECK_MAX_SECONDS;
  let pcm: PcmAudio;
  try {
    pcm = 'channels' in audio ? audio : await decodeAudioFile(audio);
  } catch (e) {
    if (e instanceof MynahError && e.code === 'AUDIO_SILENT') return { found: false, score: 0, falseAlarm: 1, checkedSec: 0, usableSec: 0, tooShort: true, silent: true };
    throw e;
  }
  if (!(pcm.sampleRate >= 8000)) throw new MynahError('AUDIO_RATE', `This file is sampled at ${pcm.sampleRate} Hz, too low to carry the watermark. Check the original file instead.`);
  checkAudio(pcm, 'The audio to check');
  const mono = downmix(pcm.channels).subarray(0, Math.ceil(maxSeconds * pcm.sampleRate));
  const d = detectMark(mono, pcm.sampleRate, key);
  const read = d.present && d.payload ? parseWatermarkPayload(d.payload) : undefined;
  return {
    found: d.present,
    score: d.score,
    falseAlarm: d.falseAlarm,
    ...(read ? { voiceHash: read.voiceHash, day: read.day.toISOString().slice(0, 10) } : {}),
    checkedSec: mono.length / pcm.sampleRate,
    usableSec: d.usableSec,
    tooShort: d.usableSec < CHECK_MIN_USABLE_SECONDS,
    silent: false,
  };
}

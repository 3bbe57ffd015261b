// Importing an audio file: WAV is parsed directly (lossless, at its own rate); MP3, OGG, FLAC,
// M4A and the rest go through the browser's decodeAudioData, run at the file's own sample rate
// when its header tells it. Corrupt, empty and silent files are rejected with MynahErrors
// (AUDIO_CORRUPT, AUDIO_EMPTY, AUDIO_SILENT). Browser only (decodeAudioData needs a window).
import { MynahError } from '../errors';
import { downmix, type PcmAudio } from './pcm';
import { sniffAudio } from './sniff';
import { assertAudible } from './trim';
import { parseWav } from './wav';
import { checkAudio, MIN_SAMPLE_RATE } from '../validate';

export const DEFAULT_DECODE_RATE = 48000;

async function toBytes(input: Blob | ArrayBuffer | Uint8Array): Promise<Uint8Array> {
  if (input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  return new Uint8Array(await input.arrayBuffer());
}

const corrupt = () =>
  new MynahError('AUDIO_CORRUPT', "This file can't be read as audio (damaged or in an unsupported format). Use a WAV, MP3, OGG, FLAC or M4A file.");

/** Decodes a file to float PCM (all channels, original rate where possible) and checks it has sound. */
export async function decodeAudioFile(input: Blob | ArrayBuffer | Uint8Array): Promise<PcmAudio> {
  const bytes = await toBytes(input);
  if (bytes.length === 0) throw new MynahError('AUDIO_EMPTY', 'The file is empty. Choose a recording that contains speech.');
  const sniff = sniffAudio(bytes);
  let audio: PcmAudio | undefined;
  if (sniff.format === 'wav') {
    try {
      audio = parseWav(bytes);
    } catch (e) {
      // Encodings we do not parse (ADPCM, µ-law, …) may still be decodable by the browser.
      if (!(e instanceof MynahError) || e.code !== 'AUDIO_CORRUPT') throw e;
    }
  }
  if (!audio) {
    // A header's rate is only a hint: an absurd one (0, 1 Hz, 10 GHz) must not reach the context.
    const hinted = sniff.sampleRate;
    const rate = hinted !== undefined && hinted >= MIN_SAMPLE_RATE && hinted <= 96000 ? hinted : DEFAULT_DECODE_RATE;
    if (typeof OfflineAudioContext === 'undefined') {
      throw new MynahError('AUDIO_UNSUPPORTED', 'Only WAV files can be read here (this environment has no audio decoder). Convert the file to WAV, or open it in a browser.');
    }
    let buf: AudioBuffer;
    try {
      const ctx = new OfflineAudioContext(1, 1, rate);
      // decodeAudioData detaches the buffer it gets: hand it a copy.
      buf = await ctx.decodeAudioData(bytes.slice().buffer);
    } catch {
      throw corrupt();
    }
    if (buf.length === 0) throw new MynahError('AUDIO_EMPTY', 'The file contains no audio. Choose a recording that contains speech.');
    audio = { sampleRate: buf.sampleRate, channels: Array.from({ length: buf.numberOfChannels }, (_, c) => buf.getChannelData(c).slice()) };
  }
  // The decoded result crosses the same boundary as PCM handed in (rate, length, finite samples).
  checkAudio(audio, 'The decoded file');
  assertAudible(downmix(audio.channels), audio.sampleRate);
  return audio;
}

// RIFF/WAVE encoding (16-bit PCM or 32-bit float) and parsing (PCM 8/16/24/32-bit, float 32/64,
// WAVE_FORMAT_EXTENSIBLE). Pure: no DOM.
import { MynahError } from '../errors';
import type { PcmAudio } from './pcm';

export type WavFormat = 'pcm16' | 'float32';

const PCM = 1;
const FLOAT = 3;
const EXTENSIBLE = 0xfffe;

/** Encodes interleaved WAV bytes. Accepts one mono array or one array per channel. */
export function encodeWav(audio: Float32Array | readonly Float32Array[], sampleRate: number, format: WavFormat = 'pcm16'): Uint8Array {
  const channels = audio instanceof Float32Array ? [audio] : audio;
  const nch = channels.length;
  if (nch === 0) throw new RangeError('encodeWav needs at least one channel');
  const frames = Math.min(...channels.map((c) => c.length));
  const bytesPerSample = format === 'pcm16' ? 2 : 4;
  const dataBytes = frames * nch * bytesPerSample;
  const buf = new ArrayBuffer(44 + dataBytes);
  const v = new DataView(buf);
  const tag = (at: number, s: string) => {
    for (let i = 0; i < 4; i++) v.setUint8(at + i, s.charCodeAt(i));
  };
  tag(0, 'RIFF');
  v.setUint32(4, 36 + dataBytes, true);
  tag(8, 'WAVE');
  tag(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, format === 'pcm16' ? PCM : FLOAT, true);
  v.setUint16(22, nch, true);
  v.setUint32(24, sampleRate, true);
  v.setUint32(28, sampleRate * nch * bytesPerSample, true);
  v.setUint16(32, nch * bytesPerSample, true);
  v.setUint16(34, bytesPerSample * 8, true);
  tag(36, 'data');
  v.setUint32(40, dataBytes, true);
  let at = 44;
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < nch; c++) {
      const s = channels[c][i];
      if (format === 'pcm16') {
        // Same scale as the parser (÷32768) so a round trip is exact to half a step; +1 clamps to 32767.
        const q = Math.max(-32768, Math.min(32767, Math.round(s * 32768)));
        v.setInt16(at, q, true);
        at += 2;
      } else {
        v.setFloat32(at, s, true);
        at += 4;
      }
    }
  }
  return new Uint8Array(buf);
}

export function isWav(bytes: Uint8Array): boolean {
  return bytes.length >= 12 && ascii(bytes, 0) === 'RIFF' && ascii(bytes, 8) === 'WAVE';
}

function ascii(b: Uint8Array, at: number): string {
  return String.fromCharCode(b[at], b[at + 1], b[at + 2], b[at + 3]);
}

const corrupt = (why: string) =>
  new MynahError('AUDIO_CORRUPT', `This WAV file can't be read (${why}). Export it again as 16-bit PCM WAV, or use MP3, OGG, FLAC or M4A.`);

/** Parses a WAV file into float channels in [-1, 1]. Throws MynahError AUDIO_CORRUPT / AUDIO_EMPTY. */
export function parseWav(input: Uint8Array | ArrayBuffer): PcmAudio {
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  if (bytes.length === 0) throw new MynahError('AUDIO_EMPTY', 'The file is empty. Choose a recording that contains speech.');
  if (!isWav(bytes)) throw corrupt('no RIFF/WAVE header');
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let fmt: { format: number; channels: number; rate: number; bits: number; align: number } | undefined;
  let data: { at: number; size: number } | undefined;
  let at = 12;
  while (at + 8 <= bytes.length) {
    const id = ascii(bytes, at);
    let size = v.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > bytes.length) throw corrupt('short fmt chunk');
      let format = v.getUint16(body, true);
      if (format === EXTENSIBLE && size >= 40) format = v.getUint16(body + 24, true); // sub-format GUID's first two bytes
      fmt = { format, channels: v.getUint16(body + 2, true), rate: v.getUint32(body + 4, true), align: v.getUint16(body + 12, true), bits: v.getUint16(body + 14, true) };
    } else if (id === 'data') {
      // Streamed WAVs sometimes carry 0 or 0xFFFFFFFF as the size: take what is there.
      if (size === 0xffffffff || body + size > bytes.length) size = bytes.length - body;
      if (size === 0 && bytes.length > body) size = bytes.length - body;
      data = { at: body, size };
      break;
    }
    at = body + size + (size & 1);
  }
  if (!fmt) throw corrupt('no fmt chunk');
  if (!data) throw corrupt('no data chunk');
  const { format, channels: nch, rate, bits } = fmt;
  if (nch < 1 || nch > 64 || rate < 1) throw corrupt(`${nch} channels at ${rate} Hz`);
  const bps = bits / 8;
  const supported = (format === PCM && [8, 16, 24, 32].includes(bits)) || (format === FLOAT && (bits === 32 || bits === 64));
  if (!supported) throw corrupt(`unsupported encoding: format ${format}, ${bits} bits`);
  const frameBytes = bps * nch;
  const frames = Math.floor(data.size / frameBytes);
  if (frames === 0) throw new MynahError('AUDIO_EMPTY', 'The WAV file contains no audio samples. Choose a recording that contains speech.');
  const out = Array.from({ length: nch }, () => new Float32Array(frames));
  let p = data.at;
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < nch; c++) {
      let s: number;
      if (format === FLOAT) s = bits === 32 ? v.getFloat32(p, true) : v.getFloat64(p, true);
      else if (bits === 8) s = (v.getUint8(p) - 128) / 128;
      else if (bits === 16) s = v.getInt16(p, true) / 32768;
      else if (bits === 24) s = (((v.getUint8(p + 2) << 24) | (v.getUint8(p + 1) << 16) | (v.getUint8(p) << 8)) >> 8) / 8388608;
      else s = v.getInt32(p, true) / 2147483648;
      out[c][i] = s;
      p += bps;
    }
  }
  return { sampleRate: rate, channels: out };
}

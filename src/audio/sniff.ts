// Reads the sample rate from the headers of common compressed formats, so decodeAudioData can
// decode at the file's own rate (no hidden resampling). Pure; returns undefined when unsure.

const ascii = (b: Uint8Array, at: number, n: number) => String.fromCharCode(...b.subarray(at, at + n));
const sane = (r: number) => (r >= 8000 && r <= 192000 ? r : undefined);

function indexOf(b: Uint8Array, tag: string, from = 0, limit = b.length): number {
  const c = [...tag].map((ch) => ch.charCodeAt(0));
  outer: for (let i = from; i + c.length <= limit; i++) {
    for (let j = 0; j < c.length; j++) if (b[i + j] !== c[j]) continue outer;
    return i;
  }
  return -1;
}

export type SniffedFormat = 'wav' | 'flac' | 'ogg-vorbis' | 'ogg-opus' | 'ogg' | 'mp3' | 'mp4' | 'unknown';

export function sniffAudio(b: Uint8Array): { format: SniffedFormat; sampleRate?: number } {
  if (b.length < 12) return { format: 'unknown' };
  if (ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WAVE') return { format: 'wav' };
  if (ascii(b, 0, 4) === 'fLaC' && b.length > 21) {
    // STREAMINFO: 20-bit sample rate after min/max block (2+2) and min/max frame (3+3) sizes.
    return { format: 'flac', sampleRate: sane((b[18] << 12) | (b[19] << 4) | (b[20] >> 4)) };
  }
  if (ascii(b, 0, 4) === 'OggS' && b.length > 28) {
    const packet = 27 + b[26];
    if (ascii(b, packet, 7) === '\x01vorbis' && b.length > packet + 16) {
      const v = new DataView(b.buffer, b.byteOffset + packet + 12, 4);
      return { format: 'ogg-vorbis', sampleRate: sane(v.getUint32(0, true)) };
    }
    if (ascii(b, packet, 8) === 'OpusHead') return { format: 'ogg-opus', sampleRate: 48000 };
    return { format: 'ogg' };
  }
  if (ascii(b, 4, 4) === 'ftyp') {
    const i = indexOf(b, 'mp4a');
    if (i >= 0 && b.length > i + 30) return { format: 'mp4', sampleRate: sane((b[i + 28] << 8) | b[i + 29]) };
    return { format: 'mp4' };
  }
  let at = 0;
  if (ascii(b, 0, 3) === 'ID3' && b.length > 10) at = 10 + ((b[6] << 21) | (b[7] << 14) | (b[8] << 7) | b[9]);
  for (let i = at; i + 4 <= Math.min(b.length, at + 8192); i++) {
    if (b[i] !== 0xff || (b[i + 1] & 0xe0) !== 0xe0) continue;
    const version = (b[i + 1] >> 3) & 3; // 3: MPEG1, 2: MPEG2, 0: MPEG2.5
    const layer = (b[i + 1] >> 1) & 3;
    const rateIdx = (b[i + 2] >> 2) & 3;
    const bitrateIdx = b[i + 2] >> 4;
    if (version === 1 || layer === 0 || rateIdx === 3 || bitrateIdx === 15 || bitrateIdx === 0) continue;
    const base = [44100, 48000, 32000][rateIdx];
    return { format: 'mp3', sampleRate: version === 3 ? base : version === 2 ? base / 2 : base / 4 };
  }
  return { format: 'unknown' };
}

// Keyed audio watermark for synthesized speech, shaped by the audio it marks.
//
// Scheme (all at 32 kHz; other rates are resampled):
// - Time is cut into pairs of 16 ms slots (2 × 512 samples). The 625–3625 Hz band is split into
//   8 tiles of 375 Hz. In an STFT (sqrt-Hann 256/128, perfect reconstruction) each tile gets a
//   gain of +Δ dB in the first slot of a pair and −Δ dB in the second, Δ = a·d·c: c = ±1 a keyed
//   chip, d = ±1 the symbol the tile carries, a ≥ 0 the strength. Being multiplicative, the change
//   is a fixed fraction of what the tile already holds: it is masked by the host itself, it follows
//   the host's loudness, and silence stays silent. (16 ms slots with wide tiles beat 32 ms slots
//   with narrow ones: speech harmonics move less between the two slots of a pair.)
// - The detector reads each tile's level (dB) in the middle of both slots and takes the difference,
//   minus the median difference over the 8 tiles, clipped to ±2 dB (host swings are heavy-tailed). That cancels gain changes, fixed EQ/low-pass and
//   broadband loudness changes, leaving ≈ 2Δ plus the host's own slot-to-slot change.
// - Informed embedding: the embedder sees the host and runs the detector's own measurement on its
//   output, raising a per symbol (from A_MIN up to A_MAX) until the detector's sum agrees with the
//   symbol by a margin. Where the host already points the right way almost nothing is added.
// - Per pair, 2 tiles carry a known sync pattern and 2 × 3 tiles carry two coded bits. A period
//   of 72 pairs (2.3 s) holds 144 coded-bit positions: 32 payload bits + CRC-16, K=7 rate-1/2
//   convolutional code (108 bits, 36 of them sent twice), interleaved by a keyed permutation. The
//   period repeats for the whole signal, so an excerpt of about one period can be read, and longer
//   audio accumulates evidence over periods.
// - Detection searches 16 sub-pair offsets × 72 cyclic shifts. The score uses the sync tiles
//   (Σ c·z) and the data groups (|Σ c·z|, the bit being unknown), centred and scaled by their
//   exact mean and spread under random chips: ≈ N(0, 1) for audio without this key's mark,
//   whatever the audio, because the chips are independent fair signs. Payload decoding is soft
//   Viterbi + CRC-16.
//
// Streaming: WatermarkEmbedder.process(chunk) returns marked samples with a latency of at most
// WATERMARK_LATENCY samples; flush() returns the rest. Concatenating the outputs gives exactly the
// one-shot embedWatermark() result.

import { FFT } from '../audio/fft';
import { resample, resampledLength, resampleReach, resampleSpan } from '../audio/resample';
import { MynahError } from '../errors';
import { convDecode, convEncode, crc16 } from './fec';
import { KeyStream, sha256, utf8 } from './sha256';

export const WATERMARK_RATE = 32000;
/** Key of the faint keyed mark every output carries (the operator may set its own). */
export const DEFAULT_WATERMARK_KEY = 'mynah-watermark-v1';
export const WATERMARK_PAYLOAD_BYTES = 4;

const N = 256; // STFT frame
const HOP = 128; // embedding hop
const SLOT = 512; // samples per slot (4 embedding frames, 16 ms)
const PAIR = 2 * SLOT;
const DHOP = 64; // detection hop: 16 sub-pair offsets
const OFFSETS = PAIR / DHOP;
const BIN_LO = 5; // 625 Hz at 125 Hz/bin
const TILE_BINS = 3;
const TILES = 8; // up to bin 29 = 3625 Hz
const PERIOD = 72; // pairs per message period
const SYNC_TILES = 2;
const DATA_GROUPS = 2;
const DATA_TILES = 3;
const PAYLOAD_BITS = WATERMARK_PAYLOAD_BYTES * 8;
const INFO_BITS = PAYLOAD_BITS + 16;
const CODED_BITS = 2 * (INFO_BITS + 6);
const POSITIONS = DATA_GROUPS * PERIOD;
/** Detector clips each tile's difference to ±CLIP_DB so onsets do not dominate. */
const CLIP_DB = 2;
/** Levels below EPS (≈ −90 dB re a full-scale tile) are treated as silence. */
const EPS = 1e-9;
/** Tiles more than this far below the loudest tile of the file carry nothing usable. */
const FLOOR_DB = 70;
/** Tiles within NOISE_MARGIN_DB of their NOISE_PERCENTILE level get little weight in detection. */
const NOISE_PERCENTILE = 0.15;
const NOISE_MARGIN_DB = 3;
/** Weight of a tile at its noise floor. Not lower: on steady hosts (music, noise-like output) most
 * tiles sit near their 15th percentile yet carry the mark, and weighting only the loud tiles leaves
 * the host's own onsets to decide bits (clean 12 s clips lost their payload 1 time in 10 at 0.1). */
const NOISE_WEIGHT = 0.3;

export interface WatermarkStrength {
  /** Smallest tile gain Δ, dB (always applied, so noise added later still finds the mark). */
  minDb: number;
  /** Largest tile gain Δ, dB (caps the audible cost where the host fights the symbol). */
  maxDb: number;
  /** Per-tile margin (dB) the detector's sum must reach on the clean marked signal. */
  marginDb: number;
}

export const DEFAULT_STRENGTH: WatermarkStrength = { minDb: 0.3, maxDb: 2.5, marginDb: 1.5 };

/** process() output lags its input by at most this many samples. */
export const WATERMARK_LATENCY = PAIR + HOP;

// ---- keyed layout ----

interface Layout {
  chip: Int8Array; // [PERIOD × TILES] ±1
  group: Int8Array; // [PERIOD × TILES] 0 sync, 1..4 data groups
  coded: Int16Array; // [PERIOD × DATA_GROUPS] coded-bit index carried by (pair, data group)
}

function keyBytes(key: string | Uint8Array): Uint8Array {
  const k = typeof key === 'string' ? utf8(key) : key;
  if (k.length === 0) throw new MynahError('WATERMARK_KEY', 'The watermark key is empty. Configure a non-empty key.');
  return k;
}

const layouts = new Map<string, Layout>();

function layoutFor(key: string | Uint8Array): Layout {
  const kb = keyBytes(key);
  const seed = sha256(new Uint8Array([...utf8('mynah-watermark-v1\0'), ...kb]));
  const id = Array.from(seed, (b) => b.toString(16).padStart(2, '0')).join('');
  const hit = layouts.get(id);
  if (hit) return hit;
  const ks = new KeyStream(seed);
  const chip = new Int8Array(PERIOD * TILES);
  const group = new Int8Array(PERIOD * TILES);
  for (let q = 0; q < PERIOD; q++) {
    const perm = ks.permutation(TILES);
    for (let i = 0; i < TILES; i++) {
      group[q * TILES + perm[i]] = i < SYNC_TILES ? 0 : 1 + Math.floor((i - SYNC_TILES) / DATA_TILES);
      chip[q * TILES + i] = ks.sign();
    }
  }
  const posPerm = ks.permutation(POSITIONS);
  const coded = new Int16Array(POSITIONS);
  for (let p = 0; p < POSITIONS; p++) coded[p] = posPerm[p] % CODED_BITS;
  const l = { chip, group, coded };
  if (layouts.size > 16) layouts.clear();
  layouts.set(id, l);
  return l;
}

function payloadBits(payload: Uint8Array): Uint8Array {
  if (payload.length !== WATERMARK_PAYLOAD_BYTES) {
    throw new RangeError(`watermark payload must be ${WATERMARK_PAYLOAD_BYTES} bytes, got ${payload.length}`);
  }
  const bits = new Uint8Array(INFO_BITS);
  for (let i = 0; i < PAYLOAD_BITS; i++) bits[i] = (payload[i >> 3] >> (7 - (i & 7))) & 1;
  const crc = crc16(bits.subarray(0, PAYLOAD_BITS));
  for (let i = 0; i < 16; i++) bits[PAYLOAD_BITS + i] = (crc >> (15 - i)) & 1;
  return convEncode(bits);
}

// ---- the measurement both sides share ----

const sqrtHann = Float64Array.from({ length: N }, (_, i) => Math.sqrt(0.5 - 0.5 * Math.cos((2 * Math.PI * i) / N)));
const hann = Float64Array.from({ length: N }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / N));

class TileAnalyzer {
  private readonly fft = new FFT(N);
  private readonly re = new Float64Array(N);
  private readonly im = new Float64Array(N);

  /** Adds the tile powers of the Hann frame centred at `centre` into `acc`. */
  frame(read: (abs: number) => number, centre: number, acc: Float64Array, at = 0): void {
    const { re, im } = this;
    const start = centre - N / 2;
    for (let i = 0; i < N; i++) {
      re[i] = read(start + i) * hann[i];
      im[i] = 0;
    }
    this.fft.transform(re, im);
    for (let t = 0; t < TILES; t++) {
      let p = 0;
      for (let b = BIN_LO + t * TILE_BINS, e = b + TILE_BINS; b < e; b++) p += re[b] * re[b] + im[b] * im[b];
      acc[at + t] += p;
    }
  }

  /** Tile levels (dB) of the slot starting at `slotStart`: its 3 frames centred at +128, +192, +256 (inside the slot's own frames). */
  slot(read: (abs: number) => number, slotStart: number): Float64Array {
    const acc = new Float64Array(TILES);
    for (let j = 2; j <= 4; j++) this.frame(read, slotStart + j * DHOP, acc);
    return levels(acc);
  }
}

function levels(power3: Float64Array): Float64Array {
  return power3.map((p) => 10 * Math.log10(p / 3 + EPS));
}

const clip = (z: number) => (z > CLIP_DB ? CLIP_DB : z < -CLIP_DB ? -CLIP_DB : z);

/** Per-tile statistic of a pair: clipped (first − second slot level) minus the pair's median difference. */
function pairStat(a: Float64Array, b: Float64Array, floor: number, out: Float64Array): number {
  const d = new Float64Array(TILES);
  for (let t = 0; t < TILES; t++) d[t] = a[t] - b[t];
  const med = [...d].sort((x, y) => x - y);
  const m = (med[TILES / 2 - 1] + med[TILES / 2]) / 2;
  let used = 0;
  for (let t = 0; t < TILES; t++) {
    if (Math.max(a[t], b[t]) < floor) {
      out[t] = 0;
      continue;
    }
    out[t] = clip(d[t] - m);
    used++;
  }
  return used;
}

// ---- embedding ----

/** Growable sample buffer addressed by absolute sample index; samples outside read as 0. */
class AbsBuffer {
  base = 0;
  len = 0; // valid samples from base
  data = new Float64Array(8192);

  read = (abs: number): number => {
    const i = abs - this.base;
    return i >= 0 && i < this.len ? this.data[i] : 0;
  };

  ensure(absEnd: number): void {
    const need = absEnd - this.base;
    if (need > this.data.length) {
      const d = new Float64Array(Math.max(need, this.data.length * 2));
      d.set(this.data.subarray(0, this.len));
      this.data = d;
    }
    if (need > this.len) {
      this.data.fill(0, this.len, need);
      this.len = need;
    }
  }

  dropBefore(abs: number): void {
    const k = abs - this.base;
    if (k <= 0) return;
    if (k >= this.len) {
      this.base = abs;
      this.len = 0;
      return;
    }
    this.data.copyWithin(0, k, this.len);
    this.len -= k;
    this.base = abs;
  }
}

/** Rounds of measure-and-raise per pair in informed embedding. */
const ROUNDS = 4;

/**
 * Streaming embedder at 32 kHz. Feed chunks in order; output lags by at most WATERMARK_LATENCY
 * samples. concat(process(c1), process(c2), …, flush()) has the input's length and equals
 * embedWatermark() of the whole input, whatever the chunk sizes.
 */
export class WatermarkEmbedder {
  private readonly layout: Layout;
  private readonly coded: Uint8Array;
  private readonly strength: WatermarkStrength;
  private readonly input = new AbsBuffer();
  private readonly out = new AbsBuffer(); // overlap-add accumulator
  private readonly analyzer = new TileAnalyzer();
  private readonly fft = new FFT(N);
  private readonly re = new Float64Array(N);
  private readonly im = new Float64Array(N);
  private readonly spectra: Float64Array[] = Array.from({ length: PAIR / HOP }, () => new Float64Array(2 * N));
  private readonly frames = new Float64Array(PAIR + N); // this pair's overlap-added frames
  private received = 0;
  private emitted = 0;
  private pair = 0; // next pair to embed
  private flushed = false;

  constructor(key: string | Uint8Array, payload: Uint8Array, sampleRate = WATERMARK_RATE, strength: Partial<WatermarkStrength> = {}) {
    if (sampleRate !== WATERMARK_RATE) throw new RangeError(`WatermarkEmbedder works at ${WATERMARK_RATE} Hz, got ${sampleRate}; use embedWatermark for other rates`);
    this.layout = layoutFor(key);
    this.coded = payloadBits(payload);
    this.strength = { ...DEFAULT_STRENGTH, ...strength };
  }

  process(chunk: Float32Array): Float32Array {
    if (this.flushed) throw new Error('WatermarkEmbedder: process() after flush()');
    this.input.ensure(this.received + chunk.length);
    const at = this.received - this.input.base;
    for (let i = 0; i < chunk.length; i++) this.input.data[at + i] = chunk[i];
    this.received += chunk.length;
    while (PAIR * (this.pair + 1) <= this.received) this.embedPair();
    return this.emit(PAIR * this.pair - N / 2);
  }

  flush(): Float32Array {
    if (this.flushed) return new Float32Array(0);
    this.flushed = true;
    while (PAIR * this.pair - N / 2 < this.received) this.embedPair();
    return this.emit(this.received);
  }

  private emit(finalEnd: number): Float32Array {
    const end = Math.min(finalEnd, this.received);
    const n = Math.max(0, end - this.emitted);
    const y = new Float32Array(n);
    for (let i = 0; i < n; i++) y[i] = this.out.read(this.emitted + i);
    this.emitted += n;
    this.out.dropBefore(this.emitted);
    this.input.dropBefore(Math.max(0, PAIR * this.pair - N));
    return y;
  }

  private embedPair(): void {
    const k = this.pair;
    const { chip, group, coded } = this.layout;
    const q = k % PERIOD;
    const start = k * PAIR;
    const { re, im, spectra, frames } = this;
    const nFrames = PAIR / HOP;
    const first = start - N / 2; // frames[0] ↔ this absolute sample
    // Spectra of the pair's 8 frames, centred at start + f·HOP.
    for (let f = 0; f < nFrames; f++) {
      const c0 = start + f * HOP - N / 2;
      for (let i = 0; i < N; i++) {
        re[i] = this.input.read(c0 + i) * sqrtHann[i];
        im[i] = 0;
      }
      this.fft.transform(re, im);
      spectra[f].set(re, 0);
      spectra[f].set(im, N);
    }
    const sign = new Float64Array(TILES); // d·c per tile
    for (let t = 0; t < TILES; t++) {
      const g = group[q * TILES + t];
      const d = g === 0 ? 1 : this.coded[coded[DATA_GROUPS * q + g - 1]] ? 1 : -1;
      sign[t] = d * chip[q * TILES + t];
    }
    const groupSize = (g: number) => (g === 0 ? SYNC_TILES : DATA_TILES);
    const { minDb, maxDb, marginDb } = this.strength;
    const a = new Float64Array(TILES).fill(minDb); // per-tile strength
    const z = new Float64Array(TILES);
    const readFrames = (abs: number) => {
      const i = abs - first;
      return i >= 0 && i < frames.length ? frames[i] : 0;
    };
    for (let round = 0; ; round++) {
      this.synthesize(a, sign);
      // Measure what the detector will see (only this pair's frames reach its analysis regions).
      const la = this.analyzer.slot(readFrames, start);
      const lb = this.analyzer.slot(readFrames, start + SLOT);
      pairStat(la, lb, -Infinity, z);
      if (round === ROUNDS) break;
      let raised = false;
      for (let g = 0; g <= DATA_GROUPS; g++) {
        let y = 0;
        let movable = 0;
        for (let t = 0; t < TILES; t++) {
          if (group[q * TILES + t] !== g) continue;
          const v = sign[t] * z[t];
          y += v;
          // Tiles pinned at the detector's clip level do not respond; spend nothing on them.
          if (Math.abs(v) < CLIP_DB - 0.05 && a[t] < maxDb) movable++;
        }
        const short = marginDb * groupSize(g) - y;
        if (short <= 0 || movable === 0) continue;
        for (let t = 0; t < TILES; t++) {
          if (group[q * TILES + t] !== g || Math.abs(sign[t] * z[t]) >= CLIP_DB - 0.05 || a[t] >= maxDb) continue;
          // Each dB of Δ moves the tile statistic by about 2 dB (+Δ then −Δ).
          a[t] = Math.min(maxDb, a[t] + short / (2 * movable));
          raised = true;
        }
      }
      if (!raised) break;
    }
    this.out.ensure(start + PAIR);
    for (let i = 0; i < frames.length; i++) {
      const abs = first + i;
      if (abs >= this.out.base) this.out.data[abs - this.out.base] += frames[i];
    }
    this.pair++;
  }

  /** Overlap-adds the pair's frames with tile gains ±a·sign into `frames`. */
  private synthesize(a: Float64Array, sign: Float64Array): void {
    const { re, im, spectra, frames } = this;
    frames.fill(0);
    const gain = new Float64Array(N / 2 + 1);
    for (let half = 0; half < 2; half++) {
      gain.fill(1);
      for (let t = 0; t < TILES; t++) {
        const db = (half === 0 ? 1 : -1) * a[t] * sign[t];
        const lin = 10 ** (db / 20);
        for (let b = BIN_LO + t * TILE_BINS, e = b + TILE_BINS; b < e; b++) gain[b] = lin;
      }
      for (let f = half * 4; f < half * 4 + 4; f++) {
        const s = spectra[f];
        re[0] = s[0]; im[0] = s[N];
        re[N / 2] = s[N / 2]; im[N / 2] = s[N + N / 2];
        for (let b = 1; b < N / 2; b++) {
          const g = gain[b];
          re[b] = s[b] * g; im[b] = s[N + b] * g;
          re[N - b] = s[N - b] * g; im[N - b] = s[N + N - b] * g;
        }
        this.fft.transform(re, im, true);
        const o = f * HOP;
        for (let i = 0; i < N; i++) frames[o + i] += re[i] * sqrtHann[i];
      }
    }
  }
}

/**
 * Marks `pcm` (mono) with `payload` (WATERMARK_PAYLOAD_BYTES bytes) under `key`. At rates other
 * than 32 kHz the mark is computed at 32 kHz and only the difference is resampled back, so the
 * host audio itself is not resampled.
 */
export function embedWatermark(pcm: Float32Array, sampleRate: number, key: string | Uint8Array, payload: Uint8Array, strength: Partial<WatermarkStrength> = {}): Float32Array {
  if (sampleRate === WATERMARK_RATE) {
    const e = new WatermarkEmbedder(key, payload, WATERMARK_RATE, strength);
    const a = e.process(pcm);
    const b = e.flush();
    const y = new Float32Array(pcm.length);
    y.set(a);
    y.set(b, a.length);
    return y;
  }
  if (sampleRate < 8000) throw new RangeError(`sample rate ${sampleRate} Hz is too low to carry the watermark band`);
  const host = resample(pcm, sampleRate, WATERMARK_RATE);
  const marked = embedWatermark(host, WATERMARK_RATE, key, payload, strength);
  for (let i = 0; i < host.length; i++) marked[i] -= host[i];
  const diff = resample(marked, WATERMARK_RATE, sampleRate);
  const y = new Float32Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) y[i] = pcm[i] + (diff[i] ?? 0);
  return y;
}

/** A growing sample buffer that can drop its head: holds samples [base, base + length). */
class SpanBuffer {
  data = new Float32Array(4096);
  base = 0;
  length = 0;
  get end(): number {
    return this.base + this.length;
  }
  push(x: Float32Array): void {
    if (this.length + x.length > this.data.length) {
      const grown = new Float32Array(Math.max(2 * this.data.length, this.length + x.length));
      grown.set(this.data.subarray(0, this.length));
      this.data = grown;
    }
    this.data.set(x, this.length);
    this.length += x.length;
  }
  view(): Float32Array {
    return this.data.subarray(0, this.length);
  }
  slice(from: number, to: number): Float32Array {
    return this.data.slice(from - this.base, to - this.base);
  }
  dropBefore(i: number): void {
    const n = Math.min(this.length, Math.max(0, i - this.base));
    if (n <= 0) return;
    this.data.copyWithin(0, n, this.length);
    this.length -= n;
    this.base += n;
  }
}

/**
 * Streaming embedder for rates other than 32 kHz (v3's 24 kHz, v4's 48 kHz): the same marks as
 * embedWatermark on the whole stream (the host resampled to 32 kHz and marked there by a
 * WatermarkEmbedder, only the difference resampled back), computed as the audio arrives. Each
 * resampled sample is computed once its kernel's input is complete, so the output lags the input by
 * the two resampling kernels' reach plus WATERMARK_LATENCY; flush() returns the rest.
 * concat(process(c1), …, flush()) equals embedWatermark(concat(c1, …), rate).
 */
export class RateWatermarkEmbedder {
  private readonly inner: WatermarkEmbedder;
  private readonly host = new SpanBuffer(); // input at `rate`
  private readonly host32 = new SpanBuffer(); // the host at 32 kHz, as fed to the embedder
  private readonly diff32 = new SpanBuffer(); // marked − host at 32 kHz
  private readonly down: { u: number; d: number; reach: number }; // rate -> 32 kHz
  private readonly up: { u: number; d: number; reach: number }; // 32 kHz -> rate
  private fed = 0; // 32 kHz samples fed to the embedder
  private emitted = 0; // output samples emitted
  private flushed = false;

  constructor(key: string | Uint8Array, payload: Uint8Array, readonly sampleRate: number, strength: Partial<WatermarkStrength> = {}) {
    if (sampleRate < 8000) throw new RangeError(`sample rate ${sampleRate} Hz is too low to carry the watermark band`);
    this.inner = new WatermarkEmbedder(key, payload, WATERMARK_RATE, strength);
    const ratio = (from: number, to: number) => {
      let [a, b] = [from, to];
      while (b) [a, b] = [b, a % b];
      return { u: to / a, d: from / a, reach: resampleReach(from, to) };
    };
    this.down = ratio(sampleRate, WATERMARK_RATE);
    this.up = ratio(WATERMARK_RATE, sampleRate);
  }

  process(chunk: Float32Array): Float32Array {
    if (this.flushed) throw new Error('RateWatermarkEmbedder: process() after flush()');
    this.host.push(chunk);
    return this.advance(false);
  }

  flush(): Float32Array {
    if (this.flushed) return new Float32Array(0);
    this.flushed = true;
    return this.advance(true);
  }

  private advance(final: boolean): Float32Array {
    const total = final ? this.host.end : Infinity;
    // 1) host at 32 kHz, as far as it is final; marked by the 32 kHz embedder.
    const n32 = final ? resampledLength(this.host.end, this.sampleRate, WATERMARK_RATE) : this.count(this.host.end, this.down);
    if (n32 > this.fed) {
      const h = resampleSpan(this.host.view(), this.host.base, total, this.sampleRate, WATERMARK_RATE, this.fed, n32);
      this.host32.push(h);
      this.fed = n32;
      this.take(this.inner.process(h));
    }
    if (final) this.take(this.inner.flush());
    // 2) the difference back at the host rate, as far as it is final.
    const diffTotal = final ? this.diff32.end : Infinity;
    const n = final ? this.host.end : Math.min(this.host.end, this.count(this.diff32.end, this.up));
    if (n <= this.emitted) return new Float32Array(0);
    const d = resampleSpan(this.diff32.view(), this.diff32.base, diffTotal, WATERMARK_RATE, this.sampleRate, this.emitted, n);
    const y = this.host.slice(this.emitted, n);
    for (let i = 0; i < y.length; i++) y[i] += d[i];
    this.emitted = n;
    // Keep what later samples still read: the kernels' reach behind the next outputs.
    this.host.dropBefore(Math.min(this.emitted, Math.floor((this.fed * this.down.d) / this.down.u) - this.down.reach - 1));
    this.diff32.dropBefore(Math.floor((this.emitted * this.up.d) / this.up.u) - this.up.reach - 1);
    return y;
  }

  /** Marked 32 kHz samples out of the embedder: their difference from the host joins diff32. */
  private take(marked: Float32Array): void {
    if (!marked.length) return;
    const start = this.diff32.end;
    const host = this.host32.slice(start, start + marked.length);
    const diff = new Float32Array(marked.length);
    for (let i = 0; i < marked.length; i++) diff[i] = marked[i] - host[i];
    this.diff32.push(diff);
    this.host32.dropBefore(this.diff32.end);
  }

  /** How many outputs of a from→to resampling are final when `known` inputs exist. */
  private count(known: number, r: { u: number; d: number; reach: number }): number {
    // output i reads inputs up to floor(i·d/u) + reach; final when that is < known
    const maxFloor = known - 1 - r.reach;
    if (maxFloor < 0) return 0;
    // largest i with floor(i·d/u) ≤ maxFloor  ⇔  i·d < (maxFloor + 1)·u
    return Math.ceil(((maxFloor + 1) * r.u) / r.d);
  }
}

// ---- detection ----

export interface WatermarkDetection {
  /** True when the mark of this key is present (see detectWatermark for the rule). */
  present: boolean;
  /** The decoded payload when its CRC checks; absent otherwise. */
  payload?: Uint8Array;
  /** Sync score: ≈ N(0,1) on audio without this key's mark; grows with √(marked duration). */
  score: number;
  /** Gaussian estimate of the chance that unmarked audio scores this high somewhere in the search. */
  falseAlarm: number;
  /** Sample offset (at 32 kHz) in the input where a message period starts (mod one period). */
  offset: number;
  /** Seconds of audio with usable (non-silent) tiles. */
  usableSec: number;
}

/** Score needed together with a valid CRC. Chosen from the measured null distribution (docs/watermark-robustness.md). */
export const SCORE_WITH_CRC = 3.5;
/** Score that alone shows presence when the payload is too damaged to read. */
export const SCORE_ALONE = 5.5;
const CANDIDATES = OFFSETS * PERIOD;
/** Best alignments whose payload is tried. */
const DECODE_TRIES = 4;

/** Upper tail of N(0,1) (Abramowitz–Stegun 7.1.26 on erfc). */
function normalTail(x: number): number {
  if (x < 0) return 1 - normalTail(-x);
  const t = 1 / (1 + 0.3275911 * (x / Math.SQRT2));
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return 0.5 * poly * Math.exp(-(x * x) / 2);
}

/**
 * Evidence that the folded tile statistics A carry this key's chips at cyclic shift r. Sync tiles
 * add Σ c·v; each data group adds |Σ c·v| minus its mean under random chips (the bit is unknown,
 * but marked audio lines the group up with its chips one way or the other). Divided by the exact
 * standard deviation under random chips, so audio without the mark scores ≈ N(0, 1).
 */
function alignmentScore(A: Float64Array, r: number, chip: Int8Array, group: Int8Array): number {
  let num = 0, den = 0;
  const gy = new Float64Array(DATA_GROUPS + 1);
  const gv: number[][] = Array.from({ length: DATA_GROUPS + 1 }, () => []);
  for (let p = 0; p < PERIOD; p++) {
    const q = (p + r) % PERIOD;
    gy.fill(0);
    for (const v of gv) v.length = 0;
    for (let t = 0; t < TILES; t++) {
      const g = group[q * TILES + t];
      const v = A[p * TILES + t];
      gy[g] += chip[q * TILES + t] * v;
      gv[g].push(v);
    }
    num += gy[0];
    for (const v of gv[0]) den += v * v;
    for (let g = 1; g <= DATA_GROUPS; g++) {
      const v = gv[g];
      // E|Σ c·v| over the 4 sign patterns that differ (a global flip changes nothing).
      const e = (Math.abs(v[0] + v[1] + v[2]) + Math.abs(v[0] + v[1] - v[2]) + Math.abs(v[0] - v[1] + v[2]) + Math.abs(v[0] - v[1] - v[2])) / 4;
      num += Math.abs(gy[g]) - e;
      den += v[0] * v[0] + v[1] * v[1] + v[2] * v[2] - e * e;
    }
  }
  return den > 0 ? num / Math.sqrt(den) : 0;
}

/**
 * Looks for the mark of `key` in mono `pcm` (any rate ≥ 8 kHz). Present when the sync score is at
 * least SCORE_WITH_CRC and the payload's CRC-16 checks, or the score alone reaches SCORE_ALONE.
 */
export function detectWatermark(pcm: Float32Array, sampleRate: number, key: string | Uint8Array): WatermarkDetection {
  const x = sampleRate === WATERMARK_RATE ? pcm : resample(pcm, sampleRate, WATERMARK_RATE);
  const { chip, group, coded } = layoutFor(key);
  const read = (i: number) => (i >= 0 && i < x.length ? x[i] : 0);
  const analyzer = new TileAnalyzer();
  // Tile powers of every detection frame (centre j·DHOP).
  const nFrames = Math.floor(x.length / DHOP) + 1;
  const pow = new Float64Array(nFrames * TILES);
  let loud = 0;
  for (let j = 0; j < nFrames; j++) {
    analyzer.frame(read, j * DHOP, pow, j * TILES);
    for (let t = 0; t < TILES; t++) loud = Math.max(loud, pow[j * TILES + t]);
  }
  const none: WatermarkDetection = { present: false, score: 0, falseAlarm: 1, offset: 0, usableSec: 0 };
  if (loud === 0) return none;
  const floor = 10 * Math.log10(loud + EPS) - FLOOR_DB;

  interface Cand { o: number; r: number; score: number }
  const cands: Cand[] = [];
  const folded: Float64Array[] = [];
  let usableTiles = 0;
  const slotLevels = (j0: number) => {
    const acc = new Float64Array(TILES);
    for (let j = j0 + 2; j <= j0 + 4; j++) for (let t = 0; t < TILES; t++) acc[t] += pow[j * TILES + t];
    return levels(acc);
  };
  // Per-tile noise floor: a low percentile of the tile's level over the file. Tiles near it are
  // mostly noise (added noise, room tone) and carry little mark, so they get less weight. The
  // weights depend on the audio only, never on the key, so the null normalisation stays exact.
  const noiseFloor = new Float64Array(TILES);
  {
    const lv: number[][] = Array.from({ length: TILES }, () => []);
    for (let j0 = 0; j0 + 4 < nFrames; j0 += SLOT / DHOP) {
      const l = slotLevels(j0);
      for (let t = 0; t < TILES; t++) if (l[t] >= floor) lv[t].push(l[t]);
    }
    for (let t = 0; t < TILES; t++) {
      const v = lv[t].sort((a, b) => a - b);
      noiseFloor[t] = v.length ? v[Math.floor(NOISE_PERCENTILE * (v.length - 1))] : floor;
    }
  }
  const z = new Float64Array(TILES);
  for (let o = 0; o < OFFSETS; o++) {
    // Pair k starts at o·DHOP + k·PAIR; its last analysis frame ends SLOT + 3·SLOT/4 samples later.
    const pairs = Math.floor((x.length - o * DHOP - SLOT - (3 * SLOT) / 4) / PAIR) + 1;
    const A = new Float64Array(PERIOD * TILES);
    folded.push(A);
    let used = 0;
    for (let k = 0; k < pairs; k++) {
      const j0 = (k * PAIR) / DHOP + o;
      const la = slotLevels(j0), lb = slotLevels(j0 + SLOT / DHOP);
      used += pairStat(la, lb, floor, z);
      const p = k % PERIOD;
      for (let t = 0; t < TILES; t++) {
        const above = Math.min(la[t], lb[t]) - noiseFloor[t];
        const w = above <= NOISE_MARGIN_DB ? NOISE_WEIGHT : above >= NOISE_MARGIN_DB + 6 ? 1 : NOISE_WEIGHT + ((1 - NOISE_WEIGHT) * (above - NOISE_MARGIN_DB)) / 6;
        A[p * TILES + t] += w * z[t];
      }
    }
    usableTiles = Math.max(usableTiles, used);
    for (let r = 0; r < PERIOD; r++) cands.push({ o, r, score: alignmentScore(A, r, chip, group) });
  }
  if (usableTiles === 0) return none;
  cands.sort((a, b) => b.score - a.score);
  const best = cands[0];
  const usableSec = (usableTiles / TILES) * (PAIR / WATERMARK_RATE);
  const falseAlarm = (c: Cand) => Math.min(1, CANDIDATES * normalTail(c.score));
  const offsetOf = (c: Cand) => (c.o * DHOP + ((PERIOD - c.r) % PERIOD) * PAIR) % (PERIOD * PAIR);

  // Decode the payload at the best alignments; the first with a valid CRC wins.
  for (const c of cands.slice(0, DECODE_TRIES)) {
    if (c.score < SCORE_WITH_CRC) break;
    const A = folded[c.o];
    // Soft value per coded bit: the chip-weighted sum of its tiles (Viterbi wants sums, not t-scores).
    const soft = new Float64Array(CODED_BITS);
    for (let p = 0; p < PERIOD; p++) {
      const q = (p + c.r) % PERIOD;
      for (let t = 0; t < TILES; t++) {
        const g = group[q * TILES + t];
        if (g === 0) continue;
        const k = coded[DATA_GROUPS * q + g - 1];
        soft[k] += chip[q * TILES + t] * A[p * TILES + t];
      }
    }
    const bits = convDecode(soft, INFO_BITS);
    let crc = 0;
    for (let i = 0; i < 16; i++) crc = (crc << 1) | bits[PAYLOAD_BITS + i];
    if (crc16(bits.subarray(0, PAYLOAD_BITS)) !== crc) continue;
    const payload = new Uint8Array(WATERMARK_PAYLOAD_BYTES);
    for (let i = 0; i < PAYLOAD_BITS; i++) payload[i >> 3] |= bits[i] << (7 - (i & 7));
    return { present: true, payload, score: c.score, falseAlarm: falseAlarm(c), offset: offsetOf(c), usableSec };
  }
  return { present: best.score >= SCORE_ALONE, score: best.score, falseAlarm: falseAlarm(best), offset: offsetOf(best), usableSec };
}

// ---- payload helpers ----

const EPOCH_MS = Date.UTC(2025, 0, 1);
const DAY_MS = 86_400_000;

/** First 2 bytes of SHA-256(voice id), as hex: what the payload stores of a voice. */
export function voiceIdHash(voiceId: string): string {
  return Array.from(sha256(utf8(voiceId)).subarray(0, 2), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * 32-bit payload: 16-bit hash of the voice id + the UTC day it was made (days since 2025-01-01,
 * 16 bits, good until 2204). Enough to say "made by Mynah with voice X around date D"; the hash
 * narrows a voice down among a user's voices, it does not identify a person.
 */
export function makeWatermarkPayload(voiceId: string, when: Date = new Date()): Uint8Array {
  const p = new Uint8Array(WATERMARK_PAYLOAD_BYTES);
  p.set(sha256(utf8(voiceId)).subarray(0, 2));
  const day = Math.max(0, Math.min(0xffff, Math.floor((when.getTime() - EPOCH_MS) / DAY_MS)));
  p[2] = day >> 8;
  p[3] = day & 0xff;
  return p;
}

export function parseWatermarkPayload(p: Uint8Array): { voiceHash: string; day: Date } {
  const voiceHash = Array.from(p.subarray(0, 2), (b) => b.toString(16).padStart(2, '0')).join('');
  return { voiceHash, day: new Date(EPOCH_MS + ((p[2] << 8) | p[3]) * DAY_MS) };
}

// Error control for the watermark payload: CRC-16/CCITT-FALSE to tell a real decode from noise,
// and the K=7, rate-1/2 convolutional code (generators 133, 171 octal) with a soft-decision
// Viterbi decoder, zero-terminated.

export function crc16(bits: ArrayLike<number>): number {
  let crc = 0xffff;
  for (let i = 0; i < bits.length; i++) {
    const top = ((crc >> 15) & 1) ^ (bits[i] & 1);
    crc = (crc << 1) & 0xffff;
    if (top) crc ^= 0x1021;
  }
  return crc;
}

const K = 7;
const STATES = 1 << (K - 1);
const G = [0o133, 0o171];

function parity(x: number): number {
  x ^= x >> 4; x ^= x >> 2; x ^= x >> 1;
  return x & 1;
}

/** Encodes bits (0/1) plus K−1 zero tail bits: output length 2·(n + 6). */
export function convEncode(bits: ArrayLike<number>): Uint8Array {
  const n = bits.length + K - 1;
  const out = new Uint8Array(2 * n);
  let reg = 0;
  for (let i = 0; i < n; i++) {
    const b = i < bits.length ? bits[i] & 1 : 0;
    reg = ((reg << 1) | b) & ((1 << K) - 1);
    out[2 * i] = parity(reg & G[0]);
    out[2 * i + 1] = parity(reg & G[1]);
  }
  return out;
}

/**
 * Soft Viterbi: `soft[i]` > 0 favours coded bit 1, magnitude = confidence (0 = erased).
 * Returns the `nBits` information bits (tail removed).
 */
export function convDecode(soft: ArrayLike<number>, nBits: number): Uint8Array {
  const n = nBits + K - 1;
  let metric = new Float64Array(STATES).fill(-Infinity);
  metric[0] = 0;
  const from = new Uint8Array(n * STATES); // surviving predecessor's dropped bit
  // Precompute each (state, input) transition's output pair.
  const outs = new Uint8Array(STATES * 2 * 2);
  for (let s = 0; s < STATES; s++) {
    for (let b = 0; b < 2; b++) {
      const reg = (s << 1) | b;
      outs[(s * 2 + b) * 2] = parity(reg & G[0]);
      outs[(s * 2 + b) * 2 + 1] = parity(reg & G[1]);
    }
  }
  for (let i = 0; i < n; i++) {
    const next = new Float64Array(STATES).fill(-Infinity);
    const s0 = soft[2 * i], s1 = soft[2 * i + 1];
    const inputs = i < nBits ? 2 : 1;
    for (let s = 0; s < STATES; s++) {
      const m = metric[s];
      if (m === -Infinity) continue;
      for (let b = 0; b < inputs; b++) {
        const t = (s * 2 + b) * 2;
        const gain = (outs[t] ? s0 : -s0) + (outs[t + 1] ? s1 : -s1);
        const ns = ((s << 1) | b) & (STATES - 1);
        if (m + gain > next[ns]) {
          next[ns] = m + gain;
          from[i * STATES + ns] = (s >> (K - 2)) & 1;
        }
      }
    }
    metric = next;
  }
  const bits = new Uint8Array(n);
  let s = 0;
  for (let i = n - 1; i >= 0; i--) {
    bits[i] = s & 1;
    s = (s >> 1) | (from[i * STATES + s] << (K - 2));
  }
  return bits.slice(0, nBits);
}

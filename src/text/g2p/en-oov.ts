// g2p_en's out-of-vocabulary predictor: a GRU encoder over the letters and a greedy GRU decoder over
// ARPAbet (no attention), run in plain TypeScript over its own checkpoint (src/text/data/en-oov-model.ts).

export interface OovModelData {
  SHAPES: Record<string, number[]>;
  ORDER: string[];
  F16_BASE64: string;
}

const GRAPHEMES = ['<pad>', '<unk>', '</s>', ...'abcdefghijklmnopqrstuvwxyz'];
const PHONEMES = ['<pad>', '<unk>', '<s>', '</s>', 'AA0', 'AA1', 'AA2', 'AE0', 'AE1', 'AE2', 'AH0', 'AH1', 'AH2', 'AO0',
  'AO1', 'AO2', 'AW0', 'AW1', 'AW2', 'AY0', 'AY1', 'AY2', 'B', 'CH', 'D', 'DH', 'EH0', 'EH1', 'EH2', 'ER0', 'ER1', 'ER2',
  'EY0', 'EY1', 'EY2', 'F', 'G', 'HH', 'IH0', 'IH1', 'IH2', 'IY0', 'IY1', 'IY2', 'JH', 'K', 'L', 'M', 'N', 'NG', 'OW0',
  'OW1', 'OW2', 'OY0', 'OY1', 'OY2', 'P', 'R', 'S', 'SH', 'T', 'TH', 'UH0', 'UH1', 'UH2', 'UW', 'UW0', 'UW1', 'UW2', 'V',
  'W', 'Y', 'Z', 'ZH'];

function f16ToF32(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** atob exists in browsers, workers and Node 16+. */
function decodeBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

interface Gru {
  wih: Float32Array;
  whh: Float32Array;
  bih: Float32Array;
  bhh: Float32Array;
}

export class OovModel {
  private readonly t: Record<string, Float32Array> = {};
  private readonly hidden: number;
  private readonly emb: number;

  constructor(data: OovModelData) {
    const bytes = decodeBase64(data.F16_BASE64);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let off = 0;
    for (const name of data.ORDER) {
      const n = data.SHAPES[name].reduce((a, b) => a * b, 1);
      const arr = new Float32Array(n);
      for (let i = 0; i < n; i++, off += 2) arr[i] = f16ToF32(view.getUint16(off, true));
      this.t[name] = arr;
    }
    this.hidden = data.SHAPES.enc_w_hh[1];
    this.emb = data.SHAPES.enc_emb[1];
  }

  private cell(x: Float32Array, h: Float32Array, g: Gru): Float32Array {
    const H = this.hidden;
    const E = this.emb;
    const gi = new Float32Array(3 * H);
    const gh = new Float32Array(3 * H);
    for (let r = 0; r < 3 * H; r++) {
      let a = g.bih[r];
      let b = g.bhh[r];
      const oi = r * E;
      const oh = r * H;
      for (let k = 0; k < E; k++) a += g.wih[oi + k] * x[k];
      for (let k = 0; k < H; k++) b += g.whh[oh + k] * h[k];
      gi[r] = a;
      gh[r] = b;
    }
    const out = new Float32Array(H);
    for (let k = 0; k < H; k++) {
      const r = 1 / (1 + Math.exp(-(gi[k] + gh[k])));
      const z = 1 / (1 + Math.exp(-(gi[H + k] + gh[H + k])));
      const n = Math.tanh(gi[2 * H + k] + r * gh[2 * H + k]);
      out[k] = (1 - z) * n + z * h[k];
    }
    return out;
  }

  private gru(prefix: 'enc' | 'dec'): Gru {
    const t = this.t;
    return { wih: t[`${prefix}_w_ih`], whh: t[`${prefix}_w_hh`], bih: t[`${prefix}_b_ih`], bhh: t[`${prefix}_b_hh`] };
  }

  /** ARPAbet for a lower-case word (g2p_en G2p.predict: at most 20 phones). */
  predict(word: string): string[] {
    const E = this.emb;
    const H = this.hidden;
    const enc = this.gru('enc');
    const dec = this.gru('dec');
    const row = (table: Float32Array, i: number) => table.subarray(i * E, (i + 1) * E);
    let h: Float32Array = new Float32Array(H);
    for (const ch of [...word, '</s>']) {
      const gi = GRAPHEMES.indexOf(ch);
      h = this.cell(row(this.t.enc_emb, gi < 0 ? 1 : gi), h, enc);
    }
    const fcW = this.t.fc_w;
    const fcB = this.t.fc_b;
    const out: string[] = [];
    let x = row(this.t.dec_emb, 2);
    for (let step = 0; step < 20; step++) {
      h = this.cell(x, h, dec);
      let best = 0;
      let bestV = -Infinity;
      for (let p = 0; p < fcB.length; p++) {
        let v = fcB[p];
        const o = p * H;
        for (let k = 0; k < H; k++) v += fcW[o + k] * h[k];
        if (v > bestV) {
          bestV = v;
          best = p;
        }
      }
      if (best === 3) break;
      out.push(PHONEMES[best] ?? '<unk>');
      x = row(this.t.dec_emb, best);
    }
    return out;
  }
}

// Plain TypeScript reference of the SoVITS networks (float64 loops, straight from the
// definitions in upstream's module/*.py), for checking the ONNX graphs in test/unit/sovits.test.ts.
// Weights come from the same WeightSource with the same names, shapes and inits as the graphs.
import type { SoVITSConfig } from '../../src/graph/models/sovits';
import { relEmbeddingInit, vitsNormBiasInit, vitsNormScaleInit } from '../../src/graph/ops/vits';
import { fanIn, type Init, type WeightSource } from '../../src/graph/weights';

/** A [C, T] activation (batch 1), channel-major. */
export interface Mat {
  c: number;
  t: number;
  d: Float64Array;
}

export const mat = (c: number, t: number, d?: ArrayLike<number>): Mat => ({ c, t, d: d ? Float64Array.from(d) : new Float64Array(c * t) });
const at = (m: Mat, ch: number, t: number) => m.d[ch * m.t + t];

const embeddingInit: Init = { kind: 'normal', std: 1 };

export class Ref {
  constructor(readonly ws: WeightSource) {}

  private w(name: string, dims: number[], init: Init): Float32Array {
    return this.ws.get(name, dims, init);
  }

  /** Conv1d, weight [out, in, k], zero padding (left, right), dilation. */
  conv(x: Mat, name: string, outC: number, k: number, opts: { dil?: number; pad?: [number, number] | number; bias?: boolean } = {}): Mat {
    const inC = x.c;
    const dil = opts.dil ?? 1;
    const [pl, pr] = typeof opts.pad === 'number' ? [opts.pad, opts.pad] : (opts.pad ?? [0, 0]);
    const w = this.w(`${name}.weight`, [outC, inC, k], fanIn(inC * k));
    const b = opts.bias === false ? null : this.w(`${name}.bias`, [outC], fanIn(inC * k));
    const tOut = x.t + pl + pr - dil * (k - 1);
    const y = mat(outC, tOut);
    for (let o = 0; o < outC; o++) {
      for (let t = 0; t < tOut; t++) {
        let s = b ? b[o] : 0;
        for (let i = 0; i < inC; i++) {
          for (let j = 0; j < k; j++) {
            const src = t - pl + j * dil;
            if (src >= 0 && src < x.t) s += w[(o * inC + i) * k + j] * at(x, i, src);
          }
        }
        y.d[o * tOut + t] = s;
      }
    }
    return y;
  }

  /** ConvTranspose1d, weight [in, out, k]: input step t feeds outputs t·stride + j - pad. */
  convTranspose(x: Mat, name: string, outC: number, k: number, stride: number, pad: number): Mat {
    const inC = x.c;
    const w = this.w(`${name}.weight`, [inC, outC, k], fanIn(outC * k));
    const b = this.w(`${name}.bias`, [outC], fanIn(outC * k));
    const tOut = (x.t - 1) * stride - 2 * pad + k;
    const y = mat(outC, tOut);
    for (let o = 0; o < outC; o++) for (let t = 0; t < tOut; t++) y.d[o * tOut + t] = b[o];
    for (let i = 0; i < inC; i++) {
      for (let t = 0; t < x.t; t++) {
        for (let o = 0; o < outC; o++) {
          for (let j = 0; j < k; j++) {
            const dst = t * stride + j - pad;
            if (dst >= 0 && dst < tOut) y.d[o * tOut + dst] += at(x, i, t) * w[(i * outC + o) * k + j];
          }
        }
      }
    }
    return y;
  }

  /** nn.Linear applied to every time step of a [C, T] activation. */
  linear(x: Mat, name: string, outF: number): Mat {
    const inF = x.c;
    const w = this.w(`${name}.weight`, [outF, inF], fanIn(inF));
    const b = this.w(`${name}.bias`, [outF], fanIn(inF));
    const y = mat(outF, x.t);
    for (let o = 0; o < outF; o++) {
      for (let t = 0; t < x.t; t++) {
        let s = b[o];
        for (let i = 0; i < inF; i++) s += w[o * inF + i] * at(x, i, t);
        y.d[o * x.t + t] = s;
      }
    }
    return y;
  }

  /** modules.LayerNorm: normalise each time step over channels, then gamma/beta. */
  layerNorm(x: Mat, name: string): Mat {
    const gamma = this.w(`${name}.gamma`, [x.c], vitsNormScaleInit);
    const beta = this.w(`${name}.beta`, [x.c], vitsNormBiasInit);
    const y = mat(x.c, x.t);
    for (let t = 0; t < x.t; t++) {
      let mean = 0;
      for (let c = 0; c < x.c; c++) mean += at(x, c, t);
      mean /= x.c;
      let v = 0;
      for (let c = 0; c < x.c; c++) v += (at(x, c, t) - mean) ** 2;
      v /= x.c;
      for (let c = 0; c < x.c; c++) y.d[c * x.t + t] = ((at(x, c, t) - mean) / Math.sqrt(v + 1e-5)) * gamma[c] + beta[c];
    }
    return y;
  }

  /**
   * attentions.MultiHeadAttention, written from its definition: score(i, j) = q_i·k_j/√d
   * (+ q_i·embK[j-i+w]/√d when |j-i| <= w), softmax over j, out_i = Σ p_ij v_j
   * (+ Σ_{|j-i|<=w} p_ij embV[j-i+w]).
   */
  attention(x: Mat, c: Mat, name: string, heads: number, window?: number): Mat {
    const C = x.c;
    const d = C / heads;
    const q = this.conv(x, `${name}.conv_q`, C, 1);
    const k = this.conv(c, `${name}.conv_k`, C, 1);
    const v = this.conv(c, `${name}.conv_v`, C, 1);
    const W = window === undefined ? 0 : 2 * window + 1;
    const embK = window === undefined ? null : this.w(`${name}.emb_rel_k`, [1, W, d], relEmbeddingInit(d));
    const embV = window === undefined ? null : this.w(`${name}.emb_rel_v`, [1, W, d], relEmbeddingInit(d));
    const out = mat(C, x.t);
    const scale = 1 / Math.sqrt(d);
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < x.t; i++) {
        const s = new Float64Array(c.t);
        for (let j = 0; j < c.t; j++) {
          let acc = 0;
          for (let e = 0; e < d; e++) acc += at(q, h * d + e, i) * scale * at(k, h * d + e, j);
          if (embK && Math.abs(j - i) <= window!) {
            for (let e = 0; e < d; e++) acc += at(q, h * d + e, i) * scale * embK[(j - i + window!) * d + e];
          }
          s[j] = acc;
        }
        const max = Math.max(...s);
        let z = 0;
        for (let j = 0; j < c.t; j++) z += (s[j] = Math.exp(s[j] - max));
        for (let j = 0; j < c.t; j++) s[j] /= z;
        for (let e = 0; e < d; e++) {
          let acc = 0;
          for (let j = 0; j < c.t; j++) {
            acc += s[j] * at(v, h * d + e, j);
            if (embV && Math.abs(j - i) <= window!) acc += s[j] * embV[(j - i + window!) * d + e];
          }
          out.d[(h * d + e) * x.t + i] = acc;
        }
      }
    }
    return this.conv(out, `${name}.conv_o`, C, 1);
  }

  ffn(x: Mat, name: string, filter: number, kernel: number): Mat {
    const pad: [number, number] = [Math.floor((kernel - 1) / 2), Math.floor(kernel / 2)];
    const h = this.conv(x, `${name}.conv_1`, filter, kernel, { pad });
    h.d = h.d.map((u) => Math.max(u, 0));
    return this.conv(h, `${name}.conv_2`, x.c, kernel, { pad });
  }

  encoder(x: Mat, name: string, cfg: SoVITSConfig, layers: number): Mat {
    for (let i = 0; i < layers; i++) {
      x = this.layerNorm(add(x, this.attention(x, x, `${name}.attn_layers.${i}`, cfg.heads, cfg.window)), `${name}.norm_layers_1.${i}`);
      x = this.layerNorm(add(x, this.ffn(x, `${name}.ffn_layers.${i}`, cfg.filter, cfg.kernelSize)), `${name}.norm_layers_2.${i}`);
    }
    return x;
  }

  mrte(ssl: Mat, text: Mat, ge: Float64Array, name: string, hidden: number, heads: number): Mat {
    const s = this.conv(ssl, `${name}.c_pre`, hidden, 1);
    const t = this.conv(text, `${name}.text_pre`, hidden, 1);
    const a = this.attention(s, t, `${name}.cross_attention`, heads);
    const x = mat(hidden, s.t);
    for (let c = 0; c < hidden; c++) for (let i = 0; i < s.t; i++) x.d[c * s.t + i] = at(a, c, i) + at(s, c, i) + ge[c];
    return this.conv(x, `${name}.c_post`, ssl.c, 1);
  }

  /** modules.WN with a global condition `ge` (length-1 time axis). */
  wn(x: Mat, ge: Float64Array | null, name: string, kernel: number, dilationRate: number, layers: number): Mat {
    const H = x.c;
    const cond = ge ? this.conv(mat(ge.length, 1, ge), `${name}.cond_layer`, 2 * H * layers, 1) : null;
    const out = mat(H, x.t);
    for (let i = 0; i < layers; i++) {
      const dil = dilationRate ** i;
      const a = this.conv(x, `${name}.in_layers.${i}`, 2 * H, kernel, { dil, pad: (kernel * dil - dil) / 2 });
      const acts = mat(H, x.t);
      for (let c = 0; c < H; c++) {
        for (let t = 0; t < x.t; t++) {
          const g0 = cond ? cond.d[2 * H * i + c] : 0;
          const g1 = cond ? cond.d[2 * H * i + H + c] : 0;
          acts.d[c * x.t + t] = Math.tanh(at(a, c, t) + g0) / (1 + Math.exp(-(at(a, H + c, t) + g1)));
        }
      }
      const last = i === layers - 1;
      const rs = this.conv(acts, `${name}.res_skip_layers.${i}`, last ? H : 2 * H, 1);
      const next = mat(H, x.t, x.d);
      for (let c = 0; c < H; c++) {
        for (let t = 0; t < x.t; t++) {
          if (last) out.d[c * x.t + t] += at(rs, c, t);
          else {
            next.d[c * x.t + t] += at(rs, c, t);
            out.d[c * x.t + t] += at(rs, H + c, t);
          }
        }
      }
      x = next;
    }
    return out;
  }

  /** ResidualCouplingLayer(mean_only) in reverse. */
  couplingReverse(x: Mat, ge: Float64Array, name: string, cfg: SoVITSConfig): Mat {
    const half = x.c / 2;
    const x0 = mat(half, x.t, x.d.subarray(0, half * x.t));
    const h = this.conv(x0, `${name}.pre`, cfg.hidden, 1);
    const m = this.conv(this.wn(h, ge, `${name}.enc`, cfg.flowKernel, cfg.flowDilationRate, cfg.flowWNLayers), `${name}.post`, half, 1);
    const y = mat(x.c, x.t, x.d);
    for (let i = 0; i < half * x.t; i++) y.d[half * x.t + i] -= m.d[i];
    return y;
  }

  resBlock1(x: Mat, name: string, kernel: number, dilations: readonly number[]): Mat {
    dilations.forEach((dil, j) => {
      let t = lrelu(x, 0.1);
      t = this.conv(t, `${name}.convs1.${j}`, x.c, kernel, { dil, pad: (kernel * dil - dil) / 2 });
      t = lrelu(t, 0.1);
      t = this.conv(t, `${name}.convs2.${j}`, x.c, kernel, { pad: (kernel - 1) / 2 });
      x = add(t, x);
    });
    return x;
  }

  upsampleStage(x: Mat, stage: number, cfg: SoVITSConfig): Mat {
    const rate = cfg.upsampleRates[stage];
    const k = cfg.upsampleKernels[stage];
    const up = this.convTranspose(lrelu(x, 0.1), `dec.ups.${stage}`, x.c / 2, k, rate, (k - rate) / 2);
    const sum = mat(up.c, up.t);
    cfg.resblockKernels.forEach((rk, j) => {
      const r = this.resBlock1(up, `dec.resblocks.${stage * cfg.resblockKernels.length + j}`, rk, cfg.resblockDilations[j]);
      for (let i = 0; i < sum.d.length; i++) sum.d[i] += r.d[i] / cfg.resblockKernels.length;
    });
    return sum;
  }

  generator(z: Mat, ge: Float64Array, cfg: SoVITSConfig): Mat {
    let x = this.conv(z, 'dec.conv_pre', cfg.upsampleInitial, 7, { pad: 3 });
    const cond = this.conv(mat(ge.length, 1, ge), 'dec.cond', cfg.upsampleInitial, 1);
    for (let c = 0; c < x.c; c++) for (let t = 0; t < x.t; t++) x.d[c * x.t + t] += cond.d[c];
    for (let s = 0; s < cfg.upsampleRates.length; s++) x = this.upsampleStage(x, s, cfg);
    x = this.conv(lrelu(x, 0.01), 'dec.conv_post', 1, 7, { pad: 3, bias: false });
    x.d = x.d.map(Math.tanh);
    return x;
  }

  /** MelStyleEncoder on the first refBins rows of a [specBins, F] spectrogram -> ge [gin]. */
  refEncoder(spec: Mat, cfg: SoVITSConfig): Float64Array {
    const x0 = mat(cfg.refBins, spec.t, spec.d.subarray(0, cfg.refBins * spec.t));
    let x = mishMat(this.linear(x0, 'ref_enc.spectral.0.fc', cfg.styleHidden));
    x = mishMat(this.linear(x, 'ref_enc.spectral.3.fc', cfg.styleHidden));
    for (const i of [0, 1]) {
      const h = this.conv(x, `ref_enc.temporal.${i}.conv1.conv`, 2 * x.c, cfg.styleKernel, { pad: (cfg.styleKernel - 1) / 2 });
      const y = mat(x.c, x.t);
      for (let c = 0; c < x.c; c++) {
        for (let t = 0; t < x.t; t++) y.d[c * x.t + t] = at(x, c, t) + at(h, c, t) / (1 + Math.exp(-at(h, x.c + c, t)));
      }
      x = y;
    }
    // Self-attention with residual; scores divided by sqrt(hidden) (the d_model temperature).
    const S = cfg.styleHidden;
    const heads = cfg.styleHeads;
    const d = S / heads;
    const q = this.linear(x, 'ref_enc.slf_attn.w_qs', S);
    const k = this.linear(x, 'ref_enc.slf_attn.w_ks', S);
    const v = this.linear(x, 'ref_enc.slf_attn.w_vs', S);
    const ctx = mat(S, x.t);
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < x.t; i++) {
        const s = new Float64Array(x.t);
        for (let j = 0; j < x.t; j++) {
          for (let e = 0; e < d; e++) s[j] += at(q, h * d + e, i) * at(k, h * d + e, j);
          s[j] /= Math.sqrt(S);
        }
        const max = Math.max(...s);
        let z = 0;
        for (let j = 0; j < x.t; j++) z += (s[j] = Math.exp(s[j] - max));
        for (let e = 0; e < d; e++) {
          let acc = 0;
          for (let j = 0; j < x.t; j++) acc += (s[j] / z) * at(v, h * d + e, j);
          ctx.d[(h * d + e) * x.t + i] = acc;
        }
      }
    }
    x = add(this.linear(ctx, 'ref_enc.slf_attn.fc', S), x);
    const style = this.linear(x, 'ref_enc.fc.fc', cfg.gin);
    const ge = new Float64Array(cfg.gin);
    for (let c = 0; c < cfg.gin; c++) {
      for (let t = 0; t < style.t; t++) ge[c] += at(style, c, t);
      ge[c] /= style.t;
    }
    return ge;
  }

  /** SynthesizerTrn.decode with the noise given, returning the audio and the intermediate stages. */
  decode(codes: number[], phones: number[], ge: Float64Array, noise: Mat, noiseScale: number, cfg: SoVITSConfig) {
    const book = this.w('quantizer.vq.layers.0._codebook.embed', [cfg.codebookSize, cfg.sslDim], embeddingInit);
    const ssl = mat(cfg.sslDim, 2 * codes.length);
    for (let t = 0; t < ssl.t; t++) {
      const code = codes[Math.floor(t / 2)]; // nearest ×2: output t reads input floor(t/2)
      for (let c = 0; c < cfg.sslDim; c++) ssl.d[c * ssl.t + t] = book[code * cfg.sslDim + c];
    }
    const half = Math.floor(cfg.layers / 2);
    let y = this.conv(ssl, 'enc_p.ssl_proj', cfg.hidden, 1);
    y = this.encoder(y, 'enc_p.encoder_ssl', cfg, half);
    const table = this.w('enc_p.text_embedding.weight', [cfg.textVocab, cfg.hidden], embeddingInit);
    let text = mat(cfg.hidden, phones.length);
    phones.forEach((p, t) => {
      for (let c = 0; c < cfg.hidden; c++) text.d[c * phones.length + t] = table[p * cfg.hidden + c];
    });
    text = this.encoder(text, 'enc_p.encoder_text', cfg, cfg.layers);
    y = this.mrte(y, text, ge, 'enc_p.mrte', cfg.mrteHidden, cfg.mrteHeads);
    y = this.encoder(y, 'enc_p.encoder2', cfg, half);
    if (noise.t !== y.t) y = interpolateLinear(y, noise.t);
    const stats = this.conv(y, 'enc_p.proj', 2 * cfg.inter, 1);
    const m = mat(cfg.inter, y.t, stats.d.subarray(0, cfg.inter * y.t));
    const logs = mat(cfg.inter, y.t, stats.d.subarray(cfg.inter * y.t));
    const zp = mat(cfg.inter, y.t);
    for (let i = 0; i < zp.d.length; i++) zp.d[i] = m.d[i] + noise.d[i] * Math.exp(logs.d[i]) * noiseScale;
    const z = this.flowReverse(zp, ge, cfg);
    return { audio: this.generator(z, ge, cfg), z, zp, m, logs };
  }

  /** ResidualCouplingBlock(reverse=True): walk [L0, Flip, L1, Flip, ...] backwards. */
  flowReverse(zp: Mat, ge: Float64Array, cfg: SoVITSConfig): Mat {
    let z = zp;
    for (let f = cfg.flows - 1; f >= 0; f--) {
      z = flip(z);
      z = this.couplingReverse(z, ge, `flow.flows.${2 * f}`, cfg);
    }
    return z;
  }
}

export function add(a: Mat, b: Mat): Mat {
  return mat(a.c, a.t, a.d.map((u, i) => u + b.d[i]));
}

export function lrelu(x: Mat, slope: number): Mat {
  return mat(x.c, x.t, x.d.map((u) => (u >= 0 ? u : slope * u)));
}

function mishMat(x: Mat): Mat {
  return mat(x.c, x.t, x.d.map((u) => u * Math.tanh(Math.log1p(Math.exp(u)))));
}

export function flip(x: Mat): Mat {
  const y = mat(x.c, x.t);
  for (let c = 0; c < x.c; c++) for (let t = 0; t < x.t; t++) y.d[c * x.t + t] = at(x, x.c - 1 - c, t);
  return y;
}

/** torch F.interpolate(size=n, mode="linear", align_corners=False). */
export function interpolateLinear(x: Mat, n: number): Mat {
  const y = mat(x.c, n);
  const scale = x.t / n;
  for (let t = 0; t < n; t++) {
    const src = Math.max((t + 0.5) * scale - 0.5, 0);
    const i0 = Math.floor(src);
    const i1 = Math.min(i0 + 1, x.t - 1);
    const l = src - i0;
    for (let c = 0; c < x.c; c++) y.d[c * n + t] = (1 - l) * at(x, c, i0) + l * at(x, c, i1);
  }
  return y;
}

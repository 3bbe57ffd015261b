// Differences between a reference model's outputs and another's (fp32 vs int8 on WASM, fp16 vs
// fp32 on a GPU): logits per step (max/mean |Δ|, KL of the softmax, arg-max agreement) and waveforms
// (max/mean |Δ|, SNR against the reference's variance). Shared by quality.ts and gpu-quality.ts.

export interface LogitDiff {
  maxAbs: number;
  meanAbs: number;
  /** Mean |logit| of the reference, for scale. */
  meanAbsRef: number;
  /** Share of steps where both pick the same arg-max token. */
  top1Agree: number;
  /** Mean KL(reference || other) of the softmax over the vocabulary, nats. */
  klMean: number;
  steps: number;
}

export interface WaveDiff {
  maxAbs: number;
  meanAbs: number;
  /** Error power against the reference waveform's variance, dB. */
  snrDb: number;
  samples: number;
}

export function softmax(l: Float32Array): Float64Array {
  let m = -Infinity;
  for (const v of l) m = Math.max(m, v);
  const p = Float64Array.from(l, (v) => Math.exp(v - m));
  const z = p.reduce((a, b) => a + b, 0);
  return p.map((v) => v / z);
}
export const argmax = (l: Float32Array, n = l.length) => {
  let b = 0;
  for (let i = 1; i < n; i++) if (l[i] > l[b]) b = i;
  return b;
};

export class LogitDiffs {
  private maxAbs = 0;
  private sumAbs = 0;
  private sumRef = 0;
  private n = 0;
  private agree = 0;
  private kl = 0;
  private steps = 0;
  add(ref: Float32Array, b: Float32Array) {
    for (let i = 0; i < ref.length; i++) {
      const d = Math.abs(ref[i] - b[i]);
      // NaN counts as the largest difference, not as none.
      this.maxAbs = Number.isNaN(d) ? NaN : Math.max(this.maxAbs, d);
      this.sumAbs += d;
      this.sumRef += Math.abs(ref[i]);
    }
    this.n += ref.length;
    if (argmax(ref) === argmax(b)) this.agree++;
    const p = softmax(ref);
    const q = softmax(b);
    let kl = 0;
    for (let i = 0; i < p.length; i++) if (p[i] > 0) kl += p[i] * Math.log(p[i] / Math.max(q[i], 1e-300));
    this.kl += kl;
    this.steps++;
  }
  result(): LogitDiff {
    return { maxAbs: this.maxAbs, meanAbs: this.sumAbs / this.n, meanAbsRef: this.sumRef / this.n, top1Agree: this.agree / this.steps, klMean: this.kl / this.steps, steps: this.steps };
  }
}

export function waveDiff(ref: Float32Array, b: Float32Array): WaveDiff {
  // SNR against the reference's variance: random weights leave a DC offset that would flatter it.
  const mean = ref.reduce((acc, v) => acc + v, 0) / ref.length;
  let sig = 0;
  let err = 0;
  let maxAbs = 0;
  let sumAbs = 0;
  for (let i = 0; i < ref.length; i++) {
    const d = ref[i] - b[i];
    sig += (ref[i] - mean) ** 2;
    err += d * d;
    maxAbs = Number.isNaN(d) ? NaN : Math.max(maxAbs, Math.abs(d));
    sumAbs += Math.abs(d);
  }
  return { maxAbs, meanAbs: sumAbs / ref.length, snrDb: 10 * Math.log10(sig / err), samples: ref.length };
}

// Next-token sampling for the T2S decode loop, in upstream's order of operations:
// repetition penalty (over every previous token, prompt included; each distinct id once) ->
// top-p on the penalised logits -> temperature -> top-k -> softmax -> an "exponential race"
// draw (argmax of p / q with q ~ Exp(1)), which is a multinomial draw.

export interface SamplingOptions {
  topK: number;
  topP: number;
  temperature: number;
  repetitionPenalty: number;
}

/** api_v2's defaults. */
export const DEFAULT_SAMPLING: SamplingOptions = { topK: 15, topP: 1, temperature: 1, repetitionPenalty: 1.35 };

/**
 * Applies the repetition penalty in place, as upstream does to the logits tensor it is given
 * (so its EOS-by-argmax test sees penalised logits too).
 */
export function applyRepetitionPenalty(logits: Float32Array, previous: ArrayLike<number>, penalty: number): void {
  if (penalty === 1) return;
  const seen = new Set<number>();
  for (let i = 0; i < previous.length; i++) {
    const t = previous[i];
    if (t < 0 || t >= logits.length || seen.has(t)) continue;
    seen.add(t);
    const s = logits[t];
    logits[t] = s < 0 ? s * penalty : s / penalty;
  }
}

/** Probabilities after top-p, temperature and top-k, from already-penalised logits. */
export function filteredProbs(penalised: Float32Array, opts: SamplingOptions): Float64Array {
  const n = penalised.length;
  const l = Float64Array.from(penalised);
  if (opts.topP < 1) {
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => l[b] - l[a] || a - b);
    const max = l[order[0]];
    let z = 0;
    for (let i = 0; i < n; i++) z += Math.exp(l[i] - max);
    let cum = 0;
    const removed: number[] = [];
    for (let r = 0; r < n; r++) {
      cum += Math.exp(l[order[r]] - max) / z;
      if (r > 0 && cum > opts.topP) removed.push(order[r]);
    }
    for (const i of removed) l[i] = -Infinity;
  }
  const t = Math.max(opts.temperature, 1e-5);
  for (let i = 0; i < n; i++) l[i] /= t;
  if (opts.topK > 0 && opts.topK < n) {
    const pivot = kthLargest(l, opts.topK);
    for (let i = 0; i < n; i++) if (l[i] < pivot) l[i] = -Infinity;
  }
  let max = -Infinity;
  for (let i = 0; i < n; i++) max = Math.max(max, l[i]);
  const p = new Float64Array(n);
  let z = 0;
  for (let i = 0; i < n; i++) z += p[i] = Math.exp(l[i] - max);
  for (let i = 0; i < n; i++) p[i] /= z;
  return p;
}

/**
 * The k-th largest value of `x` (duplicates counted), as sorting descending and taking index k - 1
 * gives: a sorted buffer of the k largest seen so far. O(n) for a small k where a full sort of the
 * 1025 logits was ~0.2 ms of every decode step. (NaN never enters: logits are finite or -Infinity.)
 */
export function kthLargest(x: ArrayLike<number>, k: number): number {
  const top = new Float64Array(k).fill(-Infinity); // descending
  let filled = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (filled === k && !(v > top[k - 1])) continue;
    let j = filled < k ? filled++ : k - 1;
    while (j > 0 && top[j - 1] < v) {
      top[j] = top[j - 1];
      j--;
    }
    top[j] = v;
  }
  return top[k - 1];
}

/** argmax(p / q), q ~ Exp(1): one multinomial draw from p using `rand` (uniform in [0, 1)). */
export function exponentialRace(p: Float64Array, rand: () => number): number {
  let best = -1;
  let bestScore = -Infinity;
  for (let i = 0; i < p.length; i++) {
    if (p[i] <= 0) continue;
    const q = -Math.log(1 - rand()); // 1 - u is in (0, 1], so q is finite and > 0 unless u == 0
    const score = p[i] / Math.max(q, 1e-300);
    if (score > bestScore) {
      bestScore = score;
      best = i;
    }
  }
  return best;
}

export function argmax(x: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
  return best;
}

export interface DecodeLimits {
  /** The EOS id (the last logit column). */
  eos: number;
  /** For the first `minSteps` steps EOS is not a candidate (upstream: 11, ~0.44 s of audio). */
  minSteps: number;
  /** Hard cap on decode steps per segment (upstream: 1500 = 60 s). */
  maxSteps: number;
}

export const UPSTREAM_LIMITS: DecodeLimits = { eos: 1024, minSteps: 11, maxSteps: 1500 };

/**
 * The token-picking side of the T2S decode loop, independent of how logits are computed.
 * Feed it the logits of each step; it answers with the token to feed next, or `done`.
 */
export class SemanticSampler {
  /** Generated semantic tokens (no prompt, no EOS). */
  readonly tokens: number[] = [];
  private readonly history: number[];
  private step = 0;
  done = false;

  constructor(
    prompt: ArrayLike<number>,
    private readonly opts: SamplingOptions,
    private readonly rand: () => number,
    private readonly limits: DecodeLimits = UPSTREAM_LIMITS,
  ) {
    this.history = Array.from(prompt);
  }

  get steps(): number {
    return this.step;
  }

  next(logits: Float32Array): { token: number; done: boolean } {
    if (this.done) throw new Error('the sampler has already finished');
    const { eos, minSteps, maxSteps } = this.limits;
    // Early steps drop the EOS column (it is the last one), so EOS can be neither sampled nor argmax.
    const l = Float32Array.from(this.step < minSteps ? logits.subarray(0, eos) : logits);
    applyRepetitionPenalty(l, this.history, this.opts.repetitionPenalty);
    const token = exponentialRace(filteredProbs(l, this.opts), this.rand);
    this.history.push(token);
    this.tokens.push(token);
    // Upstream stops when either the penalised argmax or the draw is EOS, and drops that last token.
    if (argmax(l) === eos || token === eos) {
      this.tokens.pop();
      this.done = true;
    }
    if (this.step === maxSteps - 1) this.done = true;
    this.step++;
    if (this.done && this.tokens.length === 0) this.tokens.push(0); // upstream's "bad zero prediction" fallback
    return { token, done: this.done };
  }
}

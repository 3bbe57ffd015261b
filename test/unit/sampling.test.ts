import { describe, expect, it } from 'vitest';
import { applyRepetitionPenalty, argmax, DEFAULT_SAMPLING, exponentialRace, filteredProbs, kthLargest, SemanticSampler } from '../../src/engine/sampling';
import { mulberry32 } from '../../src/graph/weights';

const opts = (o: Partial<typeof DEFAULT_SAMPLING>) => ({ ...DEFAULT_SAMPLING, ...o });

describe('sampling (upstream order of operations)', () => {
  it('repetition penalty divides positive and multiplies negative logits, once per distinct token', () => {
    const l = Float32Array.from([2, -2, 1, 3]);
    applyRepetitionPenalty(l, [0, 1, 1, 1], 2);
    expect(Array.from(l)).toEqual([1, -4, 1, 3]);
  });

  it('top-k keeps the k largest, temperature sharpens, probabilities sum to 1', () => {
    const logits = Float32Array.from([0, 1, 2, 3, 4]);
    const p = filteredProbs(logits, opts({ topK: 2, topP: 1, temperature: 1 }));
    expect(p[0] + p[1] + p[2]).toBe(0);
    expect(p[4] / p[3]).toBeCloseTo(Math.E, 10);
    const cold = filteredProbs(logits, opts({ topK: 2, topP: 1, temperature: 0.5 }));
    expect(cold[4] / cold[3]).toBeCloseTo(Math.E ** 2, 10);
  });

  it('top-p removes the tail beyond the cumulative mass but always keeps the best', () => {
    const logits = Float32Array.from([Math.log(0.5), Math.log(0.3), Math.log(0.15), Math.log(0.05)]);
    const p = filteredProbs(logits, opts({ topK: 0, topP: 0.7 }));
    // cum: 0.5, 0.8 (>0.7 -> removed), ...
    expect(p[0]).toBeCloseTo(1, 10);
    const p2 = filteredProbs(logits, opts({ topK: 0, topP: 0.85 }));
    expect(p2[0]).toBeCloseTo(0.5 / 0.8, 6);
    expect(p2[2]).toBe(0);
    const tiny = filteredProbs(logits, opts({ topK: 0, topP: 0.01 }));
    expect(tiny[0]).toBe(1);
  });

  it('the exponential race draws with the given probabilities', () => {
    const p = Float64Array.from([0.1, 0.6, 0, 0.3]);
    const rand = mulberry32(3);
    const counts = [0, 0, 0, 0];
    const n = 20000;
    for (let i = 0; i < n; i++) counts[exponentialRace(p, rand)]++;
    expect(counts[2]).toBe(0);
    for (const i of [0, 1, 3]) expect(Math.abs(counts[i] / n - p[i])).toBeLessThan(0.015);
  });

  it('the same seed gives the same tokens', () => {
    const run = (seed: number) => {
      const s = new SemanticSampler([5, 6], DEFAULT_SAMPLING, mulberry32(seed), { eos: 7, minSteps: 0, maxSteps: 30 });
      const rng = mulberry32(99);
      while (!s.done) s.next(Float32Array.from({ length: 8 }, () => rng() * 2));
      return s.tokens;
    };
    expect(run(1)).toEqual(run(1));
    expect(run(1)).not.toEqual(run(2));
  });
});

describe('SemanticSampler decode rules', () => {
  const eos = 4;
  const favourEos = () => Float32Array.from([0, 0, 0, 0, 50]);

  it('never stops on EOS during the first minSteps steps', () => {
    const s = new SemanticSampler([], opts({ topK: 1, repetitionPenalty: 1 }), mulberry32(1), { eos, minSteps: 3, maxSteps: 100 });
    const out: number[] = [];
    while (!s.done) out.push(s.next(favourEos()).token);
    expect(out.slice(0, 3).every((t) => t !== eos)).toBe(true);
    expect(out[3]).toBe(eos);
    expect(s.steps).toBe(4);
    expect(s.tokens).toHaveLength(3); // EOS dropped
  });

  it('stops when the penalised argmax is EOS even if the draw is not, dropping that draw', () => {
    // EOS logit 2.0 is the argmax; with top-k 2 the draw can be token 0 (logit 1.9).
    const s = new SemanticSampler([], opts({ topK: 2, repetitionPenalty: 1 }), mulberry32(5), { eos, minSteps: 0, maxSteps: 100 });
    const r = s.next(Float32Array.from([1.9, -5, -5, -5, 2.0]));
    expect(r.done).toBe(true);
    expect(s.tokens).toEqual([0]); // nothing generated -> upstream's single 0 token
    expect(argmax([1.9, -5, -5, -5, 2.0])).toBe(eos);
  });

  it('the repetition penalty can move the argmax away from EOS before the stop test', () => {
    // Token 0 was seen before: its positive logit shrinks below the EOS logit.
    const s = new SemanticSampler([0], opts({ topK: 1, repetitionPenalty: 2 }), mulberry32(1), { eos, minSteps: 0, maxSteps: 100 });
    const r = s.next(Float32Array.from([3, 0, 0, 0, 2]));
    // 3 / 2 = 1.5 < 2 -> EOS becomes the argmax and the only top-1 candidate.
    expect(r.token).toBe(eos);
    expect(r.done).toBe(true);
  });

  it('stops at maxSteps', () => {
    const s = new SemanticSampler([], opts({ topK: 1, repetitionPenalty: 1 }), mulberry32(1), { eos, minSteps: 0, maxSteps: 5 });
    let n = 0;
    while (!s.done) {
      s.next(Float32Array.from([5, 0, 0, 0, 0]));
      n++;
    }
    expect(n).toBe(5);
    expect(s.tokens).toEqual([0, 0, 0, 0, 0]);
  });
});

describe('kthLargest', () => {
  it('equals sorting descending and taking index k - 1, duplicates and -Infinity included', () => {
    const rand = mulberry32(11);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(rand() * 60);
      // Few distinct values, so ties are common; some -Infinity as top-p leaves them.
      const x = Float64Array.from({ length: n }, () => (rand() < 0.1 ? -Infinity : Math.floor(rand() * 8) - 4));
      for (const k of [1, 2, 3, Math.max(1, n - 1), n]) {
        if (k > n) continue;
        expect(kthLargest(x, k)).toBe(Float64Array.from(x).sort().reverse()[k - 1]);
      }
    }
  });
});

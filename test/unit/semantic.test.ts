import { describe, expect, it } from 'vitest';
import { buildSemanticExtractor, CODEBOOK_NAME, SEMANTIC_TINY, SEMANTIC_V2, semanticCodeCount } from '../../src/graph/models/semantic';
import { ZeroWeights } from '../../src/graph/weights';
import { conv1dRef, JitteredWeights, noise, weightOf } from '../helpers/nn-reference';
import { f32, run } from '../helpers/ort';

const cfg = SEMANTIC_TINY;
const D = cfg.sslDim;

describe('semantic extractor (ssl_proj + 1-layer RVQ encode)', () => {
  it('picks the nearest codebook row by brute-force Euclidean distance, for odd and even T50', async () => {
    const g = buildSemanticExtractor(cfg, new JitteredWeights(31));
    const bytes = g.toBytes();
    const codebook = weightOf(g, CODEBOOK_NAME, [1024, D]);
    const w = weightOf(g, 'ssl_proj.weight', [D, D, 2]);
    const b = weightOf(g, 'ssl_proj.bias', [D]);
    let frames = 0;
    let exact = 0;
    const used = new Set<number>();
    for (const t50 of [2, 3, 49, 52, 101]) {
      const ssl = noise(D * t50, 100 + t50, 3);
      const out = await run(bytes, { ssl: f32(ssl, [1, D, t50]) });
      const t25 = semanticCodeCount(cfg, t50);
      expect(t25).toBe(Math.floor(t50 / 2));
      expect(out.codes.type).toBe('int64');
      expect(out.codes.dims).toEqual([1, 1, t25]);
      const codes = Array.from(out.codes.data as BigInt64Array, Number);

      // Reference: strided conv, then squared distance to all 1024 rows, smallest wins.
      const proj = conv1dRef(Float64Array.from(ssl), D, t50, w, b, D, 2, { stride: 2 });
      expect(proj.t).toBe(t25);
      for (let t = 0; t < t25; t++) {
        const dist = new Float64Array(1024);
        for (let j = 0; j < 1024; j++) {
          let s = 0;
          for (let c = 0; c < D; c++) s += (proj.y[c * t25 + t] - codebook[j * D + c]) ** 2;
          dist[j] = s;
        }
        let best = 0;
        for (let j = 1; j < 1024; j++) if (dist[j] < dist[best]) best = j;
        const second = Math.min(...Array.from(dist).filter((_, j) => j !== best));
        const got = codes[t];
        expect(got).toBeGreaterThanOrEqual(0);
        expect(got).toBeLessThan(1024);
        // float32 may only disagree on a near-tie; otherwise the index must be the same
        expect(dist[got] - dist[best]).toBeLessThan(1e-3);
        if (second - dist[best] > 1e-3) expect(got).toBe(best);
        frames++;
        if (got === best) exact++;
        used.add(got);
      }
    }
    console.log(`semantic codes: ${exact}/${frames} identical to brute force, ${used.size} distinct codes`);
    expect(used.size).toBeGreaterThan(10); // not a degenerate constant answer
  });

  it('real size: ssl_proj Conv1d(768, 768, 2, stride 2) = 1,180,416 + codebook 1024 x 768 = 786,432', () => {
    const g = buildSemanticExtractor(SEMANTIC_V2, new ZeroWeights());
    expect(g.initializers.get('ssl_proj.weight')?.dims).toEqual([768, 768, 2]);
    expect(g.initializers.get('ssl_proj.bias')?.dims).toEqual([768]);
    expect(g.initializers.get(CODEBOOK_NAME)?.dims).toEqual([1024, 768]);
    expect(768 * 768 * 2 + 768).toBe(1_180_416);
    expect(g.parameterCount()).toBe(1_180_416 + 786_432);
  });
});

// The GPU bench's arithmetic and its markdown (test/bench/gpu-report.ts, gpu-quality.ts): figures
// from synthesis reports, targets met or not, and the waveform comparison.
import { describe, expect, it } from 'vitest';
import type { SynthesisReport } from '../../src/engine/synthesize';
import { waveDiff } from '../bench/diff-stats';
import { gpuFigures, gpuMarkdown, type GpuResult } from '../bench/gpu-report';

/** A report of `steps` decoded tokens with the given times (ms). */
function report(steps: number, t: { prefill: number; t2s: number; sovits: number; first: number; reads: number }): SynthesisReport {
  const audioSec = steps / 25;
  return {
    seed: 1,
    segments: [{ tokens: steps, phones: 40, t2s: { steps, readbacks: t.reads, prefillReadbacks: 1, prefillMs: t.prefill, decodeMs: t.t2s - t.prefill } }],
    warnings: [],
    audioSec,
    firstChunkMs: t.first,
    t2sMs: t.t2s,
    sovitsMs: t.sovits,
    bertMs: 0,
    totalMs: t.t2s + t.sovits,
  } as unknown as SynthesisReport;
}

const result = (runs: SynthesisReport[], isNull = false): GpuResult => ({
  started: '2026-12-07T00:00:00.000Z',
  machine: { cpu: 'x', cores: 16, memGiB: 128, node: 'v20', ort: '1.30.0', load: [0, 0, 0] },
  gpu: { adapter: 'nvidia hopper', backend: 'default', features: ['shader-f16'], isNull, flags: [] },
  pack: { id: 'v2-random', weightBytes: 800 * 2 ** 20 },
  tokens: 151,
  refSec: 7.1,
  runs: [
    { requested: 'fp32', precision: { t2s: 'fp32', sovits: 'fp32', reason: 'r' }, initMs: 1, loadMs: 1000, cloneMs: 500, warmup: runs[0], runs },
    { requested: 'fp16', skipped: 'no shader-f16' },
  ],
});

describe('GPU bench report', () => {
  it('computes decode rate, RTF split and reads per token from the reports', () => {
    // 151 tokens: 150 decode steps in 300 ms -> 500 tok/s; 6.04 s of audio.
    const f = gpuFigures([report(151, { prefill: 20, t2s: 320, sovits: 60, first: 150, reads: 150 })]);
    expect(f.tokPerSec).toBeCloseTo(500, 6);
    expect(f.readsPerToken).toBe(1);
    expect(f.rtf).toBeCloseTo(0.38 / 6.04, 9);
    expect(f.t2sRtf + f.sovitsRtf).toBeCloseTo(f.rtf, 9);
  });

  it('marks each target met or not and says why a precision did not run', () => {
    // 150 steps in 200 ms: 750 tok/s; RTF 0.27 / 6.04 = 0.045.
    const fast = gpuMarkdown(result([report(151, { prefill: 10, t2s: 210, sovits: 60, first: 150, reads: 150 })]));
    expect(fast).toContain('750.0 tok/s (≥ 300) **met**');
    expect(fast).toContain('0.045 (≤ 0.05) **met**');
    expect(fast).toContain('0.150 s (≤ 0.3 s) **met**');
    expect(fast).not.toContain('**not met**');
    expect(fast).toContain('fp16: no shader-f16');
    const slow = gpuMarkdown(result([report(151, { prefill: 200, t2s: 1700, sovits: 600, first: 900, reads: 300 })]));
    expect(slow).toContain('100.0 tok/s (≥ 300) **not met**');
    expect(slow).toContain('| 2.00 |'); // two reads per token
    expect(gpuMarkdown(result([report(151, { prefill: 20, t2s: 320, sovits: 60, first: 150, reads: 150 })], true))).toContain('null backend');
  });

  it('measures waveform differences as |Δ| and SNR against the signal variance', () => {
    const ref = Float32Array.from({ length: 1000 }, (_, i) => 0.5 + Math.sin(i / 5));
    const same = waveDiff(ref, ref);
    expect(same.maxAbs).toBe(0);
    expect(same.snrDb).toBe(Infinity);
    const noisy = waveDiff(ref, Float32Array.from(ref, (v, i) => v + (i % 2 ? 0.01 : -0.01)));
    expect(noisy.maxAbs).toBeCloseTo(0.01, 6);
    // Signal variance 0.5 (a sine, DC removed) over error power 1e-4: ~37 dB.
    expect(noisy.snrDb).toBeCloseTo(10 * Math.log10(0.5 / 1e-4), 0);
    expect(Number.isNaN(waveDiff(ref, Float32Array.from(ref, () => NaN)).maxAbs)).toBe(true);
  });
});

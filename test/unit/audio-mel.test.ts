// The v4 reference mel against upstream's mel_processing.mel_spectrogram_torch (with librosa's
// Slaney filters), from test/fixtures/v3v4/input (scripts/make-v3v4-fixtures.py).
import { describe, expect, it } from 'vitest';
import { logMel, melFilters, RealDFT } from '../../src/audio/mel';
import { f32Of, readArrays } from '../helpers/fixture-arrays';

const DIR = new URL('../fixtures/v3v4/', import.meta.url);
const input = readArrays(DIR, 'input');
const V4 = { sampleRate: 32000, nFft: 1280, hop: 320, win: 1280, bins: 100 };

describe('v3/v4 reference mel', () => {
  it('Bluestein DFT of a non-power-of-two length equals the direct sum', () => {
    const n = 12;
    const x = Array.from({ length: n }, (_, i) => Math.sin(i * 1.3) + 0.1 * i);
    const got = new Float64Array(n / 2 + 1);
    new RealDFT(n).power(x, got);
    for (let k = 0; k <= n / 2; k++) {
      let re = 0;
      let im = 0;
      x.forEach((v, i) => {
        re += v * Math.cos((2 * Math.PI * k * i) / n);
        im -= v * Math.sin((2 * Math.PI * k * i) / n);
      });
      expect(got[k]).toBeCloseTo(re * re + im * im, 9);
    }
  });

  it('mel filters equal librosa.filters.mel(sr=32000, n_fft=1280, n_mels=100)', () => {
    const want = f32Of(input, 'mel_filters_v4');
    const got = melFilters(32000, 1280, 100);
    let diff = 0;
    want.forEach((v, i) => (diff = Math.max(diff, Math.abs(v - got[i]))));
    expect(diff).toBeLessThan(1e-8);
  });

  it('v3: filters and log mel of the 24 kHz reference equal mel_fn (n_fft 1024, hop 256; max |diff| <= 1e-4 x the range)', () => {
    const V3 = { sampleRate: 24000, nFft: 1024, hop: 256, win: 1024, bins: 100 };
    const filters = melFilters(24000, 1024, 100);
    let fd = 0;
    f32Of(input, 'mel_filters_v3').forEach((v, i) => (fd = Math.max(fd, Math.abs(v - filters[i]))));
    expect(fd).toBeLessThan(1e-8);
    const want = f32Of(input, 'mel_v3');
    const got = logMel(f32Of(input, 'wav24k'), V3);
    expect([1, got.bins, got.frames]).toEqual(input.mel_v3.shape);
    let diff = 0;
    want.forEach((v, i) => (diff = Math.max(diff, Math.abs(v - got.data[i]))));
    const range = Math.max(...want) - Math.min(...want);
    console.log(`v3 mel: ${got.frames} frames, max |diff| ${diff.toExponential(2)} over a range of ${range.toFixed(1)}`);
    expect(diff).toBeLessThan(1e-4 * range);
  });

  it('log mel of the reference equals mel_fn_v4 (max |diff| <= 1e-4 x the range)', () => {
    const want = f32Of(input, 'mel_v4');
    const got = logMel(f32Of(input, 'wav32k'), V4);
    expect([1, got.bins, got.frames]).toEqual(input.mel_v4.shape);
    let diff = 0;
    want.forEach((v, i) => (diff = Math.max(diff, Math.abs(v - got.data[i]))));
    const range = Math.max(...want) - Math.min(...want);
    console.log(`v4 mel: ${got.frames} frames, max |diff| ${diff.toExponential(2)} over a range of ${range.toFixed(1)}`);
    expect(diff).toBeLessThan(1e-4 * range);
  });
});

// v2Pro / v2ProPlus against upstream's own PyTorch modules (fixtures by
// scripts/make-v2pro-fixtures.py on upstream's code: Kaldi fbank from eres2net/kaldi.py,
// ERes2NetV2.forward3, SynthesizerTrn.decode's ge and waveform, one and two references).
// Tiny cases read the torch-written checkpoints through the safe reader and the mapping; real-size
// cases regenerate the same formula weights from the recorded spec (the weights are not committed).
import * as ort from 'onnxruntime-web';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { kaldiFbank } from '../../src/audio/fbank';
import { bytesSource } from '../../src/checkpoint/bytes';
import { readSoVITS, readSV } from '../../src/checkpoint/models';
import { openCheckpoint } from '../../src/checkpoint/open';
import { buildSoVITSDecoder, buildSoVITSRefEncoder, SOVITS_TINY_V2PRO, SOVITS_TINY_V2PROPLUS, SOVITS_V2PRO, SOVITS_V2PROPLUS, type SoVITSConfig } from '../../src/graph/models/sovits';
import { buildSpeakerVerification, SV_ERES2NETV2, SV_TINY, type SVConfig } from '../../src/graph/models/sv';
import type { WeightSource } from '../../src/graph/weights';
import { FormulaWeights, type FormulaSpec } from '../helpers/fixture-weights';
import { session } from '../helpers/ort';
import { f32Of, readArrays as readFixtureArrays, snrDb, tensorOf } from '../helpers/fixture-arrays';

const DIR = new URL('../fixtures/v2pro/', import.meta.url);

const readArrays = (folder: string) => readFixtureArrays(DIR, folder);
const input = readArrays('input');
const f32 = f32Of;
const tensor = tensorOf;

describe('Kaldi fbank (upstream eres2net/kaldi.py, 80 bins, 16 kHz, dither 0)', () => {
  it.each(['A', 'B'])('reference %s: max |diff| <= 1e-4 x the range, same frame count', (r) => {
    const wav = f32(input, `wav16k_${r}`);
    const want = f32(input, `fbank_${r}`);
    const got = kaldiFbank(wav);
    expect([got.frames, got.bins]).toEqual(input[`fbank_${r}`].shape);
    let lo = Infinity;
    let hi = -Infinity;
    let diff = 0;
    want.forEach((v, i) => {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
      diff = Math.max(diff, Math.abs(v - got.data[i]));
    });
    console.log(`fbank ${r}: ${got.frames} frames, max |diff| ${diff.toExponential(2)} over a range of ${(hi - lo).toFixed(2)}`);
    expect(diff).toBeLessThanOrEqual(1e-4 * (hi - lo));
  });
});

interface Case {
  name: string;
  sovits: SoVITSConfig;
  sv: SVConfig;
  /** Weight sources for the SoVITS and SV graphs, and the version the reader decided (tiny). */
  weights: () => Promise<{ sovits: WeightSource; sv: WeightSource; version?: string; sovitsCfg?: SoVITSConfig; svCfg?: SVConfig }>;
}

async function fromCheckpoints(folder: string) {
  const open = async (path: string) => openCheckpoint(bytesSource(new Uint8Array(readFileSync(new URL(path, DIR))), path));
  const sovits = readSoVITS(await open(`${folder}/s2.pth`));
  const sv = readSV(await open('sv-tiny.ckpt'));
  return { sovits: sovits.weights, sv: sv.weights, version: sovits.version, sovitsCfg: sovits.sovits, svCfg: sv.sv };
}

function fromSpec(folder: string) {
  const specs = (JSON.parse(readFileSync(new URL(`${folder}/weights-spec.json`, DIR), 'utf8')) as { tensors: Record<string, FormulaSpec> }).tensors;
  const part = (prefix: string) => Object.fromEntries(Object.entries(specs).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
  return { sovits: new FormulaWeights(part('s2/'), (n) => n, folder), sv: new FormulaWeights(part('sv/'), (n) => n, folder) };
}

const CASES: Case[] = [
  { name: 'tiny-v2Pro', sovits: SOVITS_TINY_V2PRO, sv: SV_TINY, weights: () => fromCheckpoints('tiny-v2Pro') },
  { name: 'tiny-v2ProPlus', sovits: SOVITS_TINY_V2PROPLUS, sv: SV_TINY, weights: () => fromCheckpoints('tiny-v2ProPlus') },
  { name: 'real-v2Pro', sovits: SOVITS_V2PRO, sv: SV_ERES2NETV2, weights: async () => fromSpec('real-v2Pro') },
  { name: 'real-v2ProPlus', sovits: SOVITS_V2PROPLUS, sv: SV_ERES2NETV2, weights: async () => fromSpec('real-v2ProPlus') },
];

describe.each(CASES)('$name against upstream', (c) => {
  it('sv embedding >= 60 dB, ge >= 60 dB (one and two references), waveform >= 40 dB (noise 0)', async () => {
    const want = readArrays(c.name);
    const w = await c.weights();
    if (w.version) {
      // The reader decides the version and every dimension from the file, as upstream does.
      expect(w.version).toBe(c.name.replace('tiny-', ''));
      expect(w.sovitsCfg).toEqual(c.sovits);
      expect(w.svCfg).toEqual(c.sv);
    }
    const figures: string[] = [];
    const check = (what: string, ref: ArrayLike<number>, got: ArrayLike<number>, min: number) => {
      const snr = snrDb(ref, got);
      figures.push(`${what} ${snr.toFixed(1)} dB`);
      expect(snr, what).toBeGreaterThanOrEqual(min);
    };

    const svSession = await session(buildSpeakerVerification(c.sv, w.sv));
    const svOut: Record<string, ort.Tensor> = {};
    for (const r of ['A', 'B']) {
      const fb = input[`fbank_${r}`];
      svOut[r] = (await svSession.run({ fbank: new ort.Tensor('float32', fb.data as Float32Array, [1, ...fb.shape]) })).sv;
      check(`sv ${r}`, f32(want, `sv_${r}`), svOut[r].data as Float32Array, 60);
    }
    // Our fbank feeding our graph, end to end from the 16 kHz audio.
    const ours = kaldiFbank(f32(input, 'wav16k_A'));
    const svFromWav = (await svSession.run({ fbank: new ort.Tensor('float32', ours.data, [1, ours.frames, ours.bins]) })).sv;
    check('sv A from our fbank', f32(want, 'sv_A'), svFromWav.data as Float32Array, 60);
    await svSession.release();

    const refSession = await session(buildSoVITSRefEncoder(c.sovits, w.sovits));
    const ge: Record<string, Float32Array> = {};
    for (const r of ['A', 'B']) {
      // Upstream's sv embedding in, so each graph is judged on its own.
      ge[r] = (await refSession.run({ refer: tensor(input, `spec_${r}`), sv: new ort.Tensor('float32', f32(want, `sv_${r}`), [1, c.sovits.svDim!]) })).ge.data as Float32Array;
      check(`ge ${r}`, f32(want, `ge_${r}`), ge[r], 60);
    }
    await refSession.release();
    const geMulti = ge.A.map((v, i) => (v + ge.B[i]) / 2);
    check('ge of two references', f32(want, 'ge_multi'), geMulti, 60);

    const decoder = await session(buildSoVITSDecoder(c.sovits, w.sovits));
    const frames = 2 * input.codes.shape[2];
    const decode = async (g: Float32Array) =>
      (
        await decoder.run({
          codes: tensor(input, 'codes'),
          phones: tensor(input, 'phones'),
          ge: new ort.Tensor('float32', g, [1, c.sovits.gin, 1]),
          noise: new ort.Tensor('float32', new Float32Array(c.sovits.inter * frames), [1, c.sovits.inter, frames]),
          noise_scale: new ort.Tensor('float32', Float32Array.of(0), [1]),
          speed: new ort.Tensor('float32', Float32Array.of(1), [1]),
        })
      ).audio.data as Float32Array;
    check('waveform', f32(want, 'audio'), await decode(f32(want, 'ge_A')), 40);
    check('waveform, two references', f32(want, 'audio_multi'), await decode(f32(want, 'ge_multi')), 40);
    // And from our own ge, end to end through the reference encoder.
    check('waveform from our ge', f32(want, 'audio'), await decode(ge.A), 40);
    await decoder.release();
    console.log(`${c.name}: ${figures.join(', ')}`);
  }, 300_000);
});

describe('converting upstream-format v2Pro / v2ProPlus files', () => {
  const CK = new URL('../fixtures/checkpoints/', import.meta.url);
  const file = (url: URL, name: string) => bytesSource(new Uint8Array(readFileSync(url)), name);
  const base = () => ({
    gpt: file(new URL('s1-v2.ckpt', CK), 's1-v2.ckpt'),
    hubert: file(new URL('hubert/pytorch_model.bin', CK), 'pytorch_model.bin'),
    hubertConfig: new Blob([readFileSync(new URL('hubert/config.json', CK))]),
    sv: file(new URL('sv-tiny.ckpt', DIR), 'pretrained_eres2netv2w24s4ep4.ckpt'),
  });

  it.each(['v2Pro', 'v2ProPlus'])('%s: a pack with the sv graph whose fused ge is upstream’s (>= 60 dB)', async (version) => {
    const { convertToPack } = await import('../../src/pack/convert');
    const steps: string[] = [];
    const pack = await convertToPack({ ...base(), sovits: file(new URL(`tiny-${version}/s2.pth`, DIR), `my-${version}.pth`) }, { onProgress: (p) => steps.push(`${p.phase} ${p.name}`) });
    expect(pack.manifest.version).toBe(version);
    expect(pack.report.sovitsHeader).toBe(version === 'v2Pro' ? '05' : '06');
    expect(pack.manifest.files.map((f) => f.role)).toContain('sv');
    expect(steps).toContain('reading pretrained_eres2netv2w24s4ep4.ckpt');
    expect(pack.report.ignoredKeys.sv).toBeGreaterThan(0); // num_batches_tracked and seg_1
    const bytes = (role: string) => pack.files.get(pack.manifest.files.find((f) => f.role === role)!.name)!;
    const fb = input.fbank_A;
    const sv = (await (await session(bytes('sv'))).run({ fbank: new ort.Tensor('float32', fb.data as Float32Array, [1, ...fb.shape]) })).sv;
    const ge = (await (await session(bytes('sovits-ref'))).run({ refer: tensor(input, 'spec_A'), sv })).ge.data as Float32Array;
    expect(snrDb(f32(readArrays(`tiny-${version}`), 'ge_A'), ge)).toBeGreaterThanOrEqual(60);
  });

  it('a v2Pro SoVITS without the sv file is SV_MODEL_MISSING naming the file; an sv file with a v2 SoVITS is ignored with a warning', async () => {
    const { convertToPack } = await import('../../src/pack/convert');
    const { sv: _sv, ...noSv } = base();
    const err = await convertToPack({ ...noSv, sovits: file(new URL('tiny-v2Pro/s2.pth', DIR), 's2.pth') }).catch((e) => e);
    expect(err).toMatchObject({ code: 'SV_MODEL_MISSING' });
    expect(err.message).toMatch(/pretrained_eres2netv2w24s4ep4\.ckpt/);
    const v2 = await convertToPack({ ...base(), sovits: file(new URL('s2-v2.pth', CK), 's2-v2.pth') });
    expect(v2.manifest.version).toBe('v2');
    expect(v2.manifest.files.map((f) => f.role)).not.toContain('sv');
    expect(v2.report.warnings.join(' ')).toMatch(/only used by v2Pro and v2ProPlus models.*ignored/);
    // The SV file in another slot is recognised for what it is.
    await expect(convertToPack({ ...base(), sovits: base().sv })).rejects.toMatchObject({ code: 'CHECKPOINT_WRONG_SLOT', message: expect.stringMatching(/speaker-verification/) });
  });
});

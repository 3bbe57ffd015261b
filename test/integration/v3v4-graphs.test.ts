// Quick per-graph check of the v4 graphs on the tiny fixture, weights read straight from the
// torch-written files (the mapping and conversion are tested in v3v4-fidelity.test.ts).
import * as ort from 'onnxruntime-web';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bytesSource } from '../../src/checkpoint/bytes';
import { openCheckpoint, stateDict } from '../../src/checkpoint/open';
import { CheckpointWeights } from '../../src/checkpoint/weights';
import { buildCFMStep, DIT_TINY } from '../../src/graph/models/cfm';
import { buildSoVITSRefEncoder, SOVITS_TINY } from '../../src/graph/models/sovits';
import { buildSoVITSV3V4Encoder, type SoVITSV3V4Config } from '../../src/graph/models/sovits-v3v4';
import { buildVocoder, VOCODER_TINY } from '../../src/graph/models/vocoder';
import { f32Of, readArrays, snrDb, tensorOf, transpose2d } from '../helpers/fixture-arrays';
import { i64, session } from '../helpers/ort';

const DIR = new URL('../fixtures/v3v4/', import.meta.url);
const CFG: SoVITSV3V4Config = { ...SOVITS_TINY, bridge: 24, wnLayers: 8, wnKernel: 5, feaUpsample: 2, framesPerCode: 4 };

async function weights(path: string) {
  const ck = await openCheckpoint(bytesSource(new Uint8Array(readFileSync(new URL(path, DIR))), path));
  return new CheckpointWeights(stateDict(ck), { label: path });
}

describe('tiny v4 graphs against upstream', () => {
  it('ge, fea, one CFM step, vocoder', async () => {
    const input = readArrays(DIR, 'input');
    const want = readArrays(DIR, 'tiny-v4');
    const ws = await weights('tiny-v4/s2.pth');
    const ref = await session(buildSoVITSRefEncoder(CFG, ws));
    const ge = (await ref.run({ refer: tensorOf(input, 'spec') })).ge;
    console.log('ge', snrDb(f32Of(want, 'ge'), ge.data as Float32Array).toFixed(1));
    const enc = await session(buildSoVITSV3V4Encoder(CFG, ws));
    const fea = (await enc.run({ codes: tensorOf(input, 'codes'), phones: tensorOf(input, 'phones'), ge: new ort.Tensor('float32', f32Of(want, 'ge'), [1, 32, 1]), enc_frames: i64([24], [1]), mel_frames: i64([48], [1]) })).fea;
    console.log('fea', fea.dims, snrDb(f32Of(want, 'fea_todo'), fea.data as Float32Array).toFixed(1));
    const step = await session(buildCFMStep(DIT_TINY, ws));
    for (const i of [0, 1]) {
      const T = want[`step${i}_x`].shape[2];
      const out = await step.run({
        x: tensorOf(want, `step${i}_x`),
        prompt: tensorOf(want, `step${i}_cond`),
        mu: tensorOf(want, `step${i}_text`),
        t: tensorOf(want, `step${i}_t`),
        d: tensorOf(want, `step${i}_d`),
        prompt_len: i64([40], [1]),
      });
      const v = transpose2d(f32Of(want, `step${i}_v`), T, 100);
      console.log('step', i, snrDb(v, out.v.data as Float32Array).toFixed(1));
      expect(snrDb(v, out.v.data as Float32Array)).toBeGreaterThan(60);
    }
    const voc = await session(buildVocoder(VOCODER_TINY, await weights('tiny-v4/vocoder.pth')));
    const audio = (await voc.run({ mel: tensorOf(want, 'mel') })).audio;
    console.log('vocoder', snrDb(f32Of(want, 'audio'), audio.data as Float32Array).toFixed(1));
  }, 120_000);
});

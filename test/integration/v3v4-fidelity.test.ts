// GPT-SoVITS v4 against upstream's own PyTorch modules (fixtures by scripts/make-v3v4-fixtures.py:
// SynthesizerTrnV3.decode_encp, CFM.inference with its DiT and fixed noise, TTS.py's chunk loop,
// the v4 Generator vocoder; tiny and real size). Tiny cases convert the torch-written files
// (full, and a LoRA merged onto its base) through convertToPack; the real-size case regenerates the
// same formula weights from the recorded spec.
import * as ort from 'onnxruntime-web';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { logMel } from '../../src/audio/mel';
import { bytesSource } from '../../src/checkpoint/bytes';
import { stateDictOf } from '../../src/checkpoint/models';
import { openCheckpoint } from '../../src/checkpoint/open';
import { readSoVITSV3V4, v3v4FileKind } from '../../src/checkpoint/v3v4';
import { cfmChunks, cfmPrompt, frames, normSpec, StreamingVocoder, type Frames } from '../../src/engine/cfm';
import { buildCFMStep, DIT_V3V4 } from '../../src/graph/models/cfm';
import { buildSoVITSRefEncoder } from '../../src/graph/models/sovits';
import { buildSoVITSV3V4Encoder, v3v4FrameCounts, type SoVITSV3V4Config } from '../../src/graph/models/sovits-v3v4';
import { buildVocoder, VOCODER_V4 } from '../../src/graph/models/vocoder';
import { SOVITS_V3, SOVITS_V4 } from '../../src/pack/build';
import { BIGVGAN_V2_24K, buildBigVGAN } from '../../src/graph/models/bigvgan';
import type { WeightSource } from '../../src/graph/weights';
import { MODEL_FAMILIES } from '../../src/pack/versions';
import { f32Of, readArrays, snrDb, tensorOf, transpose2d, type Arrays } from '../helpers/fixture-arrays';
import { FormulaWeights, type FormulaSpec } from '../helpers/fixture-weights';
import { i64, session } from '../helpers/ort';

const DIR = new URL('../fixtures/v3v4/', import.meta.url);
const CK = new URL('../fixtures/checkpoints/', import.meta.url);
const input = readArrays(DIR, 'input');
const file = (url: URL, name: string) => bytesSource(new Uint8Array(readFileSync(url)), name);
const f32 = (data: Float32Array, dims: number[]) => new ort.Tensor('float32', data, dims);

interface Sessions {
  ref: ort.InferenceSession;
  encoder: ort.InferenceSession;
  step: ort.InferenceSession;
  vocoder: ort.InferenceSession;
  sovits: SoVITSV3V4Config;
  hop: number;
  /** v3: 24 kHz reference and mel (n_fft 1024, hop 256); v4: 32 kHz (1280, 320). */
  version?: 'v3' | 'v4';
}

const MEL = {
  v4: { wav: 'wav32k', opts: { sampleRate: 32000, nFft: 1280, hop: 320, win: 1280, bins: 100 } },
  v3: { wav: 'wav24k', opts: { sampleRate: 24000, nFft: 1024, hop: 256, win: 1024, bins: 100 } },
};

async function release(s: Sessions) {
  await Promise.all([s.ref, s.encoder, s.step, s.vocoder].map((x) => x.release()));
}

/** Every comparison of one case: each graph on upstream's inputs, then the whole pipeline. */
async function checkCase(s: Sessions, want: Arrays, speedWant: Arrays | undefined, label: string): Promise<string[]> {
  const figures: string[] = [];
  const check = (what: string, ref: ArrayLike<number>, got: ArrayLike<number>, min: number) => {
    const snr = snrDb(ref, got);
    figures.push(`${what} ${snr.toFixed(1)} dB`);
    expect(snr, `${label}: ${what}`).toBeGreaterThanOrEqual(min);
  };
  const gin = s.sovits.gin;
  const ge = (await s.ref.run({ refer: f32(f32Of(input, 'spec'), input.spec.shape) })).ge.data as Float32Array;
  check('ge', f32Of(want, 'ge'), ge, 60);

  const encode = async (codesName: string, phonesName: string, g: Float32Array, speed = 1) => {
    const n = input[codesName].shape[2];
    const c = v3v4FrameCounts(s.sovits, n, speed);
    const out = await s.encoder.run({
      codes: tensorOf(input, codesName),
      phones: tensorOf(input, phonesName),
      ge: f32(g, [1, gin, 1]),
      enc_frames: i64([c.encFrames], [1]),
      mel_frames: i64([c.melFrames], [1]),
    });
    return frames(out.fea.data as Float32Array, s.sovits.bridge);
  };
  const geWant = f32Of(want, 'ge');
  check('fea (prompt)', f32Of(want, 'fea_ref_full'), (await encode('prompt_codes', 'prompt_phones', geWant)).data, 60);
  check('fea (target)', f32Of(want, 'fea_todo'), (await encode('codes', 'phones', geWant)).data, 60);
  if (speedWant) check('fea (speed 0.9)', f32Of(speedWant, 'fea_todo_speed_0_9'), (await encode('codes', 'phones', geWant, 0.9)).data, 60);

  // Every recorded DiT call of the first chunk; the first two on upstream's exact inputs.
  const bins = 100;
  for (const i of [0, 1]) {
    const T = want[`step${i}_x`].shape[2];
    const out = await s.step.run({
      x: tensorOf(want, `step${i}_x`),
      prompt: tensorOf(want, `step${i}_cond`),
      mu: tensorOf(want, `step${i}_text`),
      t: tensorOf(want, `step${i}_t`),
      d: tensorOf(want, `step${i}_d`),
      prompt_len: i64([JSON.parse(readFileSync(new URL(`${label}/meta.json`, DIR), 'utf8')).synthesis.T_min], [1]),
    });
    check(`CFM step ${i} velocity`, transpose2d(f32Of(want, `step${i}_v`), T, bins), out.v.data as Float32Array, 60);
  }

  const audioVoc = (await s.vocoder.run({ mel: tensorOf(want, 'mel') })).audio.data as Float32Array;
  check('vocoder (upstream mel)', f32Of(want, 'audio'), audioVoc, 40);

  // End to end from the reference and codes: our ge, our mel of the reference, upstream's noise.
  const meta = JSON.parse(readFileSync(new URL(`${label}/meta.json`, DIR), 'utf8')) as { synthesis: { steps: number; T_ref: number; T_chunk: number; T_min: number } };
  const ours = (await s.ref.run({ refer: f32(f32Of(input, 'spec'), input.spec.shape) })).ge.data as Float32Array;
  const melSpec = MEL[s.version ?? "v4"];
  const refMel = logMel(f32Of(input, melSpec.wav), melSpec.opts);
  const prompt = cfmPrompt({ data: refMel.data.map(normSpec), rows: bins, frames: refMel.frames }, await encode('prompt_codes', 'prompt_phones', ours), meta.synthesis.T_ref);
  const todo = await encode('codes', 'phones', ours);
  const perStep: string[] = [];
  const chunks = cfmChunks(prompt, todo, {
    steps: meta.synthesis.steps,
    tChunk: meta.synthesis.T_chunk,
    noise: (k) => f32Of(want, `noise${k}`),
    step: async (f) => {
      const r = await s.step.run({
        x: f32(f.x.data, [1, bins, f.x.frames]),
        prompt: f32(f.prompt.data, [1, bins, f.x.frames]),
        mu: f32(f.mu.data, [1, f.mu.rows, f.mu.frames]),
        t: f32(Float32Array.of(f.t), [1]),
        d: f32(Float32Array.of(f.d), [1]),
        prompt_len: i64([f.promptLen], [1]),
      });
      return r.x_next.data as Float32Array;
    },
    onStep: (c, j) => void perStep.push(`${c}.${j}`),
  });
  const context = MODEL_FAMILIES[s.version ?? 'v4'].flowMatching!.vocoderContext;
  const voc = new StreamingVocoder(async (m: Frames) => (await s.vocoder.run({ mel: f32(m.data, [1, m.rows, m.frames]) })).audio.data as Float32Array, s.hop, context);
  const pieces: Float32Array[] = [];
  const mel: Frames[] = [];
  let prev: Frames | undefined;
  for await (const c of chunks) {
    if (prev) pieces.push(await voc.push(prev, false));
    mel.push(c);
    prev = c;
  }
  pieces.push(await voc.push(prev!, true));
  const audio = Float32Array.from(pieces.flatMap((p) => Array.from(p)));
  const melAll = new Float32Array(bins * mel.reduce((n, m) => n + m.frames, 0));
  const total = melAll.length / bins;
  let at = 0;
  for (const m of mel) {
    for (let r = 0; r < bins; r++) melAll.set(m.data.subarray(r * m.frames, (r + 1) * m.frames), r * total + at);
    at += m.frames;
  }
  expect(perStep.length).toBe(mel.length * meta.synthesis.steps);
  check('mel end to end', f32Of(want, 'mel_norm'), melAll, 40);
  check('waveform end to end (streamed vocoder)', f32Of(want, 'audio'), audio, 35);
  return figures;
}

async function fromPack(pack: { manifest: { files: { role: string; name: string }[]; dims: Record<string, unknown> }; files: Map<string, Uint8Array> }): Promise<Sessions> {
  const bytes = (role: string) => pack.files.get(pack.manifest.files.find((f) => f.role === role)!.name)!;
  return {
    ref: await session(bytes('sovits-ref')),
    encoder: await session(bytes('sovits-encoder')),
    step: await session(bytes('cfm-step')),
    vocoder: await session(bytes('vocoder')),
    sovits: pack.manifest.dims.sovits as SoVITSV3V4Config,
    hop: 480,
  };
}

const base = () => ({
  gpt: file(new URL('s1-v2.ckpt', CK), 's1-v2.ckpt'),
  hubert: file(new URL('hubert/pytorch_model.bin', CK), 'pytorch_model.bin'),
  hubertConfig: new Blob([readFileSync(new URL('hubert/config.json', CK))]),
  vocoder: file(new URL('tiny-v4/vocoder.pth', DIR), 'vocoder.pth'),
});

describe('tiny v4 converted from upstream-format files', () => {
  it('full model: a 48 kHz pack whose graphs give upstream’s ge, fea, steps, vocoder and waveform', async () => {
    const { convertToPack } = await import('../../src/pack/convert');
    const pack = await convertToPack({ ...base(), sovits: file(new URL('tiny-v4/s2.pth', DIR), 's2Gv4-tiny.pth') });
    expect(pack.manifest.version).toBe('v4');
    expect(pack.manifest.sampleRate).toBe(48000);
    expect(pack.report.flow).toEqual({ decidedBy: 'config', lora: undefined });
    expect(pack.manifest.files.map((f) => f.role)).toEqual(expect.arrayContaining(['sovits-encoder', 'cfm-step', 'vocoder']));
    expect(pack.manifest.files.map((f) => f.role)).not.toContain('sovits-decoder');
    const s = await fromPack(pack);
    const figures = await checkCase(s, readArrays(DIR, 'tiny-v4'), readArrays(DIR, 'tiny-v4/speed'), 'tiny-v4');
    await release(s);
    console.log(`tiny-v4: ${figures.join(', ')}`);
  }, 300_000);

  it('LoRA: merged onto the base as peft merges (W + B·A), and the merged model matches upstream', async () => {
    const open = async (name: string) => {
      const ck = await openCheckpoint(file(new URL(name, DIR), name));
      const sd = stateDictOf(ck, 'sovits');
      return { ckpt: ck, sd, kind: await v3v4FileKind(ck, sd) };
    };
    const lora = await open('tiny-v4/lora.pth');
    expect(lora.kind).toEqual({ version: 'v4', lora: true, by: 'header' });
    const model = readSoVITSV3V4(lora, await open('tiny-v4/s2.pth'));
    expect(model.lora).toEqual({ rank: 4, alpha: 4, targets: 8 });
    const merged = readArrays(DIR, 'tiny-v4/lora-merged');
    for (const [name, a] of Object.entries(merged)) {
      const got = model.weights.get(`cfm.${name}`, a.shape);
      let diff = 0;
      let peak = 0;
      (a.data as Float32Array).forEach((v, i) => {
        diff = Math.max(diff, Math.abs(v - got[i]));
        peak = Math.max(peak, Math.abs(v));
      });
      expect(diff / peak, name).toBeLessThan(1e-6);
    }

    const { convertToPack } = await import('../../src/pack/convert');
    const steps: string[] = [];
    const pack = await convertToPack(
      { ...base(), sovits: file(new URL('tiny-v4/lora.pth', DIR), 'my-voice_e8_s16_l4.pth'), sovitsBase: file(new URL('tiny-v4/s2.pth', DIR), 's2Gv4.pth') },
      { onProgress: (p) => steps.push(`${p.phase} ${p.name}`) },
    );
    expect(steps).toEqual(expect.arrayContaining(['reading s2Gv4.pth', 'reading vocoder.pth']));
    expect(pack.report.sovitsHeader).toBe('04');
    expect(pack.report.flow).toEqual({ decidedBy: 'header', lora: { rank: 4, alpha: 4, targets: 8 } });
    expect(pack.manifest.weights).toMatch(/LoRA rank 4 merged onto the base/);
    const s = await fromPack(pack);
    const figures = await checkCase(s, readArrays(DIR, 'tiny-v4/lora'), undefined, 'tiny-v4');
    await release(s);
    console.log(`tiny-v4 LoRA: ${figures.join(', ')}`);
  }, 300_000);

  it('a LoRA without its base is SOVITS_BASE_MISSING naming s2Gv4.pth; v4 without the vocoder is VOCODER_MISSING', async () => {
    const { convertToPack } = await import('../../src/pack/convert');
    const lora = () => file(new URL('tiny-v4/lora.pth', DIR), 'lora.pth');
    await expect(convertToPack({ ...base(), sovits: lora() })).rejects.toMatchObject({ code: 'SOVITS_BASE_MISSING', message: expect.stringMatching(/s2Gv4\.pth/) });
    const { vocoder: _v, ...noVocoder } = base();
    await expect(convertToPack({ ...noVocoder, sovits: file(new URL('tiny-v4/s2.pth', DIR), 's2.pth') })).rejects.toMatchObject({
      code: 'VOCODER_MISSING',
      message: expect.stringMatching(/gsv-v4-pretrained\/vocoder\.pth/),
    });
    // The same LoRA marked v3 (header 03) asks for v3's base.
    const v3Lora = new Uint8Array(readFileSync(new URL('tiny-v4/lora.pth', DIR)));
    v3Lora[1] = '3'.charCodeAt(0);
    await expect(convertToPack({ ...base(), sovits: bytesSource(v3Lora, 'v3-lora.pth') })).rejects.toMatchObject({ code: 'SOVITS_BASE_MISSING', message: expect.stringMatching(/GPT-SoVITS v3 LoRA.*s2Gv3\.pth/) });
    // The vocoder in the SoVITS slot, and a base given with a full model.
    await expect(convertToPack({ ...base(), sovits: base().vocoder })).rejects.toMatchObject({ code: 'CHECKPOINT_WRONG_SLOT', message: expect.stringMatching(/vocoder/) });
    const full = await convertToPack({ ...base(), sovits: file(new URL('tiny-v4/s2.pth', DIR), 's2.pth'), sovitsBase: file(new URL('tiny-v4/s2.pth', DIR), 'base.pth') });
    expect(full.report.warnings.join(' ')).toMatch(/only used with LoRA fine-tunes/);
    // v3/v4 extras given with a v2 model are ignored with a warning.
    const v2 = await convertToPack({ ...base(), sovits: file(new URL('s2-v2.pth', CK), 's2-v2.pth') });
    expect(v2.manifest.version).toBe('v2');
    expect(v2.report.warnings.join(' ')).toMatch(/vocoder\.pth \(a vocoder\) is only used by GPT-SoVITS v3\/v4 models/);
  }, 120_000);
});

describe('tiny v3 converted from upstream-format files (×1.875 condition, BigVGAN at 24 kHz)', () => {
  it('a 24 kHz pack whose graphs give upstream’s ge, fea, steps, BigVGAN and waveform', async () => {
    const { convertToPack } = await import('../../src/pack/convert');
    const pack = await convertToPack({
      ...base(),
      sovits: file(new URL('tiny-v3/s2.pth', DIR), 's2Gv3-tiny.pth'),
      vocoder: file(new URL('tiny-v3/bigvgan_generator.pt', DIR), 'bigvgan_generator.pt'),
    });
    expect(pack.manifest.version).toBe('v3');
    expect(pack.manifest.sampleRate).toBe(24000);
    expect((pack.manifest.dims.vocoder as { kind?: string }).kind).toBe('bigvgan');
    const s = { ...(await fromPack(pack)), hop: 256, version: 'v3' as const };
    const figures = await checkCase(s, readArrays(DIR, 'tiny-v3'), readArrays(DIR, 'tiny-v3/speed'), 'tiny-v3');
    await release(s);
    console.log(`tiny-v3: ${figures.join(', ')}`);
    // The v4 vocoder with a v3 model is refused, naming the right file.
    await expect(convertToPack({ ...base(), sovits: file(new URL('tiny-v3/s2.pth', DIR), 's2.pth') })).rejects.toMatchObject({ code: 'MODELS_MISMATCH', message: expect.stringMatching(/bigvgan_generator\.pt/) });
  }, 300_000);
});

const REAL = [
  { version: 'v4' as const, sovits: SOVITS_V4, hop: 480, vocoder: (ws: WeightSource) => buildVocoder(VOCODER_V4, ws) },
  { version: 'v3' as const, sovits: SOVITS_V3, hop: 256, vocoder: (ws: WeightSource) => buildBigVGAN(BIGVGAN_V2_24K, ws) },
];

describe.each(REAL)('real-size $version (formula weights) against upstream', (c) => {
  it('ge, fea, CFM steps >= 60 dB, vocoder >= 40 dB, end to end >= 35 dB', async () => {
    const label = `real-${c.version}`;
    const specs = (JSON.parse(readFileSync(new URL(`${label}/weights-spec.json`, DIR), 'utf8')) as { tensors: Record<string, FormulaSpec> }).tensors;
    const part = (prefix: string) => Object.fromEntries(Object.entries(specs).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
    const sovitsW = new FormulaWeights(part('s2/'), (n) => n, label);
    const vocW = new FormulaWeights(part('vocoder/'), (n) => n, `${label} vocoder`);
    // The DiT first, on its own (1.35 GB of fp32 weights; the engine loads it without prepacking too).
    const step = await session(buildCFMStep(DIT_V3V4, sovitsW), { prepack: false });
    const s: Sessions = {
      ref: await session(buildSoVITSRefEncoder(c.sovits, sovitsW)),
      encoder: await session(buildSoVITSV3V4Encoder(c.sovits, sovitsW)),
      step,
      vocoder: await session(c.vocoder(vocW)),
      sovits: c.sovits,
      hop: c.hop,
      version: c.version,
    };
    const figures = await checkCase(s, readArrays(DIR, label), readArrays(DIR, `${label}/speed`), label);
    await release(s);
    console.log(`${label}: ${figures.join(', ')}`);
  }, 1_200_000);
});

describe('fp16 (WebGPU shader-f16) and int8 (WASM opt-in) variants of the tiny v4 graphs', () => {
  it('CFM step and vocoder stay close to upstream; fp32 inputs and outputs as the engine feeds them', async () => {
    const { convertToFp16 } = await import('../../src/graph/fp16');
    const { quantizeInt8 } = await import('../../src/graph/quantize');
    const { convertToPack } = await import('../../src/pack/convert');
    const pack = await convertToPack({ ...base(), sovits: file(new URL('tiny-v4/s2.pth', DIR), 's2.pth') });
    const bytes = (role: string) => pack.files.get(pack.manifest.files.find((f) => f.role === role)!.name)!;
    const want = readArrays(DIR, 'tiny-v4');
    const T = want.step0_x.shape[2];
    const v = transpose2d(f32Of(want, 'step0_v'), T, 100);
    const stepFeeds = {
      x: tensorOf(want, 'step0_x'),
      prompt: tensorOf(want, 'step0_cond'),
      mu: tensorOf(want, 'step0_text'),
      t: tensorOf(want, 'step0_t'),
      d: tensorOf(want, 'step0_d'),
      prompt_len: i64([40], [1]),
    };
    const figures: string[] = [];
    for (const [name, graph, min] of [
      ['fp16', convertToFp16(bytes('cfm-step')).bytes, 30],
      ['int8', quantizeInt8(bytes('cfm-step'), { minElements: 0 }).bytes, 20],
    ] as const) {
      const s = await session(graph);
      const snr = snrDb(v, (await s.run(stepFeeds)).v.data as Float32Array);
      await s.release();
      figures.push(`CFM step ${name} ${snr.toFixed(1)} dB`);
      expect(snr, name).toBeGreaterThan(min);
    }
    // The encoder's positions and masks stay fp32 in the fp16 variant (v3's x1.875 index arithmetic too).
    for (const version of ['v4', 'v3'] as const) {
      const p = version === 'v4' ? pack : await convertToPack({ ...base(), sovits: file(new URL('tiny-v3/s2.pth', DIR), 's2.pth'), vocoder: file(new URL('tiny-v3/bigvgan_generator.pt', DIR), 'bigvgan_generator.pt') });
      const enc = await session(convertToFp16(p.files.get(p.manifest.files.find((f) => f.role === 'sovits-encoder')!.name)!).bytes);
      const w = readArrays(DIR, `tiny-${version}`);
      const c = v3v4FrameCounts(p.manifest.dims.sovits as SoVITSV3V4Config, input.codes.shape[2]);
      const fea = (await enc.run({ codes: tensorOf(input, 'codes'), phones: tensorOf(input, 'phones'), ge: tensorOf(w, 'ge'), enc_frames: i64([c.encFrames], [1]), mel_frames: i64([c.melFrames], [1]) })).fea;
      await enc.release();
      const snrEnc = snrDb(f32Of(w, 'fea_todo'), fea.data as Float32Array);
      figures.push(`encoder ${version} fp16 ${snrEnc.toFixed(1)} dB`);
      expect(snrEnc).toBeGreaterThan(30);
    }
    const voc = await session(convertToFp16(bytes('vocoder')).bytes);
    const snr = snrDb(f32Of(want, 'audio'), (await voc.run({ mel: tensorOf(want, 'mel') })).audio.data as Float32Array);
    await voc.release();
    figures.push(`vocoder fp16 ${snr.toFixed(1)} dB`);
    expect(snr).toBeGreaterThan(25);
    console.log(`tiny-v4 variants vs upstream: ${figures.join(', ')}`);
  }, 120_000);
});

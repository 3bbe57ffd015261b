// Model packs as buildPack writes them: the manifest, file integrity, determinism by seed, every
// graph of the tiny pack running in onnxruntime-web (wasm, Node) at two input sizes, and the
// real-size v2 pack's parameter counts per network against upstream's model sizes.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { hubertFrameCount } from '../../src/graph/models/hubert';
import { semanticCodeCount } from '../../src/graph/models/semantic';
import { sovitsFrameCount, sovitsHop, sovitsWeightNormNames, sovitsParameterShapesByPart } from '../../src/graph/models/sovits';
import { mulberry32, RandomWeights, ZeroWeights, type Init, type WeightSource } from '../../src/graph/weights';
import { buildPack, PACK_TINY, PACK_TINY_V2PRO, PACK_TINY_V2PROPLUS, PACK_TINY_V4, PACK_V2_RANDOM, PACK_V4_RANDOM, type PackConfig } from '../../src/pack/build';
import { svEmbedDim } from '../../src/graph/models/sv';
import { v3v4FrameCounts, type SoVITSV3V4Config } from '../../src/graph/models/sovits-v3v4';
import { buildVocoder, vocoderHop, type HiFiGANConfig } from '../../src/graph/models/vocoder';
import { buildCFMStep } from '../../src/graph/models/cfm';
import { FLOW_ROLES, isGraphRole, REQUIRED_ROLES, validateManifest, type GraphRole, type PackManifest } from '../../src/pack/manifest';
import { syntheticBertVocab, TINY_VOCAB_ENTRIES } from '../../src/pack/synthetic-vocab';
import { BertTokenizer, parseVocabText } from '../../src/text/bert-tokenizer';
import { session, type Feeds } from '../helpers/ort';

const { onnx } = onnxProto;

interface Built {
  manifest: PackManifest;
  files: Map<string, Uint8Array>;
}

async function buildInMemory(cfg: PackConfig, seed: number): Promise<Built> {
  const files = new Map<string, Uint8Array>();
  const ws = new RandomWeights(seed);
  const manifest = await buildPack(
    cfg,
    { t2s: ws, sovits: ws, hubert: ws, roberta: ws, sv: cfg.sv ? ws : undefined, vocoder: cfg.vocoder ? ws : undefined, bertVocab: syntheticBertVocab(TINY_VOCAB_ENTRIES) },
    async (name, bytes) => {
      if (files.has(name)) throw new Error(`${name} written twice`);
      files.set(name, bytes);
    },
    { weights: `random (seed ${seed})` },
  );
  return { manifest, files };
}

/** Elements in the named (non-constant) initializers of a serialised model, read back from its bytes. */
function namedParametersIn(bytes: Uint8Array): number {
  const model = onnx.ModelProto.decode(bytes);
  let n = 0;
  for (const t of model.graph?.initializer ?? []) {
    if (t.name?.startsWith('const_')) continue;
    n += (t.dims ?? []).reduce((a, b) => a * Number(b), 1);
  }
  return n;
}

// ---- realistic feeds for each graph of a pack, from its config ------------------------------

const rng = (seed: number) => mulberry32(seed);
function randn(n: number, seed: number, scale = 1): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = scale * Math.sqrt(-2 * Math.log(Math.max(r(), 1e-12))) * Math.cos(2 * Math.PI * r());
  return out;
}
function ints(n: number, below: number, seed: number, from = 0): BigInt64Array {
  const r = rng(seed);
  return BigInt64Array.from({ length: n }, () => BigInt(from + Math.floor(r() * (below - from))));
}
const f32 = (data: Float32Array, dims: number[]) => new ort.Tensor('float32', data, dims);
const i64 = (data: BigInt64Array, dims: number[]) => new ort.Tensor('int64', data, dims);

/** Speech-like test audio: a few harmonics with a slow envelope plus a little noise, in [-1, 1]. */
function speechLike(n: number, seed: number): Float32Array {
  const noise = randn(n, seed, 0.01);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / 16000;
    const env = 0.5 + 0.5 * Math.sin(2 * Math.PI * 3 * t);
    out[i] = env * (0.3 * Math.sin(2 * Math.PI * 140 * t) + 0.15 * Math.sin(2 * Math.PI * 280 * t) + 0.05 * Math.sin(2 * Math.PI * 700 * t)) + noise[i];
  }
  return out;
}

interface Case {
  label: string;
  feeds: Feeds;
  /** Expected dims of every output. */
  dims: Record<string, number[]>;
}

/** Runs a built graph at its two input sizes and checks the documented outputs: names, shapes, finite values. */
async function checkRole(built: Built, cfg: PackConfig, role: GraphRole): Promise<void> {
  const file = built.manifest.files.find((f) => f.role === role)!;
  const s = await session(built.files.get(file.name)!);
  try {
    for (const c of casesFor(cfg, role)) {
      expect([...s.inputNames].sort(), c.label).toEqual(Object.keys(c.feeds).sort());
      const out = await s.run(c.feeds);
      expect(Object.keys(out).sort(), c.label).toEqual(Object.keys(c.dims).sort());
      for (const [name, dims] of Object.entries(c.dims)) {
        expect(out[name].dims, `${role} ${c.label} ${name}`).toEqual(dims);
        const data = out[name].data;
        if (data instanceof Float32Array) expect(data.every(Number.isFinite), `${role} ${c.label} ${name} finite`).toBe(true);
      }
      if (role === 'semantic') expect(Array.from(out.codes.data as BigInt64Array).every((v) => v >= 0n && v < 1024n)).toBe(true);
      if (role === 'sovits-decoder') expect((out.audio.data as Float32Array).every((v) => Math.abs(v) <= 1)).toBe(true);
    }
  } finally {
    await s.release();
  }
}

/** Two input sizes per role; shapes follow each graph's documented I/O. */
function casesFor(cfg: PackConfig, role: GraphRole): Case[] {
  const { t2s, sovits, hubert, semantic, roberta } = cfg;
  switch (role) {
    case 'hubert':
      // 0.5 s and 1.25 s of 16 kHz audio plus upstream's 9,600 trailing zeros.
      return [8000, 20000].map((n, k) => {
        const audio = new Float32Array(n + 9600);
        audio.set(speechLike(n, 10 + k));
        return { label: `N=${audio.length}`, feeds: { audio: f32(audio, [1, audio.length]) }, dims: { ssl: [1, hubert.hidden, hubertFrameCount(hubert, audio.length)] } };
      });
    case 'semantic':
      return [54, 75].map((t, k) => ({
        label: `T50=${t}`,
        feeds: { ssl: f32(randn(semantic.sslDim * t, 20 + k), [1, semantic.sslDim, t]) },
        dims: { codes: [1, 1, semanticCodeCount(semantic, t)] },
      }));
    case 'sovits-ref':
      return [30, 47].map((f, k) => ({
        label: `F=${f}`,
        // Magnitude spectrogram: non-negative.
        feeds: {
          refer: f32(randn(sovits.specBins * f, 30 + k).map(Math.abs), [1, sovits.specBins, f]),
          ...(sovits.svDim ? { sv: f32(randn(sovits.svDim, 34 + k), [1, sovits.svDim]) } : {}),
        },
        dims: { ge: [1, sovits.gin, 1] },
      }));
    case 'sv':
      // 0.5 s and 1.07 s of 16 kHz audio as Kaldi fbank frames (log energies around -5..5).
      return [48, 107].map((t, k) => ({
        label: `T=${t}`,
        feeds: { fbank: f32(randn(t * 80, 36 + k, 5), [1, t, 80]) },
        dims: { sv: [1, svEmbedDim(cfg.sv!)] },
      }));
    case 't2s-embed':
      return [
        [5, 3],
        [11, 1],
      ].map(([x, y], k) => ({
        label: `X=${x} Y=${y}`,
        feeds: {
          phones: i64(ints(x, t2s.phonemeVocab, 40 + k), [x]),
          bert: f32(randn(t2s.bertDim * x, 42 + k, 0.5), [t2s.bertDim, x]),
          prompt: i64(ints(y, t2s.vocab - 1, 44 + k), [y]),
        },
        dims: { x: [x + y, t2s.dim] },
      }));
    case 't2s-token':
      return [0, 37].map((pos, k) => ({
        label: `position=${pos}`,
        feeds: { token: i64(ints(1, t2s.vocab, 50 + k), [1]), position: i64(BigInt64Array.of(BigInt(pos)), [1]) },
        dims: { x: [1, t2s.dim] },
      }));
    case 't2s-decoder':
      // A prefill (no cache yet) and one cached step.
      return [
        [8, 0],
        [1, 8],
      ].map(([n, p], k) => ({
        label: `n=${n} P=${p}`,
        feeds: {
          x: f32(randn(n * t2s.dim, 60 + k), [n, t2s.dim]),
          // One cache input per layer.
          ...Object.fromEntries(
            Array.from({ length: t2s.layers }, (_, l) => [
              [`past_k_${l}`, f32(randn(p * t2s.dim, 62 + k + 4 * l), [p, t2s.dim])],
              [`past_v_${l}`, f32(randn(p * t2s.dim, 64 + k + 4 * l), [p, t2s.dim])],
            ]).flat(),
          ),
          text_len: i64(BigInt64Array.of(5n), [1]),
        },
        dims: { logits: [1, t2s.vocab], new_k: [t2s.layers, n, t2s.dim], new_v: [t2s.layers, n, t2s.dim] },
      }));
    case 'sovits-decoder':
      return [
        [4, 6, 1],
        [9, 3, 1.25],
      ].map(([ts, tt, speed], k) => {
        const tf = sovitsFrameCount(ts, speed);
        return {
          label: `Ts=${ts} Tt=${tt} speed=${speed}`,
          feeds: {
            codes: i64(ints(ts, sovits.codebookSize, 70 + k), [1, 1, ts]),
            phones: i64(ints(tt, sovits.textVocab, 72 + k), [1, tt]),
            ge: f32(randn(sovits.gin, 74 + k), [1, sovits.gin, 1]),
            noise: f32(randn(sovits.inter * tf, 76 + k), [1, sovits.inter, tf]),
            noise_scale: f32(Float32Array.of(0.5), [1]),
            speed: f32(Float32Array.of(speed), [1]),
          },
          dims: { audio: [1, 1, sovitsHop(sovits) * tf] },
        };
      });
    case 'sovits-encoder': {
      const v = sovits as SoVITSV3V4Config;
      return [
        [4, 6, 1],
        [7, 3, 0.9],
      ].map(([ts, tt, speed], k) => {
        const f = v3v4FrameCounts(v, ts, speed);
        return {
          label: `Ts=${ts} Tt=${tt} speed=${speed}`,
          feeds: {
            codes: i64(ints(ts, v.codebookSize, 90 + k), [1, 1, ts]),
            phones: i64(ints(tt, v.textVocab, 92 + k), [1, tt]),
            ge: f32(randn(v.gin, 94 + k), [1, v.gin, 1]),
            enc_frames: i64(BigInt64Array.of(BigInt(f.encFrames)), [1]),
            mel_frames: i64(BigInt64Array.of(BigInt(f.melFrames)), [1]),
          },
          dims: { fea: [1, v.bridge, f.feaFrames] },
        };
      });
    }
    case 'cfm-step':
      return [12, 30].map((t, k) => ({
        label: `T=${t}`,
        feeds: {
          x: f32(randn(cfg.dit!.mel * t, 96 + k), [1, cfg.dit!.mel, t]),
          prompt: f32(randn(cfg.dit!.mel * t, 97 + k), [1, cfg.dit!.mel, t]),
          mu: f32(randn(cfg.dit!.textDim * t, 98 + k), [1, cfg.dit!.textDim, t]),
          t: f32(Float32Array.of(0.25 * k), [1]),
          d: f32(Float32Array.of(0.25), [1]),
          prompt_len: i64(BigInt64Array.of(5n), [1]),
        },
        dims: { x_next: [1, cfg.dit!.mel, t], v: [1, cfg.dit!.mel, t] },
      }));
    case 'vocoder':
      return [3, 8].map((fr, k) => ({
        label: `F=${fr}`,
        feeds: { mel: f32(randn(cfg.vocoder!.melBins * fr, 99 + k, 3).map((x) => x - 6), [1, cfg.vocoder!.melBins, fr]) },
        dims: { audio: [1, 1, vocoderHop(cfg.vocoder as HiFiGANConfig) * fr] },
      }));
    case 'bert':
      return [5, 12].map((l, k) => {
        // [CLS] (101) ... [SEP] (102) around CJK-range ids.
        const ids = ints(l, roberta!.vocab, 80 + k, 670);
        ids[0] = 101n;
        ids[l - 1] = 102n;
        return { label: `L=${l}`, feeds: { input_ids: i64(ids, [1, l]) }, dims: { hidden: [l - 2, roberta!.hidden] } };
      });
  }
}

describe('tiny pack built in memory', () => {
  let built: Built;
  beforeAll(async () => {
    built = await buildInMemory(PACK_TINY, 1);
  });

  it('has a valid manifest listing every graph once, with the config it was built from', () => {
    const m = validateManifest(JSON.parse(JSON.stringify(built.manifest)));
    expect(m.id).toBe('tiny');
    expect(m.version).toBe('v2');
    expect(m.sampleRate).toBe(32000);
    expect(m.weights).toBe('random (seed 1)');
    const roles = m.files.map((f) => f.role);
    expect(new Set(roles).size).toBe(roles.length);
    expect([...roles].sort()).toEqual([...REQUIRED_ROLES, 'bert', 'bert-vocab'].sort());
    expect(m.files.map((f) => f.name).sort()).toEqual([...built.files.keys()].sort());
    const { t2s, sovits, hubert, semantic, roberta } = PACK_TINY;
    expect(m.dims).toEqual({ t2s, sovits, hubert, semantic, roberta });
  });

  it('records each file’s exact size, sha256 and named-parameter count', () => {
    for (const f of built.manifest.files) {
      const bytes = built.files.get(f.name)!;
      expect(bytes.byteLength, f.name).toBe(f.bytes);
      expect(createHash('sha256').update(bytes).digest('hex'), f.name).toBe(f.sha256);
      if (!isGraphRole(f.role)) continue;
      expect(namedParametersIn(bytes), f.name).toBe(f.parameters);
      expect(f.parameters, f.name).toBeGreaterThan(0);
    }
  });

  it('carries a small BERT vocabulary within the RoBERTa’s rows, covering everyday Chinese', () => {
    const f = built.manifest.files.find((x) => x.role === 'bert-vocab')!;
    expect(f).toMatchObject({ name: 'vocab.txt', parameters: 0 });
    const tokens = parseVocabText(new TextDecoder().decode(built.files.get(f.name)!));
    expect(tokens).toHaveLength(TINY_VOCAB_ENTRIES);
    expect(tokens.length).toBeLessThanOrEqual(PACK_TINY.roberta!.vocab);
    // The real model's special ids.
    expect(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'].map((t) => tokens.indexOf(t))).toEqual([0, 100, 101, 102, 103]);
    const tok = new BertTokenizer(tokens);
    const text = '你好,世界!今天天气很好.';
    const ids = tok.encode(text);
    expect(ids.slice(1, -1)).toHaveLength([...text].length);
    expect(ids).not.toContain(tok.unkId);
    expect(tok.encode('龘')).toContain(tok.unkId); // a rare character is past the tiny vocabulary
  });

  it('with a BERT it needs the vocabulary, and checks it before building anything', async () => {
    const ws = new RandomWeights(1);
    const names: string[] = [];
    const write = async (name: string) => void names.push(name);
    await expect(buildPack(PACK_TINY, { t2s: ws, sovits: ws, hubert: ws, roberta: ws }, write)).rejects.toMatchObject({ code: 'VOCAB_MISSING' });
    await expect(buildPack(PACK_TINY, { t2s: ws, sovits: ws, hubert: ws, roberta: ws, bertVocab: ['[PAD]', '[CLS]', '[SEP]'] }, write)).rejects.toMatchObject({ code: 'VOCAB_INVALID' });
    const long = syntheticBertVocab(PACK_TINY.roberta!.vocab + 1);
    await expect(buildPack(PACK_TINY, { t2s: ws, sovits: ws, hubert: ws, roberta: ws, bertVocab: long }, write)).rejects.toMatchObject({ code: 'VOCAB_INVALID' });
    expect(names).toEqual([]);
    // Packs made before the vocabulary travelled with them stay loadable (the engine leaves BERT out);
    // a second vocabulary or graph is refused.
    const files = built.manifest.files;
    expect(() => validateManifest({ ...built.manifest, files: files.filter((f) => f.role !== 'bert-vocab') })).not.toThrow();
    const vocab = files.find((f) => f.role === 'bert-vocab')!;
    expect(() => validateManifest({ ...built.manifest, files: [...files, { ...vocab, name: 'vocab2.txt' }] })).toThrow(/more than one bert-vocab/);
  });

  it('the real-size stand-in vocabulary has 21,128 entries with every ideograph normalized Chinese can hold', () => {
    const tokens = syntheticBertVocab(21_128);
    expect(new Set(tokens).size).toBe(21_128);
    const tok = new BertTokenizer(tokens);
    for (let cp = 0x4e00; cp <= 0x9fa5; cp++) expect(tok.id(String.fromCharCode(cp))).toBeDefined();
    expect(syntheticBertVocab(TINY_VOCAB_ENTRIES)).toEqual(tokens.slice(0, TINY_VOCAB_ENTRIES));
  });

  it('without a BERT config it leaves the optional bert graph out and stays valid', async () => {
    const { roberta: _omit, ...noBert } = PACK_TINY;
    const ws = new RandomWeights(1);
    const names: string[] = [];
    const m = await buildPack(noBert, { t2s: ws, sovits: ws, hubert: ws }, async (name) => void names.push(name));
    expect(() => validateManifest(m)).not.toThrow();
    expect(m.files.some((f) => f.role === 'bert')).toBe(false);
    expect(names).toHaveLength(REQUIRED_ROLES.length);
  });

  for (const role of [...REQUIRED_ROLES, 'bert'] as GraphRole[]) {
    it(`${role}: loads in onnxruntime-web (wasm) and runs at two input sizes with the documented output shapes`, () => checkRole(built, PACK_TINY, role));
  }

  it('same seed gives byte-identical files; another seed changes every file but no shape', async () => {
    const again = await buildInMemory(PACK_TINY, 1);
    const other = await buildInMemory(PACK_TINY, 2);
    for (const [name, bytes] of built.files) {
      expect(Buffer.compare(Buffer.from(again.files.get(name)!), Buffer.from(bytes)), name).toBe(0);
      if (name === 'vocab.txt') continue; // the vocabulary has no weights to change
      const changed = other.files.get(name)!;
      // Same graph, same tensor sizes (raw float data), different values.
      expect(changed.byteLength, name).toBe(bytes.byteLength);
      expect(Buffer.compare(Buffer.from(changed), Buffer.from(bytes)), name).not.toBe(0);
    }
    expect(again.manifest.files).toEqual(built.manifest.files);
    expect(other.manifest.files.map((f) => f.sha256)).not.toContain(built.manifest.files[0].sha256);
  });
});

describe.each([PACK_TINY_V2PRO, PACK_TINY_V2PROPLUS])('tiny $version pack', (cfg) => {
  let built: Built;
  beforeAll(async () => {
    built = await buildInMemory(cfg, 1);
  });

  it('lists the speaker-verification graph, and a manifest without it is refused', () => {
    const m = validateManifest(JSON.parse(JSON.stringify(built.manifest)));
    expect(m.version).toBe(cfg.version);
    expect(m.files.map((f) => f.role).sort()).toEqual([...REQUIRED_ROLES, 'sv', 'bert', 'bert-vocab'].sort());
    expect(m.dims.sv).toEqual(cfg.sv);
    expect(() => validateManifest({ ...m, files: m.files.filter((f) => f.role !== 'sv') })).toThrow(/no sv graph/);
    expect(() => validateManifest({ ...m, version: 'v5' })).toThrow(/model version "v5" is not supported/);
  });

  for (const role of ['sv', 'sovits-ref', 'sovits-decoder'] as GraphRole[]) {
    it(`${role}: runs at two input sizes with the documented output shapes`, () => checkRole(built, cfg, role));
  }

  it('a pack config whose SV width differs from what SoVITS reads is refused before building', async () => {
    const ws = new RandomWeights(1);
    await expect(buildPack({ ...cfg, sv: { ...cfg.sv!, channels: 4 } }, { t2s: ws, sovits: ws, hubert: ws, sv: ws }, async () => {})).rejects.toThrow(/SV network gives 1280 values, SoVITS reads 2560/);
  });
});

describe('tiny v4 pack', () => {
  let built: Built;
  beforeAll(async () => {
    built = await buildInMemory(PACK_TINY_V4, 1);
  });

  it('has the flow-matching graphs instead of the SoVITS decoder, at 48 kHz', () => {
    const m = validateManifest(JSON.parse(JSON.stringify(built.manifest)));
    expect(m.version).toBe('v4');
    expect(m.sampleRate).toBe(48000);
    expect(m.files.map((f) => f.role).sort()).toEqual([...REQUIRED_ROLES.filter((r) => r !== 'sovits-decoder'), ...FLOW_ROLES, 'bert', 'bert-vocab'].sort());
    expect(m.dims.dit).toEqual(PACK_TINY_V4.dit);
    expect(() => validateManifest({ ...m, files: m.files.filter((f) => f.role !== 'vocoder') })).toThrow(/no vocoder graph/);
  });

  for (const role of ['sovits-ref', 'sovits-encoder', 'cfm-step', 'vocoder'] as GraphRole[]) {
    it(`${role}: runs at two input sizes with the documented output shapes`, () => checkRole(built, PACK_TINY_V4, role));
  }

  it('real size: the DiT, encoder and vocoder have upstream\'s parameter counts', () => {
    const count = (build: (ws: WeightSource) => { parameterCount(): number }) => build(new ZeroWeights()).parameterCount();
    const cfg = PACK_V4_RANDOM;
    // Counted by torch on upstream's modules (test/fixtures/v3v4/real-v4/meta.json): the CFM's parameters
    // (the graph also holds the rotary buffer inv_freq, 32 values) and the v4 Generator's.
    const meta = JSON.parse(readFileSync(new URL('../fixtures/v3v4/real-v4/meta.json', import.meta.url), 'utf8'));
    expect(count((ws) => buildCFMStep(cfg.dit!, ws))).toBe(meta.sovits.cfm_parameters + 32);
    expect(meta.sovits.cfm_parameters).toBe(337_106_020);
    expect(count((ws) => buildVocoder(cfg.vocoder as HiFiGANConfig, ws))).toBe(meta.vocoder.parameters);
  });
});

/** Zero weights that remember every distinct parameter asked for (one source per network). */
class CountingZeros implements WeightSource {
  private readonly inner: WeightSource = new ZeroWeights();
  readonly shapes = new Map<string, number[]>();
  get(name: string, dims: number[], init: Init): Float32Array {
    const prev = this.shapes.get(name);
    if (prev && prev.join() !== dims.join()) throw new Error(`${name} asked as [${dims}] and as [${prev}]`);
    this.shapes.set(name, dims);
    return this.inner.get(name, dims, init);
  }
  total(): number {
    let n = 0;
    for (const dims of this.shapes.values()) n += dims.reduce((a, b) => a * b, 1);
    return n;
  }
}

describe('real-size v2 pack (zero weights, counted, not run)', () => {
  it('per network, the pack holds upstream’s parameters; every difference is accounted for', { timeout: 180_000 }, async () => {
    const src = { t2s: new CountingZeros(), sovits: new CountingZeros(), hubert: new CountingZeros(), roberta: new CountingZeros() };
    // Serialise and hash as the generator does, then drop the bytes: one real-size graph at a time.
    const sizes = new Map<string, number>();
    const m = await buildPack(PACK_V2_RANDOM, { ...src, bertVocab: syntheticBertVocab(21_128) }, async (name, bytes) => void sizes.set(name, bytes.byteLength), { weights: 'zeros' });
    const params = Object.fromEntries(m.files.map((f) => [f.role, f.parameters])) as Record<GraphRole, number>;
    console.log('v2 pack parameters per file:', JSON.stringify(params));
    // Float32 weights dominate each file.
    for (const f of m.files) expect(f.bytes, f.name).toBeGreaterThanOrEqual(4 * f.parameters);

    // T2S: the three graphs share the audio embedding table and its alpha (counted once).
    expect(src.t2s.total()).toBe(77_606_402);
    const shared = 1025 * 512 + 1;
    expect(params['t2s-embed'] + params['t2s-token'] + params['t2s-decoder']).toBe(77_606_402 + shared);
    expect(params['t2s-token']).toBe(shared);

    // SoVITS (s2.json total 51,310,080). The pack's graphs: ref_enc, semantic (ssl_proj +
    // codebook) and the decoder (codebook + enc_p + flow + dec). Upstream also counts enc_q
    // (training only), does not count the codebook (a buffer), and stores weight-normed layers
    // as weight_g [out, 1, 1] + weight_v where the pack holds the folded weight.
    const v = PACK_V2_RANDOM.sovits;
    const codebook = v.codebookSize * v.sslDim;
    const sslProj = 768 * 768 * 2 + 768;
    const { dec, flow } = sovitsParameterShapesByPart(v);
    const shapeOf = new Map([...dec, ...flow]);
    const weightGains = sovitsWeightNormNames(v).reduce((n, name) => n + shapeOf.get(name)![0], 0);
    expect(params['sovits-ref']).toBe(567_040);
    expect(params.semantic).toBe(sslProj + codebook);
    expect(sslProj).toBe(1_180_416);
    expect(codebook).toBe(786_432);
    expect(params['sovits-decoder']).toBe(codebook + 14_146_048 + 10_260_096 + 14_662_144 - weightGains);
    const encQ = 10_494_336;
    expect(src.sovits.total() - codebook + weightGains + encQ).toBe(51_310_080);

    // HuBERT: HF HubertModel has 94,371,712; the pack folds pos_conv weight_g [1, 1, 128] and
    // drops masked_spec_embed [768] (training-time masking).
    expect(params.hubert).toBe(src.hubert.total());
    expect(params.hubert + 128 + 768).toBe(94_371_712);

    // RoBERTa-wwm-ext-large as GPT-SoVITS loads it (BertForMaskedLM, 325,545,608): the graph
    // stops at hidden_states[-3], so the last 2 layers and the MLM head are not in it.
    const layer = 4 * (1024 * 1024 + 1024) + 2 * 1024 + (1024 * 4096 + 4096) + (4096 * 1024 + 1024) + 2 * 1024;
    const mlmHead = 1024 * 1024 + 1024 + 2 * 1024 + 21128;
    expect(params.bert).toBe(src.roberta.total());
    expect(params.bert + 2 * layer + mlmHead).toBe(325_545_608);
    console.log('v2 pack bytes per file:', JSON.stringify(Object.fromEntries(sizes)));
  });
});

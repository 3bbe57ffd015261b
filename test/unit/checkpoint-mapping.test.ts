// Checkpoint keys -> graph initializers: upstream's real state dicts (key names and shapes taken
// from upstream's own modules by scripts/make-checkpoint-fixtures.py --upstream-keys) map onto our
// graph inventories exactly; configs come out as our V1/V2 configs; weight norm folds as torch
// folds it; missing, misshapen and unexpected keys are listed in one error.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bytesSource, type ByteSource } from '../../src/checkpoint/bytes';
import { readGPT, readHubert, readRoberta, readSoVITS } from '../../src/checkpoint/models';
import { openCheckpoint, stateDict, type Checkpoint } from '../../src/checkpoint/open';
import type { PyValue } from '../../src/checkpoint/pickle';
import { contiguousStrides, LazyTensor } from '../../src/checkpoint/tensor';
import { CheckpointKeysError, CheckpointWeights, foldWeightNorm } from '../../src/checkpoint/weights';
import { MynahError } from '../../src/errors';
import { HUBERT_TINY } from '../../src/graph/models/hubert';
import { ROBERTA_TINY } from '../../src/graph/models/roberta';
import { SEMANTIC_TINY, SEMANTIC_V2 } from '../../src/graph/models/semantic';
import { SOVITS_TINY, SOVITS_V1, SOVITS_V2, sovitsWeightNormNames } from '../../src/graph/models/sovits';
import { T2S_TINY, T2S_V2 } from '../../src/graph/models/t2s';

const DIR = new URL('../fixtures/checkpoints/', import.meta.url);
const load = (name: string) => new Uint8Array(readFileSync(new URL(name, DIR)));
const openFixture = (name: string) => openCheckpoint(bytesSource(load(name), name));
const upstream = JSON.parse(readFileSync(new URL('upstream-keys.json', DIR), 'utf8')) as Record<string, Record<string, number[]>>;
type Sum = { n: number; sum: number; abs: number; weighted: number; first: number; last: number };
const reference = JSON.parse(readFileSync(new URL('reference.json', DIR), 'utf8')) as { graph: Record<string, Record<string, Sum>> };

/** JSON-like data as the pickle reader returns it (dicts as Maps). */
function toPy(v: unknown): PyValue {
  if (Array.isArray(v)) return v.map(toPy);
  if (v && typeof v === 'object') return new Map(Object.entries(v).map(([k, x]) => [k, toPy(x)]));
  return v as PyValue;
}

/** A checkpoint with upstream's real key set and shapes, whose data is never read. */
function shapesOnly(shapes: Record<string, number[]>, config: unknown, name: string): Checkpoint {
  const source: ByteSource = {
    name,
    size: Number.MAX_SAFE_INTEGER,
    read: () => {
      throw new Error('no data in a shapes-only checkpoint');
    },
  };
  const weight = new Map<PyValue, PyValue>();
  for (const [key, shape] of Object.entries(shapes)) {
    const numel = shape.reduce((a, b) => a * b, 1);
    weight.set(key, new LazyTensor({ key, dtype: 'float16', numel, source, byteOffset: 0 }, 0, shape, contiguousStrides(shape)));
  }
  return { name, format: 'torch-zip', root: new Map<PyValue, PyValue>([['weight', weight], ['config', toPy(config)]]), source };
}

// The config fields upstream's configs/s2.json and s1longer-v2.yaml carry (as the .pth / .ckpt do).
const S2_CONFIG = {
  data: { sampling_rate: 32000, filter_length: 2048, hop_length: 640, win_length: 2048 },
  model: {
    inter_channels: 192,
    hidden_channels: 192,
    filter_channels: 768,
    n_heads: 2,
    n_layers: 6,
    kernel_size: 3,
    resblock: '1',
    resblock_kernel_sizes: [3, 7, 11],
    resblock_dilation_sizes: [
      [1, 3, 5],
      [1, 3, 5],
      [1, 3, 5],
    ],
    upsample_rates: [10, 8, 2, 2, 2],
    upsample_initial_channel: 512,
    upsample_kernel_sizes: [16, 16, 8, 2, 2],
    gin_channels: 512,
  },
};
const S1_CONFIG = { model: { vocab_size: 1025, phoneme_vocab_size: 732, embedding_dim: 512, hidden_dim: 512, head: 16, linear_units: 2048, n_layer: 24, EOS: 1024 }, data: { max_sec: 54 } };

async function errorOf(f: () => unknown): Promise<MynahError> {
  try {
    await f();
  } catch (e) {
    expect(e).toBeInstanceOf(MynahError);
    return e as MynahError;
  }
  throw new Error('expected an error');
}

describe("upstream's real state dicts", () => {
  it('SoVITS v2: every key maps (enc_q and codebook training buffers ignored) and the config is SOVITS_V2', () => {
    const m = readSoVITS(shapesOnly(upstream.sovits_v2, S2_CONFIG, 's2G2333k.pth'));
    expect(m.version).toBe('v2');
    expect(m.sovits).toEqual(SOVITS_V2);
    expect(m.semantic).toEqual(SEMANTIC_V2);
    expect(m.sampleRate).toBe(32000);
  });

  it('SoVITS v1: 322 symbols and the full-width reference encoder give SOVITS_V1', () => {
    const m = readSoVITS(shapesOnly(upstream.sovits_v1, S2_CONFIG, 's2G488k.pth'));
    expect(m.version).toBe('v1');
    expect(m.sovits).toEqual(SOVITS_V1);
  });

  it('a training checkpoint that still has enc_q converts the same', () => {
    const withEncQ = { ...upstream.sovits_v2, 'enc_q.pre.weight': [192, 1025, 1], 'enc_q.proj.bias': [384] };
    expect(readSoVITS(shapesOnly(withEncQ, S2_CONFIG, 'G_233.pth')).sovits).toEqual(SOVITS_V2);
  });

  it('GPT v2: model.* keys map and the config is T2S_V2', () => {
    const m = readGPT(shapesOnly(upstream.t2s_v2, S1_CONFIG, 's1v2.ckpt'));
    expect(m.t2s).toEqual(T2S_V2);
    expect(m.version).toBe('v2');
    expect(m.maxSeconds).toBe(54);
  });

  it('without a config, SoVITS hyper-parameters come from the weights alone', () => {
    expect(readSoVITS(shapesOnly(upstream.sovits_v2, undefined, 'noconfig.pth')).sovits).toEqual(SOVITS_V2);
  });
});

describe('missing, misshapen and unexpected keys', () => {
  async function sovitsWith(edit: (w: Map<PyValue, PyValue>) => void): Promise<Checkpoint> {
    const ckpt = await openFixture('s2-v2.pth');
    const w = (ckpt.root as Map<PyValue, PyValue>).get('weight') as Map<PyValue, PyValue>;
    edit(w);
    return ckpt;
  }

  it('lists every problem of a file in one CHECKPOINT_KEYS error', async () => {
    const ckpt = await sovitsWith((w) => {
      w.delete('enc_p.proj.bias');
      w.delete('dec.ups.0.weight_g'); // breaks a weight-norm pair: the folded weight is missing
      w.set('speaker_adapter.weight', w.get('enc_p.proj.bias') ?? w.get('dec.cond.bias')!);
      w.set('ref_enc.fc.fc.bias', w.get('dec.cond.weight')!); // wrong shape
    });
    const e = await errorOf(() => readSoVITS(ckpt));
    expect(e).toBeInstanceOf(CheckpointKeysError);
    const k = e as CheckpointKeysError;
    expect(k.code).toBe('CHECKPOINT_KEYS');
    expect(k.missing.sort()).toEqual(['dec.ups.0.weight', 'enc_p.proj.bias']);
    expect(k.mismatched).toEqual([{ name: 'ref_enc.fc.fc.bias', want: [32], got: [32, 32, 1] }]);
    expect(k.unexpected.sort()).toEqual(['dec.ups.0.weight_v', 'speaker_adapter.weight']);
    for (const name of ['enc_p.proj.bias', 'speaker_adapter.weight', 'ref_enc.fc.fc.bias']) expect(k.message).toContain(name);
  });

  it('CheckpointWeights collects problems while building and reports them once', async () => {
    const sd = stateDict(await openFixture('hubert/pytorch_model.bin'));
    const w = new CheckpointWeights(sd, { label: 'The HuBERT file x.bin', ignore: (n) => n === 'masked_spec_embed' });
    expect(w.get('feature_projection.projection.bias', [32])).toHaveLength(32);
    expect(w.get('no.such.weight', [2, 3])).toEqual(new Float32Array(6)); // zeros, recorded
    expect(w.get('encoder.layer_norm.weight', [31])).toEqual(new Float32Array(31));
    const e = await errorOf(() => w.check(true));
    const k = e as CheckpointKeysError;
    expect(k.missing).toEqual(['no.such.weight']);
    expect(k.mismatched).toEqual([{ name: 'encoder.layer_norm.weight', want: [31], got: [32] }]);
    expect(k.unexpected).not.toContain('masked_spec_embed');
    expect(k.unexpected).toContain('encoder.pos_conv_embed.conv.weight_g');
    expect(k.unexpected).not.toContain('feature_projection.projection.bias');
  });

  it('a config that contradicts the weights is CHECKPOINT_CONFIG_MISMATCH', async () => {
    const ckpt = await openFixture('s1-v2.ckpt');
    const model = ((ckpt.root as Map<PyValue, PyValue>).get('config') as Map<PyValue, PyValue>).get('model') as Map<PyValue, PyValue>;
    model.set('n_layer', 3);
    const e = await errorOf(() => readGPT(ckpt));
    expect(e.code).toBe('CHECKPOINT_CONFIG_MISMATCH');
    expect(e.message).toMatch(/n_layer.*3.*2/);
  });
});

describe('fixture configs', () => {
  it('come out as our TINY configs', async () => {
    expect(readGPT(await openFixture('s1-v2.ckpt')).t2s).toEqual(T2S_TINY);
    const s = readSoVITS(await openFixture('s2-v2.pth'));
    expect(s.sovits).toEqual(SOVITS_TINY);
    expect(s.semantic).toEqual(SEMANTIC_TINY);
    const v1 = readSoVITS(await openFixture('s2-v1.pth'));
    expect(v1.version).toBe('v1');
    expect(v1.sovits).toEqual({ ...SOVITS_TINY, refBins: 1025, textVocab: 322 });
    const hubertConfig = JSON.parse(readFileSync(new URL('hubert/config.json', DIR), 'utf8'));
    expect(readHubert(await openFixture('hubert/pytorch_model.bin'), hubertConfig).hubert).toEqual(HUBERT_TINY);
    expect(readHubert(await openFixture('hubert/model.safetensors'), hubertConfig).hubert).toEqual(HUBERT_TINY);
    // A non-standard HuBERT without its config.json: head count unknown, so it asks for the file.
    expect((await errorOf(async () => readHubert(await openFixture('hubert/pytorch_model.bin')))).message).toMatch(/config\.json/);
    const robertaConfig = JSON.parse(readFileSync(new URL('roberta/config.json', DIR), 'utf8'));
    expect(readRoberta(await openFixture('roberta/pytorch_model.bin'), robertaConfig).roberta).toEqual(ROBERTA_TINY);
  });
});

describe('weight norm', () => {
  const close = (a: number, b: number, scale: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-5 * Math.max(1, scale));

  function expectSum(values: Float32Array, want: Sum) {
    let sum = 0;
    let abs = 0;
    let weighted = 0;
    values.forEach((x, i) => {
      sum += x;
      abs += Math.abs(x);
      weighted += x * ((i % 7) + 1);
    });
    expect(values.length).toBe(want.n);
    close(sum, want.sum, want.abs);
    close(abs, want.abs, want.abs);
    close(weighted, want.weighted, 7 * want.abs);
    close(values[0], want.first, 1);
    close(values[values.length - 1], want.last, 1);
  }

  it('folds every SoVITS weight-normed layer (dim 0) exactly as torch._weight_norm', async () => {
    const { weights } = readSoVITS(await openFixture('s2-v2.pth'));
    const names = sovitsWeightNormNames(SOVITS_TINY);
    expect(names.length).toBeGreaterThan(40);
    for (const name of names) expectSum(weights.get(name, weights.shape(name)!, { kind: 'const', value: 0 }), reference.graph['s2-v2.pth'][name]);
  });

  it("folds HuBERT's positional conv (dim 2), as weight_g/v and as parametrizations", async () => {
    const config = JSON.parse(readFileSync(new URL('hubert/config.json', DIR), 'utf8'));
    for (const file of ['hubert/pytorch_model.bin', 'hubert/model.safetensors']) {
      const { weights } = readHubert(await openFixture(file), config);
      const name = 'encoder.pos_conv_embed.conv.weight';
      expectSum(weights.get(name, weights.shape(name)!, { kind: 'const', value: 0 }), reference.graph[file][name]);
    }
  });

  it('foldWeightNorm by hand: unit rows scaled by g', () => {
    // v rows (3,4) and (0,5) have norms 5 and 5; g = 2 and 10.
    expect([...foldWeightNorm(Float32Array.of(2, 10), [2, 1], Float32Array.of(3, 4, 0, 5), [2, 2])]).toEqual([1.2, 1.6, 0, 10].map(Math.fround));
    // dim 1: g [1, 2], columns (3,0) and (4,5)
    const col = foldWeightNorm(Float32Array.of(1, 1), [1, 2], Float32Array.of(3, 4, 0, 5), [2, 2]);
    expect(col[0]).toBeCloseTo(1, 6);
    expect(col[1]).toBeCloseTo(4 / Math.sqrt(41), 6);
  });
});

// Converts the PyTorch-written fixtures into a pack and proves the weights landed right three ways:
//  1. every initializer equals the value regenerated from the fixture's formula (mapped and folded
//     here independently of src/checkpoint),
//  2. every initializer's checksums equal the ones torch computed (weight norm folded by torch),
//  3. each converted graph, run in onnxruntime-web (wasm), gives the same outputs as the same graph
//     built directly from the regenerated weights.
import onnxProto from 'onnx-proto';
import type * as ort from 'onnxruntime-web';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { bytesSource } from '../../src/checkpoint/bytes';
import type { Graph } from '../../src/graph/builder';
import { buildHubert, HUBERT_TINY } from '../../src/graph/models/hubert';
import { buildRoberta, ROBERTA_TINY } from '../../src/graph/models/roberta';
import { buildSemanticExtractor, SEMANTIC_TINY } from '../../src/graph/models/semantic';
import { buildSoVITSDecoder, buildSoVITSRefEncoder, SOVITS_TINY } from '../../src/graph/models/sovits';
import { buildT2SDecoder, buildT2SPrefillEmbed, buildT2STokenEmbed, T2S_TINY } from '../../src/graph/models/t2s';
import { mulberry32 } from '../../src/graph/weights';
import { convertToPack, type ConvertFiles } from '../../src/pack/convert';
import { syntheticBertVocab } from '../../src/pack/synthetic-vocab';
import { BertTokenizer, parseVocabText, vocabText } from '../../src/text/bert-tokenizer';
import type { LoadedPack } from '../../src/pack/fetch';
import { isGraphRole, sha256Hex, validateManifest, type GraphRole } from '../../src/pack/manifest';
import { f32, i64, maxAbsDiff, run } from '../helpers/ort';
import { FormulaWeights, type FormulaSpec } from '../helpers/fixture-weights';

const { onnx } = onnxProto;
const DIR = new URL('../fixtures/checkpoints/', import.meta.url);
const load = (name: string) => new Uint8Array(readFileSync(new URL(name, DIR)));
const src = (name: string) => bytesSource(load(name), name);

type Spec = FormulaSpec;
type Sum = { n: number; sum: number; abs: number; weighted: number; first: number; last: number };
const reference = JSON.parse(readFileSync(new URL('reference.json', DIR), 'utf8')) as {
  tensors: Record<string, Record<string, Spec>>;
  graph: Record<string, Record<string, Sum>>;
};

// ---- the fixture values, regenerated (mirrors the formula in scripts/make-checkpoint-fixtures.py)

const formulaWeights = (file: string, key: (graphName: string) => string) => Object.assign(new FormulaWeights(reference.tensors[file], key, file), { file });

const direct = {
  t2s: formulaWeights('s1-v2.ckpt', (n) => `model.${n}`),
  sovits: formulaWeights('s2-v2.pth', (n) => n),
  hubert: formulaWeights('hubert/pytorch_model.bin', (n) => n),
  roberta: formulaWeights('roberta/pytorch_model.bin', (n) => `bert.${n}`.replace(/LayerNorm\.weight$/, 'LayerNorm.gamma').replace(/LayerNorm\.bias$/, 'LayerNorm.beta')),
};

/** Which fixture file each graph's weights come from, and how to build it directly. */
const GRAPHS: Record<Exclude<GraphRole, 'sv' | 'sovits-encoder' | 'cfm-step' | 'vocoder'>, { file: string; build: () => Graph }> = {
  hubert: { file: 'hubert/pytorch_model.bin', build: () => buildHubert(HUBERT_TINY, direct.hubert) },
  semantic: { file: 's2-v2.pth', build: () => buildSemanticExtractor(SEMANTIC_TINY, direct.sovits) },
  'sovits-ref': { file: 's2-v2.pth', build: () => buildSoVITSRefEncoder(SOVITS_TINY, direct.sovits) },
  'sovits-decoder': { file: 's2-v2.pth', build: () => buildSoVITSDecoder(SOVITS_TINY, direct.sovits) },
  't2s-embed': { file: 's1-v2.ckpt', build: () => buildT2SPrefillEmbed(T2S_TINY, direct.t2s) },
  't2s-token': { file: 's1-v2.ckpt', build: () => buildT2STokenEmbed(T2S_TINY, direct.t2s) },
  't2s-decoder': { file: 's1-v2.ckpt', build: () => buildT2SDecoder(T2S_TINY, direct.t2s) },
  bert: { file: 'roberta/pytorch_model.bin', build: () => buildRoberta(ROBERTA_TINY, direct.roberta) },
};

function randn(n: number, seed: number, scale = 1): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: n }, () => (r() * 2 - 1) * scale);
}
const ints = (n: number, max: number, seed: number) => Array.from(randn(n, seed), (x) => Math.floor(((x + 1) / 2) * max));

function feeds(role: keyof typeof GRAPHS): Record<string, ort.Tensor> {
  switch (role) {
    case 'hubert':
      return { audio: f32(randn(8000, 1, 0.3), [1, 8000]) };
    case 'semantic':
      return { ssl: f32(randn(32 * 20, 2), [1, 32, 20]) };
    case 'sovits-ref':
      return { refer: f32(randn(1025 * 12, 3).map(Math.abs), [1, 1025, 12]) };
    case 'sovits-decoder':
      return {
        codes: i64(ints(4, 1024, 4), [1, 1, 4]),
        phones: i64(ints(5, 732, 5), [1, 5]),
        ge: f32(randn(32, 6), [1, 32, 1]),
        noise: f32(randn(16 * 8, 7), [1, 16, 8]),
        noise_scale: f32([0.5], [1]),
        speed: f32([1], [1]),
      };
    case 't2s-embed':
      return { phones: i64(ints(5, 732, 8), [5]), bert: f32(randn(1024 * 5, 9), [1024, 5]), prompt: i64(ints(4, 1025, 10), [4]) };
    case 't2s-token':
      return { token: i64([17], [1]), position: i64([6], [1]) };
    case 't2s-decoder':
      // Two cached rows per layer (T2S_TINY: 2 layers, dim 32).
      return {
        x: f32(randn(3 * 32, 11), [3, 32]),
        past_k_0: f32(randn(2 * 32, 12), [2, 32]),
        past_k_1: f32(randn(2 * 32, 14), [2, 32]),
        past_v_0: f32(randn(2 * 32, 13), [2, 32]),
        past_v_1: f32(randn(2 * 32, 15), [2, 32]),
        text_len: i64([3], [1]),
      };
    case 'bert':
      return { input_ids: i64([101, 2769, 4263, 872, 6821, 102], [1, 6]) };
  }
}

function initializers(bytes: Uint8Array): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const t of onnx.ModelProto.decode(bytes).graph!.initializer!) {
    if (t.name!.startsWith('const_') || t.dataType !== 1) continue;
    const raw = new Uint8Array(t.rawData!); // a copy: protobufjs may hand out a view of a shared Buffer
    out.set(t.name!, new Float32Array(raw.buffer, 0, raw.byteLength / 4));
  }
  return out;
}

// The fixture RoBERTa has the real 21,128 rows; a vocab.txt as HF writes it, with CRLF line ends
// and a byte-order mark a Windows editor may add (the pack stores it plainly).
const VOCAB = syntheticBertVocab(600);
const vocabFile = () => new File(['\uFEFF' + VOCAB.join('\r\n') + '\r\n'], 'vocab.txt');

const files = (): ConvertFiles => ({
  gpt: src('s1-v2.ckpt'),
  sovits: src('s2-v2.pth'),
  hubert: src('hubert/pytorch_model.bin'),
  hubertConfig: new Blob([load('hubert/config.json')]),
  roberta: src('roberta/pytorch_model.bin'),
  robertaConfig: new Blob([load('roberta/config.json')]),
  robertaVocab: vocabFile(),
});

describe('convertToPack on PyTorch-written fixtures', () => {
  let pack: LoadedPack & { report: Awaited<ReturnType<typeof convertToPack>>['report'] };
  const progress: string[] = [];

  beforeAll(async () => {
    pack = await convertToPack(files(), { id: 'fixture', onProgress: (p) => progress.push(`${p.phase}:${p.role ?? p.name}:${p.done}/${p.total}`) });
  });

  it('produces a valid pack with the TINY configs, v2, and reports progress in order', async () => {
    const m = validateManifest(JSON.parse(JSON.stringify(pack.manifest)));
    expect(m.id).toBe('fixture');
    expect(m.version).toBe('v2');
    expect(m.sampleRate).toBe(32000);
    expect(m.dims).toEqual({ t2s: T2S_TINY, sovits: SOVITS_TINY, hubert: HUBERT_TINY, semantic: SEMANTIC_TINY, roberta: ROBERTA_TINY });
    for (const f of m.files) {
      const bytes = pack.files.get(f.name)!;
      expect(bytes.byteLength).toBe(f.bytes);
      expect(await sha256Hex(bytes)).toBe(f.sha256);
    }
    expect(progress.slice(0, 4)).toEqual(['reading:s2-v2.pth:0/4', 'reading:s1-v2.ckpt:1/4', 'reading:hubert/pytorch_model.bin:2/4', 'reading:roberta/pytorch_model.bin:3/4']);
    const graphs = m.files.filter((f) => isGraphRole(f.role));
    expect(graphs).toHaveLength(8);
    expect(progress.slice(4)).toEqual(graphs.map((f, i) => `building:${f.role}:${i}/8`));
    // Keys left out on purpose: codebook training buffers (3), HuBERT's mask vector (1), RoBERTa's
    // MLM head, pooler and the last two layers.
    expect(pack.report.ignoredKeys).toMatchObject({ t2s: 0, sovits: 3, hubert: 1 });
  });

  it('every initializer equals the regenerated weights and torch checksums', () => {
    let checked = 0;
    for (const f of pack.manifest.files) {
      if (!isGraphRole(f.role) || !(f.role in GRAPHS)) continue;
      const { file } = GRAPHS[f.role as keyof typeof GRAPHS];
      const source = Object.values(direct).find((d) => d.file === file)!;
      const sums = reference.graph[file];
      for (const [name, values] of initializers(pack.files.get(f.name)!)) {
        const want = source.get(name, [values.length]);
        expect(maxAbsDiff(values, want), `${f.name} ${name}`).toBeLessThanOrEqual(1e-6);
        const key = source.key(name);
        const sum = sums[key] ?? sums[name];
        expect(sum, `${file}: torch checksum of ${name}`).toBeDefined();
        let s = 0;
        let w = 0;
        values.forEach((x, i) => ((s += x), (w += x * ((i % 7) + 1))));
        expect(values.length).toBe(sum.n);
        expect(Math.abs(s - sum.sum), `${name} sum`).toBeLessThanOrEqual(1e-5 * Math.max(1, sum.abs));
        expect(Math.abs(w - sum.weighted), `${name} weighted sum`).toBeLessThanOrEqual(1e-5 * Math.max(1, 7 * sum.abs));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(400);
  });

  it.each(Object.keys(GRAPHS) as (keyof typeof GRAPHS)[])('%s: the converted graph runs and matches the directly built one', async (role) => {
    const file = pack.manifest.files.find((f) => f.role === role)!;
    const converted = await run(pack.files.get(file.name)!, feeds(role));
    const expected = await run(GRAPHS[role].build(), feeds(role));
    for (const [name, tensor] of Object.entries(expected)) {
      const got = converted[name].data as Float32Array | BigInt64Array;
      expect(converted[name].dims).toEqual(tensor.dims);
      if (got instanceof BigInt64Array) expect([...got]).toEqual([...(tensor.data as BigInt64Array)]);
      else {
        expect(got.every(Number.isFinite)).toBe(true);
        expect(got.some((x) => x !== 0)).toBe(true);
        expect(maxAbsDiff(got, tensor.data as Float32Array), `${role} ${name}`).toBeLessThanOrEqual(1e-5);
      }
    }
  });

  it('the vocabulary dropped with the RoBERTa travels in the pack as vocab.txt, checked like the graphs', async () => {
    const entry = pack.manifest.files.find((f) => f.role === 'bert-vocab')!;
    expect(entry).toMatchObject({ name: 'vocab.txt', parameters: 0 });
    const bytes = pack.files.get('vocab.txt')!;
    expect(entry.bytes).toBe(bytes.byteLength);
    expect(entry.sha256).toBe(await sha256Hex(bytes));
    const text = new TextDecoder().decode(bytes);
    expect(text).toBe(vocabText(VOCAB)); // no BOM, no CR
    const tok = BertTokenizer.fromVocabText(text);
    expect(tok.encode('我爱你')).toEqual(['[CLS]', '我', '爱', '你', '[SEP]'].map((t) => VOCAB.indexOf(t)));
    // The manifest refuses a vocabulary without the graph it serves.
    const noGraph = { ...pack.manifest, files: pack.manifest.files.filter((f) => f.role !== 'bert') };
    expect(() => validateManifest(noGraph)).toThrow(/vocabulary but no bert graph/);
  });

  it('takes GPT-SoVITS’s tokenizer.json in place of vocab.txt', async () => {
    const vocab = Object.fromEntries(VOCAB.map((t, i) => [t, i]));
    // Keys in another order than the ids: the ids decide the lines.
    const shuffled = Object.fromEntries(Object.entries(vocab).reverse());
    const json = { version: '1.0', normalizer: { type: 'BertNormalizer', lowercase: true }, model: { type: 'WordPiece', unk_token: '[UNK]', vocab: shuffled } };
    const viaJson = await convertToPack({ ...files(), robertaVocab: new File([JSON.stringify(json)], 'tokenizer.json') }, { id: 'json' });
    expect(parseVocabText(new TextDecoder().decode(viaJson.files.get('vocab.txt')!))).toEqual(VOCAB);
    expect(viaJson.manifest.files.find((f) => f.role === 'bert-vocab')!.sha256).toBe(pack.manifest.files.find((f) => f.role === 'bert-vocab')!.sha256);
  });

  it('refuses a RoBERTa without a usable vocabulary before building anything', async () => {
    const built: string[] = [];
    const onProgress = (p: { phase: string; name: string }) => void (p.phase === 'building' && built.push(p.name));
    await expect(convertToPack({ ...files(), robertaVocab: undefined }, { onProgress })).rejects.toMatchObject({ code: 'VOCAB_MISSING' });
    const noUnk = VOCAB.filter((t) => t !== '[UNK]');
    await expect(convertToPack({ ...files(), robertaVocab: new File([vocabText(noUnk)], 'vocab.txt') }, { onProgress })).rejects.toMatchObject({ code: 'VOCAB_INVALID' });
    // More entries than the model has embedding rows (21,128) would index past its table.
    const tooLong = syntheticBertVocab(21_129);
    await expect(convertToPack({ ...files(), robertaVocab: new File([vocabText(tooLong)], 'vocab.txt') }, { onProgress })).rejects.toMatchObject({ code: 'VOCAB_INVALID', message: expect.stringContaining('21129') });
    await expect(convertToPack({ ...files(), robertaVocab: new File(['{"model": {"type": "BPE", "vocab": {}}}'], 'tokenizer.json') }, { onProgress })).rejects.toMatchObject({ code: 'VOCAB_INVALID' });
    expect(built).toEqual([]);
  });

  it('reading through Blobs (slice + prefetch, no sync reads) gives byte-identical graphs', async () => {
    const blob = (name: string) => new File([load(name)], name);
    const viaBlob = await convertToPack(
      { gpt: blob('s1-v2.ckpt'), sovits: blob('s2-v2.pth'), hubert: blob('hubert/model.safetensors'), hubertConfig: blob('hubert/config.json') },
      { id: 'blob' },
    );
    expect(viaBlob.manifest.files.map((f) => f.role)).not.toContain('bert');
    for (const f of viaBlob.manifest.files) {
      // HuBERT came from the safetensors copy here: same weights, other container and names.
      expect(f.sha256, f.name).toBe(pack.manifest.files.find((g) => g.name === f.name)!.sha256);
    }
  });

  it('converts a v1 SoVITS (header 00) into a v1 pack whose reference encoder reads all 1025 bins', async () => {
    const v1 = await convertToPack({ ...files(), sovits: src('s2-v1.pth'), roberta: undefined });
    expect(v1.manifest.version).toBe('v1');
    expect(v1.report.sovitsHeader).toBe('00');
    expect(v1.manifest.id).toBe('s2-v1');
    expect((v1.manifest.dims.sovits as { refBins: number }).refBins).toBe(1025);
    const ref = v1.manifest.files.find((f) => f.role === 'sovits-ref')!;
    const out = await run(v1.files.get(ref.name)!, feeds('sovits-ref'));
    expect(out.ge.dims).toEqual([1, 32, 1]);
  });

  it('refuses files that do not belong together', async () => {
    // v1 SoVITS (322 symbols) is fine with a v2 GPT (732); the reverse is not, but a wrong-slot
    // swap is caught first.
    await expect(convertToPack({ ...files(), gpt: src('s2-v2.pth') })).rejects.toMatchObject({ code: 'CHECKPOINT_WRONG_SLOT' });
    await expect(convertToPack({ ...files(), sovits: src('malicious-subprocess.pth') })).rejects.toMatchObject({ code: 'UNSAFE_PICKLE' });
    // A v2Pro SoVITS needs the speaker-verification model, and one whose embedding width it reads.
    await expect(convertToPack({ ...files(), sovits: src('s2-v2pro.pth') })).rejects.toMatchObject({ code: 'SV_MODEL_MISSING' });
    const sv = bytesSource(new Uint8Array(readFileSync(new URL('../v2pro/sv-tiny.ckpt', DIR))), 'sv-tiny.ckpt');
    await expect(convertToPack({ ...files(), sovits: src('s2-v2pro.pth'), sv })).rejects.toMatchObject({ code: 'MODELS_MISMATCH', message: expect.stringMatching(/speaker-verification model gives 2560-wide.*expects 64/) });
  });
});

// Every graph of the shipped tiny pack, fetched from the built app (dist/packs/tiny) and run in
// Chromium's engine worker on WebGPU and on WASM with the same realistic inputs: output shapes,
// WebGPU outputs left on the GPU, and the two backends agreeing. Inputs chain as in the app
// (audio -> HuBERT -> semantic codes -> T2S prompt; spectrogram -> ge -> SoVITS decoder), always
// taken from the WASM run so each graph is compared on identical feeds.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubertFrameCount } from '../../src/graph/models/hubert';
import { semanticCodeCount } from '../../src/graph/models/semantic';
import { sovitsFrameCount, sovitsHop } from '../../src/graph/models/sovits';
import { mulberry32 } from '../../src/graph/weights';
import { referenceSpectrogram } from '../../src/audio/spectrogram';
import { HUBERT_ZERO_PAD } from '../../src/audio/hubert-input';
import { PACK_TINY } from '../../src/pack/build';
import { launch, watchConsole, type Page } from './browser';
import { serveStatic, type StaticServer } from './server';

/** A tensor as it crosses page.evaluate (JSON): int64 values as plain numbers. */
interface Wire {
  type: 'float32' | 'int64';
  dims: number[];
  data: number[];
}
interface Side {
  outputs: Record<string, Wire>;
  locations: Record<string, string>;
  ms: number;
}
interface Both {
  gpu: Side;
  cpu: Side;
}

const f32 = (data: ArrayLike<number>, dims: number[]): Wire => ({ type: 'float32', dims, data: Array.from(data) });
const i64 = (data: ArrayLike<number>, dims: number[]): Wire => ({ type: 'int64', dims, data: Array.from(data) });

function randn(n: number, seed: number, scale = 1): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: n }, () => scale * Math.sqrt(-2 * Math.log(Math.max(r(), 1e-12))) * Math.cos(2 * Math.PI * r()));
}
function ints(n: number, from: number, below: number, seed: number): number[] {
  const r = mulberry32(seed);
  return Array.from({ length: n }, () => from + Math.floor(r() * (below - from)));
}
/** Voiced-speech-like signal: harmonics of a gliding pitch, syllable-rate envelope, light noise. */
function speechLike(n: number, rate: number, seed: number): Float32Array {
  const noise = randn(n, seed, 0.005);
  const out = new Float32Array(n);
  let phase = 0;
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    phase += (2 * Math.PI * (120 + 30 * Math.sin(2 * Math.PI * 0.7 * t))) / rate;
    const env = Math.max(0, Math.sin(2 * Math.PI * 2.5 * t)) ** 0.5;
    out[i] = env * (0.35 * Math.sin(phase) + 0.2 * Math.sin(2 * phase + 0.3) + 0.1 * Math.sin(3 * phase + 1.1)) + noise[i];
  }
  return out;
}

const PACK_FILES = ['hubert.onnx', 'semantic.onnx', 'sovits_ref.onnx', 't2s_embed.onnx', 't2s_token.onnx', 't2s_decoder.onnx', 'sovits_decoder.onnx', 'bert.onnx'];
/** Node's copy of the served graphs (read once: other e2e runs may rebuild dist/ meanwhile). */
const served = new Map<string, Buffer>();

let server: StaticServer;
let chrome: Awaited<ReturnType<typeof launch>>;
let page: Page;
let seen: ReturnType<typeof watchConsole>;
/** Main-thread console lines only (ORT's placement log from the page, not the engine workers). */
const placementLog: string[] = [];
const allConsole: string[] = [];

beforeAll(async () => {
  server = await serveStatic(resolve(process.env.MYNAH_DIST ?? 'dist'));
  chrome = await launch();
  page = await chrome.browser.newPage();
  seen = watchConsole(page);
  page.on('console', (m) => {
    allConsole.push(m.text());
    if (!m.worker?.()) placementLog.push(m.text());
  });
  // The page's own UI starts an engine too; on WASM it stays off the GPU this test measures.
  await page.goto(`${server.url}?backend=wasm`);
  await page.waitForFunction(() => 'Mynah' in globalThis);
  for (const f of PACK_FILES) served.set(f, readFileSync(resolve(process.env.MYNAH_DIST ?? 'dist', 'packs/tiny', f)));
  await page.evaluate(async (names) => {
    type Client = { backendInfo(): { backend: string } };
    const M = (globalThis as unknown as { Mynah: { create(o: object): Promise<Client> } }).Mynah;
    const g = globalThis as unknown as { packTest: { gpu: Client; cpu: Client; files: Map<string, Uint8Array>; manifest: unknown } };
    const get = async (path: string) => {
      const res = await fetch(`packs/tiny/${path}`);
      if (!res.ok) throw new Error(`packs/tiny/${path}: HTTP ${res.status}`);
      return res;
    };
    const manifest = await (await get('pack.json')).json();
    const files = new Map<string, Uint8Array>();
    for (const name of names) files.set(name, new Uint8Array(await (await get(name)).arrayBuffer()));
    g.packTest = { gpu: await M.create({ backend: 'webgpu' }), cpu: await M.create({ backend: 'wasm' }), files, manifest };
  }, PACK_FILES);
});
afterAll(async () => {
  await page?.evaluate(() => {
    const g = globalThis as unknown as { packTest?: { gpu: { dispose(): void }; cpu: { dispose(): void } } };
    g.packTest?.gpu.dispose();
    g.packTest?.cpu.dispose();
  });
  await chrome?.close();
  await server?.close();
});

/** Runs the app's copy of `file` (fetched in beforeAll) with `feeds` on the given engines. */
async function runOn(sides: ('gpu' | 'cpu')[], file: string, feeds: Record<string, Wire>): Promise<Partial<Both>> {
  return page.evaluate(
    async ({ sides, file, feeds }) => {
      type Plain = { type: string; dims: number[]; data: ArrayLike<number | bigint> };
      type Client = { runModel(b: Uint8Array, f: Record<string, Plain>): Promise<{ outputs: Record<string, Plain>; locations: Record<string, string> }> };
      const t = (globalThis as unknown as { packTest: { gpu: Client; cpu: Client; files: Map<string, Uint8Array> } }).packTest;
      const plain: Record<string, Plain> = {};
      for (const [name, w] of Object.entries(feeds)) {
        plain[name] = { type: w.type, dims: w.dims, data: w.type === 'int64' ? BigInt64Array.from(w.data, (v) => BigInt(v)) : Float32Array.from(w.data) };
      }
      const result: Record<string, unknown> = {};
      for (const side of sides) {
        const started = performance.now();
        // runModel transfers the bytes to the worker, so each call gets its own copy.
        const { outputs, locations } = await t[side].runModel(t.files.get(file)!.slice(), plain);
        const ms = performance.now() - started;
        const wire: Record<string, { type: string; dims: number[]; data: number[] }> = {};
        for (const [name, o] of Object.entries(outputs)) wire[name] = { type: o.type, dims: o.dims, data: Array.from(o.data as ArrayLike<number | bigint>, Number) };
        result[side] = { outputs: wire, locations, ms };
      }
      return result as never;
    },
    { sides, file, feeds },
  );
}
const runBoth = (file: string, feeds: Record<string, Wire>) => runOn(['gpu', 'cpu'], file, feeds) as Promise<Both>;
const runWasm = async (file: string, feeds: Record<string, Wire>) => (await runOn(['cpu'], file, feeds)).cpu!;

interface Agreement {
  graph: string;
  output: string;
  dims: number[];
  scale: number;
  maxAbs: number;
  rel: number;
  gpuMs: number;
  cpuMs: number;
}
const table: Agreement[] = [];

/** Largest |a| (the output's scale, for relative error). */
const scaleOf = (a: number[]) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
function compare(a: number[], b: number[]): { maxAbs: number; scale: number; rel: number } {
  expect(a.length).toBe(b.length);
  let maxAbs = 0;
  for (let i = 0; i < a.length; i++) maxAbs = Math.max(maxAbs, Math.abs(a[i] - b[i]));
  const scale = scaleOf(b);
  return { maxAbs, scale, rel: maxAbs / Math.max(scale, 1e-30) };
}

/**
 * WebGPU vs WASM tolerance, relative to the output's largest magnitude. Both run float32; the
 * WebGPU kernels sum in other orders and use their own exp/erf/tanh, so float32 rounding
 * accumulates through each graph (SwiftShader: at most 1.5e-6 relative, see the report). A wrong
 * kernel shows up as an O(1) difference; 1e-4 leaves room for real GPUs' looser math.
 */
const REL_TOL = 1e-4;
/**
 * WGSL only promises sin/cos to 2^-11 absolute (in [-π, π]), far looser than WASM's libm, so
 * graphs with sine positions also get 2^-11 · |alpha| absolute on top (measured ~1.3e-4).
 */
const SIN_ABS = 2 ** -11;

/** A named float32 initializer of a pack file, read from the built app's copy. */
function initializer(file: string, name: string): Float32Array {
  const g = onnxProto.onnx.ModelProto.decode(served.get(file)!).graph!;
  const t = g.initializer!.find((i) => i.name === name);
  if (!t?.rawData) throw new Error(`${file} has no raw initializer ${name}`);
  const raw = t.rawData;
  return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
}
const absMax = (a: ArrayLike<number>) => Array.from(a).reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/** Asserts shapes, where the outputs were left, and that both backends agree; records the figures. */
function check(graph: string, r: Both, dims: Record<string, number[]>, absAllowance = 0): Both {
  expect(Object.keys(r.gpu.outputs).sort(), graph).toEqual(Object.keys(dims).sort());
  for (const [name, want] of Object.entries(dims)) {
    const g = r.gpu.outputs[name];
    const c = r.cpu.outputs[name];
    expect(g.dims, `${graph}.${name} webgpu`).toEqual(want);
    expect(c.dims, `${graph}.${name} wasm`).toEqual(want);
    expect(g.data.length).toBe(want.reduce((a, b) => a * b, 1));
    // The engine asks WebGPU sessions for GPU-resident outputs; WASM ones stay on the CPU.
    expect(r.gpu.locations[name], `${graph}.${name} location`).toBe('gpu-buffer');
    expect(r.cpu.locations[name], `${graph}.${name} location`).toBe('cpu');
    expect(g.data.every(Number.isFinite), `${graph}.${name} finite`).toBe(true);
    const d = compare(g.data, c.data);
    table.push({ graph, output: name, dims: want, ...d, gpuMs: Math.round(r.gpu.ms), cpuMs: Math.round(r.cpu.ms) });
    if (g.type === 'int64') {
      expect(d.maxAbs, `${graph}.${name}: integer outputs must match exactly`).toBe(0);
    } else {
      // Not all zeros (a silently failed GPU kernel often leaves zeros).
      expect(d.scale, `${graph}.${name} scale`).toBeGreaterThan(0);
      expect(d.maxAbs, `${graph}.${name}: |webgpu - wasm| = ${d.maxAbs} at scale ${d.scale}`).toBeLessThan(REL_TOL * d.scale + absAllowance);
    }
  }
  return r;
}

const { t2s, sovits, hubert, roberta } = PACK_TINY;

describe('tiny pack in Chromium: every graph on WebGPU and WASM', () => {
  it('the two engines run where they were asked to, and the pack is the shipped one', async () => {
    const info = await page.evaluate(() => {
      const t = (globalThis as unknown as { packTest: { gpu: { backendInfo(): unknown }; cpu: { backendInfo(): unknown }; manifest: { id: string; files: { name: string }[] } } }).packTest;
      return { gpu: t.gpu.backendInfo() as { backend: string; adapter?: string }, cpu: t.cpu.backendInfo() as { backend: string }, id: t.manifest.id, files: t.manifest.files.map((f) => f.name) };
    });
    console.log('webgpu:', JSON.stringify(info.gpu), '\nwasm:', JSON.stringify(info.cpu));
    expect(info.gpu.backend).toBe('webgpu');
    expect(info.gpu.adapter).toBeTruthy();
    expect(info.cpu.backend).toBe('wasm');
    expect(info.id).toBe('tiny');
    expect(info.files.sort()).toEqual(
      ['bert.onnx', 'hubert.onnx', 'semantic.onnx', 'sovits_decoder.onnx', 'sovits_ref.onnx', 't2s_decoder.onnx', 't2s_embed.onnx', 't2s_token.onnx', 'vocab.txt'].sort(),
    );
  });

  // Shared between the chained tests below (WASM outputs feed the next graph on both backends).
  let promptCodes: number[] = [];
  let ge: number[] = [];

  it('reference path: HuBERT on 1.5 s of 16 kHz audio (+ 0.6 s padding) -> semantic prompt codes', async () => {
    const speech = speechLike(24_000, 16_000, 1);
    const audio = new Float32Array(speech.length + HUBERT_ZERO_PAD);
    audio.set(speech);
    const t50 = hubertFrameCount(hubert, audio.length);
    const h = check('hubert', await runBoth('hubert.onnx', { audio: f32(audio, [1, audio.length]) }), { ssl: [1, hubert.hidden, t50] });
    const t25 = semanticCodeCount(PACK_TINY.semantic, t50);
    const s = check('semantic', await runBoth('semantic.onnx', { ssl: h.cpu.outputs.ssl }), { codes: [1, 1, t25] });
    promptCodes = s.cpu.outputs.codes.data;
    expect(promptCodes.every((c) => Number.isInteger(c) && c >= 0 && c < 1024)).toBe(true);
    // Random weights still map distinct frames to more than one code.
    expect(new Set(promptCodes).size).toBeGreaterThan(1);
  });

  it('reference path: SoVITS reference encoder on a 2 s, 32 kHz reference spectrogram -> ge', async () => {
    const spec = referenceSpectrogram(speechLike(64_000, 32_000, 2));
    expect(spec.bins).toBe(sovits.specBins);
    const r = check('sovits_ref', await runBoth('sovits_ref.onnx', { refer: f32(spec.data, [1, spec.bins, spec.frames]) }), { ge: [1, sovits.gin, 1] });
    ge = r.cpu.outputs.ge.data;
  });

  it('BERT features for 10 characters ([CLS] + 10 + [SEP])', async () => {
    const ids = [101, ...ints(10, 670, 8000, 3), 102];
    check('bert', await runBoth('bert.onnx', { input_ids: i64(ids, [1, ids.length]) }), { hidden: [ids.length - 2, roberta!.hidden] });
  });

  it('T2S on WebGPU: embed, token, decoder with a 0-row cache and with a cached prefix; the cached step equals the uncached pass', async () => {
    expect(promptCodes.length).toBeGreaterThan(0);
    const X = 14;
    const Y = promptCodes.length;
    const L = t2s.layers;
    const D = t2s.dim;
    const e = check(
      't2s_embed',
      await runBoth('t2s_embed.onnx', {
        phones: i64(ints(X, 1, t2s.phonemeVocab, 4), [X]),
        bert: f32(randn(t2s.bertDim * X, 5, 0.3), [t2s.bertDim, X]),
        prompt: i64(promptCodes, [Y]),
      }),
      { x: [X + Y, D] },
      SIN_ABS * Math.max(absMax(initializer('t2s_embed.onnx', 'ar_text_position.alpha')), absMax(initializer('t2s_embed.onnx', 'ar_audio_position.alpha'))),
    );
    const textLen = i64([X], [1]);
    // The decoder takes one [P, D] cache input per layer; new_k/new_v come out [L, rows, D].
    const cache = (k: number[], v: number[], rows: number) => {
      const feeds: Record<string, Wire> = {};
      for (let l = 0; l < L; l++) {
        feeds[`past_k_${l}`] = f32(k.slice(l * rows * D, (l + 1) * rows * D), [rows, D]);
        feeds[`past_v_${l}`] = f32(v.slice(l * rows * D, (l + 1) * rows * D), [rows, D]);
      }
      return feeds;
    };
    /** Rows [from, to) of every layer of a [L, rows, D] output. */
    const rowsOf = (a: number[], rows: number, from: number, to: number) => Array.from({ length: L }, (_, l) => a.slice((l * rows + from) * D, (l * rows + to) * D)).flat();
    const empty = cache([], [], 0);
    // The engine's prefill (WASM here): cache rows for the X+Y prefix and the first token.
    const prefill = await runWasm('t2s_decoder.onnx', { x: e.cpu.outputs.x, ...empty, text_len: textLen });
    const logits0 = prefill.outputs.logits.data;
    const token = logits0.slice(0, t2s.vocab - 1).reduce((best, v, i, a) => (v > a[best] ? i : best), 0);
    const tok = check('t2s_token', await runBoth('t2s_token.onnx', { token: i64([token], [1]), position: i64([Y], [1]) }), { x: [1, D] }, SIN_ABS * absMax(initializer('t2s_token.onnx', 'ar_audio_position.alpha')));

    // Uncached: all X+Y+1 rows with an empty cache (zero-row Concat with each layer's past).
    const n = X + Y + 1;
    const full = check(
      't2s_decoder P=0',
      await runBoth('t2s_decoder.onnx', { x: f32([...e.cpu.outputs.x.data, ...tok.cpu.outputs.x.data], [n, D]), ...empty, text_len: textLen }),
      { logits: [1, t2s.vocab], new_k: [L, n, D], new_v: [L, n, D] },
    );
    // Cached: the last row alone over the X+Y cached rows.
    const P = X + Y;
    const step = check(
      `t2s_decoder P=${P}`,
      await runBoth('t2s_decoder.onnx', { x: tok.cpu.outputs.x, ...cache(prefill.outputs.new_k.data, prefill.outputs.new_v.data, P), text_len: textLen }),
      { logits: [1, t2s.vocab], new_k: [L, 1, D], new_v: [L, 1, D] },
    );
    // On WebGPU itself, the cached step must give the uncached pass's last-row logits and K/V row.
    const lastRow = (a: number[]) => rowsOf(a, n, n - 1, n);
    const logits = compare(step.gpu.outputs.logits.data, full.gpu.outputs.logits.data);
    const k = compare(step.gpu.outputs.new_k.data, lastRow(full.gpu.outputs.new_k.data));
    const v = compare(step.gpu.outputs.new_v.data, lastRow(full.gpu.outputs.new_v.data));
    console.log(
      `t2s_decoder on WebGPU, cached step (P=${P}) vs uncached pass over ${n} rows: logits max|diff| ${logits.maxAbs.toExponential(2)} (scale ${logits.scale.toFixed(3)}), ` +
        `K row ${k.maxAbs.toExponential(2)}, V row ${v.maxAbs.toExponential(2)}`,
    );
    for (const d of [logits, k, v]) expect(d.rel).toBeLessThan(REL_TOL);
    // The cache is causal: the prefix rows of the uncached pass are the prefill's rows.
    expect(compare(rowsOf(full.cpu.outputs.new_k.data, n, 0, P), prefill.outputs.new_k.data).rel).toBeLessThan(REL_TOL);
  });

  it('SoVITS decoder: 20 codes + 14 phones + ge + noise at speed 1.25 (a real length change)', async () => {
    expect(ge.length).toBe(sovits.gin);
    const Ts = 20;
    const Tt = 14;
    const speed = 1.25;
    const Tf = sovitsFrameCount(Ts, speed);
    const r = check(
      'sovits_decoder',
      await runBoth('sovits_decoder.onnx', {
        codes: i64(promptCodes.slice(0, Ts), [1, 1, Ts]),
        phones: i64(ints(Tt, 1, sovits.textVocab, 6), [1, Tt]),
        ge: f32(ge, [1, sovits.gin, 1]),
        noise: f32(randn(sovits.inter * Tf, 7), [1, sovits.inter, Tf]),
        noise_scale: f32([0.5], [1]),
        speed: f32([speed], [1]),
      }),
      { audio: [1, 1, sovitsHop(sovits) * Tf] },
    );
    expect(r.gpu.outputs.audio.data.every((v) => Math.abs(v) <= 1)).toBe(true);
  });

  it('WebGPU EP placement: only integer shape/index arithmetic is left on the CPU, never a weight or an activation', async () => {
    const files = PACK_FILES;
    const first = placementLog.length;
    // The engine does not expose ORT's logger, so the app's own ORT build is loaded on the main
    // thread with verbose logging; creating a session logs where ORT put every node.
    await page.evaluate(async (names) => {
      type OrtLike = {
        env: { wasm: { wasmPaths: string; numThreads: number }; logLevel: string };
        InferenceSession: { create(b: Uint8Array, o: object): Promise<{ release(): Promise<void> }> };
      };
      // A literal import() here would be rewritten by Vitest's transform before it reaches the page.
      const importUrl = new Function('url', 'return import(url)') as (url: string) => Promise<OrtLike>;
      const ort = await importUrl(new URL('ort/ort.webgpu.min.mjs', location.href).href);
      ort.env.wasm.wasmPaths = new URL('ort/', location.href).href;
      ort.env.wasm.numThreads = 1;
      ort.env.logLevel = 'verbose';
      for (const name of names) {
        const bytes = (globalThis as unknown as { packTest: { files: Map<string, Uint8Array> } }).packTest.files.get(name)!.slice();
        console.log(`=== placement ${name}`);
        const s = await ort.InferenceSession.create(bytes, { executionProviders: ['webgpu'], graphOptimizationLevel: 'all', logSeverityLevel: 0, logVerbosityLevel: 0 });
        await s.release();
      }
      ort.env.logLevel = 'warning';
      console.log('=== placement end');
    }, files);
    await expect.poll(() => placementLog.includes('=== placement end'), { timeout: 30_000 }).toBe(true);
    const log = placementLog.slice(first);

    const summary: string[] = [];
    for (const file of files) {
      const from = log.indexOf(`=== placement ${file}`);
      const section = log.slice(from + 1, log.findIndex((l, i) => i > from && l.startsWith('=== placement')));
      expect(section.some((l) => /placed on \[WebGpuExecutionProvider\]/.test(l)), `${file}: ORT logged no placement`).toBe(true);
      const cpu = cpuPlacedNodes(section);
      const graph = lightValues(served.get(file)!);
      const inserted: string[] = [];
      for (const { op, name } of cpu) {
        const node = graph.nodes.get(name);
        if (!node) {
          // Made by ORT's own rewrites (e.g. Shape(start, end) split into Shape + Gather); the
          // WebGPU EP has float kernels for these ops, so it declined them for int64 data.
          expect(SHAPE_OPS.has(op), `${file}: ORT-made node ${op} ${name} on CPU`).toBe(true);
          inserted.push(`${op}(${name})`);
          continue;
        }
        expect(node.op).toBe(op);
        // Shape reads only the tensor's dims, never its data.
        const read = op === 'Shape' ? [] : node.inputs;
        for (const input of read) expect(graph.light.has(input), `${file}: ${op} ${name} reads ${input} (weights or activations) on the CPU`).toBe(true);
      }
      const ops = [...new Set(cpu.map((c) => c.op))].sort().join(', ');
      summary.push(`${file}: ${cpu.length} of ${graph.nodes.size} nodes on CPU${cpu.length ? ` (${ops})` : ''}${inserted.length ? `; ORT-made: ${inserted.join(' ')}` : ''}`);
    }
    console.log('WebGPU EP node placement (tiny pack):\n' + summary.join('\n'));
  });

  it('no WebGPU validation errors or device loss; figures', () => {
    const fmt = (v: number) => v.toExponential(2);
    console.log(
      'graph | output | dims | max|wasm| | max|webgpu-wasm| | relative | webgpu ms | wasm ms\n' +
        table.map((a) => [a.graph, a.output, `[${a.dims}]`, a.scale.toPrecision(4), fmt(a.maxAbs), fmt(a.rel), a.gpuMs, a.cpuMs].join(' | ')).join('\n'),
    );
    // ORT's WebGPU EP destroys its own GPUDevice whenever its last session is released; with
    // verbose logging on (the placement test) ORT says so: "WebGPU device lost (2): Device was
    // destroyed." That is not a GPU failure. A real loss has another reason and stays fatal, and
    // the engine reports one as "the GPU went away".
    const selfDestroyed = /WebGPU device lost \(2\): Device was destroyed\.?$/;
    const fatal = [...seen.fatal.filter((m) => !selfDestroyed.test(m)), ...allConsole.filter((m) => /GPU went away/.test(m))];
    expect(fatal).toEqual([]);
    // ORT's C++ log goes to console.error at every level; its verbose, info and warning lines
    // (the placement report, "some nodes were not assigned ...") are not failures. Nothing else may.
    expect(seen.errors.filter((m) => !/\[[VIW]:onnxruntime:/.test(m))).toEqual([]);
  });
});

// ---- node placement helpers ---------------------------------------------------------------

/** Ops ORT may create by itself when rewriting shape computations. */
const SHAPE_OPS = new Set(['Shape', 'Gather', 'Slice', 'Concat', 'Cast', 'Reshape', 'Squeeze', 'Unsqueeze']);

/** The CPU section of ORT's verbose "Node placements" report. */
function cpuPlacedNodes(lines: string[]): { op: string; name: string }[] {
  const out: { op: string; name: string }[] = [];
  let onCpu = false;
  for (const l of lines) {
    const head = /placed on \[(\w+)\]\. Number of nodes: (\d+)/.exec(l);
    if (head) {
      onCpu = head[1] === 'CPUExecutionProvider';
      continue;
    }
    const node = /VerifyEachNodeIsAssignedToAnEp\]\s+(\w+) \((\S+)\)/.exec(l);
    if (node && onCpu) out.push({ op: node[1], name: node[2] });
  }
  return out;
}

/**
 * The graph's nodes, and its "light" values: anything not float (int64 ids, codes, shapes, bool
 * masks), anonymous constants, and what is computed only from light values (a Cast of a shape
 * element is light; a float activation or a named weight never is).
 */
function lightValues(bytes: Uint8Array): { nodes: Map<string, { op: string; inputs: string[] }>; light: Set<string> } {
  const { onnx } = onnxProto;
  const g = onnx.ModelProto.decode(bytes).graph!;
  const FLOAT = 1;
  const INT64 = 7;
  const BOOL = 9;
  const type = new Map<string, number>();
  const light = new Set<string>(['']);
  for (const t of g.initializer ?? []) {
    type.set(t.name!, t.dataType!);
    if (t.name!.startsWith('const_')) light.add(t.name!);
  }
  for (const i of g.input ?? []) {
    type.set(i.name!, i.type!.tensorType!.elemType!);
    if (i.type!.tensorType!.elemType !== FLOAT) light.add(i.name!);
  }
  const outputType = (n: NonNullable<typeof g.node>[number]): number | undefined => {
    const to = n.attribute?.find((a) => a.name === 'to');
    if (n.opType === 'Cast') return Number(to?.i);
    if (n.opType === 'Shape' || n.opType === 'ArgMin' || n.opType === 'ArgMax') return INT64;
    if (['Less', 'LessOrEqual', 'Greater', 'GreaterOrEqual', 'Equal', 'Not', 'And', 'Or'].includes(n.opType!)) return BOOL;
    return type.get(n.input![n.opType === 'Where' ? 1 : 0]);
  };
  const nodes = new Map<string, { op: string; inputs: string[] }>();
  for (const n of g.node ?? []) {
    const inputs = n.input ?? [];
    nodes.set(n.name!, { op: n.opType!, inputs });
    const t = outputType(n);
    for (const o of n.output ?? []) {
      if (t !== undefined) type.set(o, t);
      if (t !== FLOAT || inputs.every((i) => light.has(i))) light.add(o);
    }
  }
  return { nodes, light };
}

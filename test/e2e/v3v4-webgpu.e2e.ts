// The v3/v4 graphs on WebGPU in Chromium (SwiftShader here, so fp32): the tiny packs converted in
// Node from the upstream-written fixtures; each graph runs through the engine's runModel on a
// WebGPU and a WASM engine with upstream's inputs, and both are compared with upstream's outputs
// (scripts/make-v3v4-fixtures.py).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesSource } from '../../src/checkpoint/bytes';
import { convertToPack } from '../../src/pack/convert';
import { readArrays, snrDb, transpose2d, type Arrays } from '../helpers/fixture-arrays';
import { openApp, type App } from './app';
import type { Page } from './browser';

const DIR = new URL('../fixtures/v3v4/', import.meta.url);
const CK = new URL('../fixtures/checkpoints/', import.meta.url);
const file = (url: URL, name: string) => bytesSource(new Uint8Array(readFileSync(url)), name);
type Wire = { type: string; dims: number[]; data: number[] };

let app: App;
let page: Page;

beforeAll(async () => {
  app = await openApp();
  page = app.page;
  await page.goto(`${app.server.url}?backend=wasm`);
  await page.waitForFunction(() => 'Mynah' in globalThis);
  await page.evaluate(async () => {
    const M = (globalThis as any).Mynah;
    (globalThis as any).engines = { gpu: await M.create({ backend: 'webgpu', precision: 'fp32' }), cpu: await M.create({ backend: 'wasm' }) };
  });
});
afterAll(async () => {
  await app?.close();
});

const wire = (a: Arrays, name: string): Wire => ({ type: a[name].data instanceof BigInt64Array ? 'int64' : 'float32', dims: a[name].shape, data: Array.from(a[name].data as ArrayLike<number | bigint>, Number) });

async function runBoth(graph: Uint8Array, feeds: Record<string, Wire>): Promise<Record<'gpu' | 'cpu', { outputs: Record<string, number[]>; backend: string }>> {
  return page.evaluate(
    async ({ b64, feeds }) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const g = globalThis as any;
      const plain: Record<string, unknown> = {};
      for (const [n, w] of Object.entries(feeds)) plain[n] = { type: w.type, dims: w.dims, data: w.type === 'int64' ? BigInt64Array.from(w.data, (v) => BigInt(v)) : Float32Array.from(w.data) };
      const out: Record<string, unknown> = {};
      for (const side of ['gpu', 'cpu']) {
        const r = await g.engines[side].runModel(bytes.slice(), plain);
        const o: Record<string, number[]> = {};
        for (const [n, t] of Object.entries(r.outputs as Record<string, { data: ArrayLike<number> }>)) o[n] = Array.from(t.data);
        out[side] = { outputs: o, backend: g.engines[side].backendInfo().backend };
      }
      return out as never;
    },
    { b64: Buffer.from(graph).toString('base64'), feeds },
  );
}

const base = () => ({
  gpt: file(new URL('s1-v2.ckpt', CK), 's1-v2.ckpt'),
  hubert: file(new URL('hubert/pytorch_model.bin', CK), 'pytorch_model.bin'),
  hubertConfig: new Blob([readFileSync(new URL('hubert/config.json', CK))]),
});

describe.each([
  { version: 'v4', vocoder: 'vocoder.pth' },
  { version: 'v3', vocoder: 'bigvgan_generator.pt' },
])('tiny $version graphs on WebGPU (fp32) and WASM against upstream', ({ version, vocoder }) => {
  it('encoder, CFM step and vocoder agree with upstream on both backends', async () => {
    const pack = await convertToPack({ ...base(), sovits: file(new URL(`tiny-${version}/s2.pth`, DIR), 's2.pth'), vocoder: file(new URL(`tiny-${version}/${vocoder}`, DIR), vocoder) });
    const bytes = (role: string) => pack.files.get(pack.manifest.files.find((f) => f.role === role)!.name)!;
    const input = readArrays(DIR, 'input');
    const want = readArrays(DIR, `tiny-${version}`);
    const meta = JSON.parse(readFileSync(new URL(`tiny-${version}/meta.json`, DIR), 'utf8'));
    const figures: string[] = [];
    const check = (what: string, ref: ArrayLike<number>, r: Awaited<ReturnType<typeof runBoth>>, out: string, min: number, map = (x: number[]) => x) => {
      expect(r.gpu.backend).toBe('webgpu');
      for (const side of ['gpu', 'cpu'] as const) {
        const snr = snrDb(ref, map(r[side].outputs[out]));
        figures.push(`${what} ${side === 'gpu' ? 'WebGPU' : 'WASM'} ${snr.toFixed(1)} dB`);
        expect(snr, `${what} on ${side}`).toBeGreaterThanOrEqual(min);
      }
    };
    const codes = input.codes.shape[2];
    const enc = await runBoth(bytes('sovits-encoder'), {
      codes: wire(input, 'codes'),
      phones: wire(input, 'phones'),
      ge: wire(want, 'ge'),
      enc_frames: { type: 'int64', dims: [1], data: [2 * codes] },
      mel_frames: { type: 'int64', dims: [1], data: [Math.floor(codes * (version === 'v3' ? 3.875 : 4))] },
    });
    check('condition', want.fea_todo.data as Float32Array, enc, 'fea', 60);
    const T = want.step0_x.shape[2];
    const step = await runBoth(bytes('cfm-step'), {
      x: wire(want, 'step0_x'),
      prompt: wire(want, 'step0_cond'),
      mu: wire(want, 'step0_text'),
      t: wire(want, 'step0_t'),
      d: wire(want, 'step0_d'),
      prompt_len: { type: 'int64', dims: [1], data: [meta.synthesis.T_min] },
    });
    check('CFM step velocity', transpose2d(want.step0_v.data as Float32Array, T, 100), step, 'v', 60);
    const voc = await runBoth(bytes('vocoder'), { mel: wire(want, 'mel') });
    check('vocoder', want.audio.data as Float32Array, voc, 'audio', 40);
    console.log(`tiny-${version}: ${figures.join(', ')}`);
    expect(app.seen.fatal).toEqual([]);
  });
});

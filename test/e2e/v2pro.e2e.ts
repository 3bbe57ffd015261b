// GPT-SoVITS v2Pro-family packs in Chromium: the tiny upstream-format fixtures (PyTorch-written
// v2ProPlus SoVITS, the ERes2NetV2 speaker-verification checkpoint, the GPT and HuBERT fixtures)
// are converted in the worker into a stored pack, which clones a voice from a WAV and speaks on
// WASM and on WebGPU (SwiftShader, fp32): both backends give the same fused speaker embedding.
// A v2Pro SoVITS without the speaker-verification file is refused with SV_MODEL_MISSING and
// changes nothing stored. One page, one client per backend, for speed. Most of the time goes to
// the WebGPU clone's speaker-verification graph (ERes2NetV2 convolutions): SwiftShader takes tens
// of seconds for what WASM does in about one; the test logs the split.
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SV_CHECKPOINT_NAME } from '../../src/pack/versions';
import { openApp, putFiles, type App } from './app';
import type { Page } from './browser';
import { SHORT_WAV } from '../helpers/reference-speech';

const CKPT = resolve('test/fixtures/checkpoints');
const V2PRO = resolve('test/fixtures/v2pro');
// The shortest LibriVox clip (3.3 s): SwiftShader's WebGPU is slow on a 2-core machine.
const WAV = SHORT_WAV;
const WAV_TEXT = 'He might even have been made amiable himself.';
const PACK_ID = 'tiny-v2proplus';
// Tokens spoken per backend: SwiftShader's WebGPU is slow here (seconds per decode step under load).
const TOKENS = { wasm: 8, webgpu: 4 };

const files: Record<string, [string, string]> = {
  gpt: [join(CKPT, 's1-v2.ckpt'), 's1-v2.ckpt'],
  hubert: [join(CKPT, 'hubert/pytorch_model.bin'), 'pytorch_model.bin'],
  hubertConfig: [join(CKPT, 'hubert/config.json'), 'config.json'],
  proPlus: [join(V2PRO, 'tiny-v2ProPlus/s2.pth'), 's2.pth'],
  pro: [join(V2PRO, 'tiny-v2Pro/s2.pth'), 's2.pth'],
  sv: [join(V2PRO, 'sv-tiny.ckpt'), 'sv-tiny.ckpt'],
  wav: [WAV, 'reader.wav'],
};

let app: App;
let page: Page;

interface Spoken {
  backend: string;
  reason: string;
  ge: number[];
  codes: number;
  tokens: number[];
  samples: number;
  peak: number;
  finite: boolean;
  cloneMs: number;
  /** The engine's split of the clone: HuBERT + codes, speaker verification, reference encoder. */
  timings?: { codesMs: number; svMs: number; refMs: number };
  speakMs: number;
  /** WebGPU only: creating the client, loading the pack, cloning + speaking. */
  steps?: number[];
}

beforeAll(async () => {
  app = await openApp();
  page = app.page;
  // The Studio on the page starts its own engine: keep it on WASM.
  await page.goto(`${app.server.url}?backend=wasm`);
  await page.waitForFunction(() => 'Mynah' in globalThis);
  await putFiles(page, files);
  await page.evaluate(() => {
    const g = globalThis as any;
    g.clients = {};
    /** Clones the WAV with the loaded pack and speaks a fixed number of tokens; summarises both. */
    g.cloneAndSpeak = async (m: any, text: string, maxTokens: number) => {
      const t0 = performance.now();
      const { voice, timings } = await m.cloneVoice(g.fx.wav, text, 'en', `Reader (${m.backendInfo().backend})`);
      const cloneMs = Math.round(performance.now() - t0);
      const stream = m.synthesize('Hello from a v2ProPlus pack.', voice.id, { seed: 7, maxTokens, lang: 'en' });
      let samples = 0;
      let peak = 0;
      let finite = true;
      for await (const c of stream) {
        samples += c.pcm.length;
        for (const x of c.pcm) {
          if (!Number.isFinite(x)) finite = false;
          peak = Math.max(peak, Math.abs(x));
        }
      }
      const report = await stream.report;
      const info = await m.refreshBackendInfo();
      return {
        backend: info.backend,
        reason: info.reason,
        ge: Array.from(voice.ge as Float32Array),
        codes: voice.promptCodes.length,
        tokens: report.segments.map((s: { tokens: number }) => s.tokens),
        samples,
        peak,
        finite,
        cloneMs,
        timings,
        speakMs: Math.round(performance.now() - t0) - cloneMs,
      };
    };
  });
});
afterAll(async () => {
  await app?.close();
});

describe('v2ProPlus in Chromium', () => {
  const spoken: Record<string, Spoken> = {};

  it('converts the v2ProPlus fixtures in the worker (with the sv file), clones from a WAV and speaks on WASM', async () => {
    const t0 = Date.now();
    const r = await page.evaluate(
      async ({ id, text, maxTokens }) => {
        const g = globalThis as any;
        const m = (g.clients.wasm = await g.Mynah.create({ backend: 'wasm' }));
        const names = new Set<string>();
        const { summary, report } = await m.convertPack(
          { gpt: g.fx.gpt, sovits: g.fx.proPlus, hubert: g.fx.hubert, hubertConfig: g.fx.hubertConfig, sv: g.fx.sv },
          { id, name: 'Tiny v2ProPlus' },
          (p: { name: string }) => names.add(p.name),
        );
        const spoken = await g.cloneAndSpeak(m, text, maxTokens);
        return {
          version: report.version,
          header: report.sovitsHeader,
          warnings: report.warnings,
          manifest: { id: summary.manifest.id, version: summary.manifest.version, sampleRate: summary.manifest.sampleRate, roles: summary.manifest.files.map((f: { role: string }) => f.role) },
          names: [...names],
          stored: (await m.listStoredPacks()).map((p: { id: string }) => p.id),
          spoken,
        };
      },
      { id: PACK_ID, text: WAV_TEXT, maxTokens: TOKENS.wasm },
    );
    spoken.wasm = r.spoken;
    console.log(`converted ${r.manifest.id} (${r.version}, header ${r.header}) in the worker; read ${r.names.join(', ')}; wasm: clone ${(r.spoken.cloneMs / 1000).toFixed(1)} s (sv ${((r.spoken.timings?.svMs ?? 0) / 1000).toFixed(1)} s), ${r.spoken.codes} codes, ge ${r.spoken.ge.length}, tokens ${r.spoken.tokens}, ${r.spoken.samples} samples, peak ${r.spoken.peak.toFixed(3)} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    expect(r.version).toBe('v2ProPlus');
    expect(r.manifest).toMatchObject({ id: PACK_ID, version: 'v2ProPlus', sampleRate: 32000 });
    expect(r.manifest.roles).toContain('sv');
    expect(r.names).toContain('sv-tiny.ckpt');
    expect(r.warnings).toEqual([]);
    expect(r.stored).toContain(PACK_ID);
    expect(r.spoken.backend).toBe('wasm');
    expect(r.spoken.codes).toBeGreaterThan(60); // 3.3 s at 25 Hz
    expect(r.spoken.ge.every(Number.isFinite)).toBe(true);
    expect(r.spoken.finite).toBe(true);
    expect(r.spoken.peak).toBeGreaterThan(0);
    expect(r.spoken.tokens).toEqual([TOKENS.wasm]);
    expect(app.seen.fatal).toEqual([]);
  });

  it('loads the stored pack on WebGPU (fp32), clones the same speaker embedding as WASM and speaks', { timeout: 600_000 }, async () => {
    const t0 = Date.now();
    const r: Spoken = await page.evaluate(
      async ({ id, text, maxTokens }) => {
        const g = globalThis as any;
        const t = [performance.now()];
        const m = (g.clients.webgpu = await g.Mynah.create({ backend: 'webgpu', precision: 'fp32' }));
        t.push(performance.now());
        await m.loadStoredPack(id);
        t.push(performance.now());
        const r = await g.cloneAndSpeak(m, text, maxTokens);
        t.push(performance.now());
        return { ...r, steps: t.slice(1).map((x, i) => Math.round(x - t[i])) };
      },
      { id: PACK_ID, text: WAV_TEXT, maxTokens: TOKENS.webgpu },
    );
    spoken.webgpu = r;
    const a = spoken.wasm;
    let diff = 0;
    let scale = 0;
    for (let i = 0; i < a.ge.length; i++) {
      diff = Math.max(diff, Math.abs(a.ge[i] - r.ge[i]));
      scale = Math.max(scale, Math.abs(a.ge[i]));
    }
    const ms = (x = 0) => `${(x / 1000).toFixed(1)} s`;
    const t = r.timings;
    console.log(`webgpu: ${r.reason}; create ${ms(r.steps?.[0])}, load ${ms(r.steps?.[1])}, clone ${ms(r.cloneMs)} (codes ${ms(t?.codesMs)}, sv ${ms(t?.svMs)}, ref ${ms(t?.refMs)}), speak ${ms(r.speakMs)}; tokens ${r.tokens}, ${r.samples} samples, peak ${r.peak.toFixed(3)}; ge vs wasm max diff ${diff.toExponential(2)} (scale ${scale.toFixed(3)}) (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    expect(r.backend).toBe('webgpu');
    expect(r.codes).toBe(a.codes);
    expect(r.ge.length).toBe(a.ge.length);
    expect(diff).toBeLessThan(1e-4 * Math.max(1, scale));
    expect(r.finite).toBe(true);
    expect(r.peak).toBeGreaterThan(0);
    expect(r.tokens).toEqual([TOKENS.webgpu]);
    expect(app.seen.fatal).toEqual([]);
  });

  it('refuses a v2Pro SoVITS without the speaker-verification file (SV_MODEL_MISSING), changing nothing stored', async () => {
    const r = await page.evaluate(async (packId) => {
      const g = globalThis as any;
      const m = g.clients.wasm;
      const ids = async () => ({
        packs: (await m.listStoredPacks()).map((p: { id: string }) => p.id).sort(),
        voices: (await m.voices.list()).map((v: { id: string; ge: Float32Array }) => `${v.id}:${Array.from(v.ge.subarray(0, 4)).join(',')}`).sort(),
      });
      const before = await ids();
      let error = { code: 'NONE', message: '' };
      try {
        await m.convertPack({ gpt: g.fx.gpt, sovits: g.fx.pro, hubert: g.fx.hubert, hubertConfig: g.fx.hubertConfig }, { id: 'tiny-v2pro-no-sv' });
      } catch (e) {
        error = { code: String((e as { code?: string }).code), message: String((e as Error).message) };
      }
      const after = await ids();
      // The loaded pack still speaks.
      const stream = m.synthesize('Still here.', (await m.voices.list()).find((v: { packId: string }) => v.packId === packId).id, { seed: 1, maxTokens: 4, lang: 'en' });
      let samples = 0;
      for await (const c of stream) samples += c.pcm.length;
      for (const c of Object.values(g.clients)) (c as { dispose(): void }).dispose();
      return { before, after, error, samples };
    }, PACK_ID);
    console.log(`refused: ${r.error.code} (${r.error.message}); ${r.after.packs.length} packs and ${r.after.voices.length} voices before and after`);
    expect(r.error.code).toBe('SV_MODEL_MISSING');
    expect(r.error.message).toContain(SV_CHECKPOINT_NAME);
    expect(r.error.message).toContain('s2.pth');
    expect(r.after).toEqual(r.before);
    expect(r.before.packs).toContain(PACK_ID);
    expect(r.before.voices.length).toBeGreaterThanOrEqual(2);
    expect(r.samples).toBeGreaterThan(0);
    expect(app.seen.fatal).toEqual([]);
  });
});

// Real checkpoints in the browser: the PyTorch-written fixtures (scripts/make-checkpoint-fixtures.py)
// are handed to the worker as Files, converted into a stored pack, and that pack clones a voice and
// speaks. Malicious and truncated files are refused with typed errors and lose nothing already
// saved; after a reload the stored pack loads with no re-conversion. WASM only: the graphs are the
// same ones pack.e2e.ts runs on WebGPU, and SwiftShader would add minutes.
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHORT_TEXT as WAV_TEXT, SHORT_WAV as WAV } from '../helpers/reference-speech';
import { openApp, putFiles, type App } from './app';
import type { Page } from './browser';

const FIXTURES = resolve('test/fixtures/checkpoints');

const files: Record<string, [string, string]> = {
  gpt: [join(FIXTURES, 's1-v2.ckpt'), 's1-v2.ckpt'],
  sovits: [join(FIXTURES, 's2-v2.pth'), 's2-v2.pth'],
  hubert: [join(FIXTURES, 'hubert/pytorch_model.bin'), 'pytorch_model.bin'],
  hubertConfig: [join(FIXTURES, 'hubert/config.json'), 'config.json'],
  evil: [join(FIXTURES, 'malicious-os-system.ckpt'), 'malicious-os-system.ckpt'],
  wav: [WAV, 'reader.wav'],
};

let app: App;
let page: Page;

async function open(): Promise<void> {
  // The Studio on the same page starts its own engine; keep it on WASM too.
  await page.goto(`${app.server.url}?backend=wasm`);
  await page.waitForFunction(() => 'Mynah' in globalThis);
  await putFiles(page, files);
  await page.evaluate(async () => {
    const g = globalThis as any;
    g.m = await g.Mynah.create({ backend: 'wasm' });
    // Speak a fixed number of tokens and summarise the audio.
    g.speak = async (voiceId: string) => {
      const stream = g.m.synthesize('Hello from a converted pack.', voiceId, { seed: 5, maxTokens: 12, lang: 'en' });
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
      return { samples, peak, finite, tokens: report.segments.map((s: { tokens: number }) => s.tokens) };
    };
    g.attempt = async (fn: () => Promise<unknown>) => {
      try {
        await fn();
        return { code: 'NONE', message: '' };
      } catch (e) {
        return { code: String((e as { code?: string }).code), message: String((e as Error).message) };
      }
    };
  });
}

beforeAll(async () => {
  app = await openApp();
  page = app.page;
  await open();
});
afterAll(async () => {
  await app?.close();
});

describe('converting dropped checkpoints in Chromium', () => {
  let packId = '';
  let voiceId = '';
  let firstSpeech: { tokens: number[]; samples: number } | undefined;

  it('converts the PyTorch fixtures in the worker, with progress, into a stored pack that clones and speaks', { timeout: 300_000 }, async () => {
    const r = await page.evaluate(async (text) => {
      const g = globalThis as any;
      const phases = new Set<string>();
      const names = new Set<string>();
      const { summary, report } = await g.m.convertPack(
        { gpt: g.fx.gpt, sovits: g.fx.sovits, hubert: g.fx.hubert, hubertConfig: g.fx.hubertConfig },
        { name: 'Fixture pack' },
        (p: { phase: string; name: string }) => {
          phases.add(p.phase);
          names.add(p.name);
        },
      );
      const stored = (await g.m.listStoredPacks()).map((p: { id: string }) => p.id);
      const { voice } = await g.m.cloneVoice(g.fx.wav, text, 'en', 'Reader (converted)');
      const spoken = await g.speak(voice.id);
      return { id: summary.manifest.id, version: report.version, phases: [...phases], names: [...names], stored, voice: { id: voice.id, packId: voice.packId, codes: voice.promptCodes.length, ge: voice.ge.length }, spoken };
    }, WAV_TEXT);
    console.log(`converted ${r.id} (${r.version}); progress phases ${r.phases}; voice ${r.voice.codes} codes, ge ${r.voice.ge}; spoke ${r.spoken.tokens} tokens, ${r.spoken.samples} samples, peak ${r.spoken.peak.toFixed(3)}`);
    packId = r.id;
    voiceId = r.voice.id;
    firstSpeech = r.spoken;
    expect(r.version).toBe('v2');
    expect(r.phases).toEqual(expect.arrayContaining(['reading', 'building']));
    expect(r.names).toEqual(expect.arrayContaining(['s1-v2.ckpt', 's2-v2.pth']));
    expect(r.stored).toContain(r.id);
    expect(r.voice.packId).toBe(r.id);
    expect(r.voice.codes).toBeGreaterThan(50); // 3.3 s at 25 Hz
    expect(r.spoken.finite).toBe(true);
    expect(r.spoken.peak).toBeGreaterThan(0);
    expect(r.spoken.tokens).toEqual([12]);
    expect(app.seen.fatal).toEqual([]);
  });

  it('refuses a malicious pickle and a truncated file with typed errors, keeping what was saved', { timeout: 300_000 }, async () => {
    const r = await page.evaluate(async () => {
      const g = globalThis as any;
      const before = (await g.m.listStoredPacks()).length;
      const evil = await g.attempt(() => g.m.convertPack({ gpt: g.fx.evil, sovits: g.fx.sovits, hubert: g.fx.hubert }, { name: 'Evil' }));
      const half = new File([await g.fx.gpt.slice(0, Math.floor(g.fx.gpt.size / 2)).arrayBuffer()], 'half.ckpt');
      const truncated = await g.attempt(() => g.m.convertPack({ gpt: half, sovits: g.fx.sovits, hubert: g.fx.hubert }, { name: 'Half' }));
      const swapped = await g.attempt(() => g.m.convertPack({ gpt: g.fx.sovits, sovits: g.fx.gpt, hubert: g.fx.hubert }, { name: 'Swapped' }));
      const after = (await g.m.listStoredPacks()).length;
      const voices = (await g.m.voices.list()).length;
      return { before, after, voices, evil, truncated, swapped };
    });
    console.log(`refused: ${r.evil.code} (${r.evil.message}); ${r.truncated.code}; ${r.swapped.code}`);
    expect(r.evil.code).toBe('UNSAFE_PICKLE');
    expect(r.evil.message).toContain('posix.system');
    expect(r.truncated.code).toBe('CHECKPOINT_TRUNCATED');
    expect(r.swapped.code).toBe('CHECKPOINT_WRONG_SLOT');
    expect(r.after).toBe(r.before);
    expect(r.voices).toBe(1);
    // The loaded pack and the voice still work after the refusals.
    const again = await page.evaluate((id) => (globalThis as any).speak(id), voiceId);
    expect(again.tokens).toEqual(firstSpeech!.tokens);
    expect(again.samples).toBe(firstSpeech!.samples);
  });

  it('loads the stored pack after a reload, with no conversion, and speaks the same', { timeout: 300_000 }, async () => {
    await open();
    const r = await page.evaluate(async ({ packId, voiceId }) => {
      const g = globalThis as any;
      const stored = (await g.m.listStoredPacks()).map((p: { id: string }) => p.id);
      const t0 = performance.now();
      const summary = await g.m.loadStoredPack(packId);
      const loadMs = performance.now() - t0;
      const spoken = await g.speak(voiceId);
      return { stored, loaded: summary.manifest.id, loadMs, spoken };
    }, { packId, voiceId });
    console.log(`after reload: stored ${r.stored}; loaded ${r.loaded} in ${r.loadMs.toFixed(0)} ms; ${r.spoken.tokens} tokens`);
    expect(r.stored).toContain(packId);
    expect(r.loaded).toBe(packId);
    expect(r.spoken.tokens).toEqual(firstSpeech!.tokens);
    expect(r.spoken.samples).toBe(firstSpeech!.samples);
    expect(app.seen.fatal).toEqual([]);
  });
});

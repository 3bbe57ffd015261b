// A GPT-SoVITS v4 LoRA fine-tune in the Studio, in Chromium on the built app: the dropped LoRA is
// refused until its base model (s2Gv4.pth) is added (SOVITS_BASE_MISSING marks and focuses that
// slot); with the base and vocoder.pth the set converts in the worker into a 48 kHz pack, a voice
// is cloned, speech plays through the player with a sampling-step setting, and the downloaded WAV
// is 48 kHz. Then the client API: chunks at 48000 Hz, 1920 samples per token, one progress call
// per sampling step. The files are the tiny upstream-written fixtures (scripts/make-v3v4-fixtures.py).
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWav } from '../../src/audio/wav';
import { CONSENT_STATEMENT } from '../../src/safety/consent';
import { REFERENCE_TEXT, REFERENCE_WAV } from '../helpers/reference-speech';
import { dropFiles, openApp, type App } from './app';
import type { Page } from './browser';

const SHOTS = resolve('test-results');
const FIXTURES = resolve('test/fixtures/checkpoints');
const V4 = resolve('test/fixtures/v3v4/tiny-v4');
let app: App;
let page: Page;

const shot = (name: string) => page.screenshot({ path: join(SHOTS, `v4-${name}.png`), fullPage: true });

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  app = await openApp({ viewport: { width: 1280, height: 900 } });
  page = app.page;
});

afterAll(async () => {
  await app?.close();
});

describe('GPT-SoVITS v4 LoRA in the Studio', () => {
  it('asks for the base model, converts LoRA + base + vocoder, clones, speaks at 48 kHz and downloads a 48 kHz WAV', async () => {
    await page.goto(`${app.server.url}?backend=wasm`);
    await page.getByText(/Model pack “.*” is loaded\./).waitFor({ timeout: 120_000 });
    await page.getByLabel('Convert my GPT-SoVITS files').check();
    const drop = 'Drop the files here, or choose each one below.';
    await dropFiles(page, drop, [
      [join(V4, 'lora.pth'), 'my-voice_e8_s16_l4.pth'],
      [join(V4, 'vocoder.pth'), 'vocoder.pth'],
      [join(FIXTURES, 's1-v2.ckpt'), 's1-v2.ckpt'],
      [join(FIXTURES, 'hubert/pytorch_model.bin'), 'pytorch_model.bin'],
      [join(FIXTURES, 'hubert/config.json'), 'config.json'],
    ]);
    await page.getByText('Files assigned; check the slots below.').waitFor();
    await page.getByText(/Chosen: vocoder\.pth/).waitFor();
    const convert = page.getByRole('button', { name: 'Convert and load' });
    await convert.click();
    const alert = page.getByRole('alert');
    await alert.getByText('SOVITS_BASE_MISSING').waitFor({ timeout: 60_000 });
    const missing = alert.locator('[data-code="SOVITS_BASE_MISSING"]');
    await expect(missing.getByText(/my-voice_e8_s16_l4\.pth is a GPT-SoVITS v4 LoRA fine-tune: it is merged onto upstream's pretrained s2Gv4\.pth/).isVisible()).resolves.toBe(true);
    await expect(page.getByLabel('Base SoVITS model (v3 / v4 LoRA only)').getAttribute('aria-invalid')).resolves.toBe('true');
    expect(await page.evaluate(() => document.querySelector('mynah-studio')!.shadowRoot!.querySelector('mynah-pack-panel')!.shadowRoot!.activeElement?.id)).toBe('slot-sovitsBase');
    await shot('1-base-missing');
    await missing.getByRole('button', { name: 'Dismiss this message' }).click();

    // upstream's file name sends the dropped base to its slot, not the SoVITS one.
    await dropFiles(page, drop, [[join(V4, 's2.pth'), 's2Gv4.pth']]);
    await page.getByText(/Chosen: s2Gv4\.pth/).waitFor();
    await expect(page.getByText(/Chosen: my-voice_e8_s16_l4\.pth/).isVisible()).resolves.toBe(true);
    await convert.click();
    await page.getByText('Model pack “my-voice_e8_s16_l4.pth + s1-v2.ckpt” is loaded.').waitFor({ timeout: 180_000 });
    await expect(page.getByText('GPT-SoVITS v4, 48 kHz').isVisible()).resolves.toBe(true);
    await expect(page.getByText(/LoRA rank 4 merged onto the base/).isVisible()).resolves.toBe(true);

    await page.getByLabel('Reference audio file').setInputFiles(REFERENCE_WAV);
    await page.getByText(/Used for cloning: \d+\.\d s from/).waitFor();
    await page.getByLabel('What the reference says, word for word').fill(REFERENCE_TEXT);
    await page.getByLabel('Language of the reference').selectOption('en');
    await page.getByLabel('Name for the voice').fill('V4 voice');
    await page.getByLabel(CONSENT_STATEMENT).check();
    await page.getByRole('button', { name: 'Clone voice' }).click();
    await page.getByText('Voice “V4 voice” is ready and saved in your library.').waitFor({ timeout: 120_000 });

    await page.getByText('Advanced settings').click();
    const steps = page.getByLabel('Sampling steps (v3/v4)', { exact: true });
    await steps.fill('4');
    await steps.press('Tab');
    await page.getByLabel('Longest fragment (tokens)', { exact: true }).fill('40');
    await page.getByLabel('Longest fragment (tokens)', { exact: true }).press('Tab');
    await page.getByLabel('Text to speak').fill('Hello from a v4 voice.');
    await page.getByRole('button', { name: 'Speak', exact: true }).click();
    await page.getByText(/Done: \d+\.\d s of audio\./).waitFor({ timeout: 180_000 });
    await shot('2-spoken');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download WAV' }).click()]);
    const file = join(SHOTS, 'v4-speech.wav');
    await download.saveAs(file);
    const wav = parseWav(readFileSync(file));
    const seconds = wav.channels[0].length / wav.sampleRate;
    console.log(`v4 download: ${wav.sampleRate} Hz, ${seconds.toFixed(3)} s`);
    expect(wav.sampleRate).toBe(48000);
    expect(seconds).toBeGreaterThan(0.3);
    expect(app.seen.fatal).toEqual([]);
  });

  it('client API: 48 kHz chunks, 1920 samples per token, progress per sampling step', async () => {
    const r = await page.evaluate(async () => {
      const g = globalThis as any;
      const m = await g.Mynah.create({ backend: 'wasm' });
      const packs = await m.listStoredPacks();
      const summary = await m.loadStoredPack(packs.find((p: { version: string }) => p.version === 'v4').id);
      const voice = (await m.voices.list()).find((v: { name: string }) => v.name === 'V4 voice');
      const stream = m.synthesize('Hello there, this is a test.', voice.id, { seed: 3, maxTokens: 30, sampleSteps: 3, lang: 'en', pauseSec: 0 });
      const progress: { step: number; steps: number }[] = [];
      stream.onprogress = (p: { step: number; steps: number }) => progress.push(p);
      const rates = new Set<number>();
      let speech = 0;
      for await (const c of stream) {
        rates.add(c.sampleRate);
        if (c.kind === 'speech') speech += c.pcm.length;
      }
      const report = await stream.report;
      return { version: summary.manifest.version, rate: summary.manifest.sampleRate, rates: [...rates], speech, tokens: report.segments.map((s: { tokens: number }) => s.tokens), progress, flow: report.flow };
    });
    console.log(`v4 API: ${r.tokens} tokens, ${r.speech} samples, ${r.progress.length} progress calls, ${r.flow.stepMs.toFixed(1)} ms per step`);
    expect(r.version).toBe('v4');
    expect(r.rate).toBe(48000);
    expect(r.rates).toEqual([48000]);
    expect(r.speech).toBe(1920 * r.tokens.reduce((a: number, b: number) => a + b, 0));
    expect(r.progress.map((p) => p.step)).toEqual(r.tokens.flatMap(() => [1, 2, 3]));
    expect(r.flow.steps).toBe(3);
  });
});

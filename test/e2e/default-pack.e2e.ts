// A site that has real weights serves them out of the box: `npm run convert` turns the
// PyTorch-written fixtures (scripts/make-checkpoint-fixtures.py) into a pack folder, a build with
// MYNAH_DEFAULT_PACK naming it ships that folder instead of the tiny random pack, and the Studio
// loads it by itself with no random-weights warning; the client's loadPack() with no URL gets it
// too, and it clones and speaks. WASM only (the graphs are the ones convert.e2e.ts runs).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticBertVocab } from '../../src/pack/synthetic-vocab';
import { SHORT_TEXT, SHORT_WAV } from '../helpers/reference-speech';
import { launch, watchConsole, type Page } from './browser';
import { serveStatic, type StaticServer } from './server';

const FIX = resolve('test/fixtures/checkpoints');
const ID = 'fixture-voice';
const NAME = 'Fixture voice (converted on the command line)';
let dir: string;
let dist: string;
let convertOut = '';
let server: StaticServer;
let chrome: Awaited<ReturnType<typeof launch>>;
let page: Page;
let seen: ReturnType<typeof watchConsole>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mynah-default-pack-'));
  const vocab = join(dir, 'vocab.txt');
  writeFileSync(vocab, syntheticBertVocab(600).join('\n') + '\n');
  // What a site operator runs: the README's command, on upstream-format files.
  const r = spawnSync(
    resolve('node_modules/.bin/tsx'),
    [
      'scripts/convert.ts',
      ...['--gpt', join(FIX, 's1-v2.ckpt'), '--sovits', join(FIX, 's2-v2.pth')],
      ...['--hubert', join(FIX, 'hubert/pytorch_model.bin'), '--hubert-config', join(FIX, 'hubert/config.json')],
      ...['--roberta', join(FIX, 'roberta/pytorch_model.bin'), '--roberta-config', join(FIX, 'roberta/config.json'), '--vocab', vocab],
      ...['--out', join(dir, 'pack'), '--id', ID, '--name', NAME],
    ],
    { encoding: 'utf8', timeout: 120_000 },
  );
  convertOut = r.stdout;
  if (r.status !== 0) throw new Error(`npm run convert failed (${r.status}): ${r.stderr}`);
  // The same build as npm run build, told to ship that folder.
  dist = join(dir, 'dist');
  process.env.MYNAH_DEFAULT_PACK = join(dir, 'pack');
  try {
    await build({ logLevel: 'warn', configFile: 'vite.config.ts', build: { outDir: dist, emptyOutDir: true } });
  } finally {
    delete process.env.MYNAH_DEFAULT_PACK;
  }
  server = await serveStatic(dist);
  chrome = await launch({ webgpu: false });
  page = await chrome.browser.newPage();
  seen = watchConsole(page);
});
afterAll(async () => {
  await chrome?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a converted pack as the build’s default', () => {
  it('the build ships the folder npm run convert wrote, and no tiny pack', () => {
    expect(convertOut).toMatch(/building 8\/8 {2}bert\.onnx/);
    expect(readdirSync(join(dist, 'packs'))).toEqual([ID]);
    const names = readdirSync(join(dir, 'pack')).sort();
    expect(readdirSync(join(dist, 'packs', ID)).sort()).toEqual(names);
    for (const n of names) expect(readFileSync(join(dist, 'packs', ID, n)).equals(readFileSync(join(dir, 'pack', n))), n).toBe(true);
  });

  it('the Studio loads it by itself, says where its weights came from, and shows no random-weights warning', async () => {
    await page.goto(`${server.url}?backend=wasm`);
    await page.getByText(`Model pack “${NAME}” is loaded.`).waitFor({ timeout: 120_000 });
    const current = page.getByLabel('Loaded model pack');
    await expect(current.getByText(`${NAME} (${ID})`).isVisible()).resolves.toBe(true);
    await expect(current.getByText(/^converted from s1-v2\.ckpt, s2-v2\.pth, hubert\/pytorch_model\.bin, roberta\/pytorch_model\.bin$/).isVisible()).resolves.toBe(true);
    await expect(page.getByText(/random weights/).count()).resolves.toBe(0);
    const packRequests = server.requests.map((r) => r.path).filter((p) => p.includes('/packs/'));
    expect(packRequests).toContain(`/packs/${ID}/pack.json`);
    expect(packRequests.filter((p) => !p.startsWith(`/packs/${ID}/`))).toEqual([]);
    expect(seen.errors).toEqual([]);
  });

  it('loadPack() with no URL gets it, and it clones a voice and speaks', { timeout: 300_000 }, async () => {
    const wav = readFileSync(SHORT_WAV).toString('base64');
    const r = await page.evaluate(
      async ({ wav, text }) => {
        const g = globalThis as any;
        const m = await g.Mynah.create({ backend: 'wasm' });
        const summary = await m.loadPack();
        const file = new File([Uint8Array.from(atob(wav), (c) => c.charCodeAt(0))], 'reader.wav');
        const { voice } = await m.cloneVoice(file, text, 'en', 'Reader');
        const stream = m.synthesize('Hello from the default pack.', voice.id, { seed: 3, maxTokens: 12, lang: 'en' });
        let samples = 0;
        let peak = 0;
        for await (const c of stream) {
          samples += c.pcm.length;
          for (const x of c.pcm) peak = Math.max(peak, Number.isFinite(x) ? Math.abs(x) : Infinity);
        }
        await m.voices.delete(voice.id);
        return { id: summary.manifest.id, weights: summary.manifest.weights, bert: summary.bert?.available, packId: voice.packId, samples, peak };
      },
      { wav, text: SHORT_TEXT },
    );
    console.log(`default pack ${r.id}: BERT ${r.bert}; spoke ${r.samples} samples, peak ${r.peak.toFixed(3)}`);
    expect(r.id).toBe(ID);
    expect(r.weights).toMatch(/^converted from /);
    expect(r.bert).toBe(true);
    expect(r.packId).toBe(ID);
    expect(r.samples).toBeGreaterThan(0);
    expect(r.peak).toBeGreaterThan(0);
    expect(Number.isFinite(r.peak)).toBe(true);
  });
});

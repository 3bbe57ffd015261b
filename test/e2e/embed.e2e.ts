// The embeddable library as a site would use it: `npm run build:lib`, dist-lib/ copied to the site
// as mynah/, examples/embed.html as the page, a voice exported from the library next to it. The
// site sends no cross-origin isolation headers (most can't), and Chromium has no WebGPU here, so
// the engine runs single-threaded WASM. Two <mynah-speak> elements on one page, each on its own
// engine, plus a third sharing a client passed in.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REFERENCE_TEXT, REFERENCE_WAV } from '../helpers/reference-speech';
import { launch, watchConsole, type Page } from './browser';
import { serveStatic, type StaticServer } from './server';

const SHOTS = resolve('test-results');
const FAST = { maxTokens: 40, seed: 5 };

let site: string;
/** The embedding site: no cross-origin isolation. */
let server: StaticServer;
/** Same files, isolated (2 WASM threads): where the test prepares its voice, faster. */
let workshop: StaticServer;
let chrome: Awaited<ReturnType<typeof launch>>;
let page: Page;
let seen: ReturnType<typeof watchConsole>;
let voiceId = '';

interface Seen {
  id: string;
  type: string;
  detail: any;
}

beforeAll(async () => {
  execFileSync('npm', ['run', 'build:lib', '--silent'], { stdio: 'inherit' });
  mkdirSync(SHOTS, { recursive: true });
  site = mkdtempSync(join(tmpdir(), 'mynah-site-'));
  symlinkSync(resolve('dist-lib'), join(site, 'mynah'));
  copyFileSync(resolve('examples/embed.html'), join(site, 'index.html'));
  writeFileSync(join(site, 'setup.html'), `<!doctype html><script type="module">import * as M from './mynah/mynah.js'; globalThis.MynahLib = M;</script>`);
  copyFileSync(REFERENCE_WAV, join(site, 'reference.wav'));
  server = await serveStatic(site, { isolate: false });
  workshop = await serveStatic(site, { isolate: true });
  chrome = await launch({ webgpu: false });
  page = await chrome.browser.newPage();
  await page.setViewportSize({ width: 900, height: 700 });
  seen = watchConsole(page);
  // Every event the elements send, from the first moment of each page load.
  await page.addInitScript(() => {
    const g = globalThis as any;
    g.__events = [];
    for (const type of ['ready', 'progress', 'chunk', 'end', 'error']) {
      addEventListener(
        type,
        (e: Event) => {
          const t = e.target as HTMLElement;
          if (t?.localName !== 'mynah-speak') return;
          const d = (e as CustomEvent).detail;
          const detail = type === 'chunk' ? { samples: d.pcm.length, kind: d.kind, segment: d.segment, sampleRate: d.sampleRate } : type === 'end' ? { cancelled: d.cancelled, seconds: d.seconds, segments: d.report?.segments.length } : d;
          g.__events.push({ id: t.id, type, detail: JSON.parse(JSON.stringify(detail)) });
        },
        true,
      );
    }
  });
});

afterAll(async () => {
  await chrome?.close();
  await server?.close();
  await workshop?.close();
  if (site) rmSync(site, { recursive: true, force: true });
});

const events = (p: Page): Promise<Seen[]> => p.evaluate(() => (globalThis as any).__events);
async function waitEvent(p: Page, id: string, type: string, count = 1): Promise<void> {
  await p.waitForFunction(({ id, type, count }) => (globalThis as any).__events.filter((e: Seen) => e.id === id && e.type === type).length >= count, { id, type, count }, { timeout: 120_000 });
}

describe('<mynah-speak> on a plain web page', () => {
  it('builds the library with its types and run-time files', () => {
    for (const f of ['mynah.js', 'mynah.d.ts', 'types/lib.d.ts', 'types/ui/mynah-speak.d.ts', 'ort/ort-wasm-simd-threaded.asyncify.wasm', 'packs/tiny/pack.json']) {
      expect(existsSync(resolve('dist-lib', f)), f).toBe(true);
    }
    const types = readFileSync(resolve('dist-lib/types/lib.d.ts'), 'utf8');
    expect(types).toMatch(/MynahSpeak/);
    expect(types).toMatch(/export declare const Mynah/);
  });

  it('clones a voice with the library API and exports it for the page', async () => {
    // Another origin than the site's (another port), so the site starts with an empty library.
    await page.goto(`${workshop.url}setup.html`);
    await page.waitForFunction(() => 'MynahLib' in globalThis);
    const r = await page.evaluate(async (promptText) => {
      const { Mynah } = (globalThis as any).MynahLib;
      const m = await Mynah.create({ backend: 'wasm' });
      try {
        await m.loadPack(); // the pack beside the library
        const wav = await (await fetch('reference.wav')).blob();
        const { voice } = await m.cloneVoice(wav, promptText, 'en', 'Reader');
        return { id: voice.id, file: await m.voices.export(voice.id) };
      } finally {
        m.dispose();
      }
    }, REFERENCE_TEXT);
    expect(JSON.parse(r.file).kind).toBe('mynah-voice');
    voiceId = r.id;
    writeFileSync(join(site, 'my-voice.mynah-voice.json'), r.file);
  });

  it('speaks with two elements on one page, each on its own engine', async () => {
    expect(voiceId).not.toBe('');
    await page.goto(server.url);
    // preload="auto" on the second element: it gets ready by itself; the first waits for a click.
    await waitEvent(page, 'second', 'ready');
    const early = await events(page);
    expect(early.filter((e) => e.id === 'first')).toEqual([]);
    const ready2 = early.find((e) => e.id === 'second' && e.type === 'ready')!.detail;
    expect(ready2.backend.backend).toBe('wasm');
    expect(ready2.backend.crossOriginIsolated).toBe(false);
    expect(ready2.backend.threads).toBe(1);
    expect(ready2.voice).toMatchObject({ id: voiceId, name: 'Reader', packId: 'tiny' });
    expect(await page.evaluate(() => (document.getElementById('first') as any).state)).toBe('idle');

    await page.evaluate((o) => document.querySelectorAll('mynah-speak').forEach((el: any) => (el.options = o)), FAST);
    await page.screenshot({ path: join(SHOTS, 'embed-1-loaded.png'), fullPage: true });
    // Both at once, as a user clicking one and then the other.
    await page.getByRole('button', { name: /^Play: Hello!/ }).click();
    await page.getByRole('button', { name: /^Play: Nothing you hear/ }).click();
    await page.getByRole('button', { name: 'Stop' }).first().waitFor();
    await page.screenshot({ path: join(SHOTS, 'embed-2-speaking.png'), fullPage: true });
    await waitEvent(page, 'first', 'end');
    await waitEvent(page, 'second', 'end');

    const all = await events(page);
    expect(all.filter((e) => e.type === 'error')).toEqual([]);
    for (const id of ['first', 'second']) {
      const mine = all.filter((e) => e.id === id);
      const chunks = mine.filter((e) => e.type === 'chunk');
      const end = mine.find((e) => e.type === 'end')!.detail;
      const samples = chunks.reduce((n, c) => n + c.detail.samples, 0);
      console.log(`${id}: ${chunks.length} chunks, ${samples} samples, ${end.seconds.toFixed(2)} s, ${end.segments} fragment(s)`);
      expect(chunks.length).toBeGreaterThan(1);
      expect(chunks.every((c) => c.detail.sampleRate === 32000)).toBe(true);
      expect(end.cancelled).toBe(false);
      expect(samples).toBe(Math.round(end.seconds * 32000));
      expect(mine.some((e) => e.type === 'progress' && e.detail.phase === 'speaking')).toBe(true);
      const audio = await page.evaluate((id) => (document.getElementById(id) as any).audio.length, id);
      expect(audio).toBe(samples);
    }
    // The first element loaded its pack after the click, with download progress.
    expect(all.some((e) => e.id === 'first' && e.type === 'progress' && e.detail.phase === 'loading' && e.detail.loaded === e.detail.total)).toBe(true);
    expect(all.findIndex((e) => e.id === 'first' && e.type === 'ready')).toBeGreaterThan(-1);
    // The voice file was kept in this origin's library under its own id.
    expect(await page.evaluate(() => (document.getElementById('first') as any).state)).toBe('ready');
    const log = await page.locator('#log').textContent();
    expect(log).toMatch(/#first end/);
    expect(log).toMatch(/#second end/);
    await page.screenshot({ path: join(SHOTS, 'embed-3-done.png'), fullPage: true });
  });

  it('takes a voice by id, stops on request, and reports errors', async () => {
    // By id, from the library the voice file was saved into.
    await page.evaluate((id) => {
      const el = document.getElementById('second') as any;
      el.voiceSrc = '';
      el.voice = id;
    }, voiceId);
    const before = (await events(page)).filter((e) => e.id === 'second' && e.type === 'end').length;
    await page.getByRole('button', { name: /^Play: Nothing you hear/ }).click();
    await waitEvent(page, 'second', 'end', before + 1);

    // Stop mid-way: a long fragment, stopped after its first audio.
    await page.evaluate(() => ((document.getElementById('second') as any).options = { maxTokens: 1500, seed: 3 }));
    const chunksBefore = (await events(page)).filter((e) => e.id === 'second' && e.type === 'chunk').length;
    await page.getByRole('button', { name: /^Play: Nothing you hear/ }).click();
    await page.waitForFunction((n) => (globalThis as any).__events.filter((e: Seen) => e.id === 'second' && e.type === 'chunk').length > n, chunksBefore, { timeout: 60_000 });
    await page.getByRole('button', { name: 'Stop' }).click();
    await waitEvent(page, 'second', 'end', before + 2);
    const ends = (await events(page)).filter((e) => e.id === 'second' && e.type === 'end');
    expect(ends.at(-1)!.detail.cancelled).toBe(true);
    expect(ends.at(-1)!.detail.seconds).toBeLessThan(60);

    // A voice id that is not in the library: an error event and a visible message.
    await page.evaluate(() => {
      const el = document.getElementById('first') as any;
      el.voiceSrc = '';
      el.voice = 'no-such-voice';
    });
    await page.getByRole('button', { name: /^Play: Hello!/ }).click();
    await waitEvent(page, 'first', 'error');
    const err = (await events(page)).find((e) => e.id === 'first' && e.type === 'error')!.detail;
    expect(err.code).toBe('VOICE_NOT_FOUND');
    await expect(page.locator('#first [part=error]').textContent()).resolves.toMatch(/No saved voice has the id no-such-voice/);
    await page.screenshot({ path: join(SHOTS, 'embed-4-error.png'), fullPage: true });
  });

  it('shares one client between elements when the page passes it in', async () => {
    await page.goto(`${workshop.url}setup.html`);
    await page.waitForFunction(() => 'MynahLib' in globalThis);
    const r = await page.evaluate(
      async ({ id, fast }) => {
        const { Mynah } = (globalThis as any).MynahLib;
        const m = await Mynah.create({ backend: 'wasm' });
        await m.loadPack();
        const made = ['a', 'b'].map((name) => {
          const el = document.createElement('mynah-speak') as any;
          el.id = name;
          el.client = m;
          el.voice = id;
          el.options = fast;
          el.textContent = `Shared engine, element ${name}.`;
          document.body.append(el);
          return el;
        });
        await Promise.all(made.map((el: any) => el.play()));
        const out = made.map((el: any) => ({ state: el.state, samples: el.audio?.length ?? 0 }));
        made.forEach((el: any) => el.remove());
        m.dispose();
        return out;
      },
      { id: voiceId, fast: FAST },
    );
    expect(r.map((x) => x.state)).toEqual(['ready', 'ready']);
    expect(r.every((x) => x.samples > 0)).toBe(true);
    expect((await events(page)).filter((e) => e.type === 'error')).toEqual([]);
    expect(seen.fatal).toEqual([]);
  });
});

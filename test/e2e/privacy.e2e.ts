// Privacy, shown in Chromium on the built app.
// 1. No uploads: every request the page, its workers and its service worker make is recorded
//    (Playwright's context- and page-level request events, plus the server's own log). Loading and
//    setting up fetch only the app's own files, from its own origin; cloning a voice and speaking
//    with it make no request at all. A sanity step shows the recorder does see deliberate requests
//    from the page, from the engine worker and to another origin.
// 2. The documented Content-Security-Policy (README, "Privacy and CSP"): the Studio served with it
//    loads, records, clones (the consent goes onto the saved voice and its export), speaks, and
//    checks files for the watermark, with no violation (the page's securitypolicyviolation
//    events, console messages of the page and its workers, and the policy's report-uri). A
//    deliberate violation shows all three would notice.
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Request } from 'playwright-core';
import { CONSENT_STATEMENT } from '../../src/safety/consent';
import { voiceIdHash } from '../../src/safety/watermark';
import { SHORT_TEXT, SHORT_WAV } from '../helpers/reference-speech';
import { launch, watchConsole, type Page } from './browser';
import { serveStatic, type StaticServer } from './server';

// The shortest LibriVox clip (SHORT_WAV, 3.3 s) keeps SwiftShader-free WASM runs short on 2 cores.
const SHOTS = resolve('test-results');
const DIST = resolve(process.env.MYNAH_DIST ?? 'dist');

/** The policy README's "Privacy and CSP" documents; keep the two identical. */
export const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "style-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

interface Seen {
  url: string;
  method: string;
  phase: string;
  /** 'service worker' when the service worker made it (its own fetches); else the page or a dedicated worker. */
  by: 'service worker' | 'page or worker';
  hasBody: boolean;
}

/** Records every request of a browser context from now on, tagged with the current phase. */
function recordRequests(context: BrowserContext, page: Page) {
  const log: Seen[] = [];
  const counted = new WeakSet<Request>();
  let phase = 'load';
  // The context sees the page, its dedicated workers and the service worker; the page listener is
  // a second net (each request is counted once).
  const add = (r: Request) => {
    if (counted.has(r)) return;
    counted.add(r);
    log.push({ url: r.url(), method: r.method(), phase, by: r.serviceWorker() ? 'service worker' : 'page or worker', hasBody: r.postDataBuffer() !== null });
  };
  context.on('request', add);
  page.on('request', add);
  return {
    log,
    set phase(p: string) {
      phase = p;
    },
    in: (p: string) => log.filter((e) => e.phase === p),
  };
}

/** Waits until neither the browser nor the server has seen a new request for `ms`. */
async function settle(rec: { log: Seen[] }, server: StaticServer, ms = 2500): Promise<void> {
  let before = -1;
  for (let i = 0; i < 60; i++) {
    const now = rec.log.length + server.requests.length;
    if (now === before) return;
    before = now;
    await new Promise((ok) => setTimeout(ok, ms));
  }
  throw new Error('requests never stopped');
}

const isSameOrigin = (url: string, origin: string) => new URL(url).origin === origin;
/**
 * The server's view, minus the browser's own update check of the service worker script (Chromium
 * schedules one after a page or worker loads through the service worker, and runs it when the
 * service worker is idle, so it can land in any phase). It carries nothing from the page.
 */
const appHits = (hits: StaticServer['requests']) => hits.filter((r) => !(r.method === 'GET' && r.path === '/sw.js'));
/** data: and blob: URLs are read inside the browser; they never reach a network. */
const isLocal = (url: string) => /^(data|blob):/.test(url);
const paths = (es: Seen[], origin: string) => es.map((e) => (isSameOrigin(e.url, origin) ? new URL(e.url).pathname : e.url));

function summary(es: Seen[], origin: string): string {
  const sw = es.filter((e) => e.by === 'service worker').length;
  return `${es.length} requests (${sw} by the service worker, ${es.filter((e) => isLocal(e.url)).length} data:/blob:, ${es.filter((e) => !isLocal(e.url) && !isSameOrigin(e.url, origin)).length} to other origins)`;
}

const packLoaded = (page: Page) => page.getByText(/Model pack “.*” is loaded\./).waitFor({ timeout: 180_000 });

describe('no uploads: what the app requests, and that cloning and speaking request nothing', () => {
  let server: StaticServer;
  let other: StaticServer;
  let chrome: Awaited<ReturnType<typeof launch>>;
  let page: Page;
  let rec: ReturnType<typeof recordRequests>;
  let origin: string;

  beforeAll(async () => {
    server = await serveStatic(DIST);
    other = await serveStatic(DIST); // another origin (another port), for the sanity step
    origin = new URL(server.url).origin;
    chrome = await launch({ webgpu: false });
    page = await chrome.browser.newPage();
    rec = recordRequests(chrome.browser, page);
  });
  afterAll(async () => {
    await chrome?.close();
    await server?.close();
    await other?.close();
  });

  it('loads the Studio and gets ready offline: only same-origin GETs of the app itself', async () => {
    await page.goto(`${server.url}?backend=wasm`);
    await packLoaded(page);
    // The service worker caches what the first visit fetched once the pack is in; wait for it.
    await page.getByText('Works offline').waitFor({ timeout: 120_000 });
    await settle(rec, server);
    const load = rec.in('load');
    console.log(`load: ${summary(load, origin)}; server saw ${server.requests.length}`);
    for (const e of load) {
      expect(e.method, e.url).toBe('GET');
      expect(e.hasBody, e.url).toBe(false);
      expect(isSameOrigin(e.url, origin) || isLocal(e.url), e.url).toBe(true);
    }
    const p = paths(load, origin);
    // The recorder sees the engine worker's own fetches (the graphs are fetched only there) and
    // the service worker's (its precache).
    expect(p.filter((x) => x.endsWith('.onnx')).length).toBeGreaterThanOrEqual(8);
    expect(p).toContain('/ort/ort-wasm-simd-threaded.asyncify.wasm');
    expect(load.some((e) => e.by === 'service worker')).toBe(true);
    expect(server.requests.every((r) => r.method === 'GET')).toBe(true);
  });

  it('sanity: the recorder sees deliberate requests from the page, from the engine worker and to another origin', async () => {
    rec.phase = 'sanity';
    const serverBefore = server.requests.length;
    const failed = await page.evaluate(
      async ({ elsewhere }) => {
        const g = globalThis as any;
        await fetch('./privacy-probe?from=page');
        await fetch(elsewhere, { mode: 'no-cors' }).catch(() => undefined);
        // The engine fetches packs in its worker: a pack that does not exist is a worker request.
        const m = await g.Mynah.create({ backend: 'wasm' });
        try {
          await m.loadPack(new URL('./no-such-pack/pack.json', location.href).href);
          return '';
        } catch (e) {
          return (e as Error).message;
        } finally {
          m.dispose();
        }
      },
      { elsewhere: `${other.url}privacy-probe?from=page` },
    );
    await settle(rec, server, 1500);
    expect(failed).toMatch(/404/);
    const s = rec.in('sanity');
    console.log(`sanity: ${summary(s, origin)}: ${paths(s, origin).join(', ')}`);
    expect(paths(s, origin)).toEqual(expect.arrayContaining(['/privacy-probe', `${other.url}privacy-probe?from=page`, '/no-such-pack/pack.json']));
    expect(s.filter((e) => !isLocal(e.url) && !isSameOrigin(e.url, origin)).map((e) => e.url)).toEqual([`${other.url}privacy-probe?from=page`]);
    expect(server.requests.slice(serverBefore).map((r) => r.path)).toEqual(expect.arrayContaining(['/privacy-probe?from=page', '/no-such-pack/pack.json']));
    expect(other.requests.map((r) => r.path)).toEqual(['/privacy-probe?from=page']);
  });

  it('clones a voice and speaks with it without a single request', async () => {
    // Starting an engine loads its code and the pack: that is set-up, counted apart.
    rec.phase = 'engine';
    await page.evaluate(async () => {
      const g = globalThis as any;
      g.privacyClient = await g.Mynah.create({ backend: 'wasm' });
      await g.privacyClient.loadPack();
    });
    await settle(rec, server);
    const engine = rec.in('engine');
    console.log(`engine start + pack: ${summary(engine, origin)}`);
    expect(engine.every((e) => e.method === 'GET' && (isSameOrigin(e.url, origin) || isLocal(e.url)))).toBe(true);

    rec.phase = 'clone+speak';
    const serverBefore = server.requests.length;
    const wav = readFileSync(SHORT_WAV).toString('base64');
    const r = await page.evaluate(
      async ({ wav, promptText, statement }) => {
        const g = globalThis as any;
        const m = g.privacyClient;
        const bytes = Uint8Array.from(atob(wav), (c) => c.charCodeAt(0));
        const consent = { given: true, at: new Date().toISOString(), statement };
        const { voice } = await m.cloneVoice(new Blob([bytes], { type: 'audio/wav' }), promptText, 'en', 'Private reader', { consent });
        const stream = m.synthesize('Hello there. This is Mynah speaking!', voice.id, { seed: 11, maxTokens: 150, lang: 'en' });
        const parts: Float32Array[] = [];
        for await (const c of stream) parts.push(c.pcm);
        const report = await stream.report;
        const pcm = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
        parts.reduce((o, p) => (pcm.set(p, o), o + p.length), 0);
        // The library's file check, on this thread, on what was just made.
        const mark = await g.Mynah.detectWatermark({ sampleRate: 32000, channels: [pcm] });
        const saved = await m.voices.get(voice.id);
        return { id: voice.id, consent: saved.consent, tokens: report.segments.map((s: { tokens: number }) => s.tokens), samples: pcm.length, mark };
      },
      { wav, promptText: SHORT_TEXT, statement: CONSENT_STATEMENT },
    );
    // Anything the job set off late would land in this phase too.
    await settle(rec, server);
    const during = rec.in('clone+speak');
    console.log(`clone+speak: tokens ${r.tokens}, ${(r.samples / 32000).toFixed(2)} s of audio, watermark ${r.mark.found} (score ${r.mark.score.toFixed(1)}, voice hash ${r.mark.voiceHash}); ${summary(during, origin)}; server saw ${server.requests.slice(serverBefore).map((q) => `${q.method} ${q.path}`).join(', ') || 'nothing'}`);
    expect(r.tokens.length).toBe(2);
    expect(r.samples).toBeGreaterThan(32000);
    expect(r.consent).toMatchObject({ given: true, statement: CONSENT_STATEMENT });
    expect(r.mark.found).toBe(true);
    expect(r.mark.voiceHash).toBe(voiceIdHash(r.id));
    expect(paths(during, origin)).toEqual([]);
    expect(appHits(server.requests.slice(serverBefore))).toEqual([]);
  });

  it('never sent anything to another origin, and never sent a request body', () => {
    const outside = rec.log.filter((e) => e.phase !== 'sanity' && !isLocal(e.url) && !isSameOrigin(e.url, origin));
    console.log(`whole session: ${summary(rec.log, origin)}, of which sanity ${rec.in('sanity').length}`);
    expect(outside).toEqual([]);
    expect(rec.log.filter((e) => e.phase !== 'sanity' && (e.method !== 'GET' || e.hasBody))).toEqual([]);
    expect(other.requests.length).toBe(1); // the sanity probe only
  });
});

describe('the documented Content-Security-Policy', () => {
  let server: StaticServer;
  let other: StaticServer;
  let chrome: Awaited<ReturnType<typeof launch>>;
  let page: Page;
  let rec: ReturnType<typeof recordRequests>;
  let seen: ReturnType<typeof watchConsoleAll>;
  let origin: string;
  let wavFile = '';
  let exported: { id: string; name: string; consent?: { given: boolean; at: string; statement: string } };

  const violations = () => page.evaluate(() => ((globalThis as any).__cspViolations ?? []) as string[]);
  const cspConsole = () => [...seen.errors, ...seen.warnings].filter((t) => /Content Security Policy|Refused to/i.test(t));
  const reports = () => server.requests.filter((r) => r.path.startsWith('/csp-report'));

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    server = await serveStatic(DIST, { headers: { 'Content-Security-Policy': `${CSP}; report-uri /csp-report` } });
    other = await serveStatic(DIST);
    origin = new URL(server.url).origin;
    chrome = await launch({ webgpu: false, fakeMic: SHORT_WAV });
    page = await chrome.browser.newPage();
    await page.setViewportSize({ width: 1280, height: 900 });
    seen = watchConsoleAll(page);
    rec = recordRequests(chrome.browser, page);
    await page.addInitScript(() => {
      const g = globalThis as any;
      g.__cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) => g.__cspViolations.push(`${e.effectiveDirective} ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`));
    });
  });
  afterAll(async () => {
    await chrome?.close();
    await server?.close();
    await other?.close();
  });

  it('the Studio starts, loads the pack and gets ready offline under it', async () => {
    await page.goto(`${server.url}?backend=wasm`);
    await page.getByText(/WASM · \d threads?/).waitFor({ timeout: 60_000 });
    await packLoaded(page);
    await page.getByText('Works offline').waitFor({ timeout: 120_000 });
    await settle(rec, server);
    console.log(`CSP load: ${summary(rec.in('load'), origin)}; violations ${(await violations()).length}, console ${cspConsole().length}, reports ${reports().length}`);
    expect(await violations()).toEqual([]);
    expect(cspConsole()).toEqual([]);
    expect(reports()).toEqual([]);
    // Multi-threaded WASM still works (the policy does not get in the way of ORT's thread workers).
    await expect(page.getByText(/WASM · [2-9]\d* threads/).isVisible()).resolves.toBe(true);
  });

  it('sanity: a deliberate violation is seen by the page, the console and the report-uri', async () => {
    rec.phase = 'sanity';
    await page.evaluate((u) => fetch(u).catch(() => undefined), `${other.url}csp-probe`);
    await page.waitForFunction(() => (globalThis as any).__cspViolations.length > 0);
    await expect.poll(() => reports().length, { timeout: 10_000 }).toBeGreaterThan(0);
    await expect.poll(() => cspConsole().length, { timeout: 10_000 }).toBeGreaterThan(0);
    const v = await violations();
    console.log(`sanity violation: ${v.join(' | ')}; console: ${cspConsole()[0]}; report ${reports()[0].method} ${reports()[0].path}`);
    expect(v).toEqual([expect.stringMatching(/^connect-src http:\/\/127\.0\.0\.1:\d+\/csp-probe/)]);
    expect(other.requests).toEqual([]); // blocked before it left the page
    await settle(rec, server, 1500);
    // Start clean for the real work.
    await page.evaluate(() => ((globalThis as any).__cspViolations.length = 0));
    seen.errors.length = 0;
    seen.warnings.length = 0;
    server.requests.splice(0);
  });

  it('records from the microphone, clones from a file with consent, speaks and downloads, all in the Studio', async () => {
    // A moment of recording: the level meter and the recorder worklet work under the policy.
    await page.getByRole('button', { name: 'Record', exact: true }).click();
    await page.getByRole('meter', { name: 'Input level' }).waitFor();
    await page.getByText(/Recording · [1-9]\.\d s of 30 s/).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Stop recording' }).click();
    await page.getByRole('img', { name: /^Waveform of/ }).waitFor();

    await page.getByLabel('Reference audio file').setInputFiles(SHORT_WAV);
    await page.getByText(/sense_and_sensibility_01_austen_64kb-0930\.wav: 3\.\d s/).waitFor();
    await page.getByLabel('What the reference says, word for word').fill(SHORT_TEXT);
    await page.getByLabel('Language of the reference').selectOption('en');
    await page.getByLabel('Name for the voice').fill('CSP voice');
    await page.getByLabel(CONSENT_STATEMENT).check();
    await page.getByLabel('Text to speak').fill('Hello there. This is Mynah speaking!');
    await page.getByText('Advanced settings').click();
    for (const [label, value] of [['Longest fragment (tokens)', '90'], ['Seed', '11']]) {
      const f = page.getByLabel(label, { exact: true });
      await f.fill(value);
      await f.press('Tab');
    }
    await settle(rec, server, 1500);

    rec.phase = 'clone+speak';
    const serverBefore = server.requests.length;
    const t0 = Date.now();
    await page.getByRole('button', { name: 'Clone voice' }).click();
    await page.getByText('Voice “CSP voice” is ready and saved in your library.').waitFor({ timeout: 120_000 });
    await expect(page.getByText(/speaker consent recorded/).first().isVisible()).resolves.toBe(true);
    await page.getByRole('button', { name: 'Speak', exact: true }).click();
    await page.getByText(/Done: \d+\.\d s of audio\./).waitFor({ timeout: 120_000 });
    await settle(rec, server);
    const during = rec.in('clone+speak');
    const hits = server.requests.slice(serverBefore);
    console.log(`CSP clone+speak in the Studio: ${summary(during, origin)}: ${paths(during, origin).join(', ') || 'none'}; server saw ${hits.length}: ${hits.map((r) => `${r.method} ${r.path} at +${r.at - t0} ms`).join(', ')}`);
    // The Studio kept its audio worklets when it got ready offline, so even the first playback
    // fetches nothing.
    expect(paths(during, origin)).toEqual([]);
    expect(appHits(hits)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'privacy-csp-spoken.png'), fullPage: true });

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download WAV' }).click()]);
    wavFile = join(SHOTS, 'privacy-speech.wav');
    await download.saveAs(wavFile);
    const [voiceFile] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSP voice' }).click()]);
    const voicePath = join(SHOTS, 'privacy-voice.mynah-voice.json');
    await voiceFile.saveAs(voicePath);
    exported = JSON.parse(readFileSync(voicePath, 'utf8'));
    // The consent ticked in the Studio is on the saved voice and in its export.
    expect(exported.consent).toMatchObject({ given: true, statement: CONSENT_STATEMENT });
    expect(Math.abs(Date.now() - Date.parse(exported.consent!.at))).toBeLessThan(10 * 60_000);
  });

  it('"Check a file" finds the mark in the downloaded speech and not in the real recording', async () => {
    rec.phase = 'check';
    const check = page.getByLabel('Audio file to check');
    const verdict = page.locator('mynah-check-panel .verdict');
    const details = page.locator('mynah-check-panel .details');
    const read = async (file: string) => {
      await verdict.filter({ hasText: file }).waitFor({ timeout: 30_000 });
      const t = [(await verdict.textContent())!, (await details.textContent()) ?? ''].map((x) => x.replace(/\s+/g, ' ').trim());
      console.log(`check ${file}: ${t.join(' | ')}`);
      return t;
    };
    await check.setInputFiles(wavFile);
    const [found, why] = await read('privacy-speech.wav');
    const m = /^Mynah watermark found in privacy-speech\.wav \(voice hash ([0-9a-f]{4}), made on (\d{4}-\d\d-\d\d)\)\.$/.exec(found);
    expect(m, found).not.toBeNull();
    expect(m![1]).toBe(voiceIdHash(exported.id));
    expect(m![2]).toBe(exported.consent!.at.slice(0, 10)); // made the same (UTC) day
    expect(why).toContain('The voice hash matches your voice “CSP voice”.');

    await check.setInputFiles(SHORT_WAV);
    const [none] = await read('sense_and_sensibility_01_austen_64kb-0930.wav');
    expect(none).toMatch(/^No Mynah watermark found in sense_and_sensibility_01_austen_64kb-0930\.wav \(score -?\d+\.\d\)\.$/);
    await page.screenshot({ path: join(SHOTS, 'privacy-check.png'), fullPage: true });
    await settle(rec, server, 1500);
    expect(paths(rec.in('check'), origin)).toEqual([]);
  });

  it('saw no violation of the policy at any point', async () => {
    expect(await violations()).toEqual([]);
    expect(cspConsole()).toEqual([]);
    expect(reports()).toEqual([]);
    const outside = rec.log.filter((e) => e.phase !== 'sanity' && !isLocal(e.url) && !isSameOrigin(e.url, origin));
    expect(outside).toEqual([]);
  });
});

/** watchConsole plus warnings (Chromium reports some CSP refusals as warnings). */
function watchConsoleAll(page: Page) {
  const seen = { ...watchConsole(page), warnings: [] as string[] };
  page.on('console', (m) => m.type() === 'warning' && seen.warnings.push(m.text()));
  page.on('worker', (w) => w.on('console', (m) => m.type() === 'warning' && seen.warnings.push(m.text())));
  return seen;
}

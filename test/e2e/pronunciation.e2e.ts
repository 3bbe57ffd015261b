// The personal pronunciation list and "show phones" in the Studio, in Chromium on the built app:
// a bad entry is refused with a clear message, good entries (English ARPAbet, Chinese pinyin) change
// the phones shown for a text, the list survives a reload (IndexedDB), and a deletion takes effect.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, watchConsole, type Page } from './browser';
import { serveStatic, type StaticServer } from './server';

const SHOTS = resolve('test-results');
let server: StaticServer;
let chrome: Awaited<ReturnType<typeof launch>>;
let page: Page;
let url: string;

async function addEntry(word: string, lang: string, pron: string): Promise<void> {
  await page.locator('#pron-word').fill(word);
  await page.locator('#pron-lang').selectOption(lang);
  await page.locator('#pron-value').fill(pron);
  await page.locator('#pron-add').click();
}

async function phonesFor(text: string, lang = 'auto'): Promise<string> {
  const out = page.locator('#phones-out');
  const show = page.locator('#phones-show');
  const run = async () => ((await out.count()) ? Number(await out.getAttribute('data-run')) : 0);
  await page.locator('#phones-text').fill(text);
  await page.locator('#phones-lang').selectOption(lang);
  const before = await run();
  await show.click();
  // A table from this click: the count moved on, nothing is pending, and it shows this text (an entry
  // just added re-shows the previous text, which must not be taken for the answer).
  await expect
    .poll(async () => (await run()) > before && !(await show.isDisabled()) && (await out.innerText()).includes(text.slice(0, 2)), { timeout: 60_000 })
    .toBe(true);
  return out.innerText();
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await serveStatic(resolve(process.env.MYNAH_DIST ?? 'dist'));
  url = `${server.url}?backend=wasm`;
  chrome = await launch({});
  page = await chrome.browser.newPage();
  await page.setViewportSize({ width: 1280, height: 900 });
  watchConsole(page);
});

afterAll(async () => {
  await chrome?.close();
  await server?.close().catch(() => undefined);
});

describe('pronunciation list and show phones', () => {
  it('shows the phones Mynah will use', async () => {
    await page.goto(url);
    await page.getByText(/WASM · \d threads?/).waitFor({ timeout: 60_000 });
    await page.getByRole('heading', { name: 'Pronunciation' }).waitFor();
    const out = await phonesFor('我喜欢tomato。', 'zh');
    expect(out).toContain('w o2 x i3 h uan5');
    expect(out).toMatch(/T AH0 M EY1 T OW2/);
  });

  it('refuses unknown phones and pinyin with a clear message', async () => {
    await addEntry('tomato', 'en', 'T AH0 M XX1 T OW2');
    await expect(page.locator('#pron-error').innerText()).resolves.toMatch(/Unknown ARPAbet phone "XX1"/);
    await addEntry('长得', 'zh', 'zhang3');
    await expect(page.locator('#pron-error').innerText()).resolves.toMatch(/2 characters but 1 pinyin syllables/);
    await addEntry('长得', 'zh', 'zhangg3 de5');
    await expect(page.locator('#pron-error').innerText()).resolves.toMatch(/Unknown pinyin "zhangg3"/);
  });

  it('applies good entries to the phones', async () => {
    await addEntry('tomato', 'en', 'T AH0 M AA1 T OW2');
    await page.locator('#pron-list').getByText('tomato').waitFor();
    expect(await phonesFor('银行很大。', 'zh')).toContain('y in2 h ang2');
    await addEntry('银行', 'zh', 'yin2 xing2');
    await page.locator('#pron-list').getByText('银行').waitFor();
    const out = await phonesFor('银行很大, tomato.', 'zh');
    expect(out).toContain('y in2 x ing2');
    expect(out).toContain('T AH0 M AA1 T OW2');
    await page.screenshot({ path: join(SHOTS, 'pronunciation-list.png'), fullPage: true });
  });

  it('keeps the list across a reload and applies a deletion', async () => {
    await page.reload();
    await page.getByText(/WASM · \d threads?/).waitFor({ timeout: 60_000 });
    await page.locator('#pron-list').getByText('tomato').waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Delete tomato' }).click();
    // The deletion is saved, then the list re-read: wait for it rather than read the list at once.
    await expect.poll(() => page.locator('#pron-list').getByText('tomato').count(), { timeout: 30_000 }).toBe(0);
    const out = await phonesFor('tomato', 'en');
    expect(out).toMatch(/T AH0 M EY1 T OW2/);
  });
});

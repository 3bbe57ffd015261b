// What most Chromium tests start with: the built app (MYNAH_DIST) on a static server, one browser
// page watched for console errors, and test files handed to the page as File objects.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { launch, watchConsole, type LaunchOptions, type Page } from './browser';
import { serveStatic, type StaticServer } from './server';

export interface App {
  server: StaticServer;
  page: Page;
  seen: ReturnType<typeof watchConsole>;
  close(): Promise<void>;
}

export async function openApp(opts: LaunchOptions & { viewport?: { width: number; height: number } } = {}): Promise<App> {
  const server = await serveStatic(resolve(process.env.MYNAH_DIST ?? 'dist'));
  const chrome = await launch(opts);
  const page = await chrome.browser.newPage();
  if (opts.viewport) await page.setViewportSize(opts.viewport);
  const seen = watchConsole(page);
  return {
    server,
    page,
    seen,
    close: async () => {
      await chrome.close();
      await server.close().catch(() => undefined);
    },
  };
}

/** Sets globalThis.fx in the page to File objects: key -> [path on disk, file name]. */
export async function putFiles(page: Page, files: Record<string, [string, string]>): Promise<void> {
  const data = Object.entries(files).map(([key, [path, name]]) => [key, readFileSync(path).toString('base64'), name]);
  await page.evaluate((list) => {
    const fx: Record<string, File> = {};
    for (const [key, b64, name] of list) fx[key] = new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], name);
    (globalThis as any).fx = fx;
  }, data);
}

/** Drops files ([path, name]) on the element with this text, as a file manager would. */
export async function dropFiles(page: Page, onText: string, files: [string, string][]): Promise<void> {
  const data = files.map(([path, name]) => [readFileSync(path).toString('base64'), name]);
  const transfer = await page.evaluateHandle((list) => {
    const dt = new DataTransfer();
    for (const [b64, name] of list) dt.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], name));
    return dt;
  }, data);
  await page.getByText(onText).dispatchEvent('drop', { dataTransfer: transfer });
  await transfer.dispose();
}

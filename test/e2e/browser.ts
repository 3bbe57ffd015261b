// Launches Debian's Chromium with the flags that give a (software) WebGPU adapter here, and
// records console errors so a test can fail on WebGPU validation errors.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM } from './chromium';

const QUIET = ['--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'];
const WEBGPU = ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-vulkan=native', '--ignore-gpu-blocklist', '--disable-vulkan-surface'];

export interface LaunchOptions {
  /** WAV file the fake microphone plays. */
  fakeMic?: string;
  /** false starts Chromium without the WebGPU flags, so it has no adapter. */
  webgpu?: boolean;
}

export async function launch(opts: LaunchOptions = {}): Promise<{ browser: BrowserContext; close(): Promise<void> }> {
  const args = ['--no-sandbox', ...(opts.webgpu === false ? ['--disable-gpu'] : WEBGPU), ...QUIET];
  if (opts.fakeMic) args.push('--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${opts.fakeMic}`);
  const userDataDir = mkdtempSync(join(tmpdir(), 'mynah-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args, timeout: 60_000 });
  } catch (e) {
    throw new Error(`Chromium did not start from ${CHROMIUM}: ${(e as Error).message}\nInstall it with: apt-get install -y chromium`);
  }
  return { browser: context, close: () => context.close() };
}

/** Console messages that mean the GPU silently produced garbage (e.g. fp16 on SwiftShader). */
const FATAL_CONSOLE = /WebGPU validation error|GPUValidationError|device (was )?lost/i;

export function watchConsole(page: Page): { errors: string[]; fatal: string[] } {
  const seen = { errors: [] as string[], fatal: [] as string[] };
  const record = (text: string, isError: boolean) => {
    if (FATAL_CONSOLE.test(text)) seen.fatal.push(text);
    if (isError) seen.errors.push(text);
  };
  page.on('console', (m) => record(m.text(), m.type() === 'error'));
  page.on('pageerror', (e) => record(String(e), true));
  // Worker consoles arrive through page.on('console') in Chromium; keep workers' errors too.
  page.on('worker', (w) => w.on('console', (m) => record(m.text(), m.type() === 'error')));
  return seen;
}

export type { Browser, Page };

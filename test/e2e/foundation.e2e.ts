import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, watchConsole, type Page } from './browser';
import { serveStatic, type StaticServer } from './server';

let server: StaticServer;
let chrome: Awaited<ReturnType<typeof launch>>;

beforeAll(async () => {
  server = await serveStatic(resolve(process.env.MYNAH_DIST ?? 'dist'));
  chrome = await launch();
});
afterAll(async () => {
  await chrome?.close();
  await server?.close();
});

interface ProbeResult {
  info: { backend: string; threads: number; crossOriginIsolated: boolean; reason: string; adapter?: string };
  y: number[];
  dims: number[];
  location: string;
}

async function probeIn(page: Page, backend: 'webgpu' | 'wasm'): Promise<ProbeResult> {
  return page.evaluate(async (b) => {
    const M = (globalThis as unknown as { Mynah: { create(o: object): Promise<any> } }).Mynah;
    const client = await M.create({ backend: b });
    try {
      const { y, location } = await client.runProbe();
      return { info: client.backendInfo(), y: Array.from(y.data as Float32Array), dims: y.dims, location };
    } finally {
      client.dispose();
    }
  }, backend);
}

describe('foundation in Chromium', () => {
  it('runs a TypeScript-built graph in the worker on WebGPU and on WASM with matching numbers', async () => {
    const page = await chrome.browser.newPage();
    const seen = watchConsole(page);
    await page.goto(server.url);
    await page.waitForFunction(() => 'Mynah' in globalThis);

    const gpu = await probeIn(page, 'webgpu');
    const cpu = await probeIn(page, 'wasm');

    console.log('webgpu:', JSON.stringify(gpu.info), '\nwasm:', JSON.stringify(cpu.info));
    expect(gpu.info.backend).toBe('webgpu');
    expect(gpu.info.adapter).toBeTruthy();
    expect(cpu.info.backend).toBe('wasm');
    // The probe's output tensor lives where it was computed: a GPU buffer proves the WebGPU EP ran it.
    expect(gpu.location).toBe('gpu-buffer');
    expect(cpu.location).toBe('cpu');
    // Served with COOP/COEP, so WASM gets threads.
    expect(cpu.info.crossOriginIsolated).toBe(true);
    expect(cpu.info.threads).toBeGreaterThan(1);

    expect(gpu.dims).toEqual([24, 32]);
    expect(gpu.y.length).toBe(24 * 32);
    // The probe output is layer-normed rows: real numbers, not zeros from a silent GPU failure.
    expect(gpu.y.some((v) => Math.abs(v) > 0.1)).toBe(true);
    let diff = 0;
    for (let i = 0; i < cpu.y.length; i++) diff = Math.max(diff, Math.abs(cpu.y[i] - gpu.y[i]));
    expect(diff).toBeLessThan(1e-3);
    expect(seen.fatal).toEqual([]);
    await page.close();
  });

  it('shows the backend it got on the page', async () => {
    const page = await chrome.browser.newPage();
    const seen = watchConsole(page);
    await page.goto(server.url);
    const badge = page.locator('mynah-backend-badge [data-backend]');
    await badge.waitFor({ timeout: 120_000 });
    expect(['webgpu', 'wasm']).toContain(await badge.getAttribute('data-backend'));
    await page.goto(`${server.url}?backend=wasm`);
    await expect.poll(() => page.locator('mynah-backend-badge [data-backend]').getAttribute('data-backend'), { timeout: 120_000 }).toBe('wasm');
    expect(seen.fatal).toEqual([]);
    await page.close();
  });

  it('without a WebGPU adapter: auto picks WASM and says why; forcing WebGPU is a typed error', async () => {
    const noGpu = await launch({ webgpu: false });
    try {
      const page = await noGpu.browser.newPage();
      await page.goto(server.url);
      await page.waitForFunction(() => 'Mynah' in globalThis);
      const result = await page.evaluate(async () => {
        const M = (globalThis as unknown as { Mynah: { create(o: object): Promise<any> } }).Mynah;
        const auto = await M.create({ backend: 'auto' });
        const info = auto.backendInfo();
        auto.dispose();
        try {
          await M.create({ backend: 'webgpu' });
          return { info, error: null };
        } catch (e) {
          return { info, error: { code: (e as { code?: string }).code, name: (e as Error).name, message: (e as Error).message } };
        }
      });
      expect(result.info.backend).toBe('wasm');
      expect(result.info.reason).toMatch(/no WebGPU adapter/);
      expect(result.error?.code).toBe('WEBGPU_UNAVAILABLE');
      expect(result.error?.name).toBe('MynahError');
      expect(result.error?.message).toMatch(/WASM/);
    } finally {
      await noGpu.close();
    }
  });
});

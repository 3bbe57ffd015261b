import { defineConfig } from 'vitest/config';

// The end-to-end suite drives the built app in Debian's Chromium (WebGPU via SwiftShader).
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    globalSetup: ['test/e2e/global-setup.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    fileParallelism: false,
    pool: 'forks',
  },
});

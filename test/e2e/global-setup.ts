// Builds the app once for the whole e2e run; tests then load it from a static server. The build
// ships the default tiny pack, so it is generated first (seeded and quick, so always current).
// Each run builds into its own folder (unless MYNAH_DIST names one), so concurrent runs on one
// machine never serve each other's half-written files; tests find it through MYNAH_DIST.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { build } from 'vite';
import { chromiumMissing } from './chromium';

export default async function setup(): Promise<() => void> {
  // Before any build: a missing browser fails the run at once, with how to install it.
  const noChromium = chromiumMissing();
  if (noChromium) throw new Error(noChromium);
  execFileSync('npx', ['tsx', 'models/generate.ts', 'tiny'], { stdio: 'inherit' });
  const given = process.env.MYNAH_DIST;
  const outDir = resolve(given ?? `test-results/dist-${process.pid}`);
  await build({ logLevel: 'warn', configFile: 'vite.config.ts', build: { outDir, emptyOutDir: true } });
  process.env.MYNAH_DIST = outDir;
  return () => {
    if (!given) rmSync(outDir, { recursive: true, force: true });
  };
}

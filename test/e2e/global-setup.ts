// Builds the app once for the whole e2e run; tests then load dist/ from a static server. The
// build ships the default tiny pack, so it is generated first (seeded and quick, so always current).
import { execFileSync } from 'node:child_process';
import { build } from 'vite';

export default async function setup(): Promise<void> {
  execFileSync('npx', ['tsx', 'models/generate.ts', 'tiny'], { stdio: 'inherit' });
  await build({ logLevel: 'warn', configFile: 'vite.config.ts' });
}

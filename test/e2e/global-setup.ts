// Builds the app once for the whole e2e run; tests then load dist/ from a static server.
import { build } from 'vite';

export default async function setup(): Promise<void> {
  await build({ logLevel: 'warn', configFile: 'vite.config.ts' });
}

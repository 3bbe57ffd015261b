// Without Chromium the e2e step stops at once with one line saying how to install it (never a
// silent skip, never a download): `npm run test:e2e` runs test/e2e/check-chromium.ts first.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const check = (chromium: string) =>
  spawnSync(resolve('node_modules/.bin/tsx'), ['test/e2e/check-chromium.ts'], { encoding: 'utf8', env: { ...process.env, MYNAH_CHROMIUM: chromium }, timeout: 60_000 });

describe('the e2e step’s Chromium check', () => {
  it('fails with one line naming the binary and the install command', () => {
    const r = check('/nonexistent/chromium');
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('e2e: no Chromium at /nonexistent/chromium (MYNAH_CHROMIUM): install it with `apt-get install -y chromium` (Debian), or set MYNAH_CHROMIUM to a Chromium binary.\n');
  });

  it('says nothing when the binary is there', () => {
    const r = check(process.execPath); // any executable file will do for the check
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
  });
});

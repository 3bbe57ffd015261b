// Which Chromium the end-to-end tests drive, and a check that it is there. Nothing is ever
// downloaded: without a browser the e2e step stops at once with one line saying how to get one.
import { accessSync, constants, statSync } from 'node:fs';

export const CHROMIUM = process.env.MYNAH_CHROMIUM || '/usr/bin/chromium';

/** Why the e2e tests cannot start Chromium, in one line; undefined when the binary is there. */
export function chromiumMissing(): string | undefined {
  try {
    accessSync(CHROMIUM, constants.X_OK);
    if (statSync(CHROMIUM).isFile()) return undefined;
  } catch {
    // missing or not executable: same advice
  }
  const where = process.env.MYNAH_CHROMIUM ? `${CHROMIUM} (MYNAH_CHROMIUM)` : CHROMIUM;
  return `e2e: no Chromium at ${where}: install it with \`apt-get install -y chromium\` (Debian), or set MYNAH_CHROMIUM to a Chromium binary.`;
}

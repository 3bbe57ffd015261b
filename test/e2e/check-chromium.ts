// `npm run test:e2e` runs this before anything else: one line and exit 1 when Chromium is missing.
import { chromiumMissing } from './chromium';

const why = chromiumMissing();
if (why) {
  process.stderr.write(`${why}\n`);
  process.exit(1);
}

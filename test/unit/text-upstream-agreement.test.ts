// Agreement with upstream's own v2 text frontend (g2pW off) on the held-back quarter of the golden
// sets (test/fixtures/text/upstream-*.json, rows with split "holdout", never tuned on).
// The targets are >= 95% of sentences exact and >= 99.5% of phones per language. Languages
// that reach them assert them; the others assert the level reached so far (no regression), and the
// target is recorded as a todo until the remaining work (README "Known differences") lands.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTextFrontend } from '../../src/text/frontend';
import { loadGolden, measure } from '../helpers/golden-agreement';

const TARGET = { sentences: 95, phones: 99.5 };
// Measured on the holdout when this test was written: zh 94.4% / 99.27%, en 69.2% / 99.03%, mixed 78.4% / 98.71%.
const FLOOR: Record<'zh' | 'en' | 'mixed', { sentences: number; phones: number }> = {
  zh: { sentences: 94, phones: 99.2 },
  en: { sentences: 69, phones: 99.0 },
  mixed: { sentences: 78, phones: 98.7 },
};

beforeAll(() => loadTextFrontend(['zh', 'en']), 60_000);

describe.each(['zh', 'en', 'mixed'] as const)('upstream agreement, %s holdout', (lang) => {
  it('holds at least the level reached', async () => {
    const rows = loadGolden(lang).rows.filter((r) => r.split === 'holdout');
    expect(rows.length).toBeGreaterThan(400);
    const a = await measure(rows);
    console.log(`${lang} holdout: ${a.sentences} sentences, ${a.sentencePct.toFixed(1)}% exact, ${a.phonePct.toFixed(2)}% phones`);
    expect(a.sentencePct).toBeGreaterThanOrEqual(FLOOR[lang].sentences);
    expect(a.phonePct).toBeGreaterThanOrEqual(FLOOR[lang].phones);
  }, 300_000);
  it.todo(`reaches the targets: >= ${TARGET.sentences}% sentences exact and >= ${TARGET.phones}% phones`);
});

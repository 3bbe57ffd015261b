// Agreement of Mynah's text frontend with upstream golden sets (test/fixtures/text/upstream-*.json,
// written by scripts/golden/run_upstream.py): sentence-exact rate and phone rate (1 - edit distance / length).
import { readFileSync } from 'node:fs';
import { textToPhones, type LangMode } from '../../src/text/frontend';

export interface GoldenRow {
  text: string;
  lang: LangMode;
  split: 'dev' | 'holdout';
  segments: Array<{ lang: string; normText: string; phones: string; text?: string }>;
}
export interface GoldenFile {
  meta: Record<string, unknown>;
  rows: GoldenRow[];
}

export function loadGolden(name: 'zh' | 'en' | 'mixed'): GoldenFile {
  return JSON.parse(readFileSync(new URL(`../fixtures/text/upstream-${name}.json`, import.meta.url), 'utf8'));
}

function editDistance(a: readonly string[], b: readonly string[]): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

export interface Agreement {
  sentences: number;
  exact: number;
  phones: number;
  phoneErrors: number;
  sentencePct: number;
  phonePct: number;
  misses: Array<{ text: string; want: string; got: string }>;
}

export async function measure(rows: readonly GoldenRow[]): Promise<Agreement> {
  let exact = 0;
  let phones = 0;
  let errors = 0;
  const misses: Agreement['misses'] = [];
  for (const row of rows) {
    const want = row.segments.flatMap((s) => s.phones.split(' ').filter(Boolean));
    const r = await textToPhones(row.text, row.lang, 'v2');
    const got = r.segments.flatMap((s) => s.phones);
    phones += want.length;
    if (want.length === got.length && want.every((p, i) => p === got[i])) exact++;
    else {
      errors += Math.min(want.length, editDistance(want, got));
      misses.push({ text: row.text, want: want.join(' '), got: got.join(' ') });
    }
  }
  return {
    sentences: rows.length,
    exact,
    phones,
    phoneErrors: errors,
    sentencePct: (100 * exact) / Math.max(1, rows.length),
    phonePct: (100 * (phones - errors)) / Math.max(1, phones),
    misses,
  };
}

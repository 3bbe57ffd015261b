// Prints Mynah's agreement with the upstream golden sets: npx tsx scripts/golden/measure.ts [zh|en|mixed] [dev|holdout|all] [--misses N]
import { loadTextFrontend } from '../../src/text/frontend';
import { loadGolden, measure } from '../../test/helpers/golden-agreement';

const args = process.argv.slice(2);
const langs = (args[0] && args[0] !== 'all' ? [args[0]] : ['zh', 'en', 'mixed']) as Array<'zh' | 'en' | 'mixed'>;
const split = args[1] ?? 'all';
const nMiss = args.includes('--misses') ? Number(args[args.indexOf('--misses') + 1]) : 0;
await loadTextFrontend(['zh', 'en']);
for (const lang of langs) {
  const rows = loadGolden(lang).rows.filter((r) => split === 'all' || r.split === split);
  const a = await measure(rows);
  console.log(`${lang} ${split}: ${a.sentences} sentences, exact ${a.sentencePct.toFixed(1)}%, phones ${a.phonePct.toFixed(2)}% (${a.phoneErrors}/${a.phones} off)`);
  for (const m of a.misses.slice(0, nMiss)) console.log(`  ${m.text}\n    want ${m.want}\n    got  ${m.got}`);
}

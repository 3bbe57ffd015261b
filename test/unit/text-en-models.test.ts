// Mynah's ports of g2p_en's unknown-word predictor and NLTK's perceptron tagger against what the originals say
// (test/fixtures/text/upstream-en-models.json, written by scripts/golden/en_models.py from NLTK corpora).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OovModel } from '../../src/text/g2p/en-oov';
import { PerceptronTagger } from '../../src/text/g2p/en-tagger';
import { tokenizeEnglish } from '../../src/text/g2p/en';

const fx = JSON.parse(readFileSync(new URL('../fixtures/text/upstream-en-models.json', import.meta.url), 'utf8')) as {
  oov: Array<[string, string]>;
  tags: Array<[string, string]>;
};

describe('g2p_en unknown-word predictor (float16 weights)', () => {
  it('agrees with g2p_en on 400 words missing from the dictionary', async () => {
    const model = new OovModel(await import('../../src/text/data/en-oov-model'));
    let same = 0;
    const diffs: string[] = [];
    for (const [word, want] of fx.oov) {
      const got = model.predict(word).join(' ');
      if (got === want) same++;
      else diffs.push(`${word}: ${want} | ${got}`);
    }
    console.log(`oov: ${same}/${fx.oov.length} identical`, diffs.slice(0, 5));
    expect(same / fx.oov.length).toBeGreaterThanOrEqual(0.99);
  }, 60_000);
});

describe('NLTK averaged perceptron tagger', () => {
  it('tags 400 corpus sentences with homographs as NLTK does', async () => {
    const tagger = new PerceptronTagger(await import('../../src/text/data/en-tagger'));
    // NLTK's TweetTokenizer keeps "mozilla.org" and "..." whole; Mynah tokenizes normalized text, where "..."
    // no longer occurs. Sentences tokenized differently are counted, not compared.
    let compared = 0;
    let same = 0;
    for (const [text, want] of fx.tags) {
      const toks = tokenizeEnglish(text);
      if (toks.length !== want.split(' ').length) continue;
      compared++;
      if (tagger.tag(toks).join(' ') === want) same++;
    }
    console.log(`tagger: ${same}/${compared} sentences identical (${fx.tags.length - compared} tokenized differently)`);
    expect(compared).toBeGreaterThanOrEqual(fx.tags.length * 0.98);
    expect(same).toBe(compared);
  }, 60_000);
});

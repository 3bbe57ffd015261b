// Part-of-speech tagging as g2p_en does it for homographs: NLTK's averaged perceptron tagger (greedy, left to
// right, tag dictionary first), re-implemented over its own weights (src/text/data/en-tagger.ts).

export interface TaggerData {
  CLASSES: string;
  TAGDICT: string;
  WEIGHTS: string;
}

const START = ['-START-', '-START2-'];
const END = ['-END-', '-END2-'];

export class PerceptronTagger {
  private readonly classes: string[];
  private readonly tagdict = new Map<string, string>();
  private readonly weights = new Map<string, Int32Array>();

  constructor(data: TaggerData) {
    this.classes = data.CLASSES.split(' ');
    for (const line of data.TAGDICT.split('\n')) {
      const tab = line.indexOf('\t');
      this.tagdict.set(line.slice(0, tab), line.slice(tab + 1));
    }
    for (const line of data.WEIGHTS.split('\n')) {
      const tab = line.lastIndexOf('\t');
      const pairs = line.slice(tab + 1).split(' ');
      const w = new Int32Array(pairs.length * 2);
      pairs.forEach((p, i) => {
        const c = p.indexOf(':');
        w[2 * i] = +p.slice(0, c);
        w[2 * i + 1] = +p.slice(c + 1);
      });
      this.weights.set(line.slice(0, tab), w);
    }
  }

  private static normalize(word: string): string {
    if (word.includes('-') && word[0] !== '-') return '!HYPHEN';
    if (/^\d{4}$/.test(word)) return '!YEAR';
    if (/^\d/.test(word)) return '!DIGITS';
    return word.toLowerCase();
  }

  private predict(features: string[]): string {
    const scores = new Float64Array(this.classes.length);
    for (const f of features) {
      const w = this.weights.get(f);
      if (!w) continue;
      for (let i = 0; i < w.length; i += 2) scores[w[i]] += w[i + 1];
    }
    // max by (score, label): classes are sorted, so the last of equal scores wins.
    let best = 0;
    for (let i = 1; i < scores.length; i++) if (scores[i] >= scores[best]) best = i;
    return this.classes[best];
  }

  /** Tags for `tokens`; `upTo` stops after that index (later tags are not needed for earlier words). */
  tag(tokens: readonly string[], upTo = tokens.length - 1): string[] {
    const context = [...START, ...tokens.map(PerceptronTagger.normalize), ...END];
    const out: string[] = [];
    let prev = START[0];
    let prev2 = START[1];
    for (let i = 0; i <= upTo && i < tokens.length; i++) {
      const word = tokens[i];
      let tag = this.tagdict.get(word);
      if (!tag) {
        const j = i + 2;
        tag = this.predict([
          'bias',
          `i suffix ${word.slice(-3)}`,
          `i pref1 ${word[0] ?? ''}`,
          `i-1 tag ${prev}`,
          `i-2 tag ${prev2}`,
          `i tag+i-2 tag ${prev} ${prev2}`,
          `i word ${context[j]}`,
          `i-1 tag+i word ${prev} ${context[j]}`,
          `i-1 word ${context[j - 1]}`,
          `i-1 suffix ${context[j - 1].slice(-3)}`,
          `i-2 word ${context[j - 2]}`,
          `i+1 word ${context[j + 1]}`,
          `i+1 suffix ${context[j + 1].slice(-3)}`,
          `i+2 word ${context[j + 2]}`,
        ]);
      }
      out.push(tag);
      prev2 = prev;
      prev = tag;
    }
    return out;
  }
}

// English text normalization: the rules of GPT-SoVITS's english.text_normalize and en_normalization
// (ordinals, arithmetic, times, units, currency, decimals, fractions, numbers, accents, acronyms).

const ONES = [
  'zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten',
  'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen',
];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const SCALES = ['', 'thousand', 'million', 'billion', 'trillion', 'quadrillion', 'quintillion'];

function below100(n: number): string {
  if (n < 20) return ONES[n];
  const t = TENS[Math.floor(n / 10)];
  return n % 10 ? `${t}-${ONES[n % 10]}` : t;
}

function below1000(n: number): string {
  const h = Math.floor(n / 100);
  const rest = n % 100;
  if (!h) return below100(rest);
  return rest ? `${ONES[h]} hundred ${below100(rest)}` : `${ONES[h]} hundred`;
}

/** Cardinal number in words, thousands groups separated by ", " (as inflect does, with no "and"). */
export function numberToWords(digits: string): string {
  const s = digits.replace(/^0+(?=\d)/, '');
  if (s.length > 21) return [...s].map((d) => ONES[+d]).join(' ');
  if (/^0+$/.test(s)) return 'zero';
  const groups: number[] = [];
  for (let end = s.length; end > 0; end -= 3) groups.unshift(+s.slice(Math.max(0, end - 3), end));
  const words: string[] = [];
  groups.forEach((g, i) => {
    if (!g) return;
    const scale = SCALES[groups.length - 1 - i];
    words.push(scale ? `${below1000(g)} ${scale}` : below1000(g));
  });
  return words.join(', ');
}

const ORDINAL_WORDS: Record<string, string> = {
  one: 'first', two: 'second', three: 'third', five: 'fifth', eight: 'eighth', nine: 'ninth', twelve: 'twelfth',
};

/** "twenty-one" -> "twenty-first", "forty" -> "fortieth". */
export function ordinalWords(words: string): string {
  const m = /([a-z]+)$/.exec(words);
  if (!m) return words;
  const last = m[1];
  let ord: string;
  if (ORDINAL_WORDS[last]) ord = ORDINAL_WORDS[last];
  else if (last.endsWith('y')) ord = last.slice(0, -1) + 'ieth';
  else ord = last + 'th';
  return words.slice(0, words.length - last.length) + ord;
}

function ordinalSuffix(n: number): string {
  const mod100 = n % 100;
  if (mod100 >= 11 && mod100 <= 13) return 'th';
  return ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th';
}

/** Reads a year-like or plain integer the way upstream does (1100-2999 as pairs: "nineteen eighty-four"). */
function expandInteger(digits: string): string {
  const n = Number(digits);
  if (n > 1000 && n < 3000) {
    if (n === 2000) return 'two thousand';
    if (n > 2000 && n < 2010) return `two thousand ${numberToWords(String(n % 100))}`;
    if (n % 100 === 0) return `${numberToWords(String(n / 100))} hundred`;
    const hi = Math.floor(n / 100);
    const lo = n % 100;
    return `${below100(hi)} ${lo < 10 ? `oh ${ONES[lo]}` : below100(lo)}`;
  }
  return numberToWords(digits);
}

const UNITS: Record<string, [string, string]> = {
  m: ['meter', 'meters'], km: ['kilometer', 'kilometers'], 'km/h': ['kilometer per hour', 'kilometers per hour'],
  ft: ['feet', 'feet'], L: ['liter', 'liters'], tbsp: ['tablespoon', 'tablespoons'], tsp: ['teaspoon', 'teaspoons'],
  h: ['hour', 'hours'], min: ['minute', 'minutes'], s: ['second', 'seconds'],
  '°C': ['degree celsius', 'degrees celsius'], '°F': ['degree fahrenheit', 'degrees fahrenheit'],
};

function money(amount: string, unit: [string, string], sub: [string, string], zero: string): string {
  const parts = amount.split('.');
  if (parts.length > 2) return `${amount} ${unit[1]}`;
  const whole = parts[0] ? parseInt(parts[0].replace(/,/g, ''), 10) || 0 : 0;
  const frac = parts.length > 1 && parts[1] ? parseInt(parts[1].padEnd(2, '0'), 10) || 0 : 0;
  const w = `${whole} ${whole === 1 ? unit[0] : unit[1]}`;
  const f = `${frac} ${frac === 1 ? sub[0] : sub[1]}`;
  if (whole && frac) return `${w} and ${f}`;
  if (whole) return w;
  if (frac) return f;
  return zero;
}

const POW = '[⁰¹²³⁴⁵⁶⁷⁸⁹ˣʸⁿ]';
const OPERAND = `((-?)((\\d+)(\\.\\d+)?${POW}*)|(\\.\\d+${POW}*)|([A-Za-z]${POW}*))`;
const RE_ASMD = new RegExp(`${OPERAND}\\s+([+\\-×÷=])\\s+${OPERAND}`);
const ASMD_WORDS: Record<string, string> = { '+': ' plus ', '-': ' minus ', '×': ' times ', '÷': ' divided by ', '=': ' Equals ' };

/** The number/unit/currency verbalizer (upstream en_normalization.normalize). */
export function expandEnglish(input: string): string {
  let t = input;
  t = t.replace(/\b([0-9]+)\. /g, (_a, n: string) => `${n}${ordinalSuffix(Number(n))}, `);
  for (let guard = t.length; guard > 0 && RE_ASMD.test(t); guard--) {
    t = t.replace(new RegExp(RE_ASMD.source, 'g'), (...m: string[]) => m[1] + ASMD_WORDS[m[8]] + m[9]);
  }
  // Upstream also swallows the whitespace before the sign; the word splitter then separates it again.
  t = t.replace(/(^|\s+)(-)(\d+)/g, (_a, space: string, _s, n: string) => `${space}negative ${n}`);
  t = t.replace(/([0-9][0-9,]+[0-9])/g, (n: string) => n.replace(/,/g, ''));
  t = t.replace(/\b([01]?[0-9]|2[0-3]):([0-5][0-9])\b/g, (_a, hh: string, mm: string) => {
    let h = Number(hh);
    const min = Number(mm);
    const period = h < 12 ? 'a.m.' : 'p.m.';
    if (h > 12) h -= 12;
    return min === 0 ? `${numberToWords(String(h))} o'clock ${period}` : `${numberToWords(String(h))} ${numberToWords(String(min))} ${period}`;
  });
  t = t.replace(/\b([0-9]+(\.[0-9]+)?(m|km|km\/h|ft|L|tbsp|tsp|h|min|s|°C|°F))\b/g, (_a, whole: string, dec: string | undefined, unit: string) => {
    const n = parseInt(whole.split(unit).join('').replace(/\./g, ''), 10);
    const plural = !(dec === undefined && n === 1);
    return whole.split(unit).join(' ' + UNITS[unit][plural ? 1 : 0]);
  });
  const pounds = (_a: string, m: string) => money(m, ['pound', 'pounds'], ['penny', 'pence'], 'zero pounds');
  const dollars = (_a: string, m: string) => money(m, ['dollar', 'dollars'], ['cent', 'cents'], 'zero dollars');
  t = t.replace(/£([0-9.,]*[0-9]+)/g, pounds).replace(/([0-9.,]*[0-9]+)£/g, pounds);
  t = t.replace(/\$([0-9.,]*[0-9]+)/g, dollars).replace(/([(0-9.,]*[0-9]+)\$/g, dollars);
  t = t.replace(/([0-9]+\.\s*[0-9]+)/g, (m: string) => {
    const [a, b] = m.split('.');
    return `${a} point ${[...b].join(' ')}`;
  });
  t = t.replace(/([0-9]+\/[0-9]+)/g, (m: string) => {
    const [num, den] = m.split('/').map(Number);
    const head = numberToWords(String(num));
    if (den === 1) return head;
    if (den === 2) return `${head} ${num === 1 ? 'half' : 'halves'}`;
    return `${head} ${ordinalWords(numberToWords(String(den)))}${num > 1 ? 's' : ''}`;
  });
  t = t.replace(/[0-9]+(st|nd|rd|th)/g, (m: string) => ordinalWords(numberToWords(m.replace(/\D+$/, ''))));
  t = t.replace(/[0-9]+/g, (m: string) => expandInteger(m));
  t = t.normalize('NFD').replace(/\p{Mn}/gu, '');
  t = t.replace(/%/g, ' percent');
  t = t.replace(/[^ A-Za-z'.,?!\-]/g, '');
  t = t.replace(/i\.e\./gi, 'that is').replace(/e\.g\./gi, 'for example');
  // Split runs of capitals into letters ("GPT" -> "G P T", "iPhone" -> "i Phone").
  t = t.replace(/(?<!^)(?<!\s)([A-Z])/g, ' $1');
  return t;
}

/** Full English normalization (upstream english.text_normalize). */
export function normalizeEn(text: string): string {
  // Full-width letters and digits to ASCII (not upstream: it would drop them).
  let t = text.replace(/[\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
  // Upstream's rep_map joins its keys with re.escape, so only the literal keys 。！？ ever match: its
  // "[;:：，；]" and '["’]' keys are escaped into strings that never occur, and ; : " ’ are then simply
  // deleted by the normalizer's [^ A-Za-z'.,?!-] filter.
  t = t.replace(/。/g, '.').replace(/！/g, '!').replace(/？/g, '?');
  t = expandEnglish(t);
  // A mark (or space) followed by more marks keeps only the first one.
  return t.replace(/([!?…,.\-\s])[!?…,.\-]+/g, '$1');
}

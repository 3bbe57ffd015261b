// Japanese normalization: upstream only collapses repeated punctuation; we also read numbers and Latin
// letters in katakana (OpenJTalk does this inside its frontend, kuromoji does not).

/** A run of marks from `!?…,.-` keeps only its first mark (upstream japanese.text_normalize). */
export function normalizeJa(text: string): string {
  return text.replace(/([!?…,.\-])[!?…,.\-]+/g, '$1');
}

const DIGIT_KANA = ['ゼロ', 'イチ', 'ニ', 'サン', 'ヨン', 'ゴ', 'ロク', 'ナナ', 'ハチ', 'キュウ'];
// Readings of d×100 and d×1000 with their sound changes (300 サンビャク, 8000 ハッセン ...).
const HUNDREDS = ['', 'ヒャク', 'ニヒャク', 'サンビャク', 'ヨンヒャク', 'ゴヒャク', 'ロッピャク', 'ナナヒャク', 'ハッピャク', 'キュウヒャク'];
const THOUSANDS = ['', 'セン', 'ニセン', 'サンゼン', 'ヨンセン', 'ゴセン', 'ロクセン', 'ナナセン', 'ハッセン', 'キュウセン'];
const MYRIADS = ['', 'マン', 'オク', 'チョウ', 'ケイ'];

function below10000(n: number): string {
  const th = Math.floor(n / 1000);
  const h = Math.floor((n % 1000) / 100);
  const t = Math.floor((n % 100) / 10);
  const o = n % 10;
  let s = THOUSANDS[th] + HUNDREDS[h];
  if (t) s += (t === 1 ? '' : DIGIT_KANA[t]) + 'ジュウ';
  if (o) s += DIGIT_KANA[o];
  return s;
}

/** Katakana reading of a digit string: "2024" -> ニセンニジュウヨン, "0" -> ゼロ; very long strings digit by digit. */
export function readJapaneseNumber(digits: string): string {
  const s = digits.replace(/^0+(?=\d)/, '');
  if (s.length > 20) return [...s].map((d) => DIGIT_KANA[+d]).join('');
  if (/^0+$/.test(s)) return 'ゼロ';
  let out = '';
  const groups: number[] = [];
  for (let end = s.length; end > 0; end -= 4) groups.unshift(+s.slice(Math.max(0, end - 4), end));
  groups.forEach((g, i) => {
    if (!g) return;
    const unit = MYRIADS[groups.length - 1 - i];
    // 1000 within a higher group is read イッセン (一千万 イッセンマン).
    const body = unit && g >= 1000 && g < 2000 ? 'イッ' + below10000(g) : below10000(g);
    out += body + unit;
  });
  return out;
}

/** Number with an optional decimal part: "3.14" -> サンテンイチヨン. */
export function readJapaneseDecimal(text: string): string {
  const [intPart, dec] = text.split('.');
  const head = readJapaneseNumber(intPart || '0');
  return dec ? `${head}テン${[...dec].map((d) => DIGIT_KANA[+d]).join('')}` : head;
}

const LETTER_KANA: Record<string, string> = {
  a: 'エー', b: 'ビー', c: 'シー', d: 'ディー', e: 'イー', f: 'エフ', g: 'ジー', h: 'エイチ', i: 'アイ', j: 'ジェー',
  k: 'ケー', l: 'エル', m: 'エム', n: 'エヌ', o: 'オー', p: 'ピー', q: 'キュー', r: 'アール', s: 'エス', t: 'ティー',
  u: 'ユー', v: 'ブイ', w: 'ダブリュー', x: 'エックス', y: 'ワイ', z: 'ゼット',
};

/** Letter names in katakana ("nice" -> エヌアイシーイー). */
export function spellLatinJa(word: string): string {
  return [...word.toLowerCase()].map((c) => LETTER_KANA[c] ?? '').join('');
}

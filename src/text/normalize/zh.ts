// Chinese text normalization: numbers, dates, times, units, phone numbers, ranges and punctuation,
// following the rule order of GPT-SoVITS's zh_normalization (PaddleSpeech) and chinese2.text_normalize.
import { TRAD_SIMP_PAIRS } from '../data/trad-to-simp';

const DIGIT_WORDS = '零一二三四五六七八九';

let tradMap: Map<string, string> | undefined;
function toSimplified(text: string): string {
  if (!tradMap) {
    tradMap = new Map();
    const chars = [...TRAD_SIMP_PAIRS];
    for (let i = 0; i + 1 < chars.length; i += 2) tradMap.set(chars[i], chars[i + 1]);
  }
  let out = '';
  for (const ch of text) out += tradMap.get(ch) ?? ch;
  return out;
}

/** Full-width ASCII letters and digits to half-width; ideographic space to space. */
export function fullToHalfAlnum(text: string): string {
  return text.replace(/[\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ');
}

/** Digit-by-digit reading, e.g. "2024" -> 二零二四; `altOne` reads 1 as 幺 (phone numbers). */
export function readDigits(digits: string, altOne = false): string {
  let out = '';
  for (const d of digits) out += DIGIT_WORDS[d.charCodeAt(0) - 48] ?? '';
  return altOne ? out.replace(/一/g, '幺') : out;
}

// Units by number of trailing digits they cover: 10^1 十, 10^2 百, 10^3 千, 10^4 万, 10^8 亿.
const UNIT_POWERS: ReadonlyArray<[number, string]> = [
  [8, '亿'],
  [4, '万'],
  [3, '千'],
  [2, '百'],
  [1, '十'],
];

function cardinalParts(value: string, zeroIfPadded = true): string[] {
  const stripped = value.replace(/^0+/, '');
  if (stripped.length === 0) return [];
  if (stripped.length === 1) {
    const d = DIGIT_WORDS[+stripped];
    return zeroIfPadded && stripped.length < value.length ? ['零', d] : [d];
  }
  const power = UNIT_POWERS.find(([p]) => p < stripped.length)![0];
  const unit = UNIT_POWERS.find(([p]) => p === power)![1];
  const head = value.slice(0, value.length - power);
  const tail = value.slice(value.length - power);
  return [...cardinalParts(head), unit, ...cardinalParts(tail)];
}

/** Integer reading with units: "10" -> 十, "105" -> 一百零五, "0" -> 零. */
export function readCardinal(value: string): string {
  if (!value) return '';
  const stripped = value.replace(/^0+/, '');
  if (!stripped) return '零';
  const parts = cardinalParts(stripped);
  if (parts.length >= 2 && parts[0] === '一' && parts[1] === '十') parts.shift();
  return parts.join('');
}

/** Number with optional decimals: "3.14" -> 三点一四; a trailing run of zeros keeps one zero ("3.20" -> 三点二零). */
export function readNumber(value: string): string {
  const pieces = value.split('.');
  if (pieces.length > 2) return readDigits(value.replace(/\./g, ''));
  const [intPart, rawDec = ''] = pieces;
  let result = readCardinal(intPart);
  const dec = rawDec.endsWith('0') ? rawDec.replace(/0+$/, '') + '0' : rawDec;
  if (dec) result = (result || '零') + '点' + readDigits(dec);
  return result;
}

function timeNumber(s: string): string {
  const r = readNumber(s.replace(/^0+/, ''));
  return s.startsWith('0') ? '零' + r : r;
}

const RE_DATE = /(\d{4}|\d{2})年((0?[1-9]|1[0-2])月)?(((0?[1-9])|((1|2)[0-9])|30|31)([日号]))?/g;
const RE_DATE2 = /(\d{4})([- /.])(0[1-9]|1[012])\2(0[1-9]|[12][0-9]|3[01])/g;
const TIME = '([0-1]?[0-9]|2[0-3]):([0-5][0-9])(:([0-5][0-9]))?';
const RE_TIME_RANGE = new RegExp(`${TIME}(~|-)${TIME}`, 'g');
const RE_TIME = new RegExp(TIME, 'g');
const UNIT_ALT = '(%|°C|℃|度|摄氏度|cm2|cm²|cm3|cm³|cm|db|ds|kg|km|m2|m²|m³|m3|ml|m|mm|s)';
const NUM_ALT = '((-?)((\\d+)(\\.\\d+)?)|(\\.(\\d+)))';
const RE_TO_RANGE = new RegExp(`${NUM_ALT}${UNIT_ALT}[~]${NUM_ALT}${UNIT_ALT}`, 'g');
const RE_TEMPERATURE = /(-?)(\d+(\.\d+)?)(°C|℃|度|摄氏度)/g;
// Plain substring replacements, applied in this order (so "mm" becomes 米米, as upstream does).
const MEASURES: ReadonlyArray<[string, string]> = [
  ['cm2', '平方厘米'], ['cm²', '平方厘米'], ['cm3', '立方厘米'], ['cm³', '立方厘米'], ['cm', '厘米'],
  ['db', '分贝'], ['ds', '毫秒'], ['kg', '千克'], ['km', '千米'], ['m2', '平方米'], ['m²', '平方米'],
  ['m³', '立方米'], ['m3', '立方米'], ['ml', '毫升'], ['m', '米'], ['mm', '毫米'], ['s', '秒'],
];
const POW = '[⁰¹²³⁴⁵⁶⁷⁸⁹ˣʸⁿ]';
const OPERAND = `((-?)((\\d+)(\\.\\d+)?${POW}*)|(\\.\\d+${POW}*)|([A-Za-z]${POW}*))`;
const RE_ASMD = new RegExp(`${OPERAND}([+\\-×÷=])${OPERAND}`);
const ASMD_WORDS: Record<string, string> = { '+': '加', '-': '减', '×': '乘', '÷': '除', '=': '等于' };
const RE_POWER = new RegExp(`${POW}+`, 'g');
const POWER_CHARS: Record<string, string> = {
  '⁰': '0', '¹': '1', '²': '2', '³': '3', '⁴': '4', '⁵': '5', '⁶': '6', '⁷': '7', '⁸': '8', '⁹': '9', 'ˣ': 'x', 'ʸ': 'y', 'ⁿ': 'n',
};
const RE_FRAC = /(-?)(\d+)\/(\d+)/g;
const RE_PERCENTAGE = /(-?)(\d+(\.\d+)?)%/g;
const RE_MOBILE = /(?<!\d)((\+?86 ?)?1([38]\d|5[0-35-9]|7[678]|9[89])\d{8})(?!\d)/g;
const RE_TELEPHONE = /(?<!\d)((0(10|2[1-3]|[3-9]\d{2})-?)?[1-9]\d{6,7})(?!\d)/g;
const RE_UNIFORM_NUMBER = /(400)(-)?\d{3}(-)?\d{4}/g;
const RE_RANGE = /(?<![\d+\-×÷=])((-?)((\d+)(\.\d+)?))[-~]((-?)((\d+)(\.\d+)?))(?![\d+\-×÷=])/g;
const RE_NEGATIVE = /(-)(\d+)/g;
const RE_VERSION = /((\d+)(\.\d+)(\.\d+)?(\.\d+)+)/g;
const RE_DECIMAL = /(-?)((\d+)(\.\d+))|(\.(\d+))/g;
// Measure words after which a number is read as a quantity (upstream's COM_QUANTIFIERS list).
const QUANTIFIERS =
  '(处|台|架|枚|趟|幅|平|方|堵|间|床|株|批|项|例|列|篇|栋|注|亩|封|艘|把|目|套|段|人|所|朵|匹|张|座|回|场|尾|条|个|首|阙|阵|网|炮|顶|丘|棵|只|支|袭|辆|挑|担|颗|壳|窠|曲|墙|群|腔|砣|座|客|贯|扎|捆|刀|令|打|手|罗|坡|山|岭|江|溪|钟|队|单|双|对|出|口|头|脚|板|跳|枝|件|贴|针|线|管|名|位|身|堂|课|本|页|家|户|层|丝|毫|厘|分|钱|两|斤|担|铢|石|钧|锱|忽|(千|毫|微)克|毫|厘|(公)分|分|寸|尺|丈|里|寻|常|铺|程|(千|分|厘|毫|微)米|米|撮|勺|合|升|斗|石|盘|碗|碟|叠|桶|笼|盆|盒|杯|钟|斛|锅|簋|篮|盘|桶|罐|瓶|壶|卮|盏|箩|箱|煲|啖|袋|钵|年|月|日|季|刻|时|周|天|秒|分|小时|旬|纪|岁|世|更|夜|春|夏|秋|冬|代|伏|辈|丸|泡|粒|颗|幢|堆|条|根|支|道|面|片|张|颗|块|元|(亿|千万|百万|万|千|百)|(亿|千万|百万|万|千|百|美|)元|(亿|千万|百万|万|千|百|十|)吨|(亿|千万|百万|万|千|百|)块|角|毛|分)';
const RE_QUANTITY = new RegExp(`(\\d+)([多余几+])?${QUANTIFIERS}`, 'g');
const RE_LONG_DIGITS = /\d{3}\d*/g;
const RE_NUMBER = /(-?)((\d+)(\.\d+)?)|(\.(\d+))/g;

function signed(sign: string | undefined, word = '负'): string {
  return sign ? word : '';
}

function readTime(m: string[], isRange: boolean): string {
  const [, hour, minute, , second] = m;
  let out = `${readNumber(hour)}点`;
  if (minute.replace(/^0+/, '')) out += +minute === 30 ? '半' : `${timeNumber(minute)}分`;
  if (second && second.replace(/^0+/, '')) out += `${timeNumber(second)}秒`;
  if (isRange) {
    const [hour2, minute2, second2] = [m[6], m[7], m[9]];
    out += `至${readNumber(hour2)}点`;
    // Upstream tests the first minute for "half" here too; kept for identical output.
    if (minute2.replace(/^0+/, '')) out += +minute === 30 ? '半' : `${timeNumber(minute2)}分`;
    if (second2 && second2.replace(/^0+/, '')) out += `${timeNumber(second2)}秒`;
  }
  return out;
}

function replaceNumberMatch(sign: string | undefined, num: string | undefined, pureDecimal: string | undefined): string {
  if (pureDecimal) return readNumber(pureDecimal);
  return signed(sign) + readNumber(num ?? '');
}

const GREEK: ReadonlyArray<[string, string]> = [
  ['α', '阿尔法'], ['β', '贝塔'], ['γ', '伽玛'], ['Γ', '伽玛'], ['δ', '德尔塔'], ['Δ', '德尔塔'], ['ε', '艾普西龙'],
  ['ζ', '捷塔'], ['η', '依塔'], ['θ', '西塔'], ['Θ', '西塔'], ['ι', '艾欧塔'], ['κ', '喀帕'], ['λ', '拉姆达'],
  ['Λ', '拉姆达'], ['μ', '缪'], ['ν', '拗'], ['ξ', '克西'], ['Ξ', '克西'], ['ο', '欧米克伦'], ['π', '派'], ['Π', '派'],
  ['ρ', '肉'], ['ς', '西格玛'], ['Σ', '西格玛'], ['σ', '西格玛'], ['τ', '套'], ['υ', '宇普西龙'], ['φ', '服艾'],
  ['Φ', '服艾'], ['χ', '器'], ['ψ', '普赛'], ['Ψ', '普赛'], ['ω', '欧米伽'], ['Ω', '欧米伽'],
];
const CIRCLED = '①②③④⑤⑥⑦⑧⑨⑩';
const CIRCLED_WORDS = '一二三四五六七八九十';

function postReplace(s: string): string {
  s = s.replace(/\//g, '每');
  s = s.replace(/[①-⑩]/g, (c) => CIRCLED_WORDS[CIRCLED.indexOf(c)]);
  for (const [from, to] of GREEK) s = s.split(from).join(to);
  s = s.replace(/\+/g, '加').replace(/-/g, '减').replace(/×/g, '乘').replace(/÷/g, '除').replace(/=/g, '等');
  return s.replace(/[-—《》【】<=>{}()（）#&@“”^_|\\]/g, '');
}

/** Verbalizes one sentence (numbers, dates, units ...); the result may still hold Latin letters and punctuation. */
export function normalizeZhSentence(input: string): string {
  let s = fullToHalfAlnum(toSimplified(input));
  s = s.replace(RE_DATE, (...m: string[]) => {
    const [year, month, day, dayMark] = [m[1], m[3], m[5], m[9]];
    let out = '';
    if (year) out += `${readDigits(year)}年`;
    if (month) out += `${readCardinal(month)}月`;
    if (day) out += `${readCardinal(day)}${dayMark}`;
    return out;
  });
  s = s.replace(RE_DATE2, (_all, y: string, _sep, mo: string, d: string) => `${readDigits(y)}年${readCardinal(mo)}月${readCardinal(d)}日`);
  s = s.replace(RE_TIME_RANGE, (...m: string[]) => readTime(m, true));
  s = s.replace(RE_TIME, (...m: string[]) => readTime(m, false));
  s = s.replace(RE_TO_RANGE, (all: string) => all.replace(/~/g, '至'));
  s = s.replace(RE_TEMPERATURE, (_a, sign: string, t: string, _d, unit: string) => `${signed(sign, '零下')}${readNumber(t)}${unit === '摄氏度' ? '摄氏度' : '度'}`);
  for (const [from, to] of MEASURES) if (s.includes(from)) s = s.split(from).join(to);
  // Arithmetic: each pass replaces one operator by a word, so this ends within s.length passes.
  for (let guard = s.length; guard > 0 && RE_ASMD.test(s); guard--) {
    s = s.replace(new RegExp(RE_ASMD.source, 'g'), (...m: string[]) => m[1] + ASMD_WORDS[m[8]] + m[9]);
  }
  s = s.replace(RE_POWER, (p: string) => '的' + [...p].map((c) => POWER_CHARS[c]).join('') + '次方');
  s = s.replace(RE_FRAC, (_a, sign: string, num: string, den: string) => `${signed(sign)}${readNumber(den)}分之${readNumber(num)}`);
  s = s.replace(RE_PERCENTAGE, (_a, sign: string, p: string) => `${signed(sign)}百分之${readNumber(p)}`);
  s = s.replace(RE_MOBILE, (all: string) => all.replace(/^\+/, '').split(/\s+/).filter(Boolean).map((x) => readDigits(x, true)).join('，'));
  const landline = (all: string) => all.split('-').map((x) => readDigits(x, true)).join('，');
  s = s.replace(RE_TELEPHONE, landline);
  s = s.replace(RE_UNIFORM_NUMBER, landline);
  s = s.replace(RE_RANGE, (_a, first: string, ..._rest) => {
    const second = _rest[4] as string;
    const num = (x: string) => x.replace(RE_NUMBER, (_b, sg: string, n: string, _c, _d, pd: string) => replaceNumberMatch(sg, n, pd));
    return `${num(first)}到${num(second)}`;
  });
  s = s.replace(RE_NEGATIVE, (_a, _sign, n: string) => '负' + readNumber(n));
  s = s.replace(RE_VERSION, (v: string) => [...v].map((c) => (c === '.' ? '点' : readNumber(c))).join(''));
  s = s.replace(RE_DECIMAL, (_a, sign: string, num: string, _i, _d, pureDec: string) => replaceNumberMatch(sign, num, pureDec));
  s = s.replace(RE_QUANTITY, (_a, num: string, approx: string | undefined, unit: string) => {
    let n = readNumber(num);
    if (n === '二') n = '两';
    return `${n}${approx === '+' ? '多' : (approx ?? '')}${unit}`;
  });
  s = s.replace(RE_LONG_DIGITS, (d: string) => readDigits(d, true));
  s = s.replace(RE_NUMBER, (_a, sign: string, num: string, _i, _d, pureDec: string) => replaceNumberMatch(sign, num, pureDec));
  return postReplace(s);
}

/** Splits into sentences the way the normalizer does: spaces and bracket-like marks dropped, break after clause marks. */
export function splitZhSentences(text: string): string[] {
  const cleaned = text.replace(/ /g, '').replace(/[—《》【】<>{}()（）#&@“”^_|\\]/g, '');
  return cleaned
    .replace(/([：、，；。？！,;?!][”’]?)/g, '$1\n')
    .trim()
    .split(/\n+/)
    .map((x) => x.trim());
}

const PUNCT_MAP: ReadonlyArray<[string, string]> = [
  ['：', ','], ['；', ','], ['，', ','], ['。', '.'], ['！', '!'], ['？', '?'], ['\n', '.'], ['·', ','], ['、', ','],
  ['...', '…'], ['$', '.'], ['/', ','], ['—', '-'], ['~', '…'], ['～', '…'],
];
const PUNCT_RE = new RegExp(PUNCT_MAP.map(([k]) => k.replace(/[.$/~\\]/g, (c) => '\\' + c)).join('|'), 'g');
const PUNCT_LOOKUP = new Map(PUNCT_MAP);

/** Maps punctuation to the shared set and deletes everything that is not a CJK ideograph or one of `!?…,.-`. */
export function zhPunctuationToShared(text: string): string {
  const replaced = text.replace(/嗯/g, '恩').replace(/呣/g, '母').replace(PUNCT_RE, (m) => PUNCT_LOOKUP.get(m)!);
  return replaced.replace(/[^\u4e00-\u9fa5!?…,.\-]+/g, '');
}

/** Collapses a run of punctuation marks to its first mark. */
export function collapsePunctuation(text: string): string {
  return text.replace(/([!?…,.\-])[!?…,.\-]+/g, '$1');
}

/** Full Chinese normalization (upstream chinese2.text_normalize): only ideographs and `!?…,.-` remain. */
export function normalizeZh(text: string): string {
  const sentences = splitZhSentences(text).map(normalizeZhSentence);
  return collapsePunctuation(sentences.map(zhPunctuationToShared).join(''));
}

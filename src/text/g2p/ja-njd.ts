// OpenJTalk's text analysis after MeCab (NJD), reimplemented from its documented rules: pronunciation
// of kana/letter fillers and symbols, number reading (digit sequences, decimal points, counters and
// their sound changes, dates), accent-phrase chaining and accent-type combination, then the accent
// phrases and pauses of its full-context labels.
import type { Morph } from './ja-mecab';

export class NjdNode {
  string: string | null = null;
  pos: string | null = null;
  pos1: string | null = null;
  pos2: string | null = null;
  pos3: string | null = null;
  ctype: string | null = null;
  cform: string | null = null;
  orig: string | null = null;
  read: string | null = null;
  pron: string | null = null;
  acc = 0;
  mora = 0;
  chainRule: string | null = null;
  chainFlag = -1;
  prev: NjdNode | null = null;
  next: NjdNode | null = null;
}

const nz = (s: string | null | undefined): string | null => (s ? s : null);
const g = (s: string | null): string => s ?? '*';

class Njd {
  head: NjdNode | null = null;
  tail: NjdNode | null = null;

  push(n: NjdNode): void {
    // A node may come with followers (a multi-word entry): append the whole chain.
    if (!this.head) this.head = n;
    else {
      this.tail!.next = n;
      n.prev = this.tail;
    }
    let t = n;
    while (t.next) t = t.next;
    this.tail = t;
  }

  remove(n: NjdNode): NjdNode | null {
    let next: NjdNode | null;
    if (n === this.head && n === this.tail) {
      this.head = this.tail = null;
      next = null;
    } else if (n === this.head) {
      this.head = n.next;
      this.head!.prev = null;
      next = this.head;
    } else if (n === this.tail) {
      this.tail = n.prev;
      this.tail!.next = null;
      next = null;
    } else {
      n.prev!.next = n.next;
      n.next!.prev = n.prev;
      next = n.next;
    }
    return next;
  }

  removeSilent(): void {
    for (let n = this.head; n; ) n = g(n.pron) === '*' ? this.remove(n) : n.next;
  }
}

function insertAfter(prev: NjdNode, node: NjdNode): NjdNode {
  const next = prev.next!;
  prev.next = node;
  node.prev = prev;
  next.prev = node;
  node.next = next;
  return node;
}

/** NJDNode_load: fills a node from "string,pos,pos1,pos2,pos3,ctype,cform,orig,read,pron,acc,chain_rule[,chain_flag]". */
function loadFields(node: NjdNode, f: string[]): void {
  const [string, pos, pos1, pos2, pos3, ctype, cform, orig = '', read = '', pron = '', acc = '', chainRule = '', chainFlag = ''] = f;
  node.pos = nz(pos);
  node.pos1 = nz(pos1);
  node.pos2 = nz(pos2);
  node.pos3 = nz(pos3);
  node.ctype = nz(ctype);
  node.cform = nz(cform);
  node.chainRule = nz(chainRule);
  if (chainFlag === '1') node.chainFlag = 1;
  else if (chainFlag === '0') node.chainFlag = 0;
  const count = [...acc].filter((c) => c === '/').length;
  if (acc.includes('*') || count === 0) {
    node.string = nz(string);
    node.orig = nz(orig);
    node.read = nz(read);
    node.pron = nz(pron);
    node.acc = 0;
    node.mora = 0;
    return;
  }
  const accs = acc.split(':');
  const origs = orig.split(':');
  const reads = read.split(':');
  const prons = pron.split(':');
  const am = (s: string | undefined) => {
    const [a = '', m = ''] = (s ?? '').split('/');
    return [a ? parseInt(a, 10) || 0 : 0, m ? parseInt(m, 10) || 0 : 0];
  };
  if (count === 1) {
    node.string = nz(string);
    node.orig = nz(orig);
    node.read = nz(read);
    node.pron = nz(pron);
    [node.acc, node.mora] = am(acc);
    if (node.acc < 0) node.acc = 0;
    return;
  }
  let prev: NjdNode | null = null;
  let used = 0;
  let cur = node;
  for (let i = 0; i < count; i++) {
    if (i > 0) {
      cur = new NjdNode();
      Object.assign(cur, { ...prev!, prev: null, next: null });
      cur.chainFlag = 0;
      cur.prev = prev;
      prev!.next = cur;
    }
    cur.orig = nz(origs[i]);
    if (i + 1 < count) {
      cur.string = nz(origs[i]);
      used += (origs[i] ?? '').length;
    } else cur.string = nz(string.slice(used));
    cur.read = nz(reads[i]);
    cur.pron = nz(prons[i]);
    [cur.acc, cur.mora] = am(accs[i]);
    prev = cur;
  }
}

function load(node: NjdNode, feature: string): void {
  loadFields(node, feature.split(','));
}

function fromMorph(m: Morph): NjdNode {
  const n = new NjdNode();
  loadFields(n, [m.surface, ...m.pos, m.orig, m.read, m.pron, m.acc, m.chainRule]);
  return n;
}

// --- njd_set_pronunciation -------------------------------------------------------------------------

const KANA_MORAE =
  'ヴョ ヴュ ヴャ ヴォ ヴェ ヴィ ヴァ ヴ ン ヲ ヱ ヰ ワ ロ レ ル リョ リュ リャ リェ リ ラ ヨ ョ ユ ュ ヤ ャ モ メ ム ミョ ミュ ミャ ミェ ミ マ ポ ボ ホ ペ ベ ヘ プ ブ フォ フェ フィ ファ フ ピョ ピュ ピャ ピェ ピ ビョ ビュ ビャ ビェ ビ ヒョ ヒュ ヒャ ヒェ ヒ パ バ ハ ノ ネ ヌ ニョ ニュ ニャ ニェ ニ ナ ドゥ ド トゥ ト デョ デュ デャ ディ デ テョ テュ テャ ティ テ ヅ ツォ ツェ ツィ ツァ ツ ッ ヂ チョ チュ チャ チェ チ ダ タ ゾ ソ ゼ セ ズィ ズ スィ ス ジョ ジュ ジャ ジェ ジ ショ シュ シャ シェ シ ザ サ ゴ コ ゲ ケ グ ク ギョ ギュ ギャ ギェ ギ キョ キュ キャ キェ キ ガ カ オ ォ エ ェ ウォ ウェ ウィ ウ ゥ イェ イ ィ ア ァ'.split(' ');
const LETTER_NAMES: Record<string, [string, number]> = {
  a: ['エー', 2], b: ['ビー', 2], c: ['シー', 2], d: ['ディー', 2], e: ['イー', 2], f: ['エフ', 2], g: ['ジー', 2], h: ['エイチ', 3], i: ['アイ', 2],
  j: ['ジェー', 2], k: ['ケー', 2], l: ['エル', 2], m: ['エム', 2], n: ['エヌ', 2], o: ['オー', 2], p: ['ピー', 2], q: ['キュー', 2], r: ['アール', 3],
  s: ['エス', 2], t: ['ティー', 2], u: ['ユー', 2], v: ['ブイ', 2], w: ['ダブリュー', 4], x: ['エックス', 4], y: ['ワイ', 2], z: ['ズィー', 2],
};
/** Kana (and full-width letters) a word with no dictionary pronunciation is read by: text -> [pron, morae]. */
const FILLER = new Map<string, [string, number]>();
for (const k of KANA_MORAE) {
  FILLER.set(k, [k, 1]);
  const hira = [...k].map((c) => String.fromCharCode(c.charCodeAt(0) - 0x60)).join('');
  FILLER.set(hira, [k, 1]);
}
FILLER.set('ー', ['ー', 1]);
for (const [l, v] of Object.entries(LETTER_NAMES)) {
  FILLER.set(String.fromCharCode(l.charCodeAt(0) - 0x61 + 0xff41), v);
  FILLER.set(String.fromCharCode(l.charCodeAt(0) - 0x61 + 0xff21), v);
}

function fillerAt(s: string, i: number): [string, string, number] | undefined {
  for (const len of [2, 1]) {
    const key = s.slice(i, i + len);
    if (key.length !== len) continue;
    const v = FILLER.get(key);
    if (v) return [key, ...v];
  }
  return undefined;
}

function setPronunciation(njd: Njd): void {
  for (let n = njd.head; n; n = n.next) {
    if (n.mora !== 0) continue;
    n.read = null;
    n.pron = null;
    const str = g(n.string);
    for (let i = 0; i < str.length; ) {
      const f = fillerAt(str, i);
      if (f) {
        n.read = (n.read ?? '') + f[1];
        n.pron = (n.pron ?? '') + f[1];
        n.mora += f[2];
        i += f[0].length;
      } else i++;
    }
    if (n.mora !== 0) {
      n.pos = 'フィラー';
      n.pos1 = n.pos2 = n.pos3 = null;
    }
    if (g(n.orig) === '*') n.orig = nz(str);
    if (g(n.pron) === '*' && g(n.string) === '？') n.read = n.pron = '？';
    if (g(n.pron) === '*') {
      n.read = n.pron = '、';
      n.pos = '記号';
    }
  }
  njd.removeSilent();
  // Chain runs of single-kana fillers into one word.
  let head: NjdNode | null = null;
  for (let n = njd.head; n; n = n.next) {
    if (g(n.pos) === 'フィラー' && FILLER.has(g(n.string))) {
      if (!head) head = n;
      else {
        head.string = g(head.string) === '*' ? n.string : head.string! + (n.string ?? '');
        head.orig = head.orig === null ? n.orig : head.orig + (n.orig ?? '');
        head.read = head.read === null ? n.read : head.read + (n.read ?? '');
        head.pron = head.pron === null ? n.pron : head.pron + (n.pron ?? '');
        head.mora += n.mora;
        n.pron = null;
      }
    } else head = null;
  }
  njd.removeSilent();
  for (let n = njd.head; n; n = n.next) {
    if (n.next && g(n.next.pron) === 'ウ' && g(n.next.pos) === '助動詞' && (g(n.pos) === '動詞' || g(n.pos) === '助動詞') && n.mora > 0) n.next.pron = 'ー';
    if (n.next && g(n.pos) === '助動詞' && g(n.next.string) === '？') {
      if (g(n.string) === 'です') n.pron = 'デス';
      else if (g(n.string) === 'ます') n.pron = 'マス';
    }
  }
}

// --- njd_set_digit -----------------------------------------------------------------------------------

const KAZU = '数';
const JOSUUSHI = '助数詞';
const FUKUSHIKANOU = '副詞可能';
const NUMERALS: Record<string, [number, string]> = {};
for (const [k, v, s] of [
  ['○', 0, '〇'], ['１', 1, '一'], ['２', 2, '二'], ['３', 3, '三'], ['４', 4, '四'], ['５', 5, '五'], ['６', 6, '六'], ['７', 7, '七'], ['８', 8, '八'], ['９', 9, '九'],
  ['一', 1, '一'], ['二', 2, '二'], ['三', 3, '三'], ['四', 4, '四'], ['五', 5, '五'], ['六', 6, '六'], ['七', 7, '七'], ['八', 8, '八'], ['九', 9, '九'],
  ['いち', 1, '一'], ['に', 2, '二'], ['さん', 3, '三'], ['よん', 4, '四'], ['ご', 5, '五'], ['ろく', 6, '六'], ['なな', 7, '七'], ['はち', 8, '八'], ['きゅう', 9, '九'],
  ['〇', 0, '〇'], ['０', 0, '０'], ['壱', 1, '一'], ['弐', 2, '二'], ['貳', 2, '二'], ['ニ', 2, '二'], ['参', 3, '三'], ['し', 4, '四'], ['しち', 7, '七'], ['く', 9, '九'],
] as Array<[string, number, string]>) NUMERALS[k] = [v, s];

function getDigit(n: NjdNode, convert: boolean): number {
  if (g(n.string) === '*' || g(n.pos1) !== KAZU) return -1;
  const v = NUMERALS[n.string!];
  if (!v) return -1;
  if (convert) n.string = n.orig = v[1];
  return v[0];
}

const isPeriod = (s: string | null) => s === '．' || s === '・';
const isComma = (s: string | null) => s === '，';
const HYPHENS = new Set(['―', '−', '‐', '—', '－']);

function sequenceScore(start: NjdNode, end: NjdNode): number {
  let score = 0;
  const p = start.prev;
  if (p) {
    if (g(p.pos1) === '数接続') score += 2;
    if (g(p.pos2) === JOSUUSHI || g(p.pos1) === FUKUSHIKANOU) score += 1;
    const s = g(p.string);
    if (isPeriod(s)) score += !p.prev || g(p.prev.pos1) !== KAZU ? 0 : -5;
    else if (HYPHENS.has(s)) score -= 2;
    else if (s === '（') score += !p.prev || g(p.prev.pos1) !== KAZU ? 0 : -2;
    else if (s === '）' || s === '番号') score -= 2;
    if (p.prev && g(p.prev.string) === '番号') score -= 2;
  }
  const x = end.next;
  if (x) {
    if (g(x.pos2) === JOSUUSHI || g(x.pos1) === FUKUSHIKANOU) score += 2;
    const s = g(x.string);
    if (HYPHENS.has(s) || s === '（' || s === '番号') score -= 2;
    else if (s === '）') score += !x.next || g(x.next.pos1) !== KAZU ? 0 : -2;
    else if (isPeriod(s)) score += 4;
  }
  return score;
}

function nonNumerical(start: NjdNode, end: NjdNode): void {
  let size = 0;
  for (let n: NjdNode | null = start; n !== end.next; n = n!.next) size++;
  if (size <= 1) return;
  size = 0;
  for (let n: NjdNode | null = start; n !== end.next; n = n!.next) {
    const s = g(n!.string);
    if (s === '〇' || s === '０') [n!.pron, n!.mora] = ['ゼロ', 2];
    else if (s === '二') [n!.pron, n!.mora] = ['ニー', 2];
    else if (s === '五') [n!.pron, n!.mora] = ['ゴー', 2];
    n!.chainRule = null;
    if (size % 2 === 0) n!.chainFlag = 0;
    else {
      n!.chainFlag = 1;
      n!.prev!.acc = 3;
    }
    size++;
  }
}

const PLACE_10 = ['', '十,名詞,数,*,*,*,*,十,ジュウ,ジュー,1/2,*', '百,名詞,数,*,*,*,*,百,ヒャク,ヒャク,2/2,*', '千,名詞,数,*,*,*,*,千,セン,セン,1/2,*'];
const PLACE_10000 = [
  '', '万,名詞,数,*,*,*,*,万,マン,マン,1/2,*', '億,名詞,数,*,*,*,*,億,オク,オク,1/2,*', '兆,名詞,数,*,*,*,*,兆,チョウ,チョー,1/2,C3',
  '京,名詞,数,*,*,*,*,京,ケイ,ケー,1/2,*', '垓,名詞,数,*,*,*,*,垓,ガイ,ガイ,1/2,*', '𥝱,名詞,数,*,*,*,*,𥝱,ジョ,ジョ,1/1,*', '穣,名詞,数,*,*,*,*,穣,ジョウ,ジョー,1/2,*',
  '溝,名詞,数,*,*,*,*,溝,コウ,コウ,1/2,*', '澗,名詞,数,*,*,*,*,澗,カン,カン,1/2,*', '正,名詞,数,*,*,*,*,正,セイ,セー,1/2,*', '載,名詞,数,*,*,*,*,載,サイ,サイ,1/2,*',
  '極,名詞,数,*,*,*,*,極,ゴク,ゴク,1/2,*', '恒河沙,名詞,数,*,*,*,*,恒河沙,ゴウガシャ,ゴウガシャ,1/4,*', '阿僧祇,名詞,数,*,*,*,*,阿僧祇,アソウギ,アソーギ,2/4,*',
  '那由他,名詞,数,*,*,*,*,那由他,ナユタ,ナユタ,1/3,*', '不可思議,名詞,数,*,*,*,*,不可思議,フカシギ,フカシギ,2/4,*', '無量大数,名詞,数,*,*,*,*,無量大数,ムリョウタイスウ,ムリョータイスー,6/7,*',
];

function newNode(feature: string): NjdNode {
  const n = new NjdNode();
  load(n, feature);
  return n;
}

function numerical(start: NjdNode, end: NjdNode): void {
  let size = 0;
  for (let n: NjdNode | null = start; n !== end.next; n = n!.next) size++;
  if (size <= 1) return;
  let index = size % 4 || 4;
  let place = size > index ? (size - index) / 4 : 0;
  index--;
  if (place > 17) return;
  let have = false;
  for (let n: NjdNode | null = start; n !== end.next; n = n!.next) {
    let node: NjdNode = n!;
    const digit = getDigit(node, false);
    if (index === 0) {
      if (digit === 0) {
        node.pron = null;
        node.acc = node.mora = 0;
      } else have = true;
      if (have) {
        if (place > 0) node = insertAfter(node, newNode(PLACE_10000[place]));
        have = false;
      }
      place--;
    } else if (digit <= 0) {
      node.pron = null;
      node.acc = node.mora = 0;
    } else if (digit === 1) {
      load(node, PLACE_10[index]);
      have = true;
    } else {
      node = insertAfter(node, newNode(PLACE_10[index]));
      have = true;
    }
    n = node;
    index--;
    if (index < 0) index = 3;
  }
}

function convertSequence(njd: Njd, s: NjdNode | null, e: NjdNode | null): void {
  if (!s || !e) return;
  if (isComma(s.string) || isPeriod(s.string)) {
    if (s !== e) convertSequence(njd, s.next, e);
    return;
  }
  let finalDigit = s;
  while (finalDigit.next && finalDigit !== e && !isPeriod(finalDigit.next.string)) finalDigit = finalDigit.next;
  while (finalDigit.prev && finalDigit !== s && isComma(finalDigit.string)) finalDigit = finalDigit.prev;
  let reading = 1;
  let commas = 0;
  let firstComma: NjdNode | null = null;
  for (let r = 0, n = finalDigit; ; n = n.prev!, r++) {
    if (isComma(n.string)) {
      firstComma = n;
      commas++;
      if (reading === 1 && r % 4 !== 3) reading = 0;
    } else if (reading === 1 && r % 4 === 3) reading = 0;
    if (n === s) break;
  }
  if (s !== finalDigit && getDigit(s, false) === 0) reading = -1;
  if (reading === 1 && commas === 0) reading = 0;
  if (reading === 1) {
    for (let n: NjdNode | null = s; n !== finalDigit; ) n = isComma(n!.string) ? njd.remove(n!) : n!.next;
    numerical(s, finalDigit);
    if (finalDigit !== e) convertSequence(njd, finalDigit.next, e);
  } else {
    const last = firstComma ? firstComma.prev! : finalDigit;
    if (reading === 0) reading = sequenceScore(s, last) >= 0 ? 1 : -1;
    if (reading === 1) numerical(s, last);
    else nonNumerical(s, last);
    if (last !== e) convertSequence(njd, last.next, e);
  }
}

const words = (s: string) => new Set(s.split(' '));
/** Counter classes and the numeral readings they take (njd_set_digit's tables 1b..1k). */
const COUNTER_DIGIT: Array<[Set<string>, Record<string, [string, number, number]>]> = [
  [words('年 円 年間 年生 年代 年度 年版 年余 年来 えん'), { 四: ['ヨ', 0, 1] }],
  [words('人 人月 人前 人組'), { 四: ['ヨ', 0, 1], 七: ['シチ', 1, 2] }],
  [words('時 時間 時限 時半'), { 四: ['ヨ', 0, 1], 七: ['シチ', 1, 2], 九: ['ク', 0, 1] }],
  [words('日 日間'), { 七: ['シチ', 1, 2], 九: ['ク', 0, 1] }],
  [words('月'), { 四: ['シ', 0, 1], 七: ['シチ', 1, 2], 九: ['ク', 0, 1] }],
  [new Set(), {}],
  [
    words(
      '個 階 分 発 本 鉢 口 切れ 箱 か月 か国 か所 か条 か村 か年 カ月 カ国 カ寺 カ所 カ条 カ村 カ店 カ年 ケ月 ケ国 ケ所 ケ条 ケ村 ケ年 ヵ月 ヵ国 ヵ所 ヵ条 ヵ村 ヵ年 ヶ月 ヶ国 ヶ所 ヶ条 ヶ村 ヶ年 個月 個口 個国 個条 個年 箇月 箇国 箇所 箇条 箇年 かけ くだり けた 価 課 画 回 回忌 回生 回戦 回線 回分 海里 カイリ 浬 角 株 冠 巻 缶 貫 貫目 間 基 期 期生 機 気圧 季 騎 客 脚 球 級 橋 局 曲 極 重ね 斤 金 句 区 躯 計 桁 ケタ 校 港 項 組 件 軒 言 戸 湖 光年 石 ぴき ぺん 波 派 敗 杯 拍 泊 版 犯 班 匹 疋 筆 俵 票 品 分間 分目 片 篇 編 辺 遍 歩 報 方 法 本立て 頭身',
    ),
    { 一: ['イッ', 1, 2], 六: ['ロッ', 1, 2], 八: ['ハッ', 1, 2], 十: ['ジュッ', 1, 2], 百: ['ヒャッ', 1, 2] },
  ],
  [
    words(
      '． ・ 才 頭 着 足 尺 坪 通り センチ シーシー ＣＣ ｃｃ ｃｍ サイクル サンチーム シーズン シート シリング シンガポールドル スイスフラン スウェーデンクローネ スクレ セット セント ソル ゾーン 糎 竿 差 差し 歳 歳児 作 冊 刷 皿 棹 艘 子 視 式 失 室 射 社 勺 種 首 周 周忌 周年 州 週 週間 集 宿 所 勝 升 床 章 色 食 親等 進 進数 品 すじ そう そろい 筋 数 寸 世 隻 席 石 節 戦 線 選 銭 層 相 揃 たび つかみ つがい つぶ つまみ つ折 つ折り とおり とき ところ とせ 玉 月 手 束 続き 体 対 卓 樽 反 丁 丁目 鳥 通 掴み 艇 滴 店 転 点 斗 棟 盗 灯 等 等席 等地 等分 答 得 噸 粒 種類 歳馬 世紀 車種',
    ),
    { 一: ['イッ', 1, 2], 八: ['ハッ', 1, 2], 十: ['ジュッ', 1, 2] },
  ],
  [
    words('キロ カロリー ｃａｌ ｋｂ ｋｇ ｋｌ ｋｍ ｋｔ ｋｗ ｋグラム ｋバイト ｋヘルツ ｋメートル ｋリットル ｋワット カナダドル カラット ガロン キュリー キロカロリー キログラム キロトン キロバイト キロヘルツ キロメートル キロリットル キロワット キロワット時 クラス クローナ クローネ グァラニ ケース コース 粁'),
    { 六: ['ロッ', 1, 2], 十: ['ジュッ', 1, 2], 百: ['ヒャッ', 1, 2] },
  ],
  [words('トン ｔ タル テラ トライ'), { 一: ['イッ', 1, 2], 十: ['ジュッ', 1, 2] }],
  [
    words('房 柱 ％ ポンド ｐａ ｐｐｍ パーセント パーミル パスカル パック パット ピーピーエム ピコ ページ 頁 ペア ペセタ ペソ ペニー ペニヒ ペンス ポイント 振り 針 袋 張り 平米 平方キロ 平方キロメートル 平方センチメートル 平方メートル 品目'),
    { 十: ['ジュッ', 1, 2] },
  ],
];
/** Counters whose first kana becomes voiced (1) or semi-voiced (2) after some numerals (tables 2b..2f). */
const COUNTER_SOUND: Array<[Set<string>, Record<string, number>]> = [
  [words('分 版 敗 発 拍 鉢 波 派 泊 犯 班 品 分間 分目 片 篇 編 辺 遍 歩 報 方'), { 一: 2, 三: 2, 四: 2, 六: 2, 八: 2, 十: 2, 百: 2, 千: 2, 万: 2, 何: 2 }],
  [words('本 匹 疋 票 俵 箱 本立て 杯 針 柱'), { 一: 2, 三: 1, 六: 2, 八: 2, 十: 2, 百: 2, 千: 1, 万: 1, 何: 1 }],
  [new Set(), {}],
  [words('軒 石 足 尺 かけ 重ね 件 勺'), { 三: 1, 千: 1, 万: 1 }],
  [words('階'), { 三: 1 }],
];
const VOICED: Record<string, string> = {
  カ: 'ガ', キ: 'ギ', ク: 'グ', ケ: 'ゲ', コ: 'ゴ', サ: 'ザ', シ: 'ジ', ス: 'ズ', セ: 'ゼ', ソ: 'ゾ', タ: 'ダ', チ: 'ヂ', ツ: 'ヅ', テ: 'デ', ト: 'ド',
  ハ: 'バ', ヒ: 'ビ', フ: 'ブ', ヘ: 'ベ', ホ: 'ボ',
};
const SEMIVOICED: Record<string, string> = { ハ: 'パ', ヒ: 'ピ', フ: 'プ', ヘ: 'ペ', ホ: 'ポ' };

function convertDigitPron(table: Record<string, [string, number, number]>, n: NjdNode): void {
  const v = n.string !== null ? table[n.string] : undefined;
  if (v && Object.prototype.hasOwnProperty.call(table, n.string!)) [n.pron, n.acc, n.mora] = v;
}

function convertNumerativePron(table: Record<string, number>, numeral: NjdNode, counter: NjdNode): void {
  if (numeral.string === null || !Object.prototype.hasOwnProperty.call(table, numeral.string)) return;
  const type = table[numeral.string];
  const map = type === 1 ? VOICED : type === 2 ? SEMIVOICED : null;
  const p = g(counter.pron);
  if (map && map[p[0]]) counter.pron = map[p[0]] + p.slice(1);
}

const NUMERAL_HEAD = words('一 二 三 四 五 六 七 八 九 何 幾 数');
const NUMERAL_PLACE = words('十 百 千 万 億 兆 京 垓 𥝱 穣 溝 澗 正 載 極 恒河沙 阿僧祇 那由他 不可思議 無量大数');
const READ_COUNTERS: Array<[string, string]> = (
  '棟 ムネ かけ カケ くだり クダリ けた ケタ すじ スジ そろい ソロイ たび タビ つかみ ツカミ つがい ツガイ つまみ ツマミ とおり トオリ ところ トコロ とせ トセ まわり マワリ ' +
  'シーズン シーズン セット セット 握り ニギリ 回り マワリ 株 カブ 竿 サオ 筋 スジ 桁 ケタ ケタ ケタ 月 ツキ 言 コト 口 クチ 差し サシ 皿 サラ 山 ヤマ 勺 シャク 尺 シャク ' +
  '重ね カサネ 振り フリ 針 ハリ 切れ キレ 束 タバ 続き ツヅキ 揃 ソロイ 袋 フクロ 柱 ハシラ 張り ハリ 通り トオリ 掴み ツカミ 坪 ツボ 箱 ハコ 鉢 ハチ 晩 バン 品 シナ ' +
  '瓶 ビン 分け ワケ 幕 マク 夜 ヤ 夜 ヨ 粒 ツブ 枠 ワク 棹 サオ つ折 ツオリ つ折り ツオリ 粒 ツブ つぶ ツブ とき トキ 重ね ガサネ'
)
  .split(' ')
  .reduce<Array<[string, string]>>((a, w, i, all) => (i % 2 ? a : [...a, [w, all[i + 1]]]), []);

const DAYS: Record<string, string> = {
  一: '一日,名詞,副詞可能,*,*,*,*,一日,イチニチ,イチニチ,4/4,*', 二: '二日,名詞,副詞可能,*,*,*,*,二日,フツカ,フツカ,0/3,*',
  三: '三日,名詞,副詞可能,*,*,*,*,三日,ミッカ,ミッカ,0/3,*', 四: '四日,名詞,副詞可能,*,*,*,*,四日,ヨッカ,ヨッカ,0/3,*',
  五: '五日,名詞,副詞可能,*,*,*,*,五日,イツカ,イツカ,0/3,*', 六: '六日,名詞,副詞可能,*,*,*,*,六日,ムイカ,ムイカ,0/3,*',
  七: '七日,名詞,副詞可能,*,*,*,*,七日,ナノカ,ナノカ,0/3,*', 八: '八日,名詞,副詞可能,*,*,*,*,八日,ヨウカ,ヨーカ,0/3,*',
  九: '九日,名詞,副詞可能,*,*,*,*,九日,ココノカ,ココノカ,0/4,*', 十: '十日,名詞,副詞可能,*,*,*,*,十日,トウカ,トーカ,0/3,*',
};
const DAY_SPANS: Record<string, string> = {
  一: '一日間,名詞,副詞可能,*,*,*,*,一日間,イチニチカン,イチニチカン,4/6,*', 二: '二日間,名詞,副詞可能,*,*,*,*,二日,フツカカン,フツカカン,3/5,*',
  三: '三日間,名詞,副詞可能,*,*,*,*,三日,ミッカカン,ミッカカン,3/5,*', 四: '四日間,名詞,副詞可能,*,*,*,*,四日,ヨッカカン,ヨッカカン,3/5,*',
  五: '五日間,名詞,副詞可能,*,*,*,*,五日,イツカカン,イツカカン,3/5,*', 六: '六日間,名詞,副詞可能,*,*,*,*,六日,ムイカカン,ムイカカン,3/5,*',
  七: '七日間,名詞,副詞可能,*,*,*,*,七日,ナノカカン,ナノカカン,3/5,*', 八: '八日間,名詞,副詞可能,*,*,*,*,八日,ヨウカカン,ヨーカカン,3/5,*',
  九: '九日間,名詞,副詞可能,*,*,*,*,九日,ココノカカン,ココノカカン,4/6,*', 十: '十日間,名詞,副詞可能,*,*,*,*,十日,トウカカン,トーカカン,3/5,*',
};
const own = (o: object, k: string | null) => k !== null && Object.prototype.hasOwnProperty.call(o, k);

function setDigit(njd: Njd): void {
  let s: NjdNode | null = null;
  let e: NjdNode | null = null;
  let find = false;
  for (let n = njd.head; n; n = n.next) {
    if (!find && g(n.pos1) === KAZU) find = true;
    if (getDigit(n, true) >= 0 || (g(n.pos1) === KAZU && (isPeriod(n.string) || isComma(n.string)))) {
      s ??= n;
      if (n === njd.tail) e = n;
    } else if (s) e = n.prev;
    if (s && e) {
      convertSequence(njd, s, e);
      s = e = null;
    }
  }
  if (!find) return;
  njd.removeSilent();
  if (!njd.head) return;

  for (let n: NjdNode | null = njd.head.next; n && n.next; ) {
    if (g(n.string) !== '*' && g(n.prev!.string) !== '*' && isPeriod(n.string) && g(n.prev!.pos1) === KAZU && g(n.next.pos1) === KAZU) {
      load(n, '．,名詞,接尾,助数詞,*,*,*,．,テン,テン,0/2,*,-1');
      n.chainFlag = 1;
      const p = n.prev!;
      const ps = g(p.string);
      if (ps === '〇' || ps === '０') [p.pron, p.mora] = ['レー', 2];
      else if (ps === '二') [p.pron, p.mora] = ['ニー', 2];
      else if (ps === '五') [p.pron, p.mora] = ['ゴー', 2];
      else if (ps === '六') p.acc = 1;
      n = n.next;
      while (n && g(n.pos) === '名詞') n = n.next;
      if (n) n = n.next;
    } else n = n.next;
  }

  for (let n = njd.head.next; n; n = n.next) {
    if (g(n.prev!.pos1) !== KAZU || !(g(n.pos2) === JOSUUSHI || g(n.pos1) === FUKUSHIKANOU)) continue;
    const str = g(n.string);
    if (str !== '*') {
      const hit = COUNTER_DIGIT.find(([set]) => set.has(str));
      if (hit) convertDigitPron(hit[1], n.prev!);
      const snd = COUNTER_SOUND.find(([set]) => set.has(str));
      if (snd) convertNumerativePron(snd[1], n.prev!, n);
    }
    n.prev!.chainFlag = 0;
    n.chainFlag = 1;
  }

  for (let n = njd.head.next; n; n = n.next) {
    const p = n.prev!;
    if (g(p.pos1) !== KAZU) continue;
    if (g(n.pos1) === KAZU && p.string !== null && n.string !== null) {
      let found = false;
      if (NUMERAL_HEAD.has(p.string)) {
        if (NUMERAL_PLACE.has(n.string)) {
          p.chainFlag = 0;
          n.chainFlag = 1;
          found = true;
        }
      }
      if (!found && NUMERAL_PLACE.has(p.string) && NUMERAL_HEAD.has(n.string)) n.chainFlag = 0;
    }
    const str = g(n.string);
    if (str === '百') convertDigitPron({ 六: ['ロッ', 0, 2], 八: ['ハッ', 0, 2] }, p);
    if (str === '千' || str === '兆') convertDigitPron({ 一: ['イッ', 0, 2], 八: ['ハッ', 0, 2], 十: ['ジュッ', 1, 2] }, p);
    if (str === '百' || str === '千') convertNumerativePron({ 三: 1, 六: 2, 八: 2, 何: 1 }, p, n);
  }

  for (let n: NjdNode | null = njd.head; n; n = n.next) {
    const x = n.next;
    if (!x || g(x.string) === '*' || g(n.pos1) !== KAZU) continue;
    if (!(n.prev === null || g(n.prev.pos) === '記号' || g(n.prev.pos1) !== KAZU)) continue;
    if (!(g(x.pos2) === JOSUUSHI || g(x.pos1) === FUKUSHIKANOU)) continue;
    const rc = READ_COUNTERS.find(([w, r]) => w === x.string && r === g(x.read));
    if (rc) {
      const conv: Record<string, [string, number, number]> = { 一: ['ヒト', 0, 2], 二: ['フタ', 0, 2] };
      if (own(conv, n.string)) {
        const [p, a, m] = conv[n.string!];
        [n.read, n.pron, n.acc, n.mora] = [p, p, a, m];
      }
    }
    if (x.string === '人') {
      const people: Record<string, string> = { 一: '一人,名詞,副詞可能,*,*,*,*,一人,ヒトリ,ヒトリ,2/3,*', 二: '二人,名詞,副詞可能,*,*,*,*,二人,フタリ,フタリ,3/3,*' };
      if (own(people, n.string)) {
        load(n, people[n.string!]);
        x.pron = null;
      }
    }
    if (x.string === '日' && g(n.string) !== '*') {
      if (n.prev && g(n.prev.string).includes('月') && n.string === '一') {
        load(n, '一日,名詞,副詞可能,*,*,*,*,一日,ツイタチ,ツイタチ,4/4,*');
        x.pron = null;
      } else if (own(DAYS, n.string)) {
        load(n, DAYS[n.string!]);
        x.pron = null;
      }
    } else if (x.string === '日間' && own(DAY_SPANS, n.string)) {
      load(n, DAY_SPANS[n.string!]);
      x.pron = null;
    }
  }

  for (let n: NjdNode | null = njd.head; n; n = n.next) {
    if (!((n.prev === null || g(n.prev.pos1) !== KAZU) && n.next && n.next.next)) continue;
    const a = n.next;
    const b = n.next.next;
    if (g(n.string) === '十' && g(a.string) === '四') {
      if (g(b.string) === '日') {
        load(n, '十四日,名詞,副詞可能,*,*,*,*,十四日,ジュウヨッカ,ジューヨッカ,1/5,*');
        a.pron = b.pron = null;
      } else if (g(b.string) === '日間') {
        load(n, '十四日間,名詞,副詞可能,*,*,*,*,十四日間,ジュウヨッカカン,ジューヨッカカン,5/7,*');
        a.pron = b.pron = null;
      }
    } else if (g(n.string) === '二' && g(a.string) === '十') {
      if (g(b.string) === '日') {
        load(n, '二十日,名詞,副詞可能,*,*,*,*,二十日,ハツカ,ハツカ,0/3,*');
        a.pron = b.pron = null;
      } else if (g(b.string) === '日間') {
        load(n, '二十日間,名詞,副詞可能,*,*,*,*,二十日間,ハツカカン,ハツカカン,3/5,*');
        a.pron = b.pron = null;
      } else if (g(b.string) === '四' && b.next) {
        if (g(b.next.string) === '日') {
          load(n, '二十,名詞,副詞可能,*,*,*,*,二十,ニジュウ,ニジュー,1/3,*');
          load(a, '四日,名詞,副詞可能,*,*,*,*,四日,ヨッカ,ヨッカ,0/3,*,0');
          b.pron = b.next.pron = null;
        } else if (g(b.next.string) === '日間') {
          load(n, '二十,名詞,副詞可能,*,*,*,*,二十,ニジュウ,ニジュー,1/3,*');
          load(a, '四日間,名詞,副詞可能,*,*,*,*,四日間,ヨッカカン,ヨッカカン,3/5,*,0');
          b.pron = b.next.pron = null;
        }
      }
    }
  }
  njd.removeSilent();
}

// --- njd_set_accent_phrase ---------------------------------------------------------------------------

function setAccentPhrase(njd: Njd): void {
  if (!njd.head) return;
  for (let n = njd.head.next; n; n = n.next) {
    if (n.chainFlag >= 0) continue;
    const p = n.prev!;
    const [pos, ppos] = [g(n.pos), g(p.pos)];
    let f = 1;
    if (ppos === '名詞' && pos === '名詞') f = 1;
    if (ppos === '形容詞' && pos === '名詞') f = 0;
    if (ppos === '名詞' && g(p.pos1) === '形容動詞語幹' && pos === '名詞') f = 0;
    if (ppos === '動詞' && (pos === '形容詞' || pos === '名詞')) f = 0;
    if ([pos, ppos].some((x) => x === '副詞' || x === '接続詞' || x === '連体詞')) f = 0;
    if (ppos === '名詞' && g(p.pos1) === '副詞可能') f = 0;
    if (pos === '名詞' && g(n.pos1) === '副詞可能') f = 0;
    if (pos === '助動詞' || pos === '助詞') f = 1;
    if (ppos === '助動詞' && pos !== '助動詞' && pos !== '助詞') f = 0;
    if (ppos === '助詞' && pos !== '助動詞' && pos !== '助詞') f = 0;
    if (g(p.pos1) === '接尾' && pos === '名詞') f = 0;
    if (pos === '形容詞' && g(n.pos1) === '非自立') {
      if (ppos === '動詞' || ppos === '形容詞') {
        if (g(p.cform).startsWith('連用')) f = 1;
      } else if (ppos === '助詞' && g(p.pos1) === '接続助詞' && (g(p.string) === 'て' || g(p.string) === 'で')) f = 1;
    }
    if (pos === '動詞' && g(n.pos1) === '非自立') {
      if (ppos === '動詞') {
        if (g(p.cform).startsWith('連用')) f = 1;
      } else if (ppos === '名詞' && g(p.pos1) === 'サ変接続') f = 1;
    }
    if (ppos === '名詞' && (pos === '動詞' || pos === '形容詞' || g(n.pos1) === '形容動詞語幹')) f = 0;
    if (pos === '記号' || ppos === '記号') f = 0;
    if (pos === '接頭詞') f = 0;
    if (g(p.pos3) === '姓' && pos === '名詞') f = 0;
    if (ppos === '名詞' && g(n.pos3) === '名') f = 0;
    if (g(n.pos1) === '接尾') f = 1;
    n.chainFlag = f;
  }
}

// --- njd_set_accent_type -----------------------------------------------------------------------------

/** The chain rule that applies after a word of part of speech prevPos: [rule, added type]. */
function chainRuleFor(rule: string | null, prevPos: string): [string, number] {
  if (rule) {
    // Tokens separated by '%' (pos%rule), '@' (added type) and '/' (alternatives).
    const toks: Array<[string, string]> = [];
    let buf = '';
    for (const c of rule) {
      if (c === '%' || c === '@' || c === '/') {
        toks.push([buf, c]);
        buf = '';
      } else buf += c;
    }
    toks.push([buf, '']);
    for (let i = 0; i < toks.length; ) {
      const [t, d] = toks[i++];
      if ((d === '%' && prevPos.includes(t)) || d === '@' || d === '/' || d === '') {
        let r = t;
        let dd = d;
        if (d === '%') [r, dd] = toks[i++] ?? ['', ''];
        if (dd === '@') return [r, parseInt(toks[i]?.[0] ?? '0', 10) || 0];
        return [r, 0];
      }
      let dd = d;
      while (dd === '%' || dd === '@') dd = (toks[i++] ?? ['', ''])[1];
    }
  }
  return ['*', 0];
}

function setAccentType(njd: Njd): void {
  let top: NjdNode | null = null;
  let mora = 0;
  for (let n = njd.head; n; n = n.next) {
    if (n.string === null) continue;
    if (n === njd.head || n.chainFlag !== 1) {
      top = n;
      mora = 0;
    } else if (n.prev && n.chainFlag === 1 && top) {
      const [rule, add] = chainRuleFor(n.chainRule, g(n.prev.pos));
      switch (rule) {
        case 'F2':
          if (top.acc === 0) top.acc = mora + add;
          break;
        case 'F3':
          if (top.acc !== 0) top.acc = mora + add;
          break;
        case 'F4':
          top.acc = mora + add;
          break;
        case 'F5':
        case 'C4':
        case 'P6':
          top.acc = 0;
          break;
        case 'C1':
          top.acc = mora + n.acc;
          break;
        case 'C2':
          top.acc = mora + 1;
          break;
        case 'C3':
          top.acc = mora;
          break;
        case 'P1':
          top.acc = n.acc === 0 ? 0 : mora + n.acc;
          break;
        case 'P2':
          top.acc = n.acc === 0 ? mora + 1 : mora + n.acc;
          break;
        case 'P14':
          if (n.acc !== 0) top.acc = mora + n.acc;
          break;
      }
      if (top.acc < 0) top.acc = 0;
    }
    const p = n.prev;
    if (p && n.chainFlag === 1 && g(p.pos1) === KAZU && g(n.pos1) === KAZU) {
      const ps = p.string;
      const s = n.string;
      if (s === '十') {
        p.acc = 1;
        if ((ps === '五' || ps === '六' || ps === '八') && n.next && NUMERAL_HEAD.has(g(n.next.string)) && !['何', '幾', '数'].includes(g(n.next.string))) p.acc = 0;
      } else if (s === '百') {
        if (ps === '七') p.acc = 2;
        else if (ps === '三' || ps === '四' || ps === '九' || ps === '何') p.acc = 1;
        else p.acc = p.mora + n.mora;
      } else if (s === '千' || s === '万') p.acc = p.mora + 1;
      else if (s === '億') p.acc = ps === '一' || ps === '六' || ps === '七' || ps === '八' || ps === '幾' ? 2 : 1;
      else if (s === '兆') p.acc = ps === '六' || ps === '七' ? 2 : 1;
    }
    if (n.string === '十' && n.chainFlag !== 1 && n.next && g(n.next.pos1) === KAZU) n.acc = 0;
    mora += n.mora;
  }
}

// --- labels ------------------------------------------------------------------------------------------

/** OpenJTalk's mora table: katakana -> phonemes (consonant?, vowel). */
const MORA_PHONES = new Map<string, string[]>();
for (const [k, v] of Object.entries({
  ヴョ: 'by o', ヴュ: 'by u', ヴャ: 'by a', ヴォ: 'v o', ヴェ: 'v e', ヴィ: 'v i', ヴァ: 'v a', ヴ: 'v u', ン: 'N', ヲ: 'o', ヱ: 'e', ヰ: 'i', ワ: 'w a', ヮ: 'w a',
  リェ: 'ry e', ミェ: 'my e', ピェ: 'py e', ビェ: 'by e', ヒェ: 'hy e', ニェ: 'ny e', ギェ: 'gy e', キェ: 'ky e', ドゥ: 'd u', トゥ: 't u', デョ: 'dy o', デュ: 'dy u',
  デャ: 'dy a', ディ: 'd i', テョ: 'ty o', テュ: 'ty u', テャ: 'ty a', ティ: 't i', ヅ: 'z u', ツォ: 'ts o', ツェ: 'ts e', ツィ: 'ts i', ツァ: 'ts a', ツ: 'ts u', ッ: 'cl',
  ヂ: 'j i', チョ: 'ch o', チュ: 'ch u', チャ: 'ch a', チェ: 'ch e', チ: 'ch i', ズィ: 'z i', スィ: 's i', ジョ: 'j o', ジュ: 'j u', ジャ: 'j a', ジェ: 'j e', ジ: 'j i',
  ショ: 'sh o', シュ: 'sh u', シャ: 'sh a', シェ: 'sh e', シ: 'sh i', ヶ: 'k e', グヮ: 'gw a', クヮ: 'kw a', フォ: 'f o', フェ: 'f e', フィ: 'f i', ファ: 'f a', フ: 'f u',
  ォ: 'o', ェ: 'e', ウォ: 'w o', ウェ: 'w e', ウィ: 'w i', ゥ: 'u', イェ: 'y e', ィ: 'i', ァ: 'a', ョ: 'y o', ュ: 'y u', ャ: 'y a',
})) MORA_PHONES.set(k, v.split(' '));
for (const [row, cons] of [
  ['アイウエオ', ['', '', '', '', '']], ['カキクケコ', ['k', 'k', 'k', 'k', 'k']], ['ガギグゲゴ', ['g', 'g', 'g', 'g', 'g']], ['サ_スセソ', ['s', '', 's', 's', 's']],
  ['ザ_ズゼゾ', ['z', '', 'z', 'z', 'z']], ['タ__テト', ['t', '', '', 't', 't']], ['ダ__デド', ['d', '', '', 'd', 'd']], ['ナニヌネノ', ['n', 'n', 'n', 'n', 'n']],
  ['ハヒ_ヘホ', ['h', 'h', '', 'h', 'h']], ['バビブベボ', ['b', 'b', 'b', 'b', 'b']], ['パピプペポ', ['p', 'p', 'p', 'p', 'p']], ['マミムメモ', ['m', 'm', 'm', 'm', 'm']],
  ['ヤ_ユ_ヨ', ['y', '', 'y', '', 'y']], ['ラリルレロ', ['r', 'r', 'r', 'r', 'r']],
] as Array<[string, string[]]>) {
  [...row].forEach((k, i) => {
    if (k !== '_') MORA_PHONES.set(k, cons[i] ? [cons[i], 'aiueo'[i]] : ['aiueo'[i]]);
  });
}
for (const [c, y] of Object.entries({ キ: 'ky', ギ: 'gy', ニ: 'ny', ヒ: 'hy', ビ: 'by', ピ: 'py', ミ: 'my', リ: 'ry' })) {
  MORA_PHONES.set(c + 'ャ', [y, 'a']);
  MORA_PHONES.set(c + 'ュ', [y, 'u']);
  MORA_PHONES.set(c + 'ョ', [y, 'o']);
}

interface LabelPhone {
  ph: string;
  /** null for pauses */
  ap: AccentPhrase | null;
  mora: number; // index of the mora in the utterance
}
interface AccentPhrase {
  acc: number;
  firstMora: number;
  lastMora: number;
}

/** Phones with v2 prosody marks from the NJD words, as upstream's pyopenjtalk_g2p_prosody reads the labels. */
function labelPhones(njd: Njd): string[] {
  const phones: LabelPhone[] = [];
  const moraWord: number[] = []; // mora -> word index
  const words: Array<{ ap: AccentPhrase }> = [];
  let pauseFlag = false;
  let curAp: AccentPhrase | null = null;
  let nMora = 0;
  const lastPhone = () => phones[phones.length - 1];
  const insertPause = () => {
    if (pauseFlag) {
      if (phones.length && lastPhone().ph !== 'pau') phones.push({ ph: 'pau', ap: null, mora: -1 });
      pauseFlag = false;
    }
  };
  for (let n = njd.head; n; n = n.next) {
    const pron = g(n.pron);
    if (pron === '、') {
      pauseFlag = true;
      continue;
    }
    if (pron === '？') {
      pauseFlag = true;
      continue;
    }
    let first = true;
    const wordIndex = words.length;
    for (let i = 0; i < pron.length; ) {
      if (pron[i] === 'ー') {
        if (phones.length && !pauseFlag) {
          // Repeats the phoneme before (in the word of the mora before).
          const prevPh = lastPhone();
          phones.push({ ph: prevPh.ph, ap: null, mora: nMora });
          moraWord.push(moraWord[moraWord.length - 1]);
          nMora++;
        }
        i++;
        continue;
      }
      if (pron[i] === '’') {
        i++;
        continue;
      }
      const two = MORA_PHONES.get(pron.slice(i, i + 2));
      const ph = two && pron.length >= i + 2 ? two : MORA_PHONES.get(pron[i]);
      if (!ph) break; // OpenJTalk stops reading the word at a character it has no mora for
      i += two && pron.length >= i + 2 ? 2 : 1;
      insertPause();
      for (const p of ph) phones.push({ ph: p, ap: null, mora: nMora });
      moraWord.push(wordIndex);
      nMora++;
      first = false;
    }
    if (first) continue; // no mora of its own: not a word
    if (lastPhone().ph === 'pau') continue;
    // Accent phrase: a new one unless chained; a pause before it starts a new breath group (same rule here).
    if (!curAp || n.chainFlag !== 1 || words.length === 0) curAp = { acc: n.acc, firstMora: -1, lastMora: -1 };
    words.push({ ap: curAp });
  }
  // Assign accent phrases to morae: each mora belongs to its word's accent phrase.
  const moraAp: AccentPhrase[] = moraWord.map((w) => words[w]?.ap);
  moraAp.forEach((ap, m) => {
    if (!ap) return;
    if (ap.firstMora < 0) ap.firstMora = m;
    ap.lastMora = m;
  });
  for (const p of phones) if (p.mora >= 0) p.ap = moraAp[p.mora];
  const out: string[] = [];
  const lim = (v: number, lo: number, hi: number) => (v <= lo ? lo : v >= hi ? hi : v);
  const a2Of = (p: LabelPhone | undefined) => {
    if (!p || !p.ap) return -50;
    return lim(p.mora - p.ap.firstMora + 1, 1, 49);
  };
  phones.forEach((p, k) => {
    if (p.ph === 'pau') {
      out.push('_');
      return;
    }
    out.push(p.ph);
    const ap = p.ap!;
    const idx = p.mora - ap.firstMora + 1;
    const count = ap.lastMora - ap.firstMora + 1;
    const a1 = lim(idx - (ap.acc === 0 ? count : ap.acc), -49, 49);
    const a2 = lim(idx, 1, 49);
    const a3 = lim(count - idx + 1, 1, 49);
    const f1 = lim(count, 1, 49);
    const a2Next = a2Of(phones[k + 1]);
    if (a3 === 1 && a2Next === 1 && 'aeiouAEIOUNcl'.includes(p.ph)) out.push('#');
    else if (a1 === 0 && a2Next === a2 + 1 && a2 !== f1) out.push(']');
    else if (a2 === 1 && a2Next === 2) out.push('[');
  });
  return out;
}

/** Full OpenJTalk frontend for one run of text already converted to MeCab's input (full width). */
export function njdPhones(morphs: Morph[]): string[] {
  const njd = new Njd();
  for (const m of morphs) njd.push(fromMorph(m));
  setPronunciation(njd);
  setDigit(njd);
  setAccentPhrase(njd);
  setAccentType(njd);
  return labelPhones(njd);
}

/** Phones with prosody marks for one accent phrase given as kana and its accent type (0 = flat). */
export function accentPhrasePhones(kana: string, accent: number): string[] {
  const njd = new Njd();
  const n = new NjdNode();
  n.string = n.pron = kana;
  n.acc = Math.max(0, Math.floor(accent));
  n.mora = 1;
  n.chainFlag = 0;
  njd.push(n);
  return labelPhones(njd);
}

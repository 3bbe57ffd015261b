// Mynah's compact form of OpenJTalk's NAIST-jdic (built by scripts/ja/build-dict.ts, read by ja-dict.ts).
// One gzipped file: "MYJD" + u32 header length + JSON header (tables, section offsets) + binary columns.
// Surfaces are sorted by UTF-16 code unit and front-coded; each entry keeps its context ids and part of
// speech (one "combo" index), cost, accent chain rule index, accent type, mora count and pronunciation
// (front-coded against the previous entry's). Base form and reading are kept only where OpenJTalk's
// rules read them (multi-word entries, counters the digit rules look up by reading).

export interface RawEntry {
  surface: string;
  lc: number;
  rc: number;
  cost: number;
  /** MeCab feature: pos,pos1,pos2,pos3,ctype,cform[,orig,read,pron,acc/mora,chain_rule] */
  feature: string;
}

export interface JaDictSource {
  sys: RawEntry[];
  user: RawEntry[];
  unk: RawEntry[];
  lsize: number;
  rsize: number;
  matrix: Int16Array;
  categories: string[];
  charMap: Uint32Array;
}

/** Extra fields kept verbatim for some entries. */
export interface EntryExtra {
  orig?: string;
  read?: string;
  pron?: string;
  acc?: string;
}

interface Header {
  sections: Record<string, [number, number]>;
  combos: number[]; // lc, rc, pos index triples
  pos: string[]; // "pos,pos1,pos2,pos3,ctype,cform"
  chain: string[];
  extras: Record<string, EntryExtra>;
  user: Array<[string, number, number, number, string]>;
  unk: Array<[string, number, number, number, string]>;
  lsize: number;
  rsize: number;
  categories: string[];
  entries: number;
  surfaces: number;
}

/** Surfaces whose reading the digit rules compare (njd_set_digit's counter list read by reading). */
export const READ_NEEDED = new Set(
  'かけ くだり けた すじ そろい たび つかみ つがい つまみ とおり ところ とせ まわり シーズン セット 握り 回り 株 竿 筋 桁 ケタ 月 言 口 差し 皿 山 勺 尺 重ね 振り 針 切れ 束 続き 揃 袋 柱 張り 通り 掴み 坪 箱 鉢 晩 品 瓶 分け 幕 夜 粒 枠 棹 つ折 つ折り つぶ とき'.split(' '),
);

// Pronunciations: katakana U+30A0..U+30FF as one byte (0..95); anything else as 0xFF + UTF-16 code unit.
function encodePron(s: string, out: number[]): void {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x30a0 && c <= 0x30ff) out.push(c - 0x30a0);
    else out.push(0xff, c >> 8, c & 0xff);
  }
}

function commonPrefix(a: string, b: string, max: number): number {
  let i = 0;
  while (i < a.length && i < b.length && i < max && a[i] === b[i]) i++;
  return i;
}

export function encodeJaDict(src: JaDictSource): Uint8Array {
  const posIndex = new Map<string, number>();
  const chainIndex = new Map<string, number>();
  const comboIndex = new Map<string, number>();
  const pos: string[] = [];
  const chain: string[] = [];
  const combos: number[] = [];
  const intern = (m: Map<string, number>, list: string[], s: string) => {
    let i = m.get(s);
    if (i === undefined) m.set(s, (i = list.push(s) - 1));
    return i;
  };
  // Group entries by surface, keeping dictionary order inside a surface (it decides ties).
  const bySurface = new Map<string, RawEntry[]>();
  for (const e of src.sys) {
    const list = bySurface.get(e.surface);
    if (list) list.push(e);
    else bySurface.set(e.surface, [e]);
  }
  const surfaces = [...bySurface.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const surfText: string[] = [];
  const counts: number[] = [];
  const comboCol: number[] = [];
  const costCol: number[] = [];
  const chainCol: number[] = [];
  const accCol: number[] = [];
  const moraCol: number[] = [];
  const pronBytes: number[] = [];
  const extras: Record<string, EntryExtra> = {};
  let prevSurf = '';
  let prevPron = '';
  let n = 0;
  for (const s of surfaces) {
    const k = commonPrefix(prevSurf, s, 90);
    surfText.push(String.fromCharCode(0x20 + k) + s.slice(k));
    prevSurf = s;
    const list = bySurface.get(s)!;
    if (list.length > 255) throw new Error(`too many entries for ${s}`);
    counts.push(list.length);
    for (const e of list) {
      const f = e.feature.split(',');
      if (f.length !== 11) throw new Error(`unexpected feature ${e.feature}`);
      const p = intern(posIndex, pos, f.slice(0, 6).join(','));
      const ckey = `${e.lc},${e.rc},${p}`;
      let ci = comboIndex.get(ckey);
      if (ci === undefined) {
        comboIndex.set(ckey, (ci = combos.length / 3));
        combos.push(e.lc, e.rc, p);
      }
      comboCol.push(ci);
      costCol.push(e.cost);
      chainCol.push(intern(chainIndex, chain, f[10]));
      const [orig, read, pron, acc] = [f[6], f[7], f[8], f[9]];
      let a = 0;
      let m = 0;
      let pr = '';
      const simple = /^\d+\/\d+$/.test(acc);
      if (!simple && acc.includes('/') && !acc.includes('*')) {
        extras[n] = { orig, read, pron, acc }; // several words in one entry
      } else if (simple) {
        [a, m] = acc.split('/').map(Number);
        if (a > 255 || m > 255) throw new Error(`accent out of range: ${e.feature}`);
        if (m > 0) pr = pron;
      }
      if (READ_NEEDED.has(s) && !extras[n]) extras[n] = { read };
      accCol.push(a);
      moraCol.push(m);
      const pk = commonPrefix(prevPron, pr, 255);
      const suffix: number[] = [];
      encodePron(pr.slice(pk), suffix);
      if (suffix.length > 255) throw new Error(`pronunciation too long: ${pr}`);
      pronBytes.push(pk, suffix.length, ...suffix);
      prevPron = pr;
      n++;
    }
  }
  const enc = new TextEncoder();
  const surfBytes = enc.encode(surfText.join('\n'));
  const u8 = (a: number[]) => Uint8Array.from(a);
  // 16-bit columns as high bytes then low bytes (compresses better).
  const split16 = (a: number[]) => {
    const out = new Uint8Array(a.length * 2);
    a.forEach((v, i) => {
      out[i] = (v >> 8) & 0xff;
      out[a.length + i] = v & 0xff;
    });
    return out;
  };
  // Matrix: each row as differences from the row before.
  const mdelta = new Int16Array(src.matrix.length);
  for (let i = 0; i < src.matrix.length; i++) mdelta[i] = i < src.lsize ? src.matrix[i] : src.matrix[i] - src.matrix[i - src.lsize];
  const charBytes = new Uint8Array(src.charMap.length * 4);
  for (let b = 0; b < 4; b++) for (let i = 0; i < src.charMap.length; i++) charBytes[b * src.charMap.length + i] = (src.charMap[i] >>> (8 * b)) & 0xff;
  const sections: Array<[string, Uint8Array]> = [
    ['surf', surfBytes],
    ['count', u8(counts)],
    ['combo', split16(comboCol)],
    ['cost', split16(costCol)],
    ['chain', u8(chainCol)],
    ['acc', u8(accCol)],
    ['mora', u8(moraCol)],
    ['pron', u8(pronBytes)],
    ['matrix', split16(Array.from(mdelta))],
    ['char', charBytes],
  ];
  const offsets: Record<string, [number, number]> = {};
  let off = 0;
  for (const [name, b] of sections) {
    offsets[name] = [off, b.length];
    off += b.length;
  }
  const row = (e: RawEntry): [string, number, number, number, string] => [e.surface, e.lc, e.rc, e.cost, e.feature];
  const header: Header = {
    sections: offsets, combos, pos, chain, extras, user: src.user.map(row), unk: src.unk.map(row),
    lsize: src.lsize, rsize: src.rsize, categories: src.categories, entries: n, surfaces: surfaces.length,
  };
  const hb = enc.encode(JSON.stringify(header));
  const out = new Uint8Array(8 + hb.length + off);
  out.set(enc.encode('MYJD'), 0);
  new DataView(out.buffer).setUint32(4, hb.length, true);
  out.set(hb, 8);
  let p = 8 + hb.length;
  for (const [, b] of sections) {
    out.set(b, p);
    p += b.length;
  }
  return out;
}

/** The dictionary as the tokenizer uses it. */
export interface JaDict {
  /** Sorted surfaces: characters of surface i are surfChars[surfOff[i] .. surfOff[i+1]). */
  surfChars: Uint16Array;
  surfOff: Uint32Array;
  /** Entries of surface i: entStart[i] .. entStart[i+1]. */
  entStart: Uint32Array;
  combo: Uint16Array;
  cost: Int16Array;
  chain: Uint8Array;
  acc: Uint8Array;
  mora: Uint8Array;
  pronOff: Uint32Array;
  pronChars: Uint16Array;
  combos: Uint16Array;
  pos: string[][];
  chainRules: string[];
  extras: Map<number, EntryExtra>;
  user: RawEntry[];
  unk: RawEntry[];
  lsize: number;
  matrix: Int16Array;
  categories: string[];
  charMap: Uint32Array;
}

export function decodeJaDict(bytes: Uint8Array): JaDict {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (new TextDecoder().decode(bytes.subarray(0, 4)) !== 'MYJD') throw new Error('not a Mynah Japanese dictionary');
  const hl = dv.getUint32(4, true);
  const h = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + hl))) as Header;
  const body = 8 + hl;
  const sec = (name: string) => {
    const [o, l] = h.sections[name];
    return bytes.subarray(body + o, body + o + l);
  };
  const join16 = (b: Uint8Array, signed: boolean) => {
    const n = b.length / 2;
    const out = signed ? new Int16Array(n) : new Uint16Array(n);
    for (let i = 0; i < n; i++) out[i] = (b[i] << 8) | b[n + i];
    return out;
  };
  // Surfaces.
  const surfText = new TextDecoder().decode(sec('surf'));
  let total = 0;
  for (let i = 0; i < surfText.length; ) {
    total += surfText.charCodeAt(i) - 0x20;
    i++;
    while (i < surfText.length && surfText.charCodeAt(i) !== 10) {
      total++;
      i++;
    }
    i++;
  }
  const surfChars = new Uint16Array(total);
  const surfOff = new Uint32Array(h.surfaces + 1);
  let si = 0;
  let w = 0;
  let prevStart = 0;
  for (let i = 0; i < surfText.length; ) {
    const k = surfText.charCodeAt(i) - 0x20;
    const start = w;
    surfChars.copyWithin(w, prevStart, prevStart + k);
    w += k;
    i++;
    while (i < surfText.length && surfText.charCodeAt(i) !== 10) surfChars[w++] = surfText.charCodeAt(i++);
    i++;
    surfOff[si++] = start;
    prevStart = start;
  }
  surfOff[si] = w;
  const counts = sec('count');
  const entStart = new Uint32Array(h.surfaces + 1);
  for (let i = 0; i < h.surfaces; i++) entStart[i + 1] = entStart[i] + counts[i];
  // Pronunciations.
  const pb = sec('pron');
  const pronOff = new Uint32Array(h.entries + 1);
  let ptotal = 0;
  for (let e = 0, i = 0; e < h.entries; e++) {
    ptotal += pb[i];
    const end = i + 2 + pb[i + 1];
    for (i += 2; i < end; i += pb[i] === 0xff ? 3 : 1) ptotal++;
  }
  const pronChars = new Uint16Array(ptotal);
  let pw = 0;
  let prev = 0;
  for (let e = 0, i = 0; e < h.entries; e++) {
    const k = pb[i];
    const len = pb[i + 1];
    i += 2;
    const start = pw;
    pronChars.copyWithin(pw, prev, prev + k);
    pw += k;
    const end = i + len;
    while (i < end) {
      const c = pb[i];
      if (c === 0xff) {
        pronChars[pw++] = (pb[i + 1] << 8) | pb[i + 2];
        i += 3;
      } else {
        pronChars[pw++] = 0x30a0 + c;
        i++;
      }
    }
    pronOff[e] = start;
    prev = start;
  }
  pronOff[h.entries] = pw;
  const md = join16(sec('matrix'), true) as Int16Array;
  for (let i = h.lsize; i < md.length; i++) md[i] = md[i] + md[i - h.lsize];
  const cb = sec('char');
  const nChar = cb.length / 4;
  const charMap = new Uint32Array(nChar);
  for (let i = 0; i < nChar; i++) charMap[i] = (cb[i] | (cb[nChar + i] << 8) | (cb[2 * nChar + i] << 16) | (cb[3 * nChar + i] << 24)) >>> 0;
  const raw = (r: [string, number, number, number, string]): RawEntry => ({ surface: r[0], lc: r[1], rc: r[2], cost: r[3], feature: r[4] });
  return {
    surfChars: surfChars.subarray(0, w),
    surfOff,
    entStart,
    combo: join16(sec('combo'), false) as Uint16Array,
    cost: join16(sec('cost'), true) as Int16Array,
    chain: sec('chain').slice(), // copies: the decompressed file can then be freed
    acc: sec('acc').slice(),
    mora: sec('mora').slice(),
    pronOff,
    pronChars: pronChars.subarray(0, pw),
    combos: Uint16Array.from(h.combos),
    pos: h.pos.map((p) => p.split(',')),
    chainRules: h.chain,
    extras: new Map(Object.entries(h.extras).map(([k, v]) => [Number(k), v])),
    user: h.user.map(raw),
    unk: h.unk.map(raw),
    lsize: h.lsize,
    matrix: md,
    categories: h.categories,
    charMap,
  };
}

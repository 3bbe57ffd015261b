// MeCab's lattice search over Mynah's NAIST-jdic (ja-dict-format.ts), as OpenJTalk runs it: dictionary
// words by common-prefix search, unknown words from the character categories (char.def: invoke, group,
// length), lowest total word + connection cost, ties resolved the way MeCab's node lists order them.
import type { JaDict, RawEntry } from './ja-dict-format';

/** One analysed word: its surface and MeCab feature fields. */
export interface Morph {
  surface: string;
  /** pos, pos1, pos2, pos3, ctype, cform */
  pos: string[];
  orig: string;
  read: string;
  pron: string;
  /** "acc/mora", several joined by ":" for multi-word entries; "" when absent. */
  acc: string;
  chainRule: string;
}

interface LatticeNode {
  len: number;
  lc: number;
  rc: number;
  wcost: number;
  cost: number;
  prev: LatticeNode | null;
  /** >= 0: system dictionary entry; -1 - i: user entry i; otherwise an unknown-word entry. */
  entry: number;
  unk?: RawEntry;
  start: number;
}

const MAX_GROUPING = 24;

function charInfo(dict: JaDict, code: number) {
  const v = dict.charMap[code] ?? dict.charMap[0];
  return { type: v & 0x3ffff, def: (v >>> 18) & 0xff, length: (v >>> 26) & 0xf, group: (v >>> 30) & 1, invoke: (v >>> 31) & 1 };
}

export class JaTokenizer {
  private unkByCat: RawEntry[][];
  private posOfUnk = new Map<RawEntry, string[]>();

  constructor(private dict: JaDict) {
    this.unkByCat = dict.categories.map((c) => dict.unk.filter((u) => u.surface === c));
    for (const u of dict.unk) this.posOfUnk.set(u, u.feature.split(',').slice(0, 6));
  }

  /** System-dictionary surfaces that start text at i, shortest first: [surface index, length]. */
  private prefixSearch(text: string, i: number): Array<[number, number]> {
    const d = this.dict;
    const n = d.surfOff.length - 1;
    let lo = 0;
    let hi = n;
    const out: Array<[number, number]> = [];
    for (let L = 1; i + L <= text.length; L++) {
      const c = text.charCodeAt(i + L - 1);
      // Within [lo, hi) all surfaces share the first L-1 characters; those of length L-1 sort first.
      const at = (s: number) => (d.surfOff[s + 1] - d.surfOff[s] >= L ? d.surfChars[d.surfOff[s] + L - 1] : -1);
      let a = lo;
      let b = hi;
      while (a < b) {
        const m = (a + b) >> 1;
        if (at(m) < c) a = m + 1;
        else b = m;
      }
      let e = a;
      let f = hi;
      while (e < f) {
        const m = (e + f) >> 1;
        if (at(m) <= c) e = m + 1;
        else f = m;
      }
      lo = a;
      hi = e;
      if (lo >= hi) break;
      if (d.surfOff[lo + 1] - d.surfOff[lo] === L) out.push([lo, L]);
    }
    return out;
  }

  private lookup(text: string, i: number): LatticeNode[] {
    const d = this.dict;
    const found: LatticeNode[] = [];
    for (const [s, len] of this.prefixSearch(text, i)) {
      for (let e = d.entStart[s]; e < d.entStart[s + 1]; e++) {
        const c = d.combo[e] * 3;
        found.push({ len, lc: d.combos[c], rc: d.combos[c + 1], wcost: d.cost[e], cost: 0, prev: null, entry: e, start: i });
      }
    }
    d.user.forEach((u, k) => {
      if (text.startsWith(u.surface, i)) found.push({ len: u.surface.length, lc: u.lc, rc: u.rc, wcost: u.cost, cost: 0, prev: null, entry: -1 - k, start: i });
    });
    const cinfo = charInfo(d, text.charCodeAt(i));
    if (found.length && !cinfo.invoke) return found.reverse();
    const addUnknown = (end: number) => {
      for (const u of this.unkByCat[cinfo.def]) found.push({ len: end - i, lc: u.lc, rc: u.rc, wcost: u.cost, cost: 0, prev: null, entry: -1000000, unk: u, start: i });
    };
    let groupEnd = -1;
    if (cinfo.group) {
      // Run of characters of a compatible kind (each compared with the one before it).
      let p = i + 1;
      let clen = 0;
      let cur = cinfo.type;
      while (p < text.length) {
        const t = charInfo(d, text.charCodeAt(p)).type;
        if (!(cur & t)) break;
        cur = t;
        p++;
        clen++;
      }
      if (clen <= MAX_GROUPING) addUnknown(p);
      groupEnd = p;
    }
    let p = i + 1;
    for (let k = 1; k <= cinfo.length; k++) {
      // MeCab stops adding once the candidate reaches the group's end (its loop only `continue`s there).
      if (p > text.length || p === groupEnd) break;
      addUnknown(p);
      if (p >= text.length || !(cinfo.type & charInfo(d, text.charCodeAt(p)).type)) break;
      p++;
    }
    if (!found.length) addUnknown(i + 1);
    return found.reverse();
  }

  /** Best path through the lattice, as morphs. */
  tokenize(text: string): Morph[] {
    if (!text) return [];
    const d = this.dict;
    const conn = (l: number, r: number) => d.matrix[l + d.lsize * r];
    const bos: LatticeNode = { len: 0, lc: 0, rc: 0, wcost: 0, cost: 0, prev: null, entry: -2000000, start: 0 };
    // endAt[p]: nodes ending at p, in insertion order (MeCab walks them newest first).
    const endAt: LatticeNode[][] = Array.from({ length: text.length + 1 }, () => []);
    endAt[0].push(bos);
    for (let pos = 0; pos < text.length; pos++) {
      const left = endAt[pos];
      if (!left.length) continue;
      for (const r of this.lookup(text, pos)) {
        let best: LatticeNode | null = null;
        let bestCost = Infinity;
        for (let k = left.length - 1; k >= 0; k--) {
          const l = left[k];
          const cost = l.cost + conn(l.rc, r.lc) + r.wcost;
          if (cost < bestCost) {
            bestCost = cost;
            best = l;
          }
        }
        r.prev = best;
        r.cost = bestCost;
        endAt[pos + r.len].push(r);
      }
    }
    let best: LatticeNode | null = null;
    let bestCost = Infinity;
    const last = endAt[text.length];
    for (let k = last.length - 1; k >= 0; k--) {
      const cost = last[k].cost + conn(last[k].rc, 0);
      if (cost < bestCost) {
        bestCost = cost;
        best = last[k];
      }
    }
    const path: LatticeNode[] = [];
    for (let n = best; n && n !== bos; n = n.prev) path.push(n);
    return path.reverse().map((n) => this.morph(text, n));
  }

  private morph(text: string, n: LatticeNode): Morph {
    const d = this.dict;
    const surface = text.slice(n.start, n.start + n.len);
    if (n.unk) return { surface, pos: this.posOfUnk.get(n.unk)!, orig: '', read: '', pron: '', acc: '', chainRule: '' };
    if (n.entry < 0) {
      const f = d.user[-1 - n.entry].feature.split(',');
      return { surface, pos: f.slice(0, 6), orig: f[6], read: f[7], pron: f[8], acc: f[9], chainRule: f[10] };
    }
    const e = n.entry;
    const pos = d.pos[d.combos[d.combo[e] * 3 + 2]];
    const chainRule = d.chainRules[d.chain[e]];
    const extra = d.extras.get(e);
    if (extra?.acc) return { surface, pos, orig: extra.orig!, read: extra.read!, pron: extra.pron!, acc: extra.acc, chainRule };
    const pron = String.fromCharCode(...d.pronChars.subarray(d.pronOff[e], d.pronOff[e + 1]));
    const mora = d.mora[e];
    return { surface, pos, orig: surface, read: extra?.read ?? pron, pron, acc: mora ? `${d.acc[e]}/${mora}` : '*', chainRule };
  }
}

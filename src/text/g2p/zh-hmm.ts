// jieba's two hidden Markov models for runs of characters that its dictionary route leaves alone,
// ported from jieba 0.42.1 (MIT): posseg's Viterbi over (B|M|E|S, POS) states (words and tags for
// jieba.posseg.lcut, which upstream's chinese2.py calls with HMM on), and finalseg's Viterbi over
// B/M/E/S (jieba.cut with HMM, inside the cut_for_search that tone sandhi's _split_word reads).
// Ties resolve as Python's max over (score, state) tuples does: the larger state wins.
// Data: src/text/data/zh-hmm.ts (scripts/text-data/build_zh_hmm.py), emissions rounded to 1e-6.

export interface ZhHmm {
  /** posseg state names, e.g. "Bn", in jieba's tuple order. */
  names: string[];
  start: Float64Array;
  /** from-state -> to-states and log-probabilities */
  transTo: Int32Array[];
  /** dense from*n+to; -Infinity where jieba has no entry (MIN_INF) */
  trans: Float64Array;
  /** character -> states of char_state_tab */
  tab: Map<string, Int32Array>;
  /** character -> state -> emission */
  emit: Map<string, Map<number, number>>;
  fStart: Float64Array;
  /** finalseg trans [from*4+to], B M E S */
  fTrans: Float64Array;
  fEmit: Map<string, Float64Array>;
}

const MIN_FLOAT = -3.14e100;

export function parseZhHmm(data: string): ZhHmm {
  let quant = 1e-6;
  const names: string[] = [];
  const start: number[] = [];
  const transRows: Array<Array<[number, number]>> = [];
  const tab = new Map<string, Int32Array>();
  const emit = new Map<string, Map<number, number>>();
  const fStart = new Float64Array(4);
  const fTrans = new Float64Array(16).fill(MIN_FLOAT);
  const fEmit = new Map<string, Float64Array>();
  const B = 'BMES';
  for (const line of data.split('\n')) {
    const kind = line[0];
    const body = line.slice(1);
    if (kind === 'Q') quant = Number(body);
    else if (kind === 'S') {
      for (const item of body.split(' ')) {
        const at = item.lastIndexOf(':');
        names.push(item.slice(0, at));
        start.push(Number(item.slice(at + 1)));
      }
    } else if (kind === 'R') {
      transRows.push(
        body ? body.split(' ').map((item) => {
          const at = item.indexOf(':');
          return [parseInt(item.slice(0, at), 36), Number(item.slice(at + 1))] as [number, number];
        }) : [],
      );
    } else if (kind === 'E') {
      const ch = String.fromCodePoint(body.codePointAt(0)!);
      const rest = body.slice(ch.length);
      const inTab: number[] = [];
      const em = new Map<number, number>();
      for (const item of rest ? rest.split(' ') : []) {
        const s = parseInt(item.slice(0, 2), 36);
        if (item[2] === '+') inTab.push(s);
        if (item.length > 3) em.set(s, -parseInt(item.slice(3), 36) * quant);
      }
      if (inTab.length) tab.set(ch, Int32Array.from(inTab));
      emit.set(ch, em);
    } else if (kind === 's') body.split(' ').forEach((v, i) => (fStart[i] = Number(v)));
    else if (kind === 'r') {
      for (const item of body.split(' ')) fTrans[B.indexOf(item[0]) * 4 + B.indexOf(item[1])] = Number(item.slice(3));
    } else if (kind === 'F') {
      const ch = String.fromCodePoint(body.codePointAt(0)!);
      const v = body.slice(ch.length).split(',');
      fEmit.set(ch, Float64Array.from(v, (x) => (x === '' ? MIN_FLOAT : -parseInt(x, 36) * quant)));
    }
  }
  const n = names.length;
  const trans = new Float64Array(n * n).fill(-Infinity);
  const transTo = transRows.map((row, from) => {
    for (const [to, p] of row) trans[from * n + to] = p;
    return Int32Array.from(row.map(([to]) => to));
  });
  return { names, start: Float64Array.from(start), transTo, trans, tab, emit, fStart, fTrans, fEmit };
}

/** posseg's viterbi: per character, the state index. */
function possegViterbi(h: ZhHmm, obs: string): number[] {
  const n = h.names.length;
  const all = Array.from({ length: n }, (_, i) => i);
  const em = (y: number, c: string) => h.emit.get(c)?.get(y) ?? MIN_FLOAT;
  let V = new Map<number, number>();
  const back: Array<Map<number, number>> = [new Map()];
  for (const y of h.tab.get(obs[0]) ?? all) {
    V.set(y, h.start[y] + em(y, obs[0]));
    back[0].set(y, -1);
  }
  for (let t = 1; t < obs.length; t++) {
    const prev = [...V.keys()].filter((x) => h.transTo[x].length > 0);
    const expect = new Set<number>();
    for (const x of prev) for (const y of h.transTo[x]) expect.add(y);
    let states = [...new Set(h.tab.get(obs[t]) ?? all)].filter((y) => expect.has(y));
    if (!states.length) states = expect.size ? [...expect] : all;
    const NV = new Map<number, number>();
    const bt = new Map<number, number>();
    const c = obs[t];
    for (const y of states) {
      const e = em(y, c);
      let best = -Infinity;
      let arg = -1;
      for (const y0 of prev) {
        const p = V.get(y0)! + h.trans[y0 * n + y] + e;
        if (arg < 0 || p > best || (p === best && y0 > arg)) {
          best = p;
          arg = y0;
        }
      }
      NV.set(y, best);
      bt.set(y, arg);
    }
    V = NV;
    back.push(bt);
  }
  let best = -Infinity;
  let state = -1;
  for (const [y, p] of V) {
    if (state < 0 || p > best || (p === best && y > state)) {
      best = p;
      state = y;
    }
  }
  const route = new Array<number>(obs.length);
  for (let i = obs.length - 1; i >= 0; i--) {
    route[i] = state;
    state = back[i].get(state)!;
  }
  return route;
}

/** posseg's __cut: a run of U+4E00..U+9FD5 characters into words with tags. */
export function hmmPosseg(h: ZhHmm, s: string): Array<[string, string]> {
  const route = possegViterbi(h, s);
  const out: Array<[string, string]> = [];
  let begin = 0;
  let nexti = 0;
  for (let i = 0; i < s.length; i++) {
    const name = h.names[route[i]];
    const bmes = name[0];
    if (bmes === 'B') begin = i;
    else if (bmes === 'E') {
      out.push([s.slice(begin, i + 1), name.slice(1)]);
      nexti = i + 1;
    } else if (bmes === 'S') {
      out.push([s[i], name.slice(1)]);
      nexti = i + 1;
    }
  }
  if (nexti < s.length) out.push([s.slice(nexti), h.names[route[nexti]].slice(1)]);
  return out;
}

// finalseg's PrevStatus over B=0 M=1 E=2 S=3: B <- E,S; M <- M,B; E <- B,M; S <- S,E.
const PREV: number[][] = [[2, 3], [1, 0], [0, 1], [3, 2]];

/** finalseg's __cut: a run of U+4E00..U+9FD5 characters into words. */
export function hmmFinalseg(h: ZhHmm, s: string): string[] {
  const em = (y: number, c: string) => h.fEmit.get(c)?.[y] ?? MIN_FLOAT;
  let V = Array.from({ length: 4 }, (_, y) => h.fStart[y] + em(y, s[0]));
  let path: number[][] = [[0], [1], [2], [3]];
  for (let t = 1; t < s.length; t++) {
    const NV: number[] = [];
    const np: number[][] = [];
    for (let y = 0; y < 4; y++) {
      const e = em(y, s[t]);
      let best = -Infinity;
      let arg = -1;
      for (const y0 of PREV[y]) {
        const p = V[y0] + h.fTrans[y0 * 4 + y] + e;
        // Python compares (prob, 'B'|'M'|'E'|'S'): ties go to the later letter, B < E < M < S
        if (arg < 0 || p > best || (p === best && 'BMES'[y0] > 'BMES'[arg])) {
          best = p;
          arg = y0;
        }
      }
      NV[y] = best;
      np[y] = [...path[arg], y];
    }
    V = NV;
    path = np;
  }
  // max over (V, y) for y in 'ES': S wins a tie
  const last = V[3] >= V[2] ? 3 : 2;
  const pos = path[last];
  const out: string[] = [];
  let begin = 0;
  let nexti = 0;
  for (let i = 0; i < s.length; i++) {
    if (pos[i] === 0) begin = i;
    else if (pos[i] === 2) {
      out.push(s.slice(begin, i + 1));
      nexti = i + 1;
    } else if (pos[i] === 3) {
      out.push(s[i]);
      nexti = i + 1;
    }
  }
  if (nexti < s.length) out.push(s.slice(nexti));
  return out;
}

// Builds Mynah's compact Japanese dictionary (data/ja/naist-jdic.bin.gz) from OpenJTalk's compiled
// NAIST-jdic, as Debian ships it (apt-get install open-jtalk-mecab-naist-jdic):
//   npx tsx scripts/ja/build-dict.ts [/var/lib/mecab/dic/open-jtalk/naist-jdic] [data/ja/naist-jdic.bin.gz]
// It reads MeCab's binary files (sys.dic: double-array trie + tokens + feature strings; matrix.bin;
// char.bin; unk.dic), keeps what Mynah's frontend uses (surface, context ids, cost, part of speech,
// pronunciation, accent type / mora count, accent chain rule; base form and reading only where a rule
// needs them) and writes them column by column (see ja-dict-format.ts), gzipped.
// Also adds upstream GPT-SoVITS's user dictionary entry (GPT_SoVITS/text/ja_userdic/userdict.csv), with
// the context ids and cost mecab-dict-index gives it there.
// NAIST-jdic: Copyright (c) 2009, Nara Institute of Science and Technology, BSD licence (data/ja/LICENSE).
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeJaDict, type JaDictSource, type RawEntry } from '../../src/text/g2p/ja-dict-format';

const dicDir = process.argv[2] ?? '/var/lib/mecab/dic/open-jtalk/naist-jdic';
const outPath = process.argv[3] ?? 'data/ja/naist-jdic.bin.gz';

interface DicEntry { surface: string; lc: number; rc: number; cost: number; feature: string; token: number }

/** Every entry of a MeCab binary dictionary, in token order. */
function readMecabDic(path: string): DicEntry[] {
  const buf = readFileSync(path);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const u32 = (i: number) => dv.getUint32(i * 4, true);
  const [dsize, tsize] = [u32(6), u32(7)];
  const daOff = 72;
  const tokOff = daOff + dsize;
  const featOff = tokOff + tsize;
  const nUnits = dsize / 8;
  const base = new Int32Array(nUnits);
  const check = new Uint32Array(nUnits);
  for (let i = 0; i < nUnits; i++) {
    base[i] = dv.getInt32(daOff + i * 8, true);
    check[i] = dv.getUint32(daOff + i * 8 + 4, true);
  }
  const dec = new TextDecoder();
  const feature = (off: number) => {
    let e = featOff + off;
    while (buf[e]) e++;
    return dec.decode(buf.subarray(featOff + off, e));
  };
  const out: DicEntry[] = [];
  // Darts: a state is its base value; byte c leads to unit b+c+1 when that unit's check is b; the
  // unit at b itself holds the value (-value-1) when its check is b.
  const stack: Array<[number, number[]]> = [[base[0], []]];
  while (stack.length) {
    const [b, bytes] = stack.pop()!;
    if (b < nUnits && check[b] === b && base[b] < 0) {
      const v = -base[b] - 1;
      const surface = dec.decode(new Uint8Array(bytes));
      for (let k = 0; k < (v & 0xff); k++) {
        const o = tokOff + ((v >> 8) + k) * 16;
        out.push({ surface, lc: dv.getUint16(o, true), rc: dv.getUint16(o + 2, true), cost: dv.getInt16(o + 6, true), feature: feature(dv.getUint32(o + 8, true)), token: (v >> 8) + k });
      }
    }
    for (let c = 0; c < 256; c++) {
      const p = b + c + 1;
      if (p < nUnits && check[p] === b) stack.push([base[p], [...bytes, c]]);
    }
  }
  return out.sort((a, b) => a.token - b.token);
}

const toRaw = (e: DicEntry): RawEntry => ({ surface: e.surface, lc: e.lc, rc: e.rc, cost: e.cost, feature: e.feature });
const sys = readMecabDic(`${dicDir}/sys.dic`).map(toRaw);
const unk = readMecabDic(`${dicDir}/unk.dic`).map(toRaw);
// Upstream's user dictionary (one entry); mecab-dict-index gives it context ids 0/0 there.
const user: RawEntry[] = [{ surface: '主殿', lc: 0, rc: 0, cost: -32767, feature: '名詞,固有名詞,一般,*,*,*,アルジドノ,アルジドノ,アルジドノ,3/5,*' }];

const matrixBuf = readFileSync(`${dicDir}/matrix.bin`);
const lsize = matrixBuf.readUInt16LE(0);
const rsize = matrixBuf.readUInt16LE(2);
const matrix = new Int16Array(lsize * rsize);
for (let i = 0; i < matrix.length; i++) matrix[i] = matrixBuf.readInt16LE(4 + i * 2);

const charBuf = readFileSync(`${dicDir}/char.bin`);
const ncat = charBuf.readUInt32LE(0);
const categories: string[] = [];
for (let i = 0; i < ncat; i++) categories.push(charBuf.subarray(4 + i * 32, 4 + (i + 1) * 32).toString('latin1').replace(/\0.*$/s, ''));
const charMap = new Uint32Array(0xffff);
for (let i = 0; i < 0xffff; i++) charMap[i] = charBuf.readUInt32LE(4 + ncat * 32 + i * 4);

const src: JaDictSource = { sys, user, unk, lsize, rsize, matrix, categories, charMap };
const bytes = encodeJaDict(src);
const gz = gzipSync(bytes, { level: 9 });
mkdirSync(dirname(outPath), { recursive: true });
writeFileSync(outPath, gz);
console.log(`${sys.length} entries (+${user.length} user, ${unk.length} unknown-word); ${bytes.length} bytes, ${gz.length} gzipped -> ${outPath}`);

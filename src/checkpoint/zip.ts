// The zip container of torch.save (PyTorch >= 1.6): entries are stored uncompressed, so each
// tensor storage is a contiguous byte range of the file that can be read on its own. Only the
// central directory (at the end) and the local headers are parsed; zip64 fields are honoured.
import { MynahError } from '../errors';
import { LE, type ByteSource } from './bytes';

export interface ZipEntry {
  name: string;
  /** 0 = stored; torch never compresses. */
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

const truncated = (src: ByteSource, what: string) =>
  new MynahError('CHECKPOINT_TRUNCATED', `${src.name} is incomplete (${what}). Copy or download the file again.`);

/** Reads the central directory. Throws CHECKPOINT_TRUNCATED when the end record is missing. */
export async function readZipDirectory(src: ByteSource): Promise<Map<string, ZipEntry>> {
  const tailLength = Math.min(src.size, 22 + 65535 + 20);
  const tail = await src.read(src.size - tailLength, tailLength);
  const le = new LE(tail);
  let at = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (le.u32(i) === EOCD) {
      at = i;
      break;
    }
  }
  if (at < 0) throw truncated(src, 'its zip directory is missing');
  let count = le.u16(at + 10);
  let cdSize = le.u32(at + 12);
  let cdOffset = le.u32(at + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    if (at < 20 || le.u32(at - 20) !== ZIP64_LOCATOR) throw truncated(src, 'its zip64 locator is missing');
    const recordOffset = le.u64(at - 20 + 8);
    const rec = new LE(await src.read(recordOffset, 56));
    if (rec.u32(0) !== ZIP64_EOCD) throw truncated(src, 'its zip64 directory record is missing');
    count = rec.u64(32);
    cdSize = rec.u64(40);
    cdOffset = rec.u64(48);
  }
  if (cdOffset + cdSize > src.size) throw truncated(src, 'its zip directory points past the end');
  const cd = new LE(await src.read(cdOffset, cdSize));
  const entries = new Map<string, ZipEntry>();
  let p = 0;
  const decoder = new TextDecoder();
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.bytes.length || cd.u32(p) !== CENTRAL) throw truncated(src, 'its zip directory is damaged');
    const method = cd.u16(p + 10);
    let compressedSize = cd.u32(p + 20);
    let size = cd.u32(p + 24);
    const nameLength = cd.u16(p + 28);
    const extraLength = cd.u16(p + 30);
    const commentLength = cd.u16(p + 32);
    let localHeaderOffset = cd.u32(p + 42);
    const name = decoder.decode(cd.bytes.subarray(p + 46, p + 46 + nameLength));
    // zip64 extra field: 64-bit values for exactly those fields that are 0xFFFFFFFF, in this order.
    let e = p + 46 + nameLength;
    const extraEnd = e + extraLength;
    while (e + 4 <= extraEnd) {
      const id = cd.u16(e);
      const len = cd.u16(e + 2);
      if (id === 0x0001) {
        let q = e + 4;
        if (size === 0xffffffff) (size = cd.u64(q)), (q += 8);
        if (compressedSize === 0xffffffff) (compressedSize = cd.u64(q)), (q += 8);
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = cd.u64(q);
      }
      e += 4 + len;
    }
    entries.set(name, { name, method, compressedSize, size, localHeaderOffset });
    p = extraEnd + commentLength;
  }
  return entries;
}

/**
 * File offset of an entry's data (after its local header). The first entry's signature may be a
 * 2-byte version code instead of "PK" (upstream's SoVITS files), so only bytes 2..3 are checked
 * at offset 0.
 */
export async function zipDataOffset(src: ByteSource, entry: ZipEntry): Promise<number> {
  const h = new LE(await src.read(entry.localHeaderOffset, 30));
  const signatureOk = entry.localHeaderOffset === 0 ? h.u16(2) === LOCAL >>> 16 : h.u32(0) === LOCAL;
  if (!signatureOk) throw truncated(src, `the zip entry ${entry.name} is damaged`);
  if (entry.method !== 0) {
    throw new MynahError('CHECKPOINT_INVALID', `${src.name} has a compressed entry (${entry.name}); PyTorch never writes those. Use the file as it was saved.`);
  }
  const start = entry.localHeaderOffset + 30 + h.u16(26) + h.u16(28);
  if (start + entry.size > src.size) throw truncated(src, `${entry.name} runs past the end of the file`);
  return start;
}

export async function readZipEntry(src: ByteSource, entry: ZipEntry): Promise<Uint8Array> {
  return src.read(await zipDataOffset(src, entry), entry.size);
}

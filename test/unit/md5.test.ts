// MD5 of file heads, as upstream recognises its pretrained SoVITS files (process_ckpt.get_hash_from_file).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { md5Hex } from '../../src/checkpoint/md5';

describe('md5Hex', () => {
  it('equals node:crypto for lengths around the block boundaries and upstream’s 8192-byte heads', () => {
    for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 8192, 10000]) {
      const d = new Uint8Array(n).map((_, i) => (i * 31 + 7) & 255);
      expect(md5Hex(d), `${n} bytes`).toBe(createHash('md5').update(d).digest('hex'));
    }
    expect(md5Hex(new TextEncoder().encode('abc'))).toBe('900150983cd24fb0d6963f7d28e17f72');
  });
});

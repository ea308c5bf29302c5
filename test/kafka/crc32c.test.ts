import { describe, expect, it } from 'vitest';
import { crc32c } from '../../src/kafka/crc32c.ts';

describe('crc32c', () => {
  it('gives the standard check value and known vectors', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(0))).toBe(0);
    // RFC 3720 (iSCSI) B.4: 32 bytes of zeros, and of 0xff.
    expect(crc32c(Buffer.alloc(32, 0))).toBe(0x8a9136aa);
    expect(crc32c(Buffer.alloc(32, 0xff))).toBe(0x62a8ab43);
  });

  it('checksums a range, whatever its alignment to the 8-byte steps', () => {
    const bytes = Buffer.from('..123456789...');
    expect(crc32c(bytes, 2, 11)).toBe(0xe3069283);
    const long = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 31) & 0xff));
    for (const start of [0, 1, 3, 7]) {
      expect(crc32c(long, start, 999)).toBe(crc32c(Buffer.from(long.subarray(start, 999))));
    }
  });
});
